// im2col + register-blocked GEMM for stride-1 convolutions (explicit column
// buffers), the strategy TF.js and Caffe use. Forward: y_n[F,P] = W[F,CKK]·col[CKK,P];
// dInput: dcol[CKK,P] = Wᵀ·dy_n, then col2im; dWeight: dW[F,CKK] += dy_n[F,P]·colᵀ[P,CKK].
// The GEMM core is the JS-limit 4×4 micro-kernel (bench/gemm.ts) on a
// 4-row-packed A and a row-major B read in place.
import type { ConvShape } from "./conv.ts";
import { outH, outW } from "./conv.ts";

const up4 = (n: number) => (n + 3) & ~3;

/** Packs rows of A [M, K] (row stride lda) into 4-row panels, zero rows past M. */
function packA(M: number, K: number, A: Float32Array, aOff: number, lda: number, Ap: Float32Array): void {
  let o = 0;
  for (let i0 = 0; i0 < M; i0 += 4) {
    for (let k = 0; k < K; k++) {
      for (let r = 0; r < 4; r++) Ap[o++] = i0 + r < M ? A[aOff + (i0 + r) * lda + k] : 0;
    }
  }
}

/** Packs Aᵀ where A is [K, M] row-major (so the panel rows are A's columns). */
function packAT(M: number, K: number, A: Float32Array, Ap: Float32Array): void {
  let o = 0;
  for (let i0 = 0; i0 < M; i0 += 4) {
    for (let k = 0; k < K; k++) {
      for (let r = 0; r < 4; r++) Ap[o++] = i0 + r < M ? A[k * M + i0 + r] : 0;
    }
  }
}

/** C[Mp×N] (=|+=) Ap·B; Mp, N multiples of 4; rows ≥ M are not stored. */
function gemmCore(M: number, N: number, K: number, Ap: Float32Array, B: Float32Array, bOff: number, ldb: number, C: Float32Array, cOff: number, ldc: number, acc: boolean): void {
  for (let i0 = 0; i0 < M; i0 += 4) {
    const aBase = i0 * K;
    const rows = Math.min(4, M - i0);
    for (let j0 = 0; j0 < N; j0 += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let a = aBase;
      let b = bOff + j0;
      for (let k = 0; k < K; k++, a += 4, b += ldb) {
        const a0 = Ap[a], a1 = Ap[a + 1], a2 = Ap[a + 2], a3 = Ap[a + 3];
        const b0 = B[b], b1 = B[b + 1], b2 = B[b + 2], b3 = B[b + 3];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
      }
      let o = cOff + i0 * ldc + j0;
      if (acc) {
        C[o] += c00; C[o + 1] += c01; C[o + 2] += c02; C[o + 3] += c03; o += ldc;
        if (rows > 1) { C[o] += c10; C[o + 1] += c11; C[o + 2] += c12; C[o + 3] += c13; } o += ldc;
        if (rows > 2) { C[o] += c20; C[o + 1] += c21; C[o + 2] += c22; C[o + 3] += c23; } o += ldc;
        if (rows > 3) { C[o] += c30; C[o + 1] += c31; C[o + 2] += c32; C[o + 3] += c33; }
      } else {
        C[o] = c00; C[o + 1] = c01; C[o + 2] = c02; C[o + 3] = c03; o += ldc;
        if (rows > 1) { C[o] = c10; C[o + 1] = c11; C[o + 2] = c12; C[o + 3] = c13; } o += ldc;
        if (rows > 2) { C[o] = c20; C[o + 1] = c21; C[o + 2] = c22; C[o + 3] = c23; } o += ldc;
        if (rows > 3) { C[o] = c30; C[o + 1] = c31; C[o + 2] = c32; C[o + 3] = c33; }
      }
    }
  }
}

export interface Im2colConv {
  forward(x: Float32Array, w: Float32Array, bias: Float32Array, y: Float32Array): void;
  /** dInput and dWeight/dBias in one pass over the batch (col is rebuilt per sample). */
  backward(x: Float32Array, w: Float32Array, dy: Float32Array, dx: Float32Array, dw: Float32Array, db: Float32Array): void;
  dInput(w: Float32Array, dy: Float32Array, dx: Float32Array): void;
  dWeight(x: Float32Array, dy: Float32Array, dw: Float32Array, db: Float32Array): void;
}

