// emit: checked IR Model → the text of one self-contained TypeScript module
// (docs/generated-api.md), before prettier. Deterministic: the same Model and options give
// the same bytes. Emits no diagnostics; an unexpected IR is an internal error.
//
// One function per output section (header, types, info, initParams,
// initState, createWorkspace, checks, forward, backward/lossAndGrad,
// activationPattern); the per-op code comes from the registry in ./ops.
import { readFileSync } from "node:fs";
import { tensorName, type Layer, type Model, type OpName, type Tensor } from "../ir.ts";
import { commentText } from "../escape/comment.ts";
import { DEFAULT_UNROLL_BUDGET, type Dtype, dimsOf, type LayerContext, num, type Operand, type ParamInit, type WorkspaceBuffer } from "./context.ts";
import { type LossEmitter, lossEmitterOf, positionsOf } from "./loss.ts";
import { emitterFor } from "./ops/index.ts";
import { emitSafetensors } from "./safetensors.ts";
import { assignSlots, type Lifetime } from "./slots.ts";
import { MAX_TYPED_ARRAY_LENGTH, type WorkspaceSize, workspaceSize } from "./workspace-size.ts";

export interface EmitOptions {
  dtype: Dtype;
  /** the source file as it should appear in comments, e.g. "lenet5.cnn" */
  sourceName: string;
  /** test-only: emit a deliberately wrong backward for every layer of this op (gradients scaled by 1.01) */
  perturb?: OpName;
  /** the most multiply-adds per window written out as straight-line code (default 64) */
  unrollBudget?: number;
  /** "auto" (default): each layer's fastest applicable kernel; "window": the general window code everywhere (for benchmarks) */
  strategy?: "auto" | "window";
  /**
   * What each layer's backward reads (its operands' activations, its output), for the buffers'
   * lifetimes; default: found in this target's backward code. The wasm target passes its kernels'.
   */
  backwardReads?: (l: LayerContext) => BackwardReads;
}

export type BackwardReads = { operands: boolean[]; out: boolean };

const cnncVersion: string = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** Everything the sections need, computed once. */
export interface Plan {
  model: Model;
  opts: EmitOptions;
  floatCtor: "Float32Array" | "Float64Array";
  layers: LayerContext[];
  /** per layer, how its calls are wired to the workspace */
  wiring: Wiring[];
  /** expression of the final activation (the logits) */
  top: string;
  /** expression of the gradient w.r.t. x inside backwardPass */
  dx: string;
  /** when the output is also read by layers: its gradient buffer, seeded with dTop before the backward pass */
  seedTop?: string;
  /** the input is read by no layer: dx is zero-filled */
  zeroDx: boolean;
  /** workspace buffers: activations, gradients and per-layer buffers; `slot` names the shared allocation it is a view of */
  buffers: (WorkspaceBuffer & { slot?: string })[];
  /** allocations shared by several buffers whose lifetimes do not overlap */
  slots: { name: string; length: string }[];
  params: Tensor[];
  state: Tensor[];
  inSize: number;
  outSize: number;
  hasDropout: boolean;
}

/** Call-site expressions of one layer. */
interface Wiring {
  /** one activation per operand */
  inputs: string[];
  /** the gradient each operand's backward writes: the value's gradient, or a scratch one to be added into it */
  dIns: string[];
  /** after the backward call: scratch gradients added into their value's gradient */
  adds: { into: string; from: string; size: number }[];
  /** the layer's output is read by nothing: its gradient is zero-filled before the backward call */
  zeroOut: boolean;
}

export function emitModule(model: Model, opts: EmitOptions): string {
  const plan = planOf(model, opts);
  return [
    emitHeader(plan),
    emitTypes(plan),
    emitInfo(plan),
    emitRandom(plan),
    emitInitParams(plan),
    emitInitState(plan),
    emitCreateWorkspace(plan),
    emitChecks(plan),
    emitForward(plan),
    emitBackward(plan),
    emitActivationPattern(plan),
    emitSafetensors(model, opts.dtype),
  ]
    .filter((s) => s !== "")
    .join("\n\n");
}

