// Naive f64 reference: IR Model → outputs, loss, gradients and updated running
// statistics, written straight from the formulas of docs/language.md with textbook loops.
// It shares no code with src/emit (the oracle must not agree with the emitter
// by construction); tests compare the generated modules against it.
import type { ArgsOf, Layer, Loss, Model, PadMode } from "../../src/ir.ts";
import { mobileBackward, mobileForward, type MobileOp } from "./mobile.ts";
import { seBackward, seForward, type SeOp } from "./prelu-gelu-instancenorm.ts";
import { clBackward, clForward, type ChannelsLastOp } from "./channels-last.ts";

export type Tensors = Record<string, Float64Array>;

export interface RefRun {
  /** dropout keep flags (1 = kept, 0 = dropped) per dropout layer name, N·size each; per stochasticdepth layer N (row) or 1 (batch) */
  masks?: Record<string, ArrayLike<number>>;
}

export interface RefForwardResult {
  out: Float64Array;
  /** the (first) input of every layer, then the model's output */
  acts: Float64Array[];
  /** the input x, then every layer's output */
  values: Float64Array[];
  /** running statistics after the forward (a copy; the given state is not mutated) */
  state: Tensors;
}

export interface RefGradResult extends RefForwardResult {
  loss: number;
  grads: Tensors;
  dx: Float64Array;
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function copyTensors(t: Tensors): Tensors {
  const out: Tensors = {};
  for (const [k, v] of Object.entries(t)) out[k] = Float64Array.from(v);
  return out;
}

/** [C, H, W] of a layer's input or output; [D] reads as [D, 1, 1]. */
function chw(shape: readonly number[]): [number, number, number] {
  return shape.length === 3 ? [shape[0], shape[1], shape[2]] : [shape[0], 1, 1];
}

export function refForward(
  model: Model,
  params: Tensors,
  state: Tensors,
  x: ArrayLike<number>,
  batch: number,
  train: boolean,
  run: RefRun = {},
): RefForwardResult {
  checkLength("x", x.length, batch * size(model.input));
  const newState = copyTensors(state);
  const values: Float64Array[] = [Float64Array.from(x)];
  const acts: Float64Array[] = [];
  for (const layer of model.layers) {
    const ins = layer.from.map((f) => values[f + 1]);
    acts.push(ins[0]);
    values.push(isMerge(layer) ? mergeForward(layer, ins, batch) : layerForward(layer, ins[0], batch, params, newState, train, run));
  }
  const out = values[values.length - 1];
  acts.push(out);
  return { out, acts, values, state: newState };
}

/**
 * Training-mode (or eval-mode) forward plus backward from a given output
 * gradient. A value read by several layers gets the sum of their gradients; a
 * value no layer reads (other than the output) contributes nothing.
 */
export function refBackward(
  model: Model,
  params: Tensors,
  state: Tensors,
  x: ArrayLike<number>,
  dout: ArrayLike<number>,
  batch: number,
  run: RefRun = {},
  train = true,
): { out: Float64Array; state: Tensors; grads: Tensors; dx: Float64Array } {
  const fwd = refForward(model, params, state, x, batch, train, run);
  checkLength("dout", dout.length, batch * size(model.output));
  const grads: Tensors = {};
  for (const [k, v] of Object.entries(params)) grads[k] = new Float64Array(v.length);
  const dv: Float64Array[] = fwd.values.map((v) => new Float64Array(v.length));
  dv[dv.length - 1].set(Float64Array.from(dout));
  for (let i = model.layers.length - 1; i >= 0; i--) {
    const layer = model.layers[i];
    const d = dv[i + 1];
    const dIns = isMerge(layer)
      ? mergeBackward(layer, d, batch, layer.from.map((f) => fwd.values[f + 1]))
      : [layerBackward(layer, fwd.values[layer.from[0] + 1], d, batch, params, state, grads, train, run)];
    layer.from.forEach((f, k) => {
      const target = dv[f + 1];
      for (let j = 0; j < target.length; j++) target[j] += dIns[k][j];
    });
  }
  return { out: fwd.out, state: fwd.state, grads, dx: dv[0] };
}

function isMerge(layer: Layer): boolean {
  return layer.args.op === "add" || layer.args.op === "concat" || layer.args.op === "mul";
}

/** mul: operand k's value at output element i of sample n and channel c — a [C, 1, 1] gate broadcasts over H×W. */
function mulOperand(layer: Layer, ins: Float64Array[], k: number, i: number): number {
  const per = size(layer.output);
  const [C, H, W] = chw(layer.output);
  if (size(layer.inputs[k]) === per) return ins[k][i];
  const n = Math.floor(i / per);
  const c = Math.floor((i % per) / (H * W));
  return ins[k][n * C + c];
}

/** add: the elementwise sum; concat: each sample's operand blocks one after another (channels, NCHW). */
function mergeForward(layer: Layer, ins: Float64Array[], N: number): Float64Array {
  const y = new Float64Array(N * size(layer.output));
  if (layer.args.op === "mul") {
    for (let i = 0; i < y.length; i++) {
      y[i] = 1;
      for (let k = 0; k < ins.length; k++) y[i] *= mulOperand(layer, ins, k, i);
    }
    return y;
  }
  if (layer.args.op === "add") {
    for (const v of ins) for (let i = 0; i < y.length; i++) y[i] += v[i];
    return y;
  }
  const per = size(layer.output);
  for (let n = 0; n < N; n++) {
    let at = n * per;
    for (let k = 0; k < ins.length; k++) {
      const m = size(layer.inputs[k]);
      for (let j = 0; j < m; j++) y[at + j] = ins[k][n * m + j];
      at += m;
    }
  }
  return y;
}

function mergeBackward(layer: Layer, dy: Float64Array, N: number, ins: Float64Array[]): Float64Array[] {
  if (layer.args.op === "add") return layer.inputs.map(() => Float64Array.from(dy));
  if (layer.args.op === "mul") {
    // d/d(operand k) of the product: dy times the other operands; a gate sums over the positions it covers
    const [C, H, W] = chw(layer.output);
    return layer.inputs.map((shape, k) => {
      const d = new Float64Array(N * size(shape));
      for (let i = 0; i < dy.length; i++) {
        let g = dy[i];
        for (let j = 0; j < ins.length; j++) if (j !== k) g *= mulOperand(layer, ins, j, i);
        const n = Math.floor(i / size(layer.output));
        const c = Math.floor((i % size(layer.output)) / (H * W));
        d[size(shape) === size(layer.output) ? i : n * C + c] += g;
      }
      return d;
    });
  }
  const per = size(layer.output);
  const out = layer.inputs.map((shape) => new Float64Array(N * size(shape)));
  for (let n = 0; n < N; n++) {
    let at = n * per;
    layer.inputs.forEach((shape, k) => {
      const m = size(shape);
      for (let j = 0; j < m; j++) out[k][n * m + j] = dy[at + j];
      at += m;
    });
  }
  return out;
}

export function refLossAndGrad(
  model: Model,
  params: Tensors,
  state: Tensors,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  batch: number,
  run: RefRun = {},
): RefGradResult {
  if (model.loss === null) throw new Error("refLossAndGrad: model has no loss");
  const fwd = refForward(model, params, state, x, batch, true, run);
  const { loss, dz } =
    model.output.length > 1 || hasOptions(model.loss)
      ? refCrossEntropy(model.loss.args as Loss["args"] & { op: "softmax" }, fwd.out, y, batch, model.output)
      : refLoss(model.loss, fwd.out, y, batch, model.output[0]);
  const back = refBackward(model, params, state, x, dz, batch, run, true);
  return { ...fwd, loss, grads: back.grads, dx: back.dx };
}

/** Mean over the batch of softmax cross-entropy or CS231n's multiclass hinge. */
export function refLoss(
  loss: Loss,
  z: Float64Array,
  y: ArrayLike<number>,
  batch: number,
  classes: number,
): { loss: number; dz: Float64Array } {
  const dz = new Float64Array(batch * classes);
  let total = 0;
  for (let n = 0; n < batch; n++) {
    const label = y[n];
    const row = n * classes;
    if (loss.args.op === "softmax") {
      let max = -Infinity;
      for (let k = 0; k < classes; k++) max = Math.max(max, z[row + k]);
      let sum = 0;
      for (let k = 0; k < classes; k++) sum += Math.exp(z[row + k] - max);
      total += -(z[row + label] - max - Math.log(sum));
      for (let k = 0; k < classes; k++) {
        const p = Math.exp(z[row + k] - max) / sum;
        dz[row + k] = (p - (k === label ? 1 : 0)) / batch;
      }
    } else {
      const margin = loss.args.margin;
      for (let k = 0; k < classes; k++) {
        if (k === label) continue;
        const m = z[row + k] - z[row + label] + margin;
        if (m > 0) {
          total += m;
          dz[row + k] += 1 / batch;
          dz[row + label] -= 1 / batch;
        }
      }
    }
  }
  return { loss: total / batch, dz };
}

/**
 * The input index a padded cell copies, straight from the definitions: reflect mirrors about the
 * edge cell (PyTorch's ReflectionPad), replicate repeats the edge, circular wraps around.
 */
function padSource(mode: PadMode, i: number, n: number): number {
  if (mode === "replicate") return Math.min(n - 1, Math.max(0, i));
  if (mode === "circular") return ((i % n) + n) % n;
  let j = i;
  while (j < 0 || j >= n) j = j < 0 ? -j : 2 * (n - 1) - j;
  return j;
}

/** A conv with a padding mode is that padding (a pad layer) followed by the conv with no padding. */
function splitPaddingMode(layer: Layer & { args: ArgsOf<"conv"> }): { pad: Layer; inner: Layer } {
  const a = layer.args;
  const [C, H, W] = chw(layer.input);
  const padded = [C, H + a.pad[0] + a.pad[1], W + a.pad[2] + a.pad[3]];
  const pad: Layer = { ...layer, args: { op: "pad", pad: a.pad, mode: a.padding_mode }, output: padded, params: [] };
  const inner: Layer = { ...layer, args: { ...a, pad: [0, 0, 0, 0], padding_mode: undefined }, input: padded, inputs: [padded] };
  return { pad, inner };
}

const hasOptions = (loss: Loss) => loss.args.op === "softmax" && Object.keys(loss.args).length > 1;

/**
 * nn.CrossEntropyLoss with its options, per position of a [K] or [K, H, W] output (labels
 * [N, H, W]): position loss −Σ_c q_c·log p_c with the target distribution
 * q_c = (1 − ε)·w_t·[c = t] + ε·w_c/K; positions labelled ignore_index count nothing;
 * mean divides by Σ w_t over the counted positions. The gradient is the chain rule
 * through log-softmax, ∂(−log p_c)/∂z_j = p_j − [c = j], summed over c.
 */
export function refCrossEntropy(
  a: Loss["args"] & { op: "softmax" },
  z: Float64Array,
  y: ArrayLike<number>,
  batch: number,
  output: readonly number[],
): { loss: number; dz: Float64Array } {
  const K = output[0];
  const P = size(output) / K;
  const eps = a.label_smoothing ?? 0;
  const w = (c: number) => (a.weight === undefined ? 1 : a.weight[c]);
  const dz = new Float64Array(batch * K * P);
  let total = 0;
  let denominator = 0;
  for (let n = 0; n < batch; n++)
    for (let s = 0; s < P; s++) {
      const t = y[n * P + s];
      if (t === a.ignore_index) continue;
      const at = (c: number) => (n * K + c) * P + s;
      let max = -Infinity;
      for (let c = 0; c < K; c++) max = Math.max(max, z[at(c)]);
      let sum = 0;
      for (let c = 0; c < K; c++) sum += Math.exp(z[at(c)] - max);
      const p = (c: number) => Math.exp(z[at(c)] - max) / sum;
      denominator += w(t);
      for (let c = 0; c < K; c++) {
        const q = (c === t ? (1 - eps) * w(t) : 0) + (eps * w(c)) / K;
        total -= q * Math.log(p(c));
        for (let j = 0; j < K; j++) dz[at(j)] += q * (p(j) - (c === j ? 1 : 0));
      }
    }
  const scale = a.reduction === "sum" ? 1 : 1 / denominator;
  for (let i = 0; i < dz.length; i++) dz[i] *= scale;
  return { loss: total * scale, dz };
}

function checkLength(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`reference: ${what} has ${got} values, expected ${want}`);
}

