// The naive f64 reference for prelu, gelu and instancenorm, written from PyTorch's definitions with
// textbook loops; test/reference/reference.ts dispatches to it. Shares no code with src/emit: its erf
// is a different method from the emitter's (Simpson's rule on 2/√π·e^(−t²), steps of at most 0.002,
// good to about 4e-13), so the two agree only if both are right.
import { type BackwardOf, type LayerOf, param, planes, type Tensors } from "./planes.ts";

export type SeOp = "prelu" | "gelu" | "instancenorm";

/** erf(x) = 2/√π ∫₀ˣ e^(−t²) dt by composite Simpson; ±1 past |x| = 6, where erfc < 3e-17. */
export function erfBySimpson(x: number): number {
  const a = Math.abs(x);
  if (a > 6) return Math.sign(x);
  const n = 2 * Math.max(1, Math.ceil(a / 0.004));
  const h = a / n;
  let s = 1 + Math.exp(-a * a);
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * Math.exp(-((i * h) ** 2));
  return (Math.sign(x) * (s * h)) / 3 / (Math.sqrt(Math.PI) / 2);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** y and dy/dx of gelu at x (PyTorch's GELU: exact, or its tanh approximation). */
function gelu(approximate: "none" | "tanh", x: number): { y: number; d: number } {
  if (approximate === "tanh") {
    const u = SQRT_2_OVER_PI * (x + 0.044715 * x ** 3);
    const t = Math.tanh(u);
    return { y: 0.5 * x * (1 + t), d: 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x) };
  }
  const cdf = 0.5 * (1 + erfBySimpson(x / Math.SQRT2));
  const pdf = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  return { y: x * cdf, d: cdf + x * pdf };
}

/** Mean and 1/sqrt(biased variance + eps) of one sample's channel. */
function planeStats(x: Float64Array, at: number, HW: number, eps: number) {
  let mean = 0;
  for (let q = 0; q < HW; q++) mean += x[at + q];
  mean /= HW;
  let v = 0;
  for (let q = 0; q < HW; q++) v += (x[at + q] - mean) ** 2;
  return { mean, inv: 1 / Math.sqrt(v / HW + eps) };
}

export function seForward(layer: LayerOf<SeOp>, x: Float64Array, N: number, params: Tensors): Float64Array {
  const a = layer.args;
  const { C, HW } = planes(layer.input);
  const y = new Float64Array(x.length);
  switch (a.op) {
    case "prelu": {
      const w = param(params, `${layer.name}.weight`);
      for (let n = 0; n < N; n++)
        for (let c = 0; c < C; c++)
          for (let q = 0; q < HW; q++) {
            const at = (n * C + c) * HW + q;
            y[at] = x[at] > 0 ? x[at] : w[a.num_parameters === 1 ? 0 : c] * x[at];
          }
      return y;
    }
    case "gelu":
      for (let i = 0; i < x.length; i++) y[i] = gelu(a.approximate, x[i]).y;
      return y;
    case "instancenorm":
      for (let n = 0; n < N; n++)
        for (let c = 0; c < C; c++) {
          const at = (n * C + c) * HW;
          const { mean, inv } = planeStats(x, at, HW, a.eps);
          const g = a.affine ? param(params, `${layer.name}.weight`)[c] : 1;
          const b = a.affine ? param(params, `${layer.name}.bias`)[c] : 0;
          for (let q = 0; q < HW; q++) y[at + q] = (x[at + q] - mean) * inv * g + b;
        }
      return y;
  }
}

export const seBackward: BackwardOf<SeOp> = (layer, x, dy, N, params, grads) => {
  const a = layer.args;
  const { C, HW } = planes(layer.input);
  const dx = new Float64Array(x.length);
  switch (a.op) {
    case "prelu": {
      const w = param(params, `${layer.name}.weight`);
      const dw = param(grads, `${layer.name}.weight`);
      for (let n = 0; n < N; n++)
        for (let c = 0; c < C; c++)
          for (let q = 0; q < HW; q++) {
            const at = (n * C + c) * HW + q;
            const k = a.num_parameters === 1 ? 0 : c;
            // PyTorch: the slope's side includes 0
            if (x[at] > 0) dx[at] = dy[at];
            else {
              dx[at] = w[k] * dy[at];
              dw[k] += x[at] * dy[at];
            }
          }
      return dx;
    }
    case "gelu":
      for (let i = 0; i < x.length; i++) dx[i] = dy[i] * gelu(a.approximate, x[i]).d;
      return dx;
    case "instancenorm":
      for (let n = 0; n < N; n++)
        for (let c = 0; c < C; c++) {
          const at = (n * C + c) * HW;
          const { mean, inv } = planeStats(x, at, HW, a.eps);
          const g = a.affine ? param(params, `${layer.name}.weight`)[c] : 1;
          // dx̂ = γ·dy; dx = inv·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))
          let m1 = 0;
          let m2 = 0;
          for (let q = 0; q < HW; q++) {
            const xhat = (x[at + q] - mean) * inv;
            if (a.affine) {
              param(grads, `${layer.name}.weight`)[c] += dy[at + q] * xhat;
              param(grads, `${layer.name}.bias`)[c] += dy[at + q];
            }
            m1 += (g * dy[at + q]) / HW;
            m2 += (g * dy[at + q] * xhat) / HW;
          }
          for (let q = 0; q < HW; q++) dx[at + q] = inv * (g * dy[at + q] - m1 - (x[at + q] - mean) * inv * m2);
        }
      return dx;
  }
};
