// The naive f64 reference for ConvNeXt's channels-last ops — permute, linear and layernormlast — written
// from PyTorch's definitions (x.permute, nn.Linear, nn.LayerNorm over the last axis) with textbook loops
// over explicit multi-indices; test/reference/reference.ts dispatches to it. Shares no code with src/emit.
import type { ArgsOf, Layer } from "../../src/ir.ts";

type Tensors = Record<string, Float64Array>;
export type ChannelsLastOp = "permute" | "linear" | "layernormlast";

function param(t: Tensors, name: string): Float64Array {
  const v = t[name];
  if (v === undefined) throw new Error(`reference: missing tensor ${name}`);
  return v;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** For each output element of one sample (in order), the index of the input element it copies. */
function permuteSource(input: readonly number[], dims: readonly number[]): number[] {
  const out = [1, 2, 3].map((k) => input[dims[k] - 1]);
  const src: number[] = [];
  for (let a = 0; a < out[0]; a++)
    for (let b = 0; b < out[1]; b++)
      for (let c = 0; c < out[2]; c++) {
        const at = [0, 0, 0];
        // output axis k walks input axis dims[k] − 1
        at[dims[1] - 1] = a;
        at[dims[2] - 1] = b;
        at[dims[3] - 1] = c;
        src.push((at[0] * input[1] + at[1]) * input[2] + at[2]);
      }
  return src;
}

/** The last axis K and the number of length-K rows in the whole batch. */
function rows(layer: Layer, N: number): { K: number; R: number } {
  const K = layer.input[layer.input.length - 1];
  return { K, R: (N * size(layer.input)) / K };
}

function rowStats(x: Float64Array, at: number, K: number, eps: number) {
  let mean = 0;
  for (let k = 0; k < K; k++) mean += x[at + k];
  mean /= K;
  let v = 0;
  for (let k = 0; k < K; k++) v += (x[at + k] - mean) ** 2;
  return { mean, inv: 1 / Math.sqrt(v / K + eps) };
}

export function clForward(layer: Layer & { args: ArgsOf<ChannelsLastOp> }, x: Float64Array, N: number, params: Tensors): Float64Array {
  const a = layer.args;
  switch (a.op) {
    case "permute": {
      const S = size(layer.input);
      const src = permuteSource(layer.input, a.dims);
      const y = new Float64Array(x.length);
      for (let n = 0; n < N; n++) for (let i = 0; i < S; i++) y[n * S + i] = x[n * S + src[i]];
      return y;
    }
    case "linear": {
      const { K, R } = rows(layer, N);
      const M = a.features;
      const w = param(params, `${layer.name}.weight`);
      const b = a.bias ? param(params, `${layer.name}.bias`) : null;
      const y = new Float64Array(R * M);
      for (let r = 0; r < R; r++)
        for (let j = 0; j < M; j++) {
          let s = b ? b[j] : 0;
          for (let k = 0; k < K; k++) s += w[j * K + k] * x[r * K + k];
          y[r * M + j] = s;
        }
      return y;
    }
    case "layernormlast": {
      const { K, R } = rows(layer, N);
      const g = param(params, `${layer.name}.weight`);
      const b = param(params, `${layer.name}.bias`);
      const y = new Float64Array(x.length);
      for (let r = 0; r < R; r++) {
        const { mean, inv } = rowStats(x, r * K, K, a.eps);
        for (let k = 0; k < K; k++) y[r * K + k] = (x[r * K + k] - mean) * inv * g[k] + b[k];
      }
      return y;
    }
  }
}

export function clBackward(
  layer: Layer & { args: ArgsOf<ChannelsLastOp> },
  x: Float64Array,
  dy: Float64Array,
  N: number,
  params: Tensors,
  grads: Tensors,
): Float64Array {
  const a = layer.args;
  const dx = new Float64Array(x.length);
  switch (a.op) {
    case "permute": {
      const S = size(layer.input);
      const src = permuteSource(layer.input, a.dims);
      for (let n = 0; n < N; n++) for (let i = 0; i < S; i++) dx[n * S + src[i]] += dy[n * S + i];
      return dx;
    }
    case "linear": {
      const { K, R } = rows(layer, N);
      const M = a.features;
      const w = param(params, `${layer.name}.weight`);
      const dw = param(grads, `${layer.name}.weight`);
      dw.fill(0);
      if (a.bias) param(grads, `${layer.name}.bias`).fill(0);
      for (let r = 0; r < R; r++)
        for (let j = 0; j < M; j++) {
          const g = dy[r * M + j];
          if (a.bias) grads[`${layer.name}.bias`][j] += g;
          for (let k = 0; k < K; k++) {
            dw[j * K + k] += g * x[r * K + k];
            dx[r * K + k] += g * w[j * K + k];
          }
        }
      return dx;
    }
    case "layernormlast": {
      // the textbook chain rule through mean and variance, term by term
      const { K, R } = rows(layer, N);
      const g = param(params, `${layer.name}.weight`);
      const dg = param(grads, `${layer.name}.weight`);
      const db = param(grads, `${layer.name}.bias`);
      dg.fill(0);
      db.fill(0);
      for (let r = 0; r < R; r++) {
        const at = r * K;
        const { mean, inv } = rowStats(x, at, K, a.eps);
        const xhat = (k: number) => (x[at + k] - mean) * inv;
        let dvar = 0;
        let dmean = 0;
        for (let k = 0; k < K; k++) {
          dg[k] += dy[at + k] * xhat(k);
          db[k] += dy[at + k];
          const dxh = dy[at + k] * g[k];
          dvar += dxh * (x[at + k] - mean) * -0.5 * inv ** 3;
          dmean += -dxh * inv;
        }
        for (let k = 0; k < K; k++) {
          const dxh = dy[at + k] * g[k];
          dx[at + k] = dxh * inv + (dvar * 2 * (x[at + k] - mean)) / K + dmean / K;
        }
      }
      return dx;
    }
  }
}
