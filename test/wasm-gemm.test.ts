// The wasm target's two matrix kernels (src/emit-wasm/gemm.ts) alone, against
// an f64 product: shapes around every edge of their blocking (rows past the
// 4-row tiles, columns past the 8-column panels and the 128-column pack block,
// K past the 256-row block), A read transposed, a bias, and accumulation into C.
// Values past each C row's last column must be left as they were.
import { describe, expect, it } from "vitest";
import { PACK_END } from "../src/emit-wasm/gemm.ts";
import { kernelsAlone } from "../bench/wasm-gemm.ts";

type Kernel = (...args: number[]) => void;

function instantiate(): { nn: Kernel; nt: Kernel; mem: Float32Array } {
  const { exports, memory } = kernelsAlone(64);
  return { nn: exports.nn!, nt: exports.nt!, mem: new Float32Array(memory.buffer) };
}

/** a deterministic value in [-1, 1) */
const val = (i: number, seed: number) => Math.sin(i * 12.9898 + seed * 78.233) % 1;

const { nn, nt, mem } = instantiate();
/** element offsets of A, B, bias and C in memory (C rows padded by 3 sentinel floats) */
const A = PACK_END / 4, B = A + 200_000, BIAS = B + 600_000, C = BIAS + 1000;
const SENTINEL = 12345.5;

interface Case {
  M: number;
  K: number;
  P: number;
  transA?: boolean;
  bias?: boolean;
  acc?: boolean;
}

function fill(at: number, n: number, seed: number): void {
  for (let i = 0; i < n; i++) mem[at + i] = val(i, seed);
}

/** C[i][p] (row stride P + 3) = init + Σ_j A(i, j)·B[j][p], computed in f64 */
function expected(c: Case, cBefore: Float64Array, a: (i: number, j: number) => number, b: (j: number, p: number) => number): Float64Array {
  const sc = c.P + 3;
  const out = Float64Array.from(cBefore);
  for (let i = 0; i < c.M; i++) {
    for (let p = 0; p < c.P; p++) {
      let s = c.acc ? cBefore[i * sc + p]! : c.bias ? mem[BIAS + i]! : 0;
      for (let j = 0; j < c.K; j++) s += a(i, j) * b(j, p);
      out[i * sc + p] = s;
    }
  }
  return out;
}

function check(c: Case, run: () => void, a: (i: number, j: number) => number, b: (j: number, p: number) => number): void {
  const sc = c.P + 3;
  for (let i = 0; i < c.M; i++) for (let p = 0; p < sc; p++) mem[C + i * sc + p] = p < c.P ? val(i * sc + p, 7) : SENTINEL;
  const before = Float64Array.from(mem.subarray(C, C + c.M * sc));
  const want = expected(c, before, a, b);
  run();
  let worst = 0;
  for (let i = 0; i < c.M * sc; i++) {
    const scale = Math.max(1, Math.sqrt(c.K));
    worst = Math.max(worst, Math.abs(mem[C + i]! - want[i]!) / scale);
  }
  expect(worst).toBeLessThan(1e-5);
  for (let i = 0; i < c.M; i++) for (let p = c.P; p < sc; p++) expect(mem[C + i * sc + p]).toBe(SENTINEL);
}

const shapes: Case[] = [
  { M: 1, K: 1, P: 1 },
  { M: 3, K: 5, P: 7 },
  { M: 4, K: 8, P: 8 },
  { M: 5, K: 9, P: 9 },
  { M: 7, K: 300, P: 13 },
  { M: 9, K: 257, P: 129 },
  { M: 6, K: 31, P: 135, bias: true },
  { M: 13, K: 17, P: 250, acc: true },
  { M: 8, K: 520, P: 84, transA: true, acc: true },
  { M: 70, K: 40, P: 21, bias: true },
  { M: 133, K: 300, P: 9, acc: true },
  { M: 2, K: 3, P: 4, transA: true, bias: true },
];

describe("wasm gemmNN (C = init + A·B)", () => {
  for (const c of shapes) {
    it(`M=${c.M} K=${c.K} P=${c.P}${c.transA ? ", A transposed" : ""}${c.bias ? ", bias" : ""}${c.acc ? ", accumulating" : ""}`, () => {
      fill(A, c.M * c.K, 1);
      fill(B, c.K * c.P, 2);
      fill(BIAS, c.M, 3);
      // A(i, j) at i·sai + j·saj: row-major M×K, or the transpose of a row-major K×M
      const [sai, saj] = c.transA ? [1, c.M] : [c.K, 1];
      check(
        c,
        () => nn(4 * A, sai, saj, 4 * B, c.P, 4 * C, c.P + 3, c.M, c.K, c.P, c.bias ? 4 * BIAS : 0, c.acc ? 1 : 0),
        (i, j) => mem[A + i * sai + j * saj]!,
        (j, p) => mem[B + j * c.P + p]!,
      );
    });
  }
});

describe("wasm gemmNT (C = init + A·Bᵀ, dot products)", () => {
  for (const c of shapes.filter((s) => !s.transA && !s.bias)) {
    it(`M=${c.M} N=${c.P} over ${c.K}${c.acc ? ", accumulating" : ""}`, () => {
      // A is M×K, B is P×K, both row-major: C[i][p] = Σ_j A[i][j]·B[p][j]
      fill(A, c.M * c.K, 4);
      fill(B, c.P * c.K, 5);
      check(
        c,
        () => nt(4 * A, c.K, 4 * B, c.K, 4 * C, c.P + 3, 1, c.M, c.P, c.K, c.acc ? 1 : 0),
        (i, j) => mem[A + i * c.K + j]!,
        (j, p) => mem[B + p * c.K + j]!,
      );
    });
  }
});
