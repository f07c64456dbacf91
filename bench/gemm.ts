// The "JS limit": a register-blocked f32 GEMM micro-kernel in plain JS
// (Float32Array in, f64 locals as accumulators, as V8 computes). C = A·B with
// A [M,K], B [K,N], C [M,N], row-major. A is packed into panels of MR rows
// (k-major), B into panels of NR columns, so the micro-kernel reads both
// unit-stride and keeps MR×NR accumulators in locals. Several block shapes are
// timed; the fastest is the practical ceiling for scalar JS on this machine.
import { median, timeIt } from "./stats.ts";

export type Gemm = (M: number, N: number, K: number, A: Float32Array, B: Float32Array, C: Float32Array) => void;

/** A[M,K] → panels of 4 rows: Ap[(i0/4)·K·4 + k·4 + r] (M divisible by 4). */
function packA4(M: number, K: number, A: Float32Array, Ap: Float32Array): void {
  let o = 0;
  for (let i0 = 0; i0 < M; i0 += 4) {
    for (let k = 0; k < K; k++) {
      Ap[o++] = A[i0 * K + k];
      Ap[o++] = A[(i0 + 1) * K + k];
      Ap[o++] = A[(i0 + 2) * K + k];
      Ap[o++] = A[(i0 + 3) * K + k];
    }
  }
}

/** B[K,N] → panels of NR columns: Bp[(j0/NR)·K·NR + k·NR + c] (N divisible by NR). */
function packB(N: number, K: number, NR: number, B: Float32Array, Bp: Float32Array): void {
  let o = 0;
  for (let j0 = 0; j0 < N; j0 += NR) {
    for (let k = 0; k < K; k++) {
      for (let c = 0; c < NR; c++) Bp[o++] = B[k * N + j0 + c];
    }
  }
}

let apBuf = new Float32Array(0);
let bpBuf = new Float32Array(0);
function scratch(M: number, N: number, K: number): [Float32Array, Float32Array] {
  if (apBuf.length < M * K) apBuf = new Float32Array(M * K);
  if (bpBuf.length < N * K) bpBuf = new Float32Array(N * K);
  return [apBuf, bpBuf];
}

/** 4×4 micro-kernel over packed A and packed B: 16 accumulators, 8 loads per 16 MACs. */
export const gemm4x4: Gemm = (M, N, K, A, B, C) => {
  const [Ap, Bp] = scratch(M, N, K);
  packA4(M, K, A, Ap);
  packB(N, K, 4, B, Bp);
  for (let i0 = 0; i0 < M; i0 += 4) {
    const aBase = i0 * K;
    for (let j0 = 0; j0 < N; j0 += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let a = aBase;
      let b = j0 * K;
      for (let k = 0; k < K; k++, a += 4, b += 4) {
        const a0 = Ap[a], a1 = Ap[a + 1], a2 = Ap[a + 2], a3 = Ap[a + 3];
        const b0 = Bp[b], b1 = Bp[b + 1], b2 = Bp[b + 2], b3 = Bp[b + 3];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
      }
      let o = i0 * N + j0;
      C[o] = c00; C[o + 1] = c01; C[o + 2] = c02; C[o + 3] = c03; o += N;
      C[o] = c10; C[o + 1] = c11; C[o + 2] = c12; C[o + 3] = c13; o += N;
      C[o] = c20; C[o + 1] = c21; C[o + 2] = c22; C[o + 3] = c23; o += N;
      C[o] = c30; C[o + 1] = c31; C[o + 2] = c32; C[o + 3] = c33;
    }
  }
};

