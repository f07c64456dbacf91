// Affine (PyTorch Linear, W [M, D]) training-step kernels: what cnnc emits
// today (one dot product / axpy per (n, j)) against register-blocked loops,
// verified against naive f64 loops and timed round-robin.
//   node --import tsx bench/kernels/affine.ts
import { median, timeIt } from "../stats.ts";
import { maxAbsErr } from "./naive.ts";

export interface Shape {
  name: string;
  N: number;
  D: number;
  M: number;
}

/** Today's emitted affine (src/emit/ops/affine.ts), specialised the same way. */
function genToday(s: Shape): string {
  const { D, M } = s;
  return `
  for (let n = 0; n < N; n++) {
    const xn = n * ${D}, yn = n * ${M};
    for (let j = 0; j < ${M}; j++) {
      const wj = j * ${D};
      let acc = b[j];
      for (let i = 0; i < ${D}; i++) acc += w[wj + i] * x[xn + i];
      y[yn + j] = acc;
    }
  }
  for (let j = 0; j < ${M}; j++) { let acc = 0; for (let n = 0; n < N; n++) acc += dy[n * ${M} + j]; gb[j] = acc; }
  gw.fill(0);
  for (let n = 0; n < N; n++) {
    const xn = n * ${D}, yn = n * ${M};
    for (let j = 0; j < ${M}; j++) {
      const g = dy[yn + j], wj = j * ${D};
      if (g === 0) continue;
      for (let i = 0; i < ${D}; i++) gw[wj + i] += g * x[xn + i];
    }
  }
  dx.fill(0);
  for (let n = 0; n < N; n++) {
    const xn = n * ${D}, yn = n * ${M};
    for (let j = 0; j < ${M}; j++) {
      const g = dy[yn + j], wj = j * ${D};
      if (g === 0) continue;
      for (let i = 0; i < ${D}; i++) dx[xn + i] += g * w[wj + i];
    }
  }`;
}

const list = (k: number, f: (i: number) => string, sep = ", ") => Array.from({ length: k }, (_, i) => f(i)).join(sep);

/**
 * Register-blocked: forward RN samples × RM outputs of dot products along D
 * (RN + RM unit-stride loads feed RN·RM FMAs); dW RM outputs × RI inputs
 * reduced over n; dX RN samples × RI inputs reduced over j. Tails (N % RN)
 * run the same code with a 1-sample block.
 */
export function genBlocked(s: Shape, RN: number, RM: number, RI: number): string {
  const { D, M } = s;
  if (M % RM !== 0 || D % RI !== 0) throw new Error("blocks must divide M and D");
  const fwd = (rn: number, n0: string) => `
    for (let j = 0; j < ${M}; j += ${RM}) {
      let ${list(rn * RM, (k) => `a${k} = b[j + ${k % RM}]`)};
      ${list(RM, (r) => `const w${r} = (j + ${r}) * ${D}`, "; ")};
      ${list(rn, (q) => `const x${q} = (${n0} + ${q}) * ${D}`, "; ")};
      for (let i = 0; i < ${D}; i++) {
        ${list(rn, (q) => `const u${q} = x[x${q} + i]`, "; ")};
        ${list(RM, (r) => `const v${r} = w[w${r} + i]`, "; ")};
        ${list(rn * RM, (k) => `a${k} += u${Math.floor(k / RM)} * v${k % RM}`, "; ")};
      }
      ${list(rn * RM, (k) => `y[(${n0} + ${Math.floor(k / RM)}) * ${M} + j + ${k % RM}] = a${k}`, "; ")};
    }`;
  const dxb = (rn: number, n0: string) => `
    for (let i = 0; i < ${D}; i += ${RI}) {
      let ${list(rn * RI, (k) => `a${k} = 0`)};
      for (let j = 0; j < ${M}; j++) {
        ${list(rn, (q) => `const g${q} = dy[(${n0} + ${q}) * ${M} + j]`, "; ")};
        const wo = j * ${D} + i;
        ${list(RI, (r) => `const v${r} = w[wo + ${r}]`, "; ")};
        ${list(rn * RI, (k) => `a${k} += g${Math.floor(k / RI)} * v${k % RI}`, "; ")};
      }
      ${list(rn * RI, (k) => `dx[(${n0} + ${Math.floor(k / RI)}) * ${D} + i + ${k % RI}] = a${k}`, "; ")};
    }`;
  const nMain = `N - N % ${RN}`;
  return `
  for (let n = 0; n < ${nMain}; n += ${RN}) {${fwd(RN, "n")}
  }
  for (let n = ${nMain}; n < N; n++) {${fwd(1, "n")}
  }
  for (let j = 0; j < ${M}; j++) { let acc = 0; for (let n = 0; n < N; n++) acc += dy[n * ${M} + j]; gb[j] = acc; }
  for (let j = 0; j < ${M}; j += ${RM}) {
    for (let i = 0; i < ${D}; i += ${RI}) {
      let ${list(RM * RI, (k) => `a${k} = 0`)};
      for (let n = 0; n < N; n++) {
        const go = n * ${M} + j, xo = n * ${D} + i;
        ${list(RM, (r) => `const g${r} = dy[go + ${r}]`, "; ")};
        ${list(RI, (r) => `const v${r} = x[xo + ${r}]`, "; ")};
        ${list(RM * RI, (k) => `a${k} += g${Math.floor(k / RI)} * v${k % RI}`, "; ")};
      }
      ${list(RM * RI, (k) => `gw[(j + ${Math.floor(k / RI)}) * ${D} + i + ${k % RI}] = a${k}`, "; ")};
    }
  }
  for (let n = 0; n < ${nMain}; n += ${RN}) {${dxb(RN, "n")}
  }
  for (let n = ${nMain}; n < N; n++) {${dxb(1, "n")}
  }`;
}

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => ((s = (s * 1664525 + 1013904223) >>> 0), s / 2 ** 32 - 0.5));
}