/** Per layer, the kernel strategy emitModule chooses (for `cnnc build --emit ir`). */
export function layerStrategies(model: Model, opts: EmitOptions): Record<string, string> {
  const plan = planOf(model, opts);
  const out: Record<string, string> = {};
  for (const l of plan.layers) {
    const strategy = emitterFor(l.layer).strategy?.(l);
    if (strategy !== undefined) out[l.layer.name] = strategy;
  }
  return out;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Values and their buffers. Value 0 is the input x, value i + 1 the output of
 * layer i; an alias layer (flatten) outputs its input's value. A value's
 * activation is `ws.a<v>` (x for 0); its gradient is named after the last
 * alias of it (`ws.g<k>`, `ws.dx` for x, `dTop` for an output nothing else
 * reads). Gradients of a value read several times are summed: the backward
 * pass visits readers from the last layer down, the first reader it reaches
 * overwrites the gradient and later ones add to it — a merge adds in its own
 * loop, any other layer writes a scratch gradient that one pass adds in. So
 * emitters keep overwriting, and a stack, whose values have one reader each,
 * gets exactly the code it always had.
 */
export function planOf(model: Model, opts: EmitOptions): Plan {
  const count = model.layers.length;
  const emitters = model.layers.map((l) => emitterFor(l));
  const value: number[] = [0];
  model.layers.forEach((layer, i) => value.push(emitters[i]!.alias ? value[layer.from[0]! + 1]! : i + 1));
  const topValue = value[count]!;
  const lastAlias = new Map<number, number>();
  value.forEach((v, j) => lastAlias.set(v, j));
  const readers = new Map<number, number[]>();
  const accumulate = model.layers.map((l) => l.from.map(() => false));
  for (let i = count - 1; i >= 0; i--) {
    if (emitters[i]!.alias) continue;
    model.layers[i]!.from.forEach((f, k) => {
      const v = value[f + 1]!;
      const seen = readers.get(v);
      accumulate[i]![k] = seen !== undefined || v === topValue;
      if (seen === undefined) readers.set(v, [i]);
      else if (!seen.includes(i)) seen.push(i);
    });
  }
  const act = (v: number) => (v === 0 ? "x" : `ws.a${v}`);
  const gradName = (v: number) => {
    if (v === topValue && !readers.has(v)) return "dTop";
    const k = lastAlias.get(v)!;
    return k === 0 ? "ws.dx" : `ws.g${k}`;
  };
  const unrollBudget = opts.unrollBudget ?? DEFAULT_UNROLL_BUDGET;
  const strategy = opts.strategy ?? "auto";
  const wiring: Wiring[] = [];
  const layers = model.layers.map((layer, i) => {
    const multi = emitters[i]!.multiInput === true;
    const ins = layer.from.map((f) => value[f + 1]!);
    const dIns = ins.map((v, k) => (accumulate[i]![k] && !multi ? `ws.t${i + 1}` : gradName(v)));
    const operands = ins.map((_, k) => ({
      dims: dimsOf(layer.inputs[k]!),
      inp: multi ? `in${k}` : "inp",
      dIn: multi ? `dIn${k}` : "dIn",
      accumulate: multi && accumulate[i]![k]!,
    }));
    wiring.push({
      inputs: ins.map(act),
      dIns,
      adds: multi ? [] : ins.flatMap((v, k) => (accumulate[i]![k] ? [{ into: gradName(v), from: dIns[k]!, size: sizeOf(layer.inputs[k]!) }] : [])),
      zeroOut: !emitters[i]!.alias && value[i + 1] !== topValue && !readers.has(i + 1),
    });
    const out = act(value[i + 1]!);
    return layerContext(layer, i + 1, operands, act(ins[0]!), out, dIns[0]!, gradName(value[i + 1]!), opts.dtype, unrollBudget, strategy);
  });
  const { buffers, slots } = workspaceBuffers(model, layers, wiring, { value, topValue, readers, lastAlias, act, gradName }, opts.backwardReads ?? backwardReads);
  return {
    model,
    opts,
    floatCtor: opts.dtype === "f32" ? "Float32Array" : "Float64Array",
    layers,
    wiring,
    top: act(topValue),
    dx: gradName(0),
    seedTop: readers.has(topValue) ? gradName(topValue) : undefined,
    zeroDx: !readers.has(0) && topValue !== 0,
    buffers,
    slots,
    params: model.layers.flatMap((l) => l.params),
    state: model.layers.flatMap((l) => l.state),
    inSize: sizeOf(model.input),
    outSize: sizeOf(model.output),
    // stochastic depth draws from the same seeded generator and honours freezeDropout too
    hasDropout: model.layers.some((l) => l.args.op === "dropout" || l.args.op === "stochasticdepth"),
  };
}

/** Whether a layer's backward code reads each operand's activation and its own output (so they must outlive the forward pass). */
function backwardReads(l: LayerContext): BackwardReads {
  const code = emitterFor(l.layer).backward(l);
  const text = typeof code === "string" ? code : code.map((p) => p.code).join("\n");
  const uses = (name: string) => new RegExp(`\\b${name}\\b`).test(text);
  return { operands: l.operands.map((o) => uses(o.inp)), out: uses("out") };
}

/**
 * The workspace's buffers, in a fixed order (activations, gradients, scratch
 * gradients, loss and per-layer buffers), with the activations and gradients
 * packed by lifetime (./slots.ts): an activation lives from its layer's
 * forward step to its last reader — in the backward pass too, if a backward
 * reads it, and to the end of the forward pass if activationPattern reads it;
 * a gradient lives from its first writer's backward step to its producer's.
 * The output and dx are returned to the caller and get their own allocations.
 */
function workspaceBuffers(
  model: Model,
  layers: LayerContext[],
  wiring: Wiring[],
  g: {
    value: number[];
    topValue: number;
    readers: Map<number, number[]>;
    lastAlias: Map<number, number>;
    act: (v: number) => string;
    gradName: (v: number) => string;
  },
  readsOf: (l: LayerContext) => BackwardReads,
): { buffers: Plan["buffers"]; slots: Plan["slots"] } {
  const count = model.layers.length;
  // Times: step s reads at 2s; a layer writes at 2s, or at 2s + 1 when in place (so it may reuse an operand read last at 2s).
  const fwd = (i: number) => 2 * i;
  const back = (i: number) => 2 * (2 * count - 1 - i);
  const late = (i: number) => (emitterFor(model.layers[i]!).inPlace === true ? 1 : 0);
  const packed: (WorkspaceBuffer & { life?: Lifetime })[] = [];
  const reads = layers.map(readsOf);
  const valueSize = (v: number) => (v === 0 ? sizeOf(model.input) : sizeOf(model.layers[v - 1]!.output));
  model.layers.forEach((layer, i) => {
    if (g.value[i + 1] !== i + 1) return;
    const v = i + 1;
    let end = fwd(Math.max(i, ...(g.readers.get(v) ?? [])));
    if (reads[i]!.out) end = Math.max(end, back(i));
    if (emitterFor(layer).pattern !== undefined) end = Math.max(end, fwd(count - 1) + 1);
    model.layers.forEach((reader, j) => {
      reader.from.forEach((f, k) => {
        if (g.value[f + 1] === v && !emitterFor(reader).alias && reads[j]!.operands[k]) end = Math.max(end, back(j));
      });
    });
    packed.push({
      name: `a${v}`,
      kind: "float",
      length: `batch * ${sizeOf(layer.output)}`,
      doc: `output of ${layer.name} [${layer.output.join(", ")}]`,
      life: v === g.topValue ? undefined : { start: fwd(i) + late(i), end, size: sizeOf(layer.output) },
    });
  });
  const gradValues = [...new Set(g.value)].filter((v) => g.gradName(v).startsWith("ws.")).sort((a, b) => g.lastAlias.get(b)! - g.lastAlias.get(a)!);
  for (const v of gradValues) {
    const k = g.lastAlias.get(v)!;
    const producer = v - 1;
    const first = g.readers.get(v)?.[0];
    const start = v === g.topValue ? back(count - 1) : first !== undefined ? back(first) + late(first) : back(producer);
    packed.push({
      name: g.gradName(v).slice(3),
      kind: "float",
      length: `batch * ${valueSize(v)}`,
      doc: k === 0 ? "gradient of the loss w.r.t. the input x" : `gradient w.r.t. the output of ${model.layers[k - 1]!.name}`,
      life: v === 0 ? undefined : { start, end: back(producer), size: valueSize(v) },
    });
  }
  wiring.forEach((w, i) => {
    for (const add of w.adds) {
      packed.push({
        name: add.from.slice(3),
        kind: "float",
        length: `batch * ${add.size}`,
        doc: `${model.layers[i]!.name}'s share of the gradient ${add.into.slice(3)}, added into it`,
        // read by addInto after the layer's backward
        life: { start: back(i) + late(i), end: back(i) + 1, size: add.size },
      });
    }
  });
  if (model.loss !== null) {
    packed.push({ name: "dlogits", kind: "float", length: `batch * ${sizeOf(model.output)}`, doc: "gradient of the loss w.r.t. the logits" });
    const extra = lossEmitterOf(model.loss.args.op).buffers?.(sizeOf(model.output)) ?? [];
    for (const b of extra) packed.push({ ...b, kind: "int32" });
  }
  layers.forEach((l, i) => {
    for (const b of emitterFor(l.layer).buffers?.(l) ?? []) {
      const { live, ...buffer } = b;
      const at = live === "forward" ? fwd(i) : live === "backward" ? back(i) : undefined;
      const size = Number(/^batch \* (\d+)$/.exec(b.length)?.[1]);
      if (at !== undefined && (b.kind !== "float" || !(size > 0))) throw new Error(`internal: scratch buffer ${b.name} must be float, batch * n`);
      packed.push(at === undefined ? buffer : { ...buffer, life: { start: at, end: at + 1, size } });
    }
  });
  const lifetimes = packed.flatMap((b) => (b.life === undefined ? [] : [b.life]));
  const { slotOf, sizes } = assignSlots(lifetimes);
  const occupants = new Map<number, number>();
  for (const s of slotOf) occupants.set(s, (occupants.get(s) ?? 0) + 1);
  const slots: Plan["slots"] = [];
  const slotName = new Map<number, string>();
  let n = 0;
  const buffers: Plan["buffers"] = packed.map((b) => {
    const { life, ...buffer } = b;
    if (life === undefined) return buffer;
    const s = slotOf[n++]!;
    if (occupants.get(s)! < 2) return buffer;
    if (!slotName.has(s)) {
      slotName.set(s, `mem${slots.length}`);
      slots.push({ name: `mem${slots.length}`, length: `batch * ${sizes[s]!}` });
    }
    return { ...buffer, slot: slotName.get(s)! };
  });
  return { buffers, slots };
}

function layerContext(
  layer: Layer,
  index: number,
  operands: Operand[],
  inp: string,
  out: string,
  dIn: string,
  dOut: string,
  dtype: Dtype,
  unrollBudget: number,
  strategy: "auto" | "window",
): LayerContext {
  const key = (list: Tensor[], suffix: string, what: string): string => {
    const name = tensorName(layer.name, suffix);
    if (!list.some((t) => t.name === name)) throw new Error(`internal: layer ${layer.name} has no ${what} ${name}`);
    return JSON.stringify(name);
  };
  return {
    layer,
    args: layer.args,
    index,
    input: dimsOf(layer.input),
    output: dimsOf(layer.output),
    operands,
    inp,
    out,
    dIn,
    dOut,
    param: (suffix) => `p[${key(layer.params, suffix, "parameter")}]`,
    grad: (suffix) => `ws.grads[${key(layer.params, suffix, "parameter")}]`,
    state: (suffix) => `s[${key(layer.state, suffix, "state tensor")}]`,
    buffer: (suffix) => `ws.l${index}_${suffix}`,
    bufferName: (suffix) => `l${index}_${suffix}`,
    unrollBudget,
    strategy,
    dtype,
  };
}

/** `// c1: conv(6, kernel=5, pad=2) — lenet5.cnn:5` */
export function layerComment(plan: Plan, l: LayerContext): string {
  return `// ${commentText(`${l.layer.name}: ${layerCall(l.layer)} — ${plan.opts.sourceName}:${l.layer.span.line}`)}`;
}

/** The layer's source without its label (a label inside \`repeat\` names several layers): "conv(6, kernel=5, pad=2)". */
function layerCall(layer: Layer): string {
  return layer.source.replace(/\s+/g, " ").replace(/^\s*[A-Za-z_][A-Za-z0-9_]*\s*:\s*/, "");
}

const shapeText = (shape: number[]) => `[${shape.join(", ")}]`;

// ---------------------------------------------------------------- sections

export function emitHeader(plan: Plan): string {
  const m = plan.model;
  return `// ${m.name}.ts — generated by cnnc ${cnncVersion} from ${commentText(plan.opts.sourceName)}. Do not edit; rebuild with \`cnnc build\`.
// Model ${m.name}: input ${shapeText(m.input)} → output ${shapeText(m.output)}, ${m.params} parameters, ${m.macs} multiply-adds per sample, ${plan.opts.dtype}.
// Self-contained: imports nothing. API: docs/generated-api.md of cnnc.`;
}

/** The exported types; `extraWorkspace` adds fields to the Workspace type (the wasm target's memory views). */
export function emitTypes(plan: Plan, extraWorkspace = ""): string {
  // An empty record is typed as an index signature so generic code (keyof, for-in) still type-checks.
  const fields = (list: Tensor[]) =>
    list.length === 0
      ? "  /** none in this model */\n  [name: string]: FloatArray;"
      : list.map((t) => `  /** ${shapeText(t.shape)} */\n  ${JSON.stringify(t.name)}: FloatArray;`).join("\n");
  const wsFields = plan.buffers
    .map((b) => `  /** ${commentText(b.doc)} */\n  ${b.name}: ${b.kind === "float" ? "FloatArray" : "Int32Array"};`)
    .join("\n");
  const result =
    plan.model.loss !== null
      ? "export type LossAndGrad = { loss: number; grads: Params; dx: FloatArray };"
      : "export type Gradients = { grads: Params; dx: FloatArray };";
  const resultType = plan.model.loss !== null ? "LossAndGrad" : "Gradients";
  return `/** One ${plan.opts.dtype} buffer type for every tensor of this module. */
export type FloatArray = ${plan.floatCtor};

/** Trainable parameters, keyed by PyTorch state-dict name. */
export type Params = {
${fields(plan.params)}
};

/** Batchnorm running statistics, keyed by PyTorch state-dict name. */
export type State = {
${fields(plan.state)}
};

${result}

/** Every buffer forward and backward need, allocated once by createWorkspace. */
export type Workspace = {
  /** the batch size N every call must use */
  batch: number;
  /** training-mode dropout reuses the last mask while this is true (the gradient check sets it) */
  freezeDropout: boolean;
${plan.hasDropout ? "  /** dropout generator state (seeded by createWorkspace) */\n  rng: number;\n  /** a training-mode pass has drawn the dropout masks */\n  masksDrawn: boolean;\n" : ""}  /** parameter gradients written by ${plan.model.loss !== null ? "lossAndGrad" : "backward"} */
  grads: Params;
  /** the object ${plan.model.loss !== null ? "lossAndGrad" : "backward"} returns (reused) */
  result: ${resultType};
${wsFields}${extraWorkspace}
};`;
}

export function emitInfo(plan: Plan): string {
  const m = plan.model;
  const tensors = (list: Tensor[]) =>
    `[${list.map((t) => `{ name: ${JSON.stringify(t.name)}, shape: ${shapeText(t.shape)} }`).join(", ")}]`;
  return `export const info: {
  name: string;
  input: number[];
  output: number[];
  params: { name: string; shape: number[] }[];
  state: { name: string; shape: number[] }[];
  dtype: "f32" | "f64";
} = {
  name: ${JSON.stringify(m.name)},
  input: ${shapeText(m.input)},
  output: ${shapeText(m.output)},
  params: ${tensors(plan.params)},
  state: ${tensors(plan.state)},
  dtype: ${JSON.stringify(plan.opts.dtype)},
};`;
}

export function emitRandom(plan: Plan): string {
  const dropout = plan.hasDropout
    ? `

/** The workspace's dropout generator: the next uniform in [0, 1). */
function nextUniform(ws: Workspace): number {
  ws.rng = (ws.rng + 0x6d2b79f5) | 0;
  return mulberry32(ws.rng);
}`
    : "";
  return `/** mulberry32's output function: a uniform in [0, 1) from a 32-bit state (advance the state by 0x6d2b79f5 per draw). */
function mulberry32(state: number): number {
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}${dropout}`;
}

export function emitInitParams(plan: Plan): string {
  const lines = plan.layers.flatMap((l) =>
    l.layer.params.map((t) => {
      const suffix = t.name.slice(l.layer.name.length + 1);
      const how: ParamInit = emitterFor(l.layer).init?.(l, t, suffix) ?? { kind: "fill", value: 0 };
      const n = t.shape.reduce((a, b) => a * b, 1);
      const value =
        how.kind === "he"
          ? `normal(${n}, ${num(Math.sqrt(2 / how.fanIn))})`
          : `new ${plan.floatCtor}(${n})${how.value === 0 ? "" : `.fill(${num(how.value)})`}`;
      return `    ${JSON.stringify(t.name)}: ${value},`;
    }),
  );
  return `/**
 * Fresh parameters: He-normal weights (std = sqrt(2 / fan_in)) for conv and
 * affine, zero biases, γ = 1 and β = 0 for the norms. The same seed always
 * gives the same parameters (mulberry32 + Box–Muller).
 */
export function initParams(seed = 0): Params {
  let state = seed | 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    return mulberry32(state);
  };
  const normal = (n: number, std: number): FloatArray => {
    const a = new ${plan.floatCtor}(n);
    for (let i = 0; i < n; i++) {
      const u = 1 - uniform(), v = uniform();
      a[i] = std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
    return a;
  };
  return {
${lines.join("\n")}
  };
}`;
}

export function emitInitState(plan: Plan): string {
  const lines = plan.state.map((t) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const one = t.name.endsWith(".running_var");
    return `    ${JSON.stringify(t.name)}: new ${plan.floatCtor}(${n})${one ? ".fill(1)" : ""},`;
  });
  return `/** Fresh running statistics: running_mean 0, running_var 1. */
export function initState(): State {
  return {
${lines.join("\n")}
  };
}`;
}