function param(params: Tensors, name: string): Float64Array {
  const p = params[name];
  if (p === undefined) throw new Error(`reference: missing tensor ${name}`);
  return p;
}

function hasBias(layer: Layer): boolean {
  return layer.params.some((t) => t.name === `${layer.name}.bias`);
}

function layerForward(
  layer: Layer,
  x: Float64Array,
  N: number,
  params: Tensors,
  state: Tensors,
  train: boolean,
  run: RefRun,
): Float64Array {
  const a = layer.args;
  const [C, H, W] = chw(layer.input);
  const [OC, OH, OW] = chw(layer.output);
  const y = new Float64Array(N * size(layer.output));
  if (a.op === "conv" && a.padding_mode !== undefined) {
    const { pad, inner } = splitPaddingMode(layer as Layer & { args: ArgsOf<"conv"> });
    return layerForward(inner, layerForward(pad, x, N, params, state, train, run), N, params, state, train, run);
  }
  switch (a.op) {
    case "conv": {
      const w = param(params, `${layer.name}.weight`);
      const b = hasBias(layer) ? param(params, `${layer.name}.bias`) : null;
      const [KH, KW] = a.kernel;
      const [SH, SW] = a.stride;
      const [DH, DW] = a.dilation;
      const [PT, , PL] = a.pad;
      const Cg = C / a.groups;
      const Fg = OC / a.groups;
      for (let n = 0; n < N; n++)
        for (let f = 0; f < OC; f++) {
          const g = Math.floor(f / Fg);
          for (let oh = 0; oh < OH; oh++)
            for (let ow = 0; ow < OW; ow++) {
              let s = b ? b[f] : 0;
              for (let c = 0; c < Cg; c++)
                for (let kh = 0; kh < KH; kh++)
                  for (let kw = 0; kw < KW; kw++) {
                    const ih = oh * SH - PT + kh * DH;
                    const iw = ow * SW - PL + kw * DW;
                    if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                    s += w[((f * Cg + c) * KH + kh) * KW + kw] * x[((n * C + g * Cg + c) * H + ih) * W + iw];
                  }
              y[((n * OC + f) * OH + oh) * OW + ow] = s;
            }
        }
      return y;
    }
    case "maxpool": {
      for (let n = 0; n < N; n++)
        for (let c = 0; c < C; c++)
          for (let oh = 0; oh < OH; oh++)
            for (let ow = 0; ow < OW; ow++) {
              const at = maxpoolArgmax(layer, x, n, c, oh, ow);
              y[((n * C + c) * OH + oh) * OW + ow] = x[at];
            }
      return y;
    }
    case "avgpool": {
      for (let n = 0; n < N; n++)
        for (let c = 0; c < C; c++)
          for (let oh = 0; oh < OH; oh++)
            for (let ow = 0; ow < OW; ow++) {
              const win = avgpoolWindow(layer, oh, ow);
              let s = 0;
              for (let ih = win.h0; ih < win.h1; ih++)
                for (let iw = win.w0; iw < win.w1; iw++) s += x[((n * C + c) * H + ih) * W + iw];
              y[((n * C + c) * OH + oh) * OW + ow] = s / win.divisor;
            }
      return y;
    }
    case "globalavgpool": {
      for (let n = 0; n < N; n++)
        for (let c = 0; c < C; c++) {
          let s = 0;
          for (let i = 0; i < H * W; i++) s += x[(n * C + c) * H * W + i];
          y[n * C + c] = s / (H * W);
        }
      return y;
    }
    case "pad": {
      const [PT, , PL] = a.pad;
      if (a.mode !== undefined) {
        for (let n = 0; n < N; n++)
          for (let c = 0; c < C; c++)
            for (let oh = 0; oh < OH; oh++)
              for (let ow = 0; ow < OW; ow++) {
                const ih = padSource(a.mode, oh - PT, H);
                const iw = padSource(a.mode, ow - PL, W);
                y[((n * C + c) * OH + oh) * OW + ow] = x[((n * C + c) * H + ih) * W + iw];
              }
        return y;
      }
      for (let n = 0; n < N; n++)
        for (let c = 0; c < C; c++)
          for (let h = 0; h < H; h++)
            for (let w = 0; w < W; w++) y[((n * C + c) * OH + h + PT) * OW + w + PL] = x[((n * C + c) * H + h) * W + w];
      return y;
    }
    case "batchnorm": {
      const gamma = param(params, `${layer.name}.weight`);
      const beta = param(params, `${layer.name}.bias`);
      const rm = param(state, `${layer.name}.running_mean`);
      const rv = param(state, `${layer.name}.running_var`);
      const M = N * H * W;
      if (train && M === 1) throw new RangeError("batchnorm needs more than one value per channel in training");
      for (let c = 0; c < C; c++) {
        let mean: number;
        let variance: number;
        if (train) {
          mean = 0;
          for (let n = 0; n < N; n++) for (let i = 0; i < H * W; i++) mean += x[(n * C + c) * H * W + i];
          mean /= M;
          variance = 0;
          for (let n = 0; n < N; n++)
            for (let i = 0; i < H * W; i++) variance += (x[(n * C + c) * H * W + i] - mean) ** 2;
          variance /= M;
          rm[c] = (1 - a.momentum) * rm[c] + a.momentum * mean;
          rv[c] = (1 - a.momentum) * rv[c] + a.momentum * ((variance * M) / (M - 1));
        } else {
          mean = rm[c];
          variance = rv[c];
        }
        const inv = 1 / Math.sqrt(variance + a.eps);
        for (let n = 0; n < N; n++)
          for (let i = 0; i < H * W; i++) {
            const at = (n * C + c) * H * W + i;
            y[at] = gamma[c] * (x[at] - mean) * inv + beta[c];
          }
      }
      return y;
    }
    case "layernorm":
    case "groupnorm": {
      const gamma = param(params, `${layer.name}.weight`);
      const beta = param(params, `${layer.name}.bias`);
      for (const grp of normGroups(layer, N)) {
        const { mean, inv } = groupStats(x, grp.indices, a.eps);
        for (let j = 0; j < grp.indices.length; j++) {
          const at = grp.indices[j];
          const ch = grp.channel[j];
          y[at] = gamma[ch] * (x[at] - mean) * inv + beta[ch];
        }
      }
      return y;
    }
    case "affine": {
      const w = param(params, `${layer.name}.weight`);
      const b = hasBias(layer) ? param(params, `${layer.name}.bias`) : null;
      const D = size(layer.input);
      const M = a.features;
      for (let n = 0; n < N; n++)
        for (let m = 0; m < M; m++) {
          let s = b ? b[m] : 0;
          for (let d = 0; d < D; d++) s += w[m * D + d] * x[n * D + d];
          y[n * M + m] = s;
        }
      return y;
    }
    case "flatten":
      y.set(x);
      return y;
    case "relu":
      for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : 0;
      return y;
    case "leakyrelu":
      for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : a.alpha * x[i];
      return y;
    case "sigmoid":
      for (let i = 0; i < x.length; i++) y[i] = 1 / (1 + Math.exp(-x[i]));
      return y;
    case "tanh":
      for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]);
      return y;
    case "dropout": {
      if (!train) {
        y.set(x);
        return y;
      }
      const keep = dropoutMask(layer, x.length, run);
      for (let i = 0; i < x.length; i++) y[i] = (x[i] * keep[i]) / (1 - a.p);
      return y;
    }
    case "convtranspose": {
      // every (input pixel, filter of its group, tap) adds x·w at ih·s − pad_top + kh·d
      const w = param(params, `${layer.name}.weight`);
      const b = hasBias(layer) ? param(params, `${layer.name}.bias`) : null;
      const [KH, KW] = a.kernel;
      const Cg = C / a.groups;
      const Fg = OC / a.groups;
      for (let n = 0; n < N; n++) {
        for (let f = 0; f < OC; f++)
          for (let i = 0; i < OH * OW; i++) y[(n * OC + f) * OH * OW + i] = b ? b[f] : 0;
        for (let c = 0; c < C; c++)
          for (let ih = 0; ih < H; ih++)
            for (let iw = 0; iw < W; iw++)
              for (let j = 0; j < Fg; j++)
                for (let kh = 0; kh < KH; kh++)
                  for (let kw = 0; kw < KW; kw++) {
                    const oh = ih * a.stride[0] - a.pad[0] + kh * a.dilation[0];
                    const ow = iw * a.stride[1] - a.pad[2] + kw * a.dilation[1];
                    if (oh < 0 || oh >= OH || ow < 0 || ow >= OW) continue;
                    const f = Math.floor(c / Cg) * Fg + j;
                    y[((n * OC + f) * OH + oh) * OW + ow] += x[((n * C + c) * H + ih) * W + iw] * w[((c * Fg + j) * KH + kh) * KW + kw];
                  }
      }
      return y;
    }
    case "upsample":
      for (let n = 0; n < N; n++)
        for (let c = 0; c < C; c++)
          for (let oh = 0; oh < OH; oh++)
            for (let ow = 0; ow < OW; ow++) {
              let s = 0;
              for (const t of upsampleTaps(layer, oh, ow)) s += t.weight * x[((n * C + c) * H + t.h) * W + t.w];
              y[((n * C + c) * OH + oh) * OW + ow] = s;
            }
      return y;
    case "adaptiveavgpool":
      for (let n = 0; n < N; n++)
        for (let c = 0; c < C; c++)
          for (let oh = 0; oh < OH; oh++)
            for (let ow = 0; ow < OW; ow++) {
              const win = adaptiveWindow(layer, oh, ow);
              let s = 0;
              for (let ih = win.h0; ih < win.h1; ih++)
                for (let iw = win.w0; iw < win.w1; iw++) s += x[((n * C + c) * H + ih) * W + iw];
              y[((n * C + c) * OH + oh) * OW + ow] = s / ((win.h1 - win.h0) * (win.w1 - win.w0));
            }
      return y;
    case "globalmaxpool":
      for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) y[n * C + c] = x[globalArgmax(layer, x, n, c)];
      return y;
    case "softmax":
      for (let n = 0; n < N; n++)
        for (let i = 0; i < H * W; i++) {
          const at = (c: number) => (n * C + c) * H * W + i;
          let max = -Infinity;
          for (let c = 0; c < C; c++) max = Math.max(max, x[at(c)]);
          let sum = 0;
          for (let c = 0; c < C; c++) sum += Math.exp(x[at(c)] - max);
          for (let c = 0; c < C; c++) y[at(c)] = Math.exp(x[at(c)] - max) / sum;
        }
      return y;
    case "add":
    case "concat":
    case "mul":
      throw new Error("reference: merges go through mergeForward");
    case "prelu":
    case "gelu":
    case "instancenorm":
      return seForward(layer as Layer & { args: ArgsOf<SeOp> }, x, N, params);
    case "permute":
    case "linear":
    case "layernormlast":
      return clForward(layer as Layer & { args: ArgsOf<ChannelsLastOp> }, x, N, params);
    case "relu6":
    case "clamp":
    case "hardswish":
    case "hardsigmoid":
    case "silu":
    case "elu":
    case "selu":
    case "softplus":
    case "mish":
    case "layernorm2d":
    case "layerscale":
    case "channelshuffle":
    case "slice":
    case "pixelshuffle":
    case "pixelunshuffle":
      return mobileForward(layer as Layer & { args: ArgsOf<MobileOp> }, x, N, params);
    case "stochasticdepth": {
      if (!train) {
        y.set(x);
        return y;
      }
      const scale = stochasticDepthScale(layer, N, run);
      for (let i = 0; i < x.length; i++) y[i] = x[i] * scale[Math.floor(i / (x.length / N))];
      return y;
    }
  }
}

