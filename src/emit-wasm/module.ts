// emit-wasm: checked IR Model → the text of `<Model>.ts` for `--target wasm`:
// the TypeScript target's API (docs/generated-api.md) whose forward, backward
// and loss run in a WebAssembly module generated here from the same IR, its
// bytes embedded as base64 (the file still imports nothing).
//
// The sections that do not compute (types, info, init, checks, activation
// pattern, safetensors) are the TypeScript target's own; the workspace is the
// same set of buffers, laid out in the module's linear memory by
// createWorkspace and exposed as typed-array views. Each workspace owns one
// memory sized once, so no view is ever detached.
import { type Model, type OpName, type Tensor, tensorName } from "../ir.ts";
import { type LayerContext, num } from "../emit/context.ts";
import { positionsOf } from "../emit/loss.ts";
import { emitterFor } from "../emit/ops/index.ts";
import {
  type BackwardReads,
  emitActivationPattern,
  emitChecks,
  emitHeader,
  emitInfo,
  emitInitParams,
  emitInitState,
  emitRandom,
  emitTypes,
  layerComment,
  type Plan,
  planOf,
} from "../emit/module.ts";
import { emitSafetensors } from "../emit/safetensors.ts";
import type { WasmLayerContext } from "./context.ts";
import { encodeModule, type FuncType } from "./encoder.ts";
import { f64, Fn, k, ldf, Local, mul } from "./fn.ts";
import { gemmNN, gemmNT, PACK_END } from "./gemm.ts";
import { lossFunction } from "./loss.ts";
import { wasmEmitterFor } from "./ops/index.ts";

export interface WasmEmitOptions {
  sourceName: string;
  /** test-only: a deliberately wrong backward for every layer of this op (gradients scaled by 1.01) */
  perturb?: OpName;
}

const F64_F64: FuncType = { params: ["f64"], results: ["f64"] };
const IMPORTS = [
  { name: "exp", type: F64_F64 },
  { name: "log", type: F64_F64 },
  { name: "tanh", type: F64_F64 },
  { name: "expm1", type: F64_F64 },
  { name: "log1p", type: F64_F64 },
];
const MATH = { exp: 0, log: 1, tanh: 2, expm1: 3, log1p: 4 };

/** One exported layer function: its export name and the workspace slots the caller passes, in order. */
interface LayerCall {
  /** 1-based position of the layer in the model */
  index: number;
  layer: LayerContext;
  exportName: string;
  slots: string[];
}

export interface WasmBuild {
  bytes: Uint8Array;
  forward: LayerCall[];
  backward: LayerCall[];
  /** floats of scratch shared by the layers */
  scratch: number;
  /** per layer, what its wasm backward reads (so the workspace keeps exactly those buffers alive) */
  reads: BackwardReads[];
}

/** `x`, `ws.a3`, `dTop`: the workspace slot an activation or gradient expression of the plan names. */
const slotOf = (expr: string) => (expr.startsWith("ws.") ? expr.slice(3) : expr);

/** A pointer parameter that notes whether the body reads it. */
class Tracked extends Local<"i32"> {
  used = false;
  override emit(out: number[]): void {
    this.used = true;
    super.emit(out);
  }
}