/** What createWorkspace allocates (its buffers and the parameter gradients), and activationPattern's entries per sample. */
export function moduleMemory(model: Model, opts: EmitOptions): { workspace: WorkspaceSize; patternPerSample: number } {
  const plan = planOf(model, opts);
  return { workspace: planWorkspaceSize(plan), patternPerSample: patternParts(plan).reduce((a, b) => a + b.perSample, 0) };
}

function planWorkspaceSize(plan: Plan): WorkspaceSize {
  const size = (t: Tensor) => String(t.shape.reduce((a, b) => a * b, 1));
  const grads = plan.params.map((t): WorkspaceBuffer => ({ name: `grads[${JSON.stringify(t.name)}]`, kind: "float", length: size(t), doc: "" }));
  // a buffer that is a view of a shared allocation (slot) costs nothing of its own
  const own = plan.buffers.filter((b) => b.slot === undefined);
  const slots = plan.slots.map((m): WorkspaceBuffer => ({ name: m.name, kind: "float", length: m.length, doc: "" }));
  return workspaceSize([...own, ...slots, ...grads], plan.floatCtor === "Float32Array" ? "float32" : "float64");
}

function emitCreateWorkspace(plan: Plan): string {
  const grads = plan.params.map(
    (t) => `    ${JSON.stringify(t.name)}: new ${plan.floatCtor}(${t.shape.reduce((a, b) => a * b, 1)}),`,
  );
  const bufs = plan.buffers.map((b) =>
    b.slot !== undefined
      ? `    ${b.name}: ${b.slot}.subarray(0, ${b.length}),`
      : `    ${b.name}: new ${b.kind === "float" ? plan.floatCtor : "Int32Array"}(${b.length}),`,
  );
  const slots =
    plan.slots.length === 0
      ? ""
      : "  // buffers whose lifetimes do not overlap are views of one allocation\n" +
        plan.slots.map((m) => `  const ${m.name} = new ${plan.floatCtor}(${m.length});\n`).join("");
  const dx = plan.dx.startsWith("ws.") ? plan.dx.replace("ws.", "bufs.") : `new ${plan.floatCtor}(0)`;
  const result = plan.model.loss !== null ? `{ loss: 0, grads, dx: ${dx} }` : `{ grads, dx: ${dx} }`;
  const size = planWorkspaceSize(plan);
  const name = plan.model.name;
  // the try block's body keeps the indentation it had before the try: prettier indents it
  return `/** The bytes createWorkspace(batch) allocates: ${size.perSample} per sample plus ${size.fixed}. */
export function workspaceBytes(batch: number): number {
  return batch * ${size.perSample} + ${size.fixed};
}

/**
 * Allocates every activation, gradient and scratch buffer for batches of
 * \`batch\` samples. \`seed\` seeds the dropout masks. Throws a RangeError
 * before allocating when batch is not a positive integer or exceeds
 * ${size.maxBatch} (buffer ${size.largest.name} holds ${size.largest.perSample} elements per sample, and a typed
 * array at most ${MAX_TYPED_ARRAY_LENGTH}), and names the bytes needed when the engine cannot allocate them.
 */
export function createWorkspace(batch: number, seed = 0): Workspace {
  if (!Number.isInteger(batch) || batch < 1) {
    throw new RangeError(\`${plan.model.name}: createWorkspace(batch) needs a positive integer batch; got \${batch}\`);
  }
  if (batch > ${size.maxBatch}) {
    throw new RangeError(
      \`${name}: createWorkspace(\${batch}) would need \${workspaceBytes(batch)} bytes; its buffer ${size.largest.name} would hold \${batch * ${size.largest.perSample}} elements, more than the ${MAX_TYPED_ARRAY_LENGTH} a typed array holds (the largest batch is ${size.maxBatch})\`,
    );
  }
  try {
  const grads: Params = {
${grads.join("\n")}
  };
${slots}  const bufs = {
${bufs.join("\n")}
  };
  return {
    batch,
    freezeDropout: false,
${plan.hasDropout ? "    rng: seed | 0,\n    masksDrawn: false,\n" : ""}    grads,
    result: ${result},
    ...bufs,
  };
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new RangeError(\`${name}: createWorkspace(\${batch}) needs \${workspaceBytes(batch)} bytes, which could not be allocated (\${e.message})\`);
  }
}`;
}

