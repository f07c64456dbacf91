// The naive f64 reference for the layers of mobile and modern CNNs (relu6 … slice), written from
// PyTorch's definitions with textbook loops; test/reference/reference.ts dispatches to it. Shares no
// code with src/emit.
import type { ArgsOf } from "../../src/ir.ts";
import { type BackwardOf, type LayerOf, param, planes, type Tensors } from "./planes.ts";

export type MobileOp =
  | "relu6"
  | "clamp"
  | "hardswish"
  | "hardsigmoid"
  | "silu"
  | "elu"
  | "selu"
  | "softplus"
  | "mish"
  | "layernorm2d"
  | "layerscale"
  | "channelshuffle"
  | "slice"
  | "pixelshuffle"
  | "pixelunshuffle";

/** torch.nn.SELU's constants, as printed in its documentation. */
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** y = f(x) and dy/dx of an elementwise activation, PyTorch's value at each kink. */
function scalar(a: ArgsOf<MobileOp>, x: number): { y: number; d: number } | undefined {
  switch (a.op) {
    case "relu6":
      return { y: Math.min(Math.max(x, 0), 6), d: x > 0 && x < 6 ? 1 : 0 };
    case "clamp":
      return { y: Math.min(Math.max(x, a.min), a.max), d: x > a.min && x < a.max ? 1 : 0 };
    case "hardswish":
      return { y: (x * Math.min(Math.max(x + 3, 0), 6)) / 6, d: x < -3 ? 0 : x <= 3 ? (2 * x + 3) / 6 : 1 };
    case "hardsigmoid":
      return { y: Math.min(Math.max(x + 3, 0), 6) / 6, d: x > -3 && x < 3 ? 1 / 6 : 0 };
    case "silu":
      return { y: x * sigmoid(x), d: sigmoid(x) + x * sigmoid(x) * (1 - sigmoid(x)) };
    case "elu":
      return x > 0 ? { y: x, d: 1 } : { y: a.alpha * (Math.exp(x) - 1), d: a.alpha * Math.exp(x) };
    case "selu":
      return x > 0 ? { y: SELU_SCALE * x, d: SELU_SCALE } : { y: SELU_SCALE * SELU_ALPHA * (Math.exp(x) - 1), d: SELU_SCALE * SELU_ALPHA * Math.exp(x) };
    case "softplus":
      return a.beta * x > a.threshold ? { y: x, d: 1 } : { y: Math.log(1 + Math.exp(a.beta * x)) / a.beta, d: sigmoid(a.beta * x) };
    case "mish": {
      const sp = Math.log(1 + Math.exp(x));
      const t = Math.tanh(sp);
      // d/dx x·tanh(sp(x)) = tanh(sp) + x·(1 − tanh²(sp))·sp'(x), sp' = σ
      return { y: x * t, d: t + x * (1 - t * t) * sigmoid(x) };
    }
    default:
      return undefined;
  }
}

/** torch's view(N, g, C/g, H, W).transpose(1, 2): output channel b·g + a holds input channel a·(C/g) + b. */
function shuffledFrom(C: number, g: number): number[] {
  const from = new Array<number>(C);
  for (let a = 0; a < g; a++) for (let b = 0; b < C / g; b++) from[b * g + a] = a * (C / g) + b;
  return from;
}

/**
 * PyTorch's pixel_shuffle index map for one sample: the flat index in [C·r², H, W] of the value that
 * lands at each flat index of [C, H·r, W·r] (pixel_unshuffle is its inverse).
 */
function shuffleSource(C: number, H: number, W: number, r: number): number[] {
  const src: number[] = [];
  for (let c = 0; c < C; c++)
    for (let oh = 0; oh < H * r; oh++)
      for (let ow = 0; ow < W * r; ow++) {
        const [h, i, w, j] = [Math.floor(oh / r), oh % r, Math.floor(ow / r), ow % r];
        src.push(((c * r * r + i * r + j) * H + h) * W + w);
      }
  return src;
}

/** Mean and 1/sqrt(biased variance + eps) of the C values at (n, position q). */
function channelStats(x: Float64Array, n: number, q: number, C: number, HW: number, eps: number) {
  let mean = 0;
  for (let c = 0; c < C; c++) mean += x[(n * C + c) * HW + q];
  mean /= C;
  let v = 0;
  for (let c = 0; c < C; c++) v += (x[(n * C + c) * HW + q] - mean) ** 2;
  return { mean, inv: 1 / Math.sqrt(v / C + eps) };
}

