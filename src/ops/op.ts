// What an op definition is: its argument schema, how the arguments resolve to
// the IR's LayerArgs, its shape rule, parameters, state and MAC count. One
// module per op under src/ops/ exports one `OpDef`; src/ops/index.ts lists them.
import { diag, type Diagnostic, type Label, type Span } from "../diagnostics.ts";
import type { ArgsOf, LayerArgs, LossArgs, OpName } from "../ir.ts";

export type Shape = number[];
export type Pair = [number, number];
/** (top, bottom, left, right) */
export type Pad4 = [number, number, number, number];
export type Rounding = "floor" | "ceil" | "exact";
export const ROUNDINGS: readonly Rounding[] = ["floor", "ceil", "exact"];

/** How the user wrote a pad: kept so that a suggested fix is written the same way. */
export type PadForm = "int" | "pair" | "quad";
export type PadValue = { kind: "same" } | { kind: "explicit"; pad: Pad4; form: PadForm };

export type ArgType =
  | { kind: "int"; min: number }
  | { kind: "number"; min: number; minExclusive?: boolean; max?: number; maxExclusive?: boolean }
  | { kind: "pair"; min: number }
  | { kind: "pad"; same: boolean }
  | { kind: "bool" }
  | { kind: "enum"; values: readonly string[] }
  /** a tuple of numbers, each at least `min` (class weights) */
  | { kind: "numbers"; min: number };

export type ArgValue = number | Pair | PadValue | boolean | string | number[];

export interface ArgSpec {
  name: string;
  type: ArgType;
  /** absent: the argument is required, unless `optional` */
  default?: ArgValue;
  /** may be left out with no default (e.g. `rounding`, which falls back to the model's) */
  optional?: boolean;
  /** one line for docs/language.md and `cnnc explain` */
  doc: string;
  /** other spellings (PyTorch, TensorFlow) that "did you mean" maps to this argument */
  aliases?: readonly string[];
  /** a typical value, used when the argument is missing ("add kernel=3") */
  example?: string;
}

/** One argument after type checking: its value (or default) and where it was written. */
export interface ReadArg {
  value: ArgValue;
  /** the whole `name=value` (or the positional value); absent when defaulted */
  span?: Span;
}

/** Typed access to a layer's checked arguments, defaults filled in. */
export class Args {
  constructor(
    private readonly values: ReadonlyMap<string, ReadArg>,
    private readonly layerSpan: Span,
  ) {}

  private get(name: string): ArgValue {
    const arg = this.values.get(name);
    if (arg === undefined) throw new Error(`internal error: argument '${name}' read but not declared`);
    return arg.value;
  }
  /** given by the user (not a default) */
  given(name: string): boolean {
    return this.values.get(name)?.span !== undefined;
  }
  int(name: string): number {
    return this.get(name) as number;
  }
  number(name: string): number {
    return this.get(name) as number;
  }
  pair(name: string): Pair {
    return this.get(name) as Pair;
  }
  pad(name: string): PadValue {
    return this.get(name) as PadValue;
  }
  bool(name: string): boolean {
    return this.get(name) as boolean;
  }
  /** a `numbers` argument, or undefined when left out and optional */
  numbers(name: string): number[] | undefined {
    return this.values.get(name)?.value as number[] | undefined;
  }
  /** an enum argument, or undefined when left out and optional */
  enumValue(name: string): string | undefined {
    return this.values.get(name)?.value as string | undefined;
  }
  /** the argument as written, or the layer when it was defaulted */
  span(name: string): Span {
    return this.values.get(name)?.span ?? this.layerSpan;
  }
}

/** Where a model-wide `rounding` came from. */
export interface ModelRounding {
  mode: Rounding;
  /** the `rounding X` statement, absent for the default floor */
  span?: Span;
}

export interface ResolveContext {
  op: string;
  span: Span;
  report(d: Diagnostic): void;
  modelRounding: ModelRounding;
}

/** Where a resolved rounding came from; the help text names the knob to turn. */
export type RoundingSource = "layer" | "model" | "default";

export interface InferContext {
  /** "conv 'c1'" */
  display: string;
  /** the layer statement */
  span: Span;
  report(d: Diagnostic): void;
  /** points at what produced the input shape ("input is [3, 20, 20]") */
  inputLabel(message: string): Label;
  /** context facts appended to every note list (e.g. which copy of a repeat) */
  contextNotes: string[];
  /** the input is the model's `input` (no layer before this one) */
  atModelInput: boolean;
  /**
   * Every value the layer reads, in order: one for a plain layer (its `input`),
   * two or more for a merge. Single-input ops only use `input`.
   */
  operands: readonly Operand[];
}