export function buildWasm(plan: Plan, opts: WasmEmitOptions): WasmBuild {
  const fns: Fn[] = [gemmNN(), gemmNT()];
  const kernels = { gemmNN: IMPORTS.length, gemmNT: IMPORTS.length + 1 };
  const forward: LayerCall[] = [];
  const backward: LayerCall[] = [];
  const reads: BackwardReads[] = [];
  let scratch = 0;
  for (const lc of plan.layers) {
    const layer = lc.layer;
    const emitter = wasmEmitterFor(layer);
    const w = plan.wiring[lc.index - 1]!;
    const buffers = emitterFor(layer).buffers?.(lc) ?? [];
    const shape = { layer, args: layer.args, input: lc.input, output: lc.output };
    scratch = Math.max(scratch, emitter.scratch?.(shape) ?? 0);
    // the call passes one pointer per role, in this order (a value merged with itself appears twice)
    const named = [
      ...layer.params.map((t) => `p:${t.name}`),
      ...layer.params.map((t) => `g:${t.name}`),
      ...layer.state.map((t) => `s:${t.name}`),
      ...buffers.map((b) => b.name),
    ];
    const slots = [...w.inputs.map(slotOf), slotOf(lc.out), ...w.dIns.map(slotOf), slotOf(lc.dOut), "scratch", ...named];
    const read: BackwardReads = { operands: w.inputs.map(() => false), out: false };
    for (const pass of ["forward", "backward"] as const) {
      const f = new Fn(`${pass[0]}${lc.index}`, true);
      const N = f.param("i32"), train = f.param("i32");
      const ptr = () => new Tracked(f.param("i32").index, "i32");
      const ins = w.inputs.map(ptr), out = ptr(), dIns = w.dIns.map(ptr), dOut = ptr(), scratchPtr = ptr();
      const byName = new Map<string, Tracked>(named.map((s) => [s, ptr()]));
      const at = (slot: string): Tracked => {
        const p = byName.get(slot);
        if (p === undefined) throw new Error(`internal: layer ${layer.name} has no slot ${slot}`);
        return p;
      };
      const ctx: WasmLayerContext = {
        layer,
        args: layer.args,
        input: lc.input,
        output: lc.output,
        f,
        N,
        train,
        inp: ins[0]!,
        out,
        dIn: dIns[0]!,
        dOut,
        operands: lc.operands.map((o, k) => ({ dims: o.dims, inp: ins[k]!, dIn: dIns[k]!, accumulate: o.accumulate })),
        scratch: scratchPtr,
        param: (suffix) => at(`p:${tensorName(layer.name, suffix)}`),
        grad: (suffix) => at(`g:${tensorName(layer.name, suffix)}`),
        state: (suffix) => at(`s:${tensorName(layer.name, suffix)}`),
        buffer: (suffix) => at(lc.bufferName(suffix)),
        kernels,
        math: MATH,
      };
      emitter[pass](ctx);
      if (pass === "backward" && opts.perturb === layer.args.op) perturb(ctx);
      if (pass === "backward") {
        read.operands = ins.map((p) => p.used);
        read.out = out.used;
      }
      if (f.body.length === 0) continue;
      fns.push(f);
      (pass === "forward" ? forward : backward).push({ index: lc.index, layer: lc, exportName: f.name, slots });
    }
    reads.push(read);
  }
  if (plan.model.loss !== null) {
    fns.push(lossFunction(plan.model.loss.args, plan.model.output, MATH));
  }
  const bytes = encodeModule({
    imports: IMPORTS,
    memoryMinPages: 1,
    functions: fns.map((f) => ({ type: f.type, locals: f.locals, body: f.body, export: f.exported ? f.name : undefined })),
  });
  return { bytes, forward, backward, scratch, reads };
}

/** The test-only wrong backward: every operand's gradient and every parameter gradient of the layer scaled by 1.01. */
function perturb(l: WasmLayerContext): void {
  const f = l.f;
  const scale = (ptr: Local<"i32">, count: ReturnType<typeof k>) =>
    f.loop(k(0), count, (i) => f.stf(ptr, i, mul(ldf(ptr, i), f64(1.01))));
  // a value merged with itself has one gradient: scaled once
  const seen = new Set<number>();
  for (const o of l.operands) if (!seen.has(o.dIn.index)) (seen.add(o.dIn.index), scale(o.dIn, mul(l.N, k(o.dims.size))));
  for (const t of l.layer.params) scale(l.grad(t.name.slice(l.layer.name.length + 1)), k(t.shape.reduce((a, b) => a * b, 1)));
}

const shapeSize = (t: Tensor) => t.shape.reduce((a, b) => a * b, 1);

export function emitWasmModule(model: Model, opts: WasmEmitOptions): string {
  // the kernels are built once against the plan's wiring (which does not depend on lifetimes), then
  // the workspace is packed by the lifetimes the wasm backward needs, not the TypeScript one's
  const wiring = planOf(model, { dtype: "f32", sourceName: opts.sourceName, backwardReads: (l) => ({ operands: l.operands.map(() => true), out: true }) });
  const build = buildWasm(wiring, opts);
  const plan = planOf(model, { dtype: "f32", sourceName: opts.sourceName, backwardReads: (l) => build.reads[l.index - 1]! });
  return [
    emitHeader(plan).replace(", f32.", ", f32, WebAssembly SIMD128 (cnnc build --target wasm)."),
    emitTypes(plan, WORKSPACE_FIELDS),
    emitInfo(plan),
    emitRandom(plan),
    emitInitParams(plan),
    emitInitState(plan),
    emitRuntime(plan, build),
    emitCreateWorkspace(plan, build),
    emitChecks(plan),
    emitPasses(plan, build),
    emitActivationPattern(plan),
    emitSafetensors(model, "f32"),
  ].join("\n\n");
}