function layerBackward(
  layer: Layer,
  x: Float64Array,
  dy: Float64Array,
  N: number,
  params: Tensors,
  stateBefore: Tensors,
  grads: Tensors,
  train: boolean,
  run: RefRun,
): Float64Array {
  const a = layer.args;
  const [C, H, W] = chw(layer.input);
  const [OC, OH, OW] = chw(layer.output);
  const dx = new Float64Array(x.length);
  if (a.op === "conv" && a.padding_mode !== undefined) {
    const { pad, inner } = splitPaddingMode(layer as Layer & { args: ArgsOf<"conv"> });
    const xPadded = layerForward(pad, x, N, params, stateBefore, train, run);
    const dPadded = layerBackward(inner, xPadded, dy, N, params, stateBefore, grads, train, run);
    return layerBackward(pad, x, dPadded, N, params, stateBefore, grads, train, run);
  }
  switch (a.op) {
    case "conv": {
      const w = param(params, `${layer.name}.weight`);
      const dw = param(grads, `${layer.name}.weight`);
      const db = hasBias(layer) ? param(grads, `${layer.name}.bias`) : null;
      const [KH, KW] = a.kernel;
      const [SH, SW] = a.stride;
      const [DH, DW] = a.dilation;
      const [PT, , PL] = a.pad;
      const Cg = C / a.groups;
      const Fg = OC / a.groups;
      for (let n = 0; n < N; n++)
        for (let f = 0; f < OC; f++) {
          const g = Math.floor(f / Fg);
          for (let oh = 0; oh < OH; oh++)
            for (let ow = 0; ow < OW; ow++) {
              const d = dy[((n * OC + f) * OH + oh) * OW + ow];
              if (db) db[f] += d;
              for (let c = 0; c < Cg; c++)
                for (let kh = 0; kh < KH; kh++)
                  for (let kw = 0; kw < KW; kw++) {
                    const ih = oh * SH - PT + kh * DH;
                    const iw = ow * SW - PL + kw * DW;
                    if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                    const wi = ((f * Cg + c) * KH + kh) * KW + kw;
                    const xi = ((n * C + g * Cg + c) * H + ih) * W + iw;
                    dw[wi] += x[xi] * d;
                    dx[xi] += w[wi] * d;
                  }
            }
        }
      return dx;
    }
    case "maxpool": {
      for (let n = 0; n < N; n++)
        for (let c = 0; c < C; c++)
          for (let oh = 0; oh < OH; oh++)
            for (let ow = 0; ow < OW; ow++)
              dx[maxpoolArgmax(layer, x, n, c, oh, ow)] += dy[((n * C + c) * OH + oh) * OW + ow];
      return dx;
    }
    case "avgpool": {
      for (let n = 0; n < N; n++)
        for (let c = 0; c < C; c++)
          for (let oh = 0; oh < OH; oh++)
            for (let ow = 0; ow < OW; ow++) {
              const win = avgpoolWindow(layer, oh, ow);
              const d = dy[((n * C + c) * OH + oh) * OW + ow] / win.divisor;
              for (let ih = win.h0; ih < win.h1; ih++)
                for (let iw = win.w0; iw < win.w1; iw++) dx[((n * C + c) * H + ih) * W + iw] += d;
            }
      return dx;
    }
    case "globalavgpool": {
      for (let n = 0; n < N; n++)
        for (let c = 0; c < C; c++)
          for (let i = 0; i < H * W; i++) dx[(n * C + c) * H * W + i] = dy[n * C + c] / (H * W);
      return dx;
    }
    case "pad": {
      const [PT, , PL] = a.pad;
      if (a.mode !== undefined) {
        for (let n = 0; n < N; n++)
          for (let c = 0; c < C; c++)
            for (let oh = 0; oh < OH; oh++)
              for (let ow = 0; ow < OW; ow++) {
                const ih = padSource(a.mode, oh - PT, H);
                const iw = padSource(a.mode, ow - PL, W);
                dx[((n * C + c) * H + ih) * W + iw] += dy[((n * C + c) * OH + oh) * OW + ow];
              }
        return dx;
      }
      for (let n = 0; n < N; n++)
        for (let c = 0; c < C; c++)
          for (let h = 0; h < H; h++)
            for (let w = 0; w < W; w++)
              dx[((n * C + c) * H + h) * W + w] = dy[((n * C + c) * OH + h + PT) * OW + w + PL];
      return dx;
    }
    case "batchnorm": {
      const gamma = param(params, `${layer.name}.weight`);
      const dgamma = param(grads, `${layer.name}.weight`);
      const dbeta = param(grads, `${layer.name}.bias`);
      const M = N * H * W;
      for (let c = 0; c < C; c++) {
        const indices: number[] = [];
        for (let n = 0; n < N; n++) for (let i = 0; i < H * W; i++) indices.push((n * C + c) * H * W + i);
        let mean: number;
        let inv: number;
        if (train) {
          ({ mean, inv } = groupStats(x, indices, a.eps));
        } else {
          mean = param(stateBefore, `${layer.name}.running_mean`)[c];
          inv = 1 / Math.sqrt(param(stateBefore, `${layer.name}.running_var`)[c] + a.eps);
        }
        let sumDy = 0;
        let sumDyXhat = 0;
        for (const at of indices) {
          const xhat = (x[at] - mean) * inv;
          sumDy += dy[at];
          sumDyXhat += dy[at] * xhat;
        }
        dgamma[c] += sumDyXhat;
        dbeta[c] += sumDy;
        for (const at of indices) {
          const xhat = (x[at] - mean) * inv;
          dx[at] = train ? ((gamma[c] * inv) / M) * (M * dy[at] - sumDy - xhat * sumDyXhat) : gamma[c] * inv * dy[at];
        }
      }
      return dx;
    }
    case "layernorm":
    case "groupnorm": {
      const gamma = param(params, `${layer.name}.weight`);
      const dgamma = param(grads, `${layer.name}.weight`);
      const dbeta = param(grads, `${layer.name}.bias`);
      for (const grp of normGroups(layer, N)) {
        const { mean, inv } = groupStats(x, grp.indices, a.eps);
        const M = grp.indices.length;
        let sumDxhat = 0;
        let sumDxhatXhat = 0;
        for (let j = 0; j < M; j++) {
          const at = grp.indices[j];
          const ch = grp.channel[j];
          const xhat = (x[at] - mean) * inv;
          dgamma[ch] += dy[at] * xhat;
          dbeta[ch] += dy[at];
          sumDxhat += dy[at] * gamma[ch];
          sumDxhatXhat += dy[at] * gamma[ch] * xhat;
        }
        for (let j = 0; j < M; j++) {
          const at = grp.indices[j];
          const xhat = (x[at] - mean) * inv;
          dx[at] = (inv / M) * (M * dy[at] * gamma[grp.channel[j]] - sumDxhat - xhat * sumDxhatXhat);
        }
      }
      return dx;
    }
    case "affine": {
      const w = param(params, `${layer.name}.weight`);
      const dw = param(grads, `${layer.name}.weight`);
      const db = hasBias(layer) ? param(grads, `${layer.name}.bias`) : null;
      const D = size(layer.input);
      const M = a.features;
      for (let n = 0; n < N; n++)
        for (let m = 0; m < M; m++) {
          const d = dy[n * M + m];
          if (db) db[m] += d;
          for (let i = 0; i < D; i++) {
            dw[m * D + i] += x[n * D + i] * d;
            dx[n * D + i] += w[m * D + i] * d;
          }
        }
      return dx;
    }
    case "flatten":
      dx.set(dy);
      return dx;
    case "relu":
      for (let i = 0; i < x.length; i++) dx[i] = x[i] > 0 ? dy[i] : 0;
      return dx;
    case "leakyrelu":
      for (let i = 0; i < x.length; i++) dx[i] = x[i] > 0 ? dy[i] : a.alpha * dy[i];
      return dx;
    case "sigmoid":
      for (let i = 0; i < x.length; i++) {
        const s = 1 / (1 + Math.exp(-x[i]));
        dx[i] = dy[i] * s * (1 - s);
      }
      return dx;
    case "tanh":
      for (let i = 0; i < x.length; i++) {
        const t = Math.tanh(x[i]);
        dx[i] = dy[i] * (1 - t * t);
      }
      return dx;
    case "dropout": {
      if (!train) {
        dx.set(dy);
        return dx;
      }
      const keep = dropoutMask(layer, x.length, run);
      for (let i = 0; i < x.length; i++) dx[i] = (dy[i] * keep[i]) / (1 - a.p);
      return dx;
    }
    case "convtranspose": {
      const w = param(params, `${layer.name}.weight`);
      const dw = param(grads, `${layer.name}.weight`);
      const db = hasBias(layer) ? param(grads, `${layer.name}.bias`) : null;
      const [KH, KW] = a.kernel;
      const Cg = C / a.groups;
      const Fg = OC / a.groups;
      for (let n = 0; n < N; n++) {
        if (db) for (let f = 0; f < OC; f++) for (let i = 0; i < OH * OW; i++) db[f] += dy[(n * OC + f) * OH * OW + i];
        for (let c = 0; c < C; c++)
          for (let ih = 0; ih < H; ih++)
            for (let iw = 0; iw < W; iw++)
              for (let j = 0; j < Fg; j++)
                for (let kh = 0; kh < KH; kh++)
                  for (let kw = 0; kw < KW; kw++) {
                    const oh = ih * a.stride[0] - a.pad[0] + kh * a.dilation[0];
                    const ow = iw * a.stride[1] - a.pad[2] + kw * a.dilation[1];
                    if (oh < 0 || oh >= OH || ow < 0 || ow >= OW) continue;
                    const f = Math.floor(c / Cg) * Fg + j;
                    const d = dy[((n * OC + f) * OH + oh) * OW + ow];
                    const xi = ((n * C + c) * H + ih) * W + iw;
                    const wi = ((c * Fg + j) * KH + kh) * KW + kw;
                    dw[wi] += x[xi] * d;
                    dx[xi] += w[wi] * d;
                  }
      }
      return dx;
    }
    case "upsample":
      for (let n = 0; n < N; n++)
        for (let c = 0; c < C; c++)
          for (let oh = 0; oh < OH; oh++)
            for (let ow = 0; ow < OW; ow++) {
              const d = dy[((n * C + c) * OH + oh) * OW + ow];
              for (const t of upsampleTaps(layer, oh, ow)) dx[((n * C + c) * H + t.h) * W + t.w] += t.weight * d;
            }
      return dx;
    case "adaptiveavgpool":
      for (let n = 0; n < N; n++)
        for (let c = 0; c < C; c++)
          for (let oh = 0; oh < OH; oh++)
            for (let ow = 0; ow < OW; ow++) {
              const win = adaptiveWindow(layer, oh, ow);
              const d = dy[((n * C + c) * OH + oh) * OW + ow] / ((win.h1 - win.h0) * (win.w1 - win.w0));
              for (let ih = win.h0; ih < win.h1; ih++)
                for (let iw = win.w0; iw < win.w1; iw++) dx[((n * C + c) * H + ih) * W + iw] += d;
            }
      return dx;
    case "globalmaxpool":
      for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) dx[globalArgmax(layer, x, n, c)] = dy[n * C + c];
      return dx;
    case "softmax": {
      // recomputes y from x: ∂y_c/∂x_k = y_c·(δ_ck − y_k)
      const y = layerForward(layer, x, N, params, stateBefore, train, run);
      for (let n = 0; n < N; n++)
        for (let i = 0; i < H * W; i++)
          for (let k = 0; k < C; k++) {
            let s = 0;
            for (let c = 0; c < C; c++) {
              const yc = y[(n * C + c) * H * W + i];
              const yk = y[(n * C + k) * H * W + i];
              s += dy[(n * C + c) * H * W + i] * yc * ((c === k ? 1 : 0) - yk);
            }
            dx[(n * C + k) * H * W + i] = s;
          }
      return dx;
    }
    case "add":
    case "concat":
    case "mul":
      throw new Error("reference: merges go through mergeBackward");
    case "prelu":
    case "gelu":
    case "instancenorm":
      return seBackward(layer as Layer & { args: ArgsOf<SeOp> }, x, dy, N, params, grads);
    case "permute":
    case "linear":
    case "layernormlast":
      return clBackward(layer as Layer & { args: ArgsOf<ChannelsLastOp> }, x, dy, N, params, grads);
    case "relu6":
    case "clamp":
    case "hardswish":
    case "hardsigmoid":
    case "silu":
    case "elu":
    case "selu":
    case "softplus":
    case "mish":
    case "layernorm2d":
    case "layerscale":
    case "channelshuffle":
    case "slice":
    case "pixelshuffle":
    case "pixelunshuffle":
      return mobileBackward(layer as Layer & { args: ArgsOf<MobileOp> }, x, dy, N, params, grads);
    case "stochasticdepth": {
      if (!train) {
        dx.set(dy);
        return dx;
      }
      const scale = stochasticDepthScale(layer, N, run);
      for (let i = 0; i < x.length; i++) dx[i] = dy[i] * scale[Math.floor(i / (x.length / N))];
      return dx;
    }
  }
}