export function emitChecks(plan: Plan): string {
  const m = plan.model;
  const guards = plan.layers.flatMap((l) => {
    const g = emitterFor(l.layer).trainingGuard?.(l);
    return g === undefined ? [] : [`  if (${g.condition}) throw new RangeError(${JSON.stringify(`${m.name}: ${g.message}`)});`];
  });
  const k = plan.outSize;
  const labels = m.loss === null ? "" : emitCheckLabels(m);
  const dout =
    m.loss !== null
      ? ""
      : `

function checkDout(dout: FloatArray, ws: Workspace): void {
  if (dout.length !== ws.batch * ${k}) {
    throw new RangeError(\`${m.name}: dout has length \${dout.length}; expected \${ws.batch * ${k}} = batch \${ws.batch} × ${shapeText(m.output)}\`);
  }
}`;
  const tensorCheck = (holder: "p" | "s", t: Tensor) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const key = JSON.stringify(t.name);
    const message = JSON.stringify(`${m.name}: ${holder}[${key}] must be a ${plan.floatCtor} of length ${n} = ${shapeText(t.shape)}`);
    return `  if (${holder}[${key}]?.length !== ${n}) throw new RangeError(${message});`;
  };
  const checks = [...plan.params.map((t) => tensorCheck("p", t)), ...plan.state.map((t) => tensorCheck("s", t))];
  const tensorChecks = checks.length > 0 ? checks.join("\n") : "  void p;\n  void s;";
  return `/** Wrong sizes are thrown as RangeError before any work. */
function checkInput(x: FloatArray, ws: Workspace): void {
  if (x.length !== ws.batch * ${plan.inSize}) {
    throw new RangeError(\`${m.name}: x has length \${x.length}; expected \${ws.batch * ${plan.inSize}} = batch \${ws.batch} × ${shapeText(m.input)} (the workspace's batch)\`);
  }
}

/** A parameter or state tensor of the wrong length (e.g. loaded for another model) is a RangeError, not garbage. */
function checkTensors(p: Params, s: State): void {
${tensorChecks}
}

function checkTraining(ws: Workspace): void {
${guards.length > 0 ? "  const N = ws.batch;\n" + guards.join("\n") : "  void ws;"}
}${labels}${dout}`;
}