/** One value a layer reads, as a merge's messages need it. */
export interface Operand {
  shape: Shape;
  /** how messages name it: "branch 2 ('downsample.1')", "the model's input" */
  name: string;
  /** a secondary label at the statement that produced it */
  label(message: string): Label;
}

export interface TensorSpec {
  /** the part after "<layer>.", e.g. "weight", "running_mean"; "" names the tensor by the layer alone */
  suffix: string;
  shape: number[];
}

export interface OpDef<O extends OpName, D> {
  name: O;
  /** the positional argument, which may also be given by name */
  primary?: string;
  args: readonly ArgSpec[];
  /** other spellings of the op (PyTorch's names) for "did you mean" */
  aliases?: readonly string[];
  /** a merge reads every branch of `op { … }` (ctx.operands); other ops read one value */
  merge?: boolean;
  /** input-independent checks across arguments; reports and returns undefined on error */
  resolve(args: Args, ctx: ResolveContext): D | undefined;
  /** the shape rule; reports and returns undefined on error */
  infer(draft: D, input: Shape, ctx: InferContext): { args: ArgsOf<O>; output: Shape } | undefined;
  params(args: ArgsOf<O>, input: Shape): TensorSpec[];
  state(args: ArgsOf<O>, input: Shape): TensorSpec[];
  /** multiply-accumulates per sample; may exceed the safe range (the checker reports that) */
  macs(args: ArgsOf<O>, input: Shape, output: Shape): number;
}

/**
 * An op seen from the checker: it only hands drafts and resolved args back to
 * the same op, so their precise types are erased here (method parameters are
 * bivariant, which lets every OpDef<O, D> fit).
 */
export interface AnyOpDef {
  name: OpName;
  primary?: string;
  args: readonly ArgSpec[];
  aliases?: readonly string[];
  merge?: boolean;
  resolve(args: Args, ctx: ResolveContext): unknown;
  infer(draft: unknown, input: Shape, ctx: InferContext): { args: LayerArgs; output: Shape } | undefined;
  params(args: LayerArgs, input: Shape): TensorSpec[];
  state(args: LayerArgs, input: Shape): TensorSpec[];
  macs(args: LayerArgs, input: Shape, output: Shape): number;
}

export function defineOp<O extends OpName, D>(def: OpDef<O, D>): OpDef<O, D> {
  return def;
}

export type LossName = LossArgs["op"];

export interface LossDef<L extends LossName> {
  name: L;
  primary?: string;
  args: readonly ArgSpec[];
  aliases?: readonly string[];
  resolve(args: Args): Extract<LossArgs, { op: L }>;
}

export interface AnyLossDef {
  name: LossName;
  primary?: string;
  args: readonly ArgSpec[];
  aliases?: readonly string[];
  resolve(args: Args): LossArgs;
}

export function defineLoss<L extends LossName>(def: LossDef<L>): LossDef<L> {
  return def;
}

/** A layer that keeps its input's shape and has nothing to resolve beyond its arguments. */
export function sameShape<O extends OpName>(args: ArgsOf<O>, input: Shape): { args: ArgsOf<O>; output: Shape } {
  return { args, output: [...input] };
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

export function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export const noTensors = (): TensorSpec[] => [];
export const noMacs = (): number => 0;

/** The rounding rule for a windowed layer: its own argument, else the model's (ceil only for pools), else floor. */
export function resolveRounding(
  args: Args,
  ctx: ResolveContext,
  isPool: boolean,
): { mode: Rounding; source: RoundingSource } {
  const own = args.enumValue("rounding") as Rounding | undefined;
  if (own !== undefined) return { mode: own, source: "layer" };
  const model = ctx.modelRounding;
  if (model.span === undefined) return { mode: "floor", source: "default" };
  if (model.mode === "ceil" && !isPool) return { mode: "floor", source: "default" };
  return { mode: model.mode, source: "model" };
}

/** Spatial layers need [C, H, W]; reports E0303 on a vector input. `vectorHelp` names an alternative that works on vectors. */
export function requireImage(input: Shape, ctx: InferContext, vectorHelp?: string): input is [number, number, number] {
  if (input.length === 3) return true;
  const fix = ctx.atModelInput
    ? "give the model an image input, `input [C, H, W]`"
    : "move this layer before the first affine, flatten or globalavgpool";
  ctx.report(
    diag("E0303", ctx.span, `${ctx.display} needs a [C, H, W] input, got ${formatShape(input)}`, {
      labels: [ctx.inputLabel(`${formatShape(input)} comes from here`)],
      notes: [
        ctx.atModelInput
          ? "the model's input is a vector, with no spatial axes"
          : "after affine, flatten or globalavgpool the tensor is a vector with no spatial axes",
        ...ctx.contextNotes,
      ],
      help: vectorHelp !== undefined ? `${fix}, or ${vectorHelp}` : fix,
    }),
  );
  return false;
}