/**
 * The input cells an upsampled pixel reads, with their weights (nn.Upsample): nearest
 * reads (floor(oh / s), floor(ow / s)); bilinear with align_corners=False reads the
 * source coordinate max((o + 0.5) / s − 0.5, 0) per axis, split between its floor
 * and the next cell (the last cell when past the edge).
 */
function upsampleTaps(layer: Layer, oh: number, ow: number): { h: number; w: number; weight: number }[] {
  const a = layer.args;
  if (a.op !== "upsample") throw new Error("not an upsample");
  const [, H, W] = chw(layer.input);
  if (a.mode === "nearest") return [{ h: Math.floor(oh / a.scale[0]), w: Math.floor(ow / a.scale[1]), weight: 1 }];
  const axis = (o: number, s: number, size: number) => {
    const src = Math.max((o + 0.5) / s - 0.5, 0);
    const lo = Math.floor(src);
    const frac = src - lo;
    return [
      { at: lo, weight: 1 - frac },
      { at: Math.min(lo + 1, size - 1), weight: frac },
    ];
  };
  const taps: { h: number; w: number; weight: number }[] = [];
  for (const r of axis(oh, a.scale[0], H)) for (const q of axis(ow, a.scale[1], W)) taps.push({ h: r.at, w: q.at, weight: r.weight * q.weight });
  return taps;
}