/** y: a class index per sample, or per position of a [K, H, W] output (docs/generated-api.md#labels). */
function emitCheckLabels(m: Model): string {
  const classes = m.output[0]!;
  const P = positionsOf(m.output);
  const ignore = m.loss?.args.op === "softmax" ? m.loss.args.ignore_index : undefined;
  const expected = P === 1 ? "${ws.batch} class indices (the workspace's batch)" : `\${ws.batch * ${P}} = batch \${ws.batch} × ${m.output.slice(1).join(" × ")} class indices`;
  const allowed = `[0, ${classes})${ignore !== undefined ? ` or the ignore_index ${ignore}` : ""}`;
  return `

function checkLabels(y: Int32Array, ws: Workspace): void {
  if (y.length !== ws.batch${P === 1 ? "" : ` * ${P}`}) {
    throw new RangeError(\`${m.name}: y has length \${y.length}; expected ${expected}\`);
  }
  for (let n = 0; n < y.length; n++) {
    const v = y[n];
    if (!(${ignore === undefined ? `v >= 0 && v < ${classes}` : `((v >= 0 && v < ${classes}) || v === ${ignore})`} && (v | 0) === v)) {
      throw new RangeError(\`${m.name}: y[\${n}] = \${v} is not a class index in ${allowed}\`);
    }
  }
}`;
}

