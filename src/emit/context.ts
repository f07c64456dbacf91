// Emitter contracts: what an op's emitter receives (LayerContext) and must
// provide (OpEmitter). Input: one checked IR layer plus the names of the
// buffers around it; output: TypeScript statement text. Emits no diagnostics.
import type { ArgsOf, Layer, OpName, Tensor } from "../ir.ts";

/** The default of `cnnc build --unroll` (docs/cli.md#cnnc-build); here so the CLI names it without loading the emitter. */
export const DEFAULT_UNROLL_BUDGET = 64;

export type Dtype = "f32" | "f64";

/** A layer's one-sample shape seen as [C, H, W]; a [D] tensor is [D, 1, 1]. */
export interface Dims {
  c: number;
  h: number;
  w: number;
  /** c·h·w, one sample's element count */
  size: number;
}

export function dimsOf(shape: readonly number[]): Dims {
  const [c, h = 1, w = 1] = shape;
  return { c: c!, h, w, size: c! * h * w };
}

/** A workspace buffer owned by one layer (argmax indices, dropout mask, saved statistics). */
export interface WorkspaceBuffer {
  /** property name in the workspace, e.g. "l3_argmax" */
  name: string;
  kind: "float" | "int32";
  /** element count as a TypeScript expression of `batch` */
  length: string;
  /** what it holds, for the generated type's doc comment */
  doc: string;
  /**
   * its contents matter only within the layer's forward or backward step
   * (scratch): the workspace may share its memory with other buffers, so the
   * emitter must not rely on what it held before (zero borders included).
   * Absent: kept for the workspace's life (argmax, masks, statistics).
   */
  live?: "forward" | "backward";
}

/**
 * One value a layer reads. Single-input emitters use the names `inp` and
 * `dIn`; a merge (`multiInput`) reads `operands`, one per value it merges.
 */
export interface Operand {
  dims: Dims;
  /** the operand's activation inside the layer functions ("in0", "in1", …; "inp" for single-input layers) */
  inp: string;
  /** the operand's gradient inside the backward layer functions ("dIn0", …; "dIn") */
  dIn: string;
  /**
   * backward must add into dIn rather than overwrite it: another reader of the
   * same value wrote its share first. Only merges see true; for other layers
   * the module adds a scratch gradient itself.
   */
  accumulate: boolean;
}

/** What an op emitter sees. All names are TypeScript expressions valid inside the pass functions. */
export interface LayerContext<O extends OpName = OpName> {
  layer: Layer & { args: ArgsOf<O> };
  args: ArgsOf<O>;
  /** 1-based position in the model */
  index: number;
  input: Dims;
  output: Dims;
  /** expression of the input activation buffer (N × input.size) */
  inp: string;
  /** expression of the output activation buffer (N × output.size) */
  out: string;
  /** every value the layer reads, in the order of the layer's `from` */
  operands: Operand[];
  /** gradient w.r.t. the input (written by backward) */
  dIn: string;
  /** gradient w.r.t. the output (read by backward) */
  dOut: string;
  /** expression of parameter `suffix` ("weight", "bias") */
  param(suffix: string): string;
  /** expression of the gradient of parameter `suffix` */
  grad(suffix: string): string;
  /** expression of state tensor `suffix` ("running_mean") */
  state(suffix: string): string;
  /** expression of this layer's own workspace buffer `suffix` */
  buffer(suffix: string): string;
  /** property name of this layer's own workspace buffer `suffix` */
  bufferName(suffix: string): string;
  /** the largest number of multiply-adds written out as straight-line code per window */
  unrollBudget: number;
  /** "auto": each layer's fastest applicable strategy; "window": the general window code only (for comparisons) */
  strategy: "auto" | "window";
  dtype: Dtype;
}

/** How one parameter tensor starts out. */
export type ParamInit = { kind: "he"; fanIn: number } | { kind: "fill"; value: number };

/**
 * One op's code generator. Forward code runs inside `forwardPass` where `N`
 * (batch) and `train` (boolean) are in scope; backward code runs inside
 * `backwardPass` where `N` is in scope, and must overwrite dIn and every
 * parameter gradient (never accumulate across calls).
 */
export interface OpEmitter<O extends OpName> {
  /**
   * reads two or more values through `operands` (layer functions take one
   * activation and one gradient parameter per operand) and honours each
   * operand's `accumulate`
   */
  multiInput?: boolean;
  /**
   * elementwise: element i of the output (of dIn in backward) is written after
   * element i of every operand (of dOut) is read and depends on nothing else,
   * so the workspace may put the output in the memory of an operand read for
   * the last time here (in-place, like PyTorch's ReLU(inplace=True))
   */
  inPlace?: boolean;
  /** the output is the input buffer itself (no code, no buffer) */
  alias?: boolean;
  buffers?(l: LayerContext<O>): WorkspaceBuffer[];
  forward(l: LayerContext<O>): string;
  /**
   * The backward code, or named parts (e.g. weight and input gradients) that
   * become separate functions run in order: smaller functions let V8
   * optimise each loop nest on its own and profiles show each part.
   */
  backward(l: LayerContext<O>): string | { part: string; code: string }[];
  init?(l: LayerContext<O>, param: Tensor, suffix: string): ParamInit;
  /**
   * Entries this layer adds to activationPattern per sample, and the code
   * that writes them at `pat[k + j]` for j in [0, N·perSample) (k is in scope).
   */
  pattern?(l: LayerContext<O>): { perSample: number; fill: string };
  /** the kernel strategy this layer gets, when the op has a choice (shown by `cnnc build --emit ir`) */
  strategy?(l: LayerContext<O>): string;
  /** a RangeError condition checked before any work in training mode, e.g. batchnorm with one value per channel */
  trainingGuard?(l: LayerContext<O>): { condition: string; message: string } | undefined;
}

/** `v·mul + add` as short TypeScript: "oh", "oh * 2", "oh - 1". */
export function lin(v: string, mul: number, add: number): string {
  const base = mul === 0 ? "" : mul === 1 ? v : `${v} * ${mul}`;
  if (base === "") return String(add);
  if (add === 0) return base;
  return add > 0 ? `${base} + ${add}` : `${base} - ${-add}`;
}

/** `base + k` as short TypeScript. */
export function plus(base: string, k: number): string {
  if (k === 0) return base;
  return k > 0 ? `${base} + ${k}` : `${base} - ${-k}`;
}

/** A number as a TypeScript literal that reads back to the same double. */
export function num(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`internal: non-finite literal ${v}`);
  return Object.is(v, -0) ? "0" : String(v);
}