/** nn.AdaptiveAvgPool2d's window: rows [floor(oh·H/OH), ceil((oh+1)·H/OH)), likewise columns. */
function adaptiveWindow(layer: Layer, oh: number, ow: number) {
  const [, H, W] = chw(layer.input);
  const [, OH, OW] = chw(layer.output);
  return {
    h0: Math.floor((oh * H) / OH),
    h1: Math.ceil(((oh + 1) * H) / OH),
    w0: Math.floor((ow * W) / OW),
    w1: Math.ceil(((ow + 1) * W) / OW),
  };
}

/** Flat input index of the first maximum (row-major) of channel c's plane. */
function globalArgmax(layer: Layer, x: Float64Array, n: number, c: number): number {
  const [C, H, W] = chw(layer.input);
  const base = (n * C + c) * H * W;
  let best = base;
  for (let i = 1; i < H * W; i++) if (x[base + i] > x[best]) best = base + i;
  return best;
}

/** Flat input index of the first maximum (row-major) among the window's real cells; padding never wins. */
function maxpoolArgmax(layer: Layer, x: Float64Array, n: number, c: number, oh: number, ow: number): number {
  const a = layer.args;
  if (a.op !== "maxpool") throw new Error("not a maxpool");
  const [C, H, W] = chw(layer.input);
  let best = -1;
  for (let kh = 0; kh < a.kernel[0]; kh++)
    for (let kw = 0; kw < a.kernel[1]; kw++) {
      const ih = oh * a.stride[0] - a.pad[0] + kh;
      const iw = ow * a.stride[1] - a.pad[2] + kw;
      if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
      const at = ((n * C + c) * H + ih) * W + iw;
      if (best < 0 || x[at] > x[best]) best = at;
    }
  if (best < 0) throw new Error(`reference: maxpool ${layer.name} window (${oh}, ${ow}) holds no input cell`);
  return best;
}