export function mobileForward(layer: LayerOf<MobileOp>, x: Float64Array, N: number, params: Tensors): Float64Array {
  const a = layer.args;
  const { C, H, W, HW } = planes(layer.input);
  const y = new Float64Array((N * layer.output.reduce((p, q) => p * q, 1)));
  switch (a.op) {
    case "layernorm2d": {
      const gamma = param(params, `${layer.name}.weight`);
      const beta = param(params, `${layer.name}.bias`);
      for (let n = 0; n < N; n++)
        for (let q = 0; q < HW; q++) {
          const { mean, inv } = channelStats(x, n, q, C, HW, a.eps);
          for (let c = 0; c < C; c++) {
            const at = (n * C + c) * HW + q;
            y[at] = (x[at] - mean) * inv * gamma[c] + beta[c];
          }
        }
      return y;
    }
    case "layerscale": {
      const g = param(params, layer.name);
      for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let q = 0; q < HW; q++) y[(n * C + c) * HW + q] = g[c] * x[(n * C + c) * HW + q];
      return y;
    }
    case "channelshuffle": {
      const from = shuffledFrom(C, a.groups);
      for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let q = 0; q < HW; q++) y[(n * C + c) * HW + q] = x[(n * C + from[c]) * HW + q];
      return y;
    }
    case "slice": {
      const K = a.end - a.start;
      for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) for (let q = 0; q < HW; q++) y[(n * K + k) * HW + q] = x[(n * C + a.start + k) * HW + q];
      return y;
    }
    case "pixelshuffle":
    case "pixelunshuffle": {
      const S = x.length / N;
      const { C: OC, H: OH, W: OW } = planes(layer.output);
      const src = a.op === "pixelshuffle" ? shuffleSource(OC, H, W, a.factor) : shuffleSource(C, OH, OW, a.factor);
      for (let n = 0; n < N; n++)
        for (let k = 0; k < S; k++) {
          if (a.op === "pixelshuffle") y[n * S + k] = x[n * S + src[k]];
          else y[n * S + src[k]] = x[n * S + k];
        }
      return y;
    }
    default:
      for (let i = 0; i < x.length; i++) y[i] = scalar(a, x[i])!.y;
      return y;
  }
}

export const mobileBackward: BackwardOf<MobileOp> = (layer, x, dy, N, params, grads) => {
  const a = layer.args;
  const { C, H, W, HW } = planes(layer.input);
  const dx = new Float64Array(x.length);
  switch (a.op) {
    case "layernorm2d": {
      const gamma = param(params, `${layer.name}.weight`);
      const dgamma = param(grads, `${layer.name}.weight`);
      const dbeta = param(grads, `${layer.name}.bias`);
      for (let n = 0; n < N; n++)
        for (let q = 0; q < HW; q++) {
          const { mean, inv } = channelStats(x, n, q, C, HW, a.eps);
          // dx̂ = γ·dy; dx = inv·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))
          let m1 = 0;
          let m2 = 0;
          for (let c = 0; c < C; c++) {
            const at = (n * C + c) * HW + q;
            const xhat = (x[at] - mean) * inv;
            dgamma[c] += dy[at] * xhat;
            dbeta[c] += dy[at];
            m1 += (gamma[c] * dy[at]) / C;
            m2 += (gamma[c] * dy[at] * xhat) / C;
          }
          for (let c = 0; c < C; c++) {
            const at = (n * C + c) * HW + q;
            const xhat = (x[at] - mean) * inv;
            dx[at] = inv * (gamma[c] * dy[at] - m1 - xhat * m2);
          }
        }
      return dx;
    }
    case "layerscale": {
      const g = param(params, layer.name);
      const dg = param(grads, layer.name);
      for (let n = 0; n < N; n++)
        for (let c = 0; c < C; c++)
          for (let q = 0; q < HW; q++) {
            const at = (n * C + c) * HW + q;
            dg[c] += dy[at] * x[at];
            dx[at] = g[c] * dy[at];
          }
      return dx;
    }
    case "channelshuffle": {
      const from = shuffledFrom(C, a.groups);
      for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let q = 0; q < HW; q++) dx[(n * C + from[c]) * HW + q] += dy[(n * C + c) * HW + q];
      return dx;
    }
    case "slice": {
      const K = a.end - a.start;
      for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) for (let q = 0; q < HW; q++) dx[(n * C + a.start + k) * HW + q] = dy[(n * K + k) * HW + q];
      return dx;
    }
    case "pixelshuffle":
    case "pixelunshuffle": {
      const S = x.length / N;
      const { C: OC, H: OH, W: OW } = planes(layer.output);
      const src = a.op === "pixelshuffle" ? shuffleSource(OC, H, W, a.factor) : shuffleSource(C, OH, OW, a.factor);
      for (let n = 0; n < N; n++)
        for (let k = 0; k < S; k++) {
          if (a.op === "pixelshuffle") dx[n * S + src[k]] += dy[n * S + k];
          else dx[n * S + k] += dy[n * S + src[k]];
        }
      return dx;
    }
    default:
      for (let i = 0; i < x.length; i++) dx[i] = dy[i] * scalar(a, x[i])!.d;
      return dx;
  }
};