const WORKSPACE_FIELDS = `
  /** the parameter slot in the module's memory: fill it and pass it as \`p\`, and no call copies parameters */
  params: Params;
  /** the running-statistics slot: pass it as \`s\` and nothing is copied */
  state: State;
  /** the input slot: write a batch here and pass it as \`x\` to skip the copy */
  x: FloatArray;
  /** the WebAssembly instance behind this workspace */
  wasm: WasmRuntime;`;

/** Base64 of the module bytes, wrapped so no line of the file is huge. */
function base64Lines(bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += 4096) lines.push(JSON.stringify(text.slice(i, i + 4096)));
  return lines.join(" +\n  ");
}

function emitRuntime(plan: Plan, build: WasmBuild): string {
  const name = plan.model.name;
  return `/** What this file needs of the host's WebAssembly API (typed here so the file needs no DOM lib). */
type WasmApi = {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  compile(bytes: Uint8Array): Promise<object>;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
};

/** A workspace's instance: its memory, its exports and the byte offset of every tensor in the memory. */
export type WasmRuntime = {
  memory: { buffer: ArrayBuffer };
  exports: Record<string, (...args: number[]) => number>;
  at: Record<string, number>;
  /** the labels slot */
  y: Int32Array;
  /** the output-gradient slot (models without a loss) */
  dout: FloatArray;
};

/** The model's WebAssembly module (${build.bytes.length} bytes), base64. */
const WASM_BASE64 =
  ${base64Lines(build.bytes)};

let compiled: object | undefined;

function wasmApi(): WasmApi {
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (api === undefined) throw new Error("${name}: this JavaScript runtime has no WebAssembly; build the model with --target ts");
  return api;
}

/** The module bytes, decoded here so the file needs neither atob nor Buffer. */
function wasmBytes(): Uint8Array {
  const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const value = new Uint8Array(128);
  for (let i = 0; i < 64; i++) value[digits.charCodeAt(i)] = i;
  const text = WASM_BASE64;
  const pad = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - pad);
  for (let i = 0, o = 0; i < text.length; i += 4) {
    const n = (value[text.charCodeAt(i)]! << 18) | (value[text.charCodeAt(i + 1)]! << 12) | (value[text.charCodeAt(i + 2)]! << 6) | value[text.charCodeAt(i + 3)]!;
    if (o < bytes.length) bytes[o++] = n >> 16;
    if (o < bytes.length) bytes[o++] = (n >> 8) & 255;
    if (o < bytes.length) bytes[o++] = n & 255;
  }
  return bytes;
}

function checked(api: WasmApi, bytes: Uint8Array): Uint8Array {
  if (!api.validate(bytes)) {
    throw new Error("${name}: this JavaScript engine cannot run the model's WebAssembly; it needs SIMD128 (Node 16.4+, Chrome 91+, Firefox 89+, Safari 16.4+), or build the model with --target ts");
  }
  return bytes;
}

/** The compiled module, compiled synchronously on first use unless ready() has done it. */
function wasmModule(): object {
  if (compiled === undefined) {
    const api = wasmApi();
    compiled = new api.Module(checked(api, wasmBytes()));
  }
  return compiled;
}

/**
 * Compiles the WebAssembly module off the calling thread. Optional in Node and
 * workers; on a browser's main thread, await it before createWorkspace so the
 * page never blocks on (or is refused) a synchronous compile.
 */
export async function ready(): Promise<void> {
  if (compiled !== undefined) return;
  const api = wasmApi();
  const module = await api.compile(checked(api, wasmBytes()));
  compiled ??= module;
}`;
}