/** The real input cells [h0, h1) × [w0, w1) of an average-pool window and its divisor (PyTorch's rule). */
function avgpoolWindow(layer: Layer, oh: number, ow: number) {
  const a = layer.args;
  if (a.op !== "avgpool") throw new Error("not an avgpool");
  const [, H, W] = chw(layer.input);
  const [PT, PB, PL, PR] = a.pad;
  let h0 = oh * a.stride[0] - PT;
  let w0 = ow * a.stride[1] - PL;
  // count_pad: the cells inside the padded input, so a ceil-mode window that runs
  // past the bottom/right padding is clipped there.
  let h1 = Math.min(h0 + a.kernel[0], H + PB);
  let w1 = Math.min(w0 + a.kernel[1], W + PR);
  const padded = (h1 - h0) * (w1 - w0);
  h0 = Math.max(h0, 0);
  w0 = Math.max(w0, 0);
  h1 = Math.min(h1, H);
  w1 = Math.min(w1, W);
  const real = (h1 - h0) * (w1 - w0);
  return { h0, h1, w0, w1, divisor: a.count_pad ? padded : real };
}

/** Normalisation groups of layernorm/groupnorm: per sample (and group), with the γ/β channel of each member. */
function normGroups(layer: Layer, N: number): { indices: number[]; channel: number[] }[] {
  const a = layer.args;
  const groups: { indices: number[]; channel: number[] }[] = [];
  if (layer.input.length === 1) {
    const D = layer.input[0];
    for (let n = 0; n < N; n++) {
      const indices: number[] = [];
      const channel: number[] = [];
      for (let d = 0; d < D; d++) {
        indices.push(n * D + d);
        channel.push(d);
      }
      groups.push({ indices, channel });
    }
    return groups;
  }
  const [C, H, W] = chw(layer.input);
  const G = a.op === "groupnorm" ? a.groups : 1;
  const Cg = C / G;
  for (let n = 0; n < N; n++)
    for (let g = 0; g < G; g++) {
      const indices: number[] = [];
      const channel: number[] = [];
      for (let c = g * Cg; c < (g + 1) * Cg; c++)
        for (let i = 0; i < H * W; i++) {
          indices.push((n * C + c) * H * W + i);
          channel.push(c);
        }
      groups.push({ indices, channel });
    }
  return groups;
}