function naive(s: Shape, N: number, x: Float32Array, w: Float32Array, b: Float32Array, dy: Float32Array) {
  const { D, M } = s;
  const y = new Float64Array(N * M), gw = new Float64Array(M * D), dx = new Float64Array(N * D), gb = new Float64Array(M);
  for (let n = 0; n < N; n++)
    for (let j = 0; j < M; j++) {
      let t = b[j];
      for (let i = 0; i < D; i++) t += w[j * D + i] * x[n * D + i];
      y[n * M + j] = t;
      const g = dy[n * M + j];
      gb[j] += g;
      for (let i = 0; i < D; i++) {
        gw[j * D + i] += g * x[n * D + i];
        dx[n * D + i] += g * w[j * D + i];
      }
    }
  return { y, gw, dx, gb };
}

const SHAPES: Shape[] = [
  { name: "W2 affine 8192→100, N50", N: 50, D: 8192, M: 100 },
  { name: "W1 affine 400→120, N64", N: 64, D: 400, M: 120 },
  { name: "W3 affine 4096→10, N32", N: 32, D: 4096, M: 10 },
];

export const AFFINE_ARGS = ["N", "x", "w", "b", "y", "dy", "gw", "gb", "dx"];

function main() {
  for (const s of SHAPES) {
    const variants: [string, string][] = [["emitted today", genToday(s)]];
    for (const [RN, RM, RI] of [[2, 2, 4], [2, 4, 4], [1, 4, 4], [4, 2, 4], [2, 5, 4], [2, 2, 8]] as const) {
      if (s.M % RM === 0) variants.push([`blocked ${RN}n×${RM}m, ${RM}m×${RI}i, ${RN}n×${RI}i`, genBlocked(s, RN, RM, RI)]);
    }
    const big = { x: rand(s.N * s.D, 1), w: rand(s.M * s.D, 2), b: rand(s.M, 3), dy: rand(s.N * s.M, 4) };
    const Nv = 3; // odd, to exercise the tails
    const ref = naive(s, Nv, big.x, big.w, big.b, big.dy);
    const runs: { name: string; run: () => void; samples: number[] }[] = [];
    for (const [name, body] of variants) {
      const fn = new Function(...AFFINE_ARGS, `"use strict";${body}`) as (...a: unknown[]) => void;
      const mk = (N: number) => ({ y: new Float32Array(N * s.M), gw: new Float32Array(s.M * s.D), gb: new Float32Array(s.M), dx: new Float32Array(N * s.D) });
      const o = mk(Nv);
      fn(Nv, big.x, big.w, big.b, o.y, big.dy, o.gw, o.gb, o.dx);
      const err = Math.max(maxAbsErr(o.y, ref.y), maxAbsErr(o.gw, ref.gw), maxAbsErr(o.dx, ref.dx), maxAbsErr(o.gb, ref.gb));
      if (err > 1e-3) throw new Error(`${name}: error ${err}`);
      const O = mk(s.N);
      const run = () => fn(s.N, big.x, big.w, big.b, O.y, big.dy, O.gw, O.gb, O.dx);
      run();
      runs.push({ name: `${name} (err ${err.toExponential(1)})`, run, samples: [] });
    }
    for (let r = 0; r < 7; r++) for (const k of runs) k.samples.push(...timeIt(k.run, { warmup: 0, iters: 1 }));
    const flops = 6 * s.N * s.D * s.M;
    for (const k of runs) {
      const ms = median(k.samples);
      console.log(`${s.name} | ${k.name} | ${ms.toFixed(2)} ms | ${(flops / ms / 1e6).toFixed(2)} GFLOP/s | best ${Math.min(...k.samples).toFixed(2)} ms`);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