function emitCreateWorkspace(plan: Plan, build: WasmBuild): string {
  const m = plan.model;
  const hasLoss = m.loss !== null;
  // a class index per sample, or per position of a [K, H, W] output
  const labels = hasLoss ? `batch * ${positionsOf(m.output)}` : "0";
  const weights = m.loss?.args.op === "softmax" ? m.loss.args.weight : undefined;
  const take = (key: string, count: string) => `  take(${JSON.stringify(key)}, ${count});`;
  const layout = [
    take("x", `batch * ${plan.inSize}`),
    take("y", labels),
    // the loss's class weights, f64 (two floats' room each)
    ...(weights !== undefined ? [take("lossWeight", String(2 * weights.length))] : []),
    take("dout", hasLoss ? "0" : `batch * ${plan.outSize}`),
    ...plan.params.map((t) => take(`p:${t.name}`, String(shapeSize(t)))),
    ...plan.state.map((t) => take(`s:${t.name}`, String(shapeSize(t)))),
    ...plan.params.map((t) => take(`g:${t.name}`, String(shapeSize(t)))),
    // buffers whose lifetimes do not overlap share one allocation (src/emit/slots.ts)
    ...plan.slots.map((m) => take(m.name, m.length)),
    ...plan.buffers.map((b) => (b.slot === undefined ? take(b.name, b.length) : `  at[${JSON.stringify(b.name)}] = at[${JSON.stringify(b.slot)}]!;`)),
    take("scratch", String(build.scratch)),
  ];
  const view = (key: string, count: string) => `new Float32Array(memory.buffer, at[${JSON.stringify(key)}], ${count})`;
  const tensors = (list: Tensor[], prefix: string) =>
    list.length === 0 ? "{}" : `{\n${list.map((t) => `    ${JSON.stringify(t.name)}: ${view(`${prefix}:${t.name}`, String(shapeSize(t)))},`).join("\n")}\n  }`;
  const bufs = plan.buffers.map(
    (b) =>
      `    ${b.name}: new ${b.kind === "float" ? "Float32Array" : "Int32Array"}(memory.buffer, at[${JSON.stringify(b.name)}], ${b.length}),`,
  );
  const dx = plan.dx.startsWith("ws.") ? `bufs.${plan.dx.slice(3)}` : "new Float32Array(0)";
  const result = hasLoss ? `{ loss: 0, grads, dx: ${dx} }` : `{ grads, dx: ${dx} }`;
  return `/** The byte offset of every tensor and buffer in the memory of a workspace for \`batch\` samples, and the bytes it ends at. */
function layout(batch: number): { at: Record<string, number>; top: number } {
  const at: Record<string, number> = {};
  let top = ${PACK_END}; // below: the matrix kernel's packing area (src/emit-wasm/gemm.ts)
  const take = (key: string, count: number) => {
    at[key] = top;
    top += Math.ceil(count / 4) * 16;
  };
${layout.join("\n")}
  at.dTop = at.${hasLoss ? "dlogits" : "dout"};
  return { at, top };
}

/** The bytes createWorkspace(batch) allocates: its WebAssembly memory, whole 64 KiB pages. */
export function workspaceBytes(batch: number): number {
  return Math.ceil(layout(batch).top / 65536) * 65536;
}

/**
 * Lays out every tensor and buffer for batches of \`batch\` samples in one
 * WebAssembly memory, sized once (so views never detach), and instantiates
 * the module on it. \`seed\` seeds the dropout masks.
 */
export function createWorkspace(batch: number, seed = 0): Workspace {
  if (!Number.isInteger(batch) || batch < 1) {
    throw new RangeError(\`${m.name}: createWorkspace(batch) needs a positive integer batch; got \${batch}\`);
  }
  const { at, top } = layout(batch);
  const pages = Math.ceil(top / 65536);
  if (pages > 65536) {
    throw new RangeError(\`${m.name}: a batch of \${batch} needs \${top} bytes of WebAssembly memory, more than its 4 GiB limit; use a smaller batch\`);
  }
  const api = wasmApi();
  const memory = new api.Memory({ initial: pages, maximum: pages });
  const instance = new api.Instance(wasmModule(), { m: { memory, exp: Math.exp, log: Math.log, tanh: Math.tanh, expm1: Math.expm1, log1p: Math.log1p } });
  const grads: Params = ${tensors(plan.params, "g")};
  const bufs = {
${bufs.join("\n")}
  };
  const state: State = ${tensors(plan.state, "s")};
${weights !== undefined ? `  new Float64Array(memory.buffer, at.lossWeight, ${weights.length}).set([${weights.map(num).join(", ")}]);
` : ""}  const fresh = initState();
  for (const k of Object.keys(fresh)) state[k as keyof State].set(fresh[k as keyof State]);
  return {
    batch,
    freezeDropout: false,
${plan.hasDropout ? "    rng: seed | 0,\n    masksDrawn: false,\n" : ""}    grads,
    result: ${result},
    ...bufs,
    params: ${tensors(plan.params, "p")},
    state,
    x: ${view("x", `batch * ${plan.inSize}`)},
    wasm: {
      memory,
      exports: instance.exports as WasmRuntime["exports"],
      at,
      y: new Int32Array(memory.buffer, at.y, ${labels}),
      dout: ${view("dout", hasLoss ? "0" : `batch * ${plan.outSize}`)},
    },
  };
}`;
}