/**
 * Layer functions, deduplicated: a body is generated against local names
 * (`param_weight`, `buf_xpad`) that the call site binds to the layer's
 * tensors, so layers of identical shape (VGG's repeated convs) share one
 * function, listed under every layer's comment.
 */
class LayerFunctions {
  private readonly byText = new Map<string, { name: string; comments: string[]; text: string }>();
  private readonly order: { name: string; comments: string[]; text: string }[] = [];

  /** Emits (or reuses) the function and returns the statement that calls it; undefined when the body is empty. */
  call(
    name: string,
    comment: string,
    l: LayerContext,
    fixed: { params: string; args: string },
    body: (ctx: LayerContext) => string,
  ): string | undefined {
    const bound = new Map<string, { type: string; value: string }>();
    const use = (local: string, type: string, value: string) => {
      bound.set(local, { type, value });
      return local;
    };
    const kinds = new Map((emitterFor(l.layer).buffers?.(l) ?? []).map((b) => [b.name, b.kind]));
    const ctx: LayerContext = {
      ...l,
      param: (suffix) => use(`param_${suffix}`, "FloatArray", l.param(suffix)),
      grad: (suffix) => use(`grad_${suffix}`, "FloatArray", l.grad(suffix)),
      state: (suffix) => use(`state_${suffix}`, "FloatArray", l.state(suffix)),
      buffer: (suffix) =>
        use(`buf_${suffix}`, kinds.get(l.bufferName(suffix)) === "int32" ? "Int32Array" : "FloatArray", l.buffer(suffix)),
    };
    const code = body(ctx);
    if (code === "") return undefined;
    const locals = [...bound];
    const params = [fixed.params, ...locals.map(([local, b]) => `${local}: ${b.type}`)].join(", ");
    const text = `(${params}): void {\n  ${code}\n}`;
    let fn = this.byText.get(text);
    if (fn === undefined) {
      fn = { name, comments: [comment], text };
      this.byText.set(text, fn);
      this.order.push(fn);
    } else {
      fn.comments.push(comment);
    }
    return `  ${fn.name}(${[fixed.args, ...locals.map(([, b]) => b.value)].join(", ")});`;
  }