/** 4×8 micro-kernel: 32 accumulators (more than x64 has registers; V8 spills some). */
export const gemm4x8: Gemm = (M, N, K, A, B, C) => {
  const [Ap, Bp] = scratch(M, N, K);
  packA4(M, K, A, Ap);
  packB(N, K, 8, B, Bp);
  for (let i0 = 0; i0 < M; i0 += 4) {
    const aBase = i0 * K;
    for (let j0 = 0; j0 < N; j0 += 8) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0, c05 = 0, c06 = 0, c07 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0, c16 = 0, c17 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c24 = 0, c25 = 0, c26 = 0, c27 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0, c34 = 0, c35 = 0, c36 = 0, c37 = 0;
      let a = aBase;
      let b = j0 * K;
      for (let k = 0; k < K; k++, a += 4, b += 8) {
        const a0 = Ap[a], a1 = Ap[a + 1], a2 = Ap[a + 2], a3 = Ap[a + 3];
        let bv = Bp[b];
        c00 += a0 * bv; c10 += a1 * bv; c20 += a2 * bv; c30 += a3 * bv; bv = Bp[b + 1];
        c01 += a0 * bv; c11 += a1 * bv; c21 += a2 * bv; c31 += a3 * bv; bv = Bp[b + 2];
        c02 += a0 * bv; c12 += a1 * bv; c22 += a2 * bv; c32 += a3 * bv; bv = Bp[b + 3];
        c03 += a0 * bv; c13 += a1 * bv; c23 += a2 * bv; c33 += a3 * bv; bv = Bp[b + 4];
        c04 += a0 * bv; c14 += a1 * bv; c24 += a2 * bv; c34 += a3 * bv; bv = Bp[b + 5];
        c05 += a0 * bv; c15 += a1 * bv; c25 += a2 * bv; c35 += a3 * bv; bv = Bp[b + 6];
        c06 += a0 * bv; c16 += a1 * bv; c26 += a2 * bv; c36 += a3 * bv; bv = Bp[b + 7];
        c07 += a0 * bv; c17 += a1 * bv; c27 += a2 * bv; c37 += a3 * bv;
      }
      let o = i0 * N + j0;
      C[o] = c00; C[o + 1] = c01; C[o + 2] = c02; C[o + 3] = c03; C[o + 4] = c04; C[o + 5] = c05; C[o + 6] = c06; C[o + 7] = c07; o += N;
      C[o] = c10; C[o + 1] = c11; C[o + 2] = c12; C[o + 3] = c13; C[o + 4] = c14; C[o + 5] = c15; C[o + 6] = c16; C[o + 7] = c17; o += N;
      C[o] = c20; C[o + 1] = c21; C[o + 2] = c22; C[o + 3] = c23; C[o + 4] = c24; C[o + 5] = c25; C[o + 6] = c26; C[o + 7] = c27; o += N;
      C[o] = c30; C[o + 1] = c31; C[o + 2] = c32; C[o + 3] = c33; C[o + 4] = c34; C[o + 5] = c35; C[o + 6] = c36; C[o + 7] = c37;
    }
  }
};

/** 4×4 with B read in place (row k of B is contiguous; no B packing). */
export const gemm4x4NoPackB: Gemm = (M, N, K, A, B, C) => {
  const [Ap] = scratch(M, N, K);
  packA4(M, K, A, Ap);
  for (let i0 = 0; i0 < M; i0 += 4) {
    const aBase = i0 * K;
    for (let j0 = 0; j0 < N; j0 += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let a = aBase;
      let b = j0;
      for (let k = 0; k < K; k++, a += 4, b += N) {
        const a0 = Ap[a], a1 = Ap[a + 1], a2 = Ap[a + 2], a3 = Ap[a + 3];
        const b0 = B[b], b1 = B[b + 1], b2 = B[b + 2], b3 = B[b + 3];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
      }
      let o = i0 * N + j0;
      C[o] = c00; C[o + 1] = c01; C[o + 2] = c02; C[o + 3] = c03; o += N;
      C[o] = c10; C[o + 1] = c11; C[o + 2] = c12; C[o + 3] = c13; o += N;
      C[o] = c20; C[o + 1] = c21; C[o + 2] = c22; C[o + 3] = c23; o += N;
      C[o] = c30; C[o + 1] = c31; C[o + 2] = c32; C[o + 3] = c33;
    }
  }
};

/** The textbook i-k-j loop (unit-stride inner loop, no register blocking), for scale. */
export const gemmIKJ: Gemm = (M, N, K, A, B, C) => {
  C.fill(0, 0, M * N);
  for (let i = 0; i < M; i++) {
    for (let k = 0; k < K; k++) {
      const a = A[i * K + k];
      const bo = k * N;
      const co = i * N;
      for (let j = 0; j < N; j++) C[co + j] += a * B[bo + j];
    }
  }
};

/**
 * Generated MR×NR micro-kernel over packed A (MR-row panels) and packed B
 * (NR-column panels): MR·NR accumulators in locals, MR+NR loads per k.
 * x64 has 16 XMM registers; V8 spills past that, so the sweet spot is small.
 */