/** `E.f3(N, t, at.a2, at.a3, ...)` for one layer pass */
function callOf(plan: Plan, call: LayerCall, train: string): string {
  const args = ["N", train, ...call.slots.map((s) => `at[${JSON.stringify(s)}]`)];
  return `  ${layerComment(plan, call.layer)}\n  E.${call.exportName}(${args.join(", ")});`;
}

/**
 * The backward calls, last layer first, with the TypeScript target's gradient
 * wiring of a graph (docs/generated-api.md#graphs-values-read-more-than-once):
 * the output's gradient seeded when layers read it too, a dead branch's
 * gradient zeroed, a second reader's share added into the value's gradient.
 */
function backwardCalls(plan: Plan, build: WasmBuild): string[] {
  const seed = plan.seedTop === undefined ? [] : [`  ${plan.seedTop}.set(dTop); // the output is also read by layers, which add their shares`];
  const calls = [...plan.layers].reverse().flatMap((l) => {
    const call = build.backward.find((c) => c.index === l.index);
    if (call === undefined) return [];
    const w = plan.wiring[l.index - 1]!;
    const zero = w.zeroOut ? [`  ${l.dOut}.fill(0); // ${l.layer.name}'s output is read by no layer`] : [];
    const adds = w.adds.map((a) => `  addInto(${a.into}, ${a.from}, N * ${a.size});`);
    return [...zero, callOf(plan, call, "0"), ...adds];
  });
  const zeroDx = plan.zeroDx ? [`  ${plan.dx}.fill(0); // no layer reads the input`] : [];
  return [...seed, ...calls, ...zeroDx];
}