  render(): string {
    return this.order.map((fn) => `${fn.comments.join("\n")}\nfunction ${fn.name}${fn.text}`).join("\n\n");
  }
}

const FORWARD_PARAMS = "inp: FloatArray, out: FloatArray, ws: Workspace, N: number, train: boolean";
const BACKWARD_PARAMS = "inp: FloatArray, out: FloatArray, dIn: FloatArray, dOut: FloatArray, ws: Workspace, N: number";

function emitForward(plan: Plan): string {
  const functions = new LayerFunctions();
  const calls = plan.layers.map((l, i) => {
    const multi = emitterFor(l.layer).multiInput === true;
    const fixed = multi
      ? { params: `${operandParams(l, "inp")}, ${FORWARD_PARAMS.slice(FORWARD_PARAMS.indexOf("out:"))}`, args: `${plan.wiring[i]!.inputs.join(", ")}, ${l.out}, ws, N, train` }
      : { params: FORWARD_PARAMS, args: `${l.inp}, ${l.out}, ws, N, train` };
    const call = functions.call(layerFunction("forward", l), layerComment(plan, l), l, fixed, (ctx) => emitterFor(l.layer).forward(ctx));
    return call ?? `  ${layerComment(plan, l)}: no code (its output is its input)`;
  });
  return `${functions.render()}

/** The forward pass over the workspace's batch; \`train\` selects batch statistics and dropout. */
function forwardPass(p: Params, s: State, x: FloatArray, ws: Workspace, train: boolean): void {
  const N = ws.batch;
${calls.join("\n")}
${plan.hasDropout ? "  if (train) ws.masksDrawn = true;" : ""}
}

/**
 * Runs the network on x (N·${plan.inSize} values, NCHW) and returns the
 * N × ${plan.outSize} output, a view into the workspace (overwritten by the next call).
 * Eval mode (running statistics, no dropout) unless \`train\` is true.
 */
export function forward(p: Params, s: State, x: FloatArray, ws: Workspace, train = false): FloatArray {
  checkInput(x, ws);
  checkTensors(p, s);
  if (train) checkTraining(ws);
  forwardPass(p, s, x, ws, train);
  return ${plan.top};
}`;
}

function emitBackward(plan: Plan): string {
  const m = plan.model;
  const functions = new LayerFunctions();
  const calls = [...plan.layers].reverse().map((l) => {
    const w = plan.wiring[l.index - 1]!;
    const emitter = emitterFor(l.layer);
    const fixed =
      emitter.multiInput === true
        ? {
            params: `${operandParams(l, "inp")}, out: FloatArray, ${operandParams(l, "dIn")}, dOut: FloatArray, ws: Workspace, N: number`,
            args: `${w.inputs.join(", ")}, ${l.out}, ${w.dIns.join(", ")}, ${l.dOut}, ws, N`,
          }
        : { params: BACKWARD_PARAMS, args: `${l.inp}, ${l.out}, ${l.dIn}, ${l.dOut}, ws, N` };
    const first = emitter.backward(l);
    const parts = typeof first === "string" ? [""] : first.map((x) => x.part);
    if (plan.opts.perturb === l.layer.args.op) parts.push("perturbed");
    const lines = parts.flatMap((part, i) => {
      const call = functions.call(
        layerFunction("backward", l, part),
        layerComment(plan, l) + (part === "" ? "" : ` (${part})`),
        l,
        fixed,
        (ctx) => {
          if (part === "perturbed") return perturbCode(l);
          const emitted = emitter.backward(ctx);
          return typeof emitted === "string" ? emitted : emitted[i]!.code;
        },
      );
      return call === undefined ? [] : [call];
    });
    if (lines.length === 0) return `  ${layerComment(plan, l)}: no code (its gradient is its output's)`;
    const zero = w.zeroOut ? [`  ${l.dOut}.fill(0); // ${l.layer.name}'s output is read by no layer`] : [];
    const adds = w.adds.map((a) => `  addInto(${a.into}, ${a.from}, N * ${a.size});`);
    return [...zero, ...lines, ...adds].join("\n");
  });
  const seed = plan.seedTop === undefined ? [] : [`  ${plan.seedTop}.set(dTop); // the output is also read by layers, which add their shares`];
  const zeroDx = plan.zeroDx ? [`  ${plan.dx}.fill(0); // no layer reads the input`] : [];
  const addInto = plan.wiring.some((w) => w.adds.length > 0)
    ? `/** Sums a second reader's share into a value's gradient. */
function addInto(g: FloatArray, share: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) g[i] += share[i];
}

`
    : "";
  const pass = `${addInto}${functions.render()}

/** Backpropagates dTop (N × ${plan.outSize}) through the batch of the last training-mode forward pass. */
function backwardPass(p: Params, s: State, x: FloatArray, dTop: FloatArray, ws: Workspace): void {
  const N = ws.batch;
${[...seed, ...calls, ...zeroDx].join("\n")}
}`;
  if (m.loss === null) {
    return `${pass}

/**
 * Training-mode forward pass on x followed by backpropagation of dout
 * (N × ${plan.outSize}); updates the batchnorm running statistics. Returns
 * gradients that are views into the workspace.
 */
export function backward(p: Params, s: State, x: FloatArray, dout: FloatArray, ws: Workspace): Gradients {
  checkInput(x, ws);
  checkTensors(p, s);
  checkDout(dout, ws);
  checkTraining(ws);
  forwardPass(p, s, x, ws, true);
  backwardPass(p, s, x, dout, ws);
  const r = ws.result;
  r.dx = ${plan.dx === "dTop" ? "dout" : plan.dx};
  return r;
}`;
  }
  const lossArgs = m.loss.args;
  const emitter = lossEmitterOf(lossArgs.op) as LossEmitter<typeof lossArgs.op>;
  const body = emitter.body(lossArgs as never, m.output);
  return `${emitter.constants?.(lossArgs as never) ?? ""}// ${commentText(`${m.loss.source.replace(/\s+/g, " ")} — ${plan.opts.sourceName}:${m.loss.span.line}`)}
function lossPass(z: FloatArray, y: Int32Array, dz: FloatArray, ws: Workspace): void {
  const N = ws.batch;
  ${body}
}

${pass}

/**
 * Training-mode forward pass, loss and backward pass; updates the batchnorm
 * running statistics. The returned object, its grads and dx are views into
 * the workspace, overwritten by the next call.
 */
export function lossAndGrad(p: Params, s: State, x: FloatArray, y: Int32Array, ws: Workspace): LossAndGrad {
  checkInput(x, ws);
  checkTensors(p, s);
  checkLabels(y, ws);
  checkTraining(ws);
  forwardPass(p, s, x, ws, true);
  lossPass(${plan.top}, y, ws.dlogits, ws);
  backwardPass(p, s, x, ws.dlogits, ws);
  const r = ws.result;
  r.dx = ${plan.dx === "dTop" ? "ws.dlogits" : plan.dx};
  return r;
}`;
}