/** Mean and 1/sqrt(biased variance + eps) over the given entries. */
function groupStats(x: Float64Array, indices: readonly number[], eps: number): { mean: number; inv: number } {
  let mean = 0;
  for (const at of indices) mean += x[at];
  mean /= indices.length;
  let variance = 0;
  for (const at of indices) variance += (x[at] - mean) ** 2;
  variance /= indices.length;
  return { mean, inv: 1 / Math.sqrt(variance + eps) };
}

function dropoutMask(layer: Layer, length: number, run: RefRun): ArrayLike<number> {
  const m = run.masks?.[layer.name];
  if (m === undefined) throw new Error(`reference: no dropout mask given for ${layer.name}`);
  if (m.length !== length)
    throw new Error(`reference: dropout mask ${layer.name} has ${m.length} values, want ${length}`);
  return m;
}

/** Per sample, the factor stochastic depth multiplies by: keep / (1 − p), 0 when dropped (or when p = 1). */
function stochasticDepthScale(layer: Layer, N: number, run: RefRun): number[] {
  const a = layer.args;
  if (a.op !== "stochasticdepth") throw new Error("not a stochasticdepth");
  const m = run.masks?.[layer.name];
  const draws = a.mode === "row" ? N : 1;
  if (m === undefined || m.length !== draws) throw new Error(`reference: stochasticdepth ${layer.name} needs ${draws} keep flags`);
  return Array.from({ length: N }, (_, n) => (a.p < 1 ? m[a.mode === "row" ? n : 0] / (1 - a.p) : 0));
}
