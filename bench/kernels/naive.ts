// Naive f64 conv loops straight from the definitions: the oracle every kernel
// strategy is checked against (max abs error).
import type { ConvShape } from "./conv.ts";
import { outH, outW } from "./conv.ts";

export function naiveForward(s: ConvShape, x: Float32Array, w: Float32Array, b: Float32Array): Float64Array {
  const { N, C, H, W, F, KH, KW, pt, pl } = s;
  const OH = outH(s), OW = outW(s);
  const y = new Float64Array(N * F * OH * OW);
  for (let n = 0; n < N; n++)
    for (let f = 0; f < F; f++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          let t = b[f];
          for (let c = 0; c < C; c++)
            for (let ky = 0; ky < KH; ky++)
              for (let kx = 0; kx < KW; kx++) {
                const iy = oy + ky - pt, ix = ox + kx - pl;
                if (iy >= 0 && iy < H && ix >= 0 && ix < W) t += x[((n * C + c) * H + iy) * W + ix] * w[((f * C + c) * KH + ky) * KW + kx];
              }
          y[((n * F + f) * OH + oy) * OW + ox] = t;
        }
  return y;
}

export function naiveBackward(s: ConvShape, x: Float32Array, w: Float32Array, dy: Float32Array): { dx: Float64Array; dw: Float64Array; db: Float64Array } {
  const { N, C, H, W, F, KH, KW, pt, pl } = s;
  const OH = outH(s), OW = outW(s);
  const dx = new Float64Array(N * C * H * W);
  const dw = new Float64Array(F * C * KH * KW);
  const db = new Float64Array(F);
  for (let n = 0; n < N; n++)
    for (let f = 0; f < F; f++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          const g = dy[((n * F + f) * OH + oy) * OW + ox];
          db[f] += g;
          for (let c = 0; c < C; c++)
            for (let ky = 0; ky < KH; ky++)
              for (let kx = 0; kx < KW; kx++) {
                const iy = oy + ky - pt, ix = ox + kx - pl;
                if (iy >= 0 && iy < H && ix >= 0 && ix < W) {
                  dx[((n * C + c) * H + iy) * W + ix] += g * w[((f * C + c) * KH + ky) * KW + kx];
                  dw[((f * C + c) * KH + ky) * KW + kx] += g * x[((n * C + c) * H + iy) * W + ix];
                }
              }
        }
  return { dx, dw, db };
}

export function maxAbsErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e;
}