/** A merge's per-operand parameters: "in0: FloatArray, in1: FloatArray". */
function operandParams(l: LayerContext, which: "inp" | "dIn"): string {
  return l.operands.map((o) => `${o[which]}: FloatArray`).join(", ");
}

/** One function per layer and pass (\`forward_c1\`): V8 optimises small functions sooner, and profiles show each layer. */
function layerFunction(pass: "forward" | "backward", l: LayerContext, part = ""): string {
  // the label follows the first underscore, so no label can make two names collide
  // ("backwardWeight_c1" for part "weight" of c1, never "backward_c1_weight")
  const prefix = part === "" ? pass : `${pass}${part[0]!.toUpperCase()}${part.slice(1)}`;
  // a scoped name's dots become `$` and a label's dashes `$$` ("forward_layer1$0$conv1", "forward_block1$$0"):
  // no label holds `$`, and a dot and a dash are never adjacent (both sit between non-empty parts)
  return `${prefix}_${l.layer.name.replace(/\./g, "$").replace(/-/g, "$$$$")}`;
}

/** The test-only wrong backward: every gradient this layer writes, scaled by 1.01. */
function perturbCode(l: LayerContext): string {
  const dIns = emitterFor(l.layer).multiInput === true ? l.operands.map((o) => o.dIn) : ["dIn"];
  const targets = [...dIns, ...l.layer.params.map((t) => `ws.grads[${JSON.stringify(t.name)}]`)];
  return `// perturbed (test hook): gradients scaled by 1.01
  ${targets.map((t) => `for (let i = 0; i < ${t}.length; i++) ${t}[i] *= 1.01;`).join("\n")}`;
}

/** The pieces of activationPattern: per layer (and the loss), its entries per sample and the code that fills them. */
function patternParts(plan: Plan): { perSample: number; fill: string; what: string }[] {
  const parts: { perSample: number; fill: string; what: string }[] = [];
  for (const l of plan.layers) {
    const pat = emitterFor(l.layer).pattern?.(l);
    if (pat !== undefined) parts.push({ ...pat, what: l.layer.name });
  }
  const m = plan.model;
  if (m.loss !== null) {
    const pat = lossEmitterOf(m.loss.args.op).pattern?.(plan.outSize);
    if (pat !== undefined) parts.push({ ...pat, what: `loss ${m.loss.args.op}` });
  }
  return parts;
}

export function emitActivationPattern(plan: Plan): string {
  const parts = patternParts(plan);
  const perSample = parts.reduce((a, b) => a + b.perSample, 0);
  const fills = parts.map(
    (p) => `  // ${commentText(p.what)}
  {
    ${p.fill}
    k += ws.batch * ${p.perSample};
  }`,
  );
  return `/**
 * After a forward pass: the piecewise-linear choices it made (ReLU/leaky
 * signs, max-pool winners, svm hinge flags), for the gradient check to detect
 * finite differences that cross a kink. A fresh array.
 */
export function activationPattern(ws: Workspace): Int32Array {
  const pat = new Int32Array(ws.batch * ${perSample});
  let k = 0;
${fills.join("\n")}
  void k;
  return pat;
}`;
}