function emitPasses(plan: Plan, build: WasmBuild): string {
  const m = plan.model;
  const keyList = (list: Tensor[]) => `[${list.map((t) => JSON.stringify(t.name)).join(", ")}]`;
  // dropout draws one value per element, stochastic depth one per sample (row) or per batch: its mask's length
  const masks = plan.layers
    .filter((l) => l.layer.args.op === "dropout" || l.layer.args.op === "stochasticdepth")
    .map((l) => {
      const p = (l.layer.args as { p: number }).p;
      const keep = l.layer.args.op === "stochasticdepth" && p >= 1 ? 0 : 1 / (1 - p);
      return `    drawMask(ws, ws.${l.bufferName("mask")}, ${p}, ${keep});`;
    });
  const dropout = plan.hasDropout
    ? `
/** A training-mode dropout or stochastic-depth mask from the workspace's generator: the TypeScript target's draws, in its order. */
function drawMask(ws: Workspace, mask: FloatArray, p: number, scale: number): void {
  for (let i = 0; i < mask.length; i++) mask[i] = nextUniform(ws) < p ? 0 : scale;
}
`
    : "";
  const top = plan.top === "x" ? "x" : plan.top;
  const addInto = plan.wiring.some((w) => w.adds.length > 0)
    ? `/** Sums a second reader's share into a value's gradient. */
function addInto(g: FloatArray, share: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) g[i] += share[i]!;
}

`
    : "";
  const stateBack = `if (s !== ws.state) for (let i = 0; i < STATE_KEYS.length; i++) s[STATE_KEYS[i]!].set(ws.state[STATE_KEYS[i]!]);`;
  const common = `const PARAM_KEYS: (keyof Params)[] = ${keyList(plan.params)};
const STATE_KEYS: (keyof State)[] = ${keyList(plan.state)};
${dropout}
/** Copies p, s and x into the workspace's memory, except those that are its own slots already. */
function bind(p: Params, s: State, x: FloatArray, ws: Workspace): void {
  if (p !== ws.params) {
    for (let i = 0; i < PARAM_KEYS.length; i++) {
      const k = PARAM_KEYS[i]!;
      if (p[k] !== ws.params[k]) ws.params[k].set(p[k]);
    }
  }
  if (s !== ws.state) for (let i = 0; i < STATE_KEYS.length; i++) ws.state[STATE_KEYS[i]!].set(s[STATE_KEYS[i]!]);
  if (x !== ws.x) ws.x.set(x);
}

/** The forward pass over the workspace's batch in WebAssembly; \`train\` selects batch statistics and dropout. */
function forwardPass(ws: Workspace, train: boolean): void {
  const N = ws.batch, t = train ? 1 : 0, at = ws.wasm.at, E = ws.wasm.exports;
${plan.hasDropout ? `  if (train && !(ws.freezeDropout && ws.masksDrawn)) {\n${masks.join("\n")}\n    ws.masksDrawn = true;\n  }\n` : ""}  void t;
${build.forward.map((c) => callOf(plan, c, "t")).join("\n")}
}

${addInto}/** Backpropagates the slot dTop through the batch of the last training-mode forward pass. */
function backwardPass(ws: Workspace): void {
  const N = ws.batch, at = ws.wasm.at, E = ws.wasm.exports, dTop = ${m.loss === null ? "ws.wasm.dout" : "ws.dlogits"};
${backwardCalls(plan, build).join("\n")}
  void N;
  void at;
  void E;
  void dTop;
}

/**
 * Runs the network on x (N·${plan.inSize} values, NCHW) and returns the
 * N × ${plan.outSize} output, a view into the workspace's memory (overwritten by the next call).
 * Eval mode (running statistics, no dropout) unless \`train\` is true.
 */
export function forward(p: Params, s: State, x: FloatArray, ws: Workspace, train = false): FloatArray {
  checkInput(x, ws);
  checkTensors(p, s);
  if (train) checkTraining(ws);
  bind(p, s, x, ws);
  forwardPass(ws, train);
  if (train) ${stateBack}
  return ${top === "x" ? "x" : top};
}`;
  if (m.loss === null) {
    return `${common}

/**
 * Training-mode forward pass on x followed by backpropagation of dout
 * (N × ${plan.outSize}); updates the batchnorm running statistics. Returns
 * gradients that are views into the workspace's memory.
 */
export function backward(p: Params, s: State, x: FloatArray, dout: FloatArray, ws: Workspace): Gradients {
  checkInput(x, ws);
  checkTensors(p, s);
  checkDout(dout, ws);
  checkTraining(ws);
  bind(p, s, x, ws);
  ws.wasm.dout.set(dout);
  forwardPass(ws, true);
  backwardPass(ws);
  ${stateBack}
  const r = ws.result;
  r.dx = ${plan.dx === "dTop" ? "ws.wasm.dout" : plan.dx};
  return r;
}`;
  }
  const aux = m.loss.args.op === "svm" ? 'ws.wasm.at["hinge"]!' : m.loss.args.weight !== undefined ? "ws.wasm.at.lossWeight!" : "0";
  return `${common}

/**
 * Training-mode forward pass, loss and backward pass; updates the batchnorm
 * running statistics. The returned object, its grads and dx are views into
 * the workspace's memory, overwritten by the next call.
 */
export function lossAndGrad(p: Params, s: State, x: FloatArray, y: Int32Array, ws: Workspace): LossAndGrad {
  checkInput(x, ws);
  checkTensors(p, s);
  checkLabels(y, ws);
  checkTraining(ws);
  bind(p, s, x, ws);
  ws.wasm.y.set(y);
  forwardPass(ws, true);
  const at = ws.wasm.at;
  ws.result.loss = ws.wasm.exports.loss!(at[${JSON.stringify(slotOf(plan.top))}]!, at.y!, at.dlogits!, ${aux}, ws.batch);
  backwardPass(ws);
  ${stateBack}
  const r = ws.result;
  r.dx = ${plan.dx === "dTop" ? "ws.dlogits" : plan.dx};
  return r;
}`;
}