export function makeGemm(MR: number, NR: number, KU = 1): Gemm {
  const acc = (i: number, j: number) => `c${i}_${j}`;
  const L: string[] = [];
  L.push(`for (let i0 = 0; i0 < M; i0 += ${MR}) {`);
  L.push(`  for (let j0 = 0; j0 < N; j0 += ${NR}) {`);
  const decl: string[] = [];
  for (let i = 0; i < MR; i++) for (let j = 0; j < NR; j++) decl.push(`${acc(i, j)} = 0`);
  L.push(`    let ${decl.join(", ")};`);
  L.push(`    let a = i0 * K, b = j0 * K;`);
  // K must be a multiple of KU: the k loop is unrolled KU times with literal offsets.
  L.push(`    for (let k = 0; k < K; k += ${KU}, a += ${MR * KU}, b += ${NR * KU}) {`);
  for (let u = 0; u < KU; u++) {
    const ld: string[] = [];
    for (let i = 0; i < MR; i++) ld.push(`a${i} = Ap[a + ${u * MR + i}]`);
    for (let j = 0; j < NR; j++) ld.push(`b${j} = Bp[b + ${u * NR + j}]`);
    L.push(`      {const ${ld.join(", ")};`);
    for (let i = 0; i < MR; i++) for (let j = 0; j < NR; j++) L.push(`      ${acc(i, j)} += a${i} * b${j};`);
    L.push(`      }`);
  }
  L.push(`    }`);
  for (let i = 0; i < MR; i++) for (let j = 0; j < NR; j++) L.push(`    C[(i0 + ${i}) * N + j0 + ${j}] = ${acc(i, j)};`);
  L.push(`  }`);
  L.push(`}`);
  const kernel = new Function("M", "N", "K", "Ap", "Bp", "C", L.join("\n")) as Gemm;
  return (M, N, K, A, B, C) => {
    const [Ap, Bp] = scratch(M, N, K);
    packRows(M, K, MR, A, Ap);
    packB(N, K, NR, B, Bp);
    kernel(M, N, K, Ap, Bp, C);
  };
}

/** A[M,K] → panels of MR rows, k-major (M divisible by MR). */
function packRows(M: number, K: number, MR: number, A: Float32Array, Ap: Float32Array): void {
  let o = 0;
  for (let i0 = 0; i0 < M; i0 += MR) for (let k = 0; k < K; k++) for (let r = 0; r < MR; r++) Ap[o++] = A[(i0 + r) * K + k];
}

export const gemmVariants: Record<string, Gemm> = {
  "4x4 packed A+B": gemm4x4,
  "4x8 packed A+B": gemm4x8,
  "4x4 packed A": gemm4x4NoPackB,
  "4x2": makeGemm(4, 2),
  "2x8": makeGemm(2, 8),
  "4x4 k-unrolled×4": makeGemm(4, 4, 4),
  "ikj (no blocking)": gemmIKJ,
};

export interface GemmResult {
  name: string;
  ms: number;
  gflops: number;
  maxErr: number;
}

/** Times every variant at n³ (default 256³) and checks it against an f64 reference. */
export function measureGemm(n = 256, iters = 15): GemmResult[] {
  const A = new Float32Array(n * n).map((_, i) => Math.sin(i * 0.37));
  const B = new Float32Array(n * n).map((_, i) => Math.cos(i * 0.11));
  const ref = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) ref[i * n + j] += A[i * n + k] * B[k * n + j];
  const C = new Float32Array(n * n);
  const results: GemmResult[] = [];
  for (const [name, gemm] of Object.entries(gemmVariants)) {
    C.fill(0);
    gemm(n, n, n, A, B, C);
    let maxErr = 0;
    for (let i = 0; i < n * n; i++) maxErr = Math.max(maxErr, Math.abs(C[i] - ref[i]));
    const ms = median(timeIt(() => gemm(n, n, n, A, B, C), { warmup: 5, iters }));
    results.push({ name, ms, gflops: (2 * n * n * n) / (ms * 1e6), maxErr });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of measureGemm()) console.log(`${r.name.padEnd(20)} ${r.ms.toFixed(2)} ms  ${r.gflops.toFixed(2)} GFLOP/s  err ${r.maxErr.toExponential(1)}`);
}