export function makeIm2col(s: ConvShape): Im2colConv {
  const { N, C, H, W, F, KH, KW, pt, pl } = s;
  const OH = outH(s), OW = outW(s), P = OH * OW, CKK = C * KH * KW;
  if (P % 4 !== 0) throw new Error("P must be a multiple of 4");
  const col = new Float32Array(CKK * P);
  const colT = new Float32Array(P * up4(CKK));
  const Wp = new Float32Array(up4(F) * CKK);
  const WTp = new Float32Array(up4(CKK) * F);
  const dyp = new Float32Array(up4(F) * P);
  const dwT = new Float32Array(up4(F) * up4(CKK));
  const dcol = new Float32Array(up4(CKK) * P);

  // col[(c,ky,kx)][oy,ox] = x[c, oy+ky−pt, ox+kx−pl] or 0 outside.
  const im2col = (x: Float32Array, xOff: number) => {
    let r = 0;
    for (let c = 0; c < C; c++)
      for (let ky = 0; ky < KH; ky++)
        for (let kx = 0; kx < KW; kx++, r++) {
          let o = r * P;
          for (let oy = 0; oy < OH; oy++) {
            const iy = oy + ky - pt;
            if (iy < 0 || iy >= H) { col.fill(0, o, o + OW); o += OW; continue; }
            const xr = xOff + (c * H + iy) * W;
            for (let ox = 0; ox < OW; ox++, o++) {
              const ix = ox + kx - pl;
              col[o] = ix >= 0 && ix < W ? x[xr + ix] : 0;
            }
          }
        }
  };
  // colT[p][ckk] with row stride up4(CKK) (pad columns stay 0).
  const ldT = up4(CKK);
  const im2colT = (x: Float32Array, xOff: number) => {
    let r = 0;
    for (let c = 0; c < C; c++)
      for (let ky = 0; ky < KH; ky++)
        for (let kx = 0; kx < KW; kx++, r++) {
          let p = 0;
          for (let oy = 0; oy < OH; oy++) {
            const iy = oy + ky - pt;
            const inRow = iy >= 0 && iy < H;
            const xr = xOff + (c * H + iy) * W;
            for (let ox = 0; ox < OW; ox++, p++) {
              const ix = ox + kx - pl;
              colT[p * ldT + r] = inRow && ix >= 0 && ix < W ? x[xr + ix] : 0;
            }
          }
        }
  };
  const col2im = (dx: Float32Array, xOff: number) => {
    let r = 0;
    for (let c = 0; c < C; c++)
      for (let ky = 0; ky < KH; ky++)
        for (let kx = 0; kx < KW; kx++, r++) {
          let o = r * P;
          for (let oy = 0; oy < OH; oy++) {
            const iy = oy + ky - pt;
            if (iy < 0 || iy >= H) { o += OW; continue; }
            const xr = xOff + (c * H + iy) * W;
            for (let ox = 0; ox < OW; ox++, o++) {
              const ix = ox + kx - pl;
              if (ix >= 0 && ix < W) dx[xr + ix] += dcol[o];
            }
          }
        }
  };

  const dInput = (w: Float32Array, dy: Float32Array, dx: Float32Array) => {
    packAT(CKK, F, w, WTp); // Wᵀ [CKK, F]
    dx.fill(0);
    for (let n = 0; n < N; n++) {
      gemmCore(up4(CKK), P, F, WTp, dy, n * F * P, P, dcol, 0, P, false);
      col2im(dx, n * C * H * W);
    }
  };
  const dWeight = (x: Float32Array, dy: Float32Array, dw: Float32Array, db: Float32Array) => {
    dwT.fill(0);
    for (let n = 0; n < N; n++) {
      im2colT(x, n * C * H * W);
      packA(F, P, dy, n * F * P, P, dyp);
      gemmCore(F, ldT, P, dyp, colT, 0, ldT, dwT, 0, ldT, true);
    }
    for (let f = 0; f < F; f++) for (let k = 0; k < CKK; k++) dw[f * CKK + k] = dwT[f * ldT + k];
    for (let f = 0; f < F; f++) {
      let t = 0;
      for (let n = 0; n < N; n++) for (let p = 0; p < P; p++) t += dy[(n * F + f) * P + p];
      db[f] = t;
    }
  };
  return {
    forward(x, w, bias, y) {
      packA(F, CKK, w, 0, CKK, Wp);
      for (let n = 0; n < N; n++) {
        im2col(x, n * C * H * W);
        gemmCore(F, P, CKK, Wp, col, 0, P, y, n * F * P, P, false);
        for (let f = 0; f < F; f++) {
          const b = bias[f];
          const o = (n * F + f) * P;
          for (let p = 0; p < P; p++) y[o + p] += b;
        }
      }
    },
    dInput,
    dWeight,
    backward(x, w, dy, dx, dw, db) {
      dInput(w, dy, dx);
      dWeight(x, dy, dw, db);
    },
  };
}
