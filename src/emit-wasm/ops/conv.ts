// conv: PyTorch Conv2d (weight [F, C/G, KH, KW]) as matrix products on the
// f32x4 kernels of ../gemm.ts, per sample and group (K = C/G·KH·KW, P = OH·OW):
// - forward   out_g[F/G × P] = W_g[F/G × K] · cols[K × P] + bias   (gemmNN)
// - dW_g     += dout_g · colsᵀ                                       (gemmNT)
// - dcols     = W_gᵀ · dout_g, scattered back into dx (col2im)      (gemmNN)
// `cols` is im2col of the sample's group (zeros where a tap falls in the
// padding), built with one memory.copy per in-range row segment when the
// stride is 1. A 1×1 conv with stride 1 and no padding reads x as `cols` and
// writes dx directly. A depthwise conv (groups = channels = filters) has its
// own stencil kernel (./depthwise.ts). Other convs work in blocks of output rows, so each
// block's columns of cols are built and consumed while they are in cache.
import type { WasmLayerContext, WasmOpEmitter } from "../context.ts";
import { add, addr, cmp, type Ex, f64, type Fn, k, ldf, ldf32, ldv, mul, or, sub, vadd } from "../fn.ts";
import { depthwiseBackward, depthwiseForward, depthwiseScratch, isDepthwise } from "./depthwise.ts";

type Conv = { args: WasmLayerContext<"conv">["args"]; input: WasmLayerContext["input"]; output: WasmLayerContext["output"] };

/**
 * The im2col view of a convolution over an image of C channels, H × W, in G
 * groups of cig channels, whose windows form an OH × OW grid: cols holds, per
 * sample and group, K = cig·kh·kw rows of P = OH·OW values. convtranspose uses
 * it with the roles of its input and output swapped.
 */
export interface Cols {
  C: number;
  cig: number;
  H: number;
  W: number;
  OH: number;
  OW: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  pt: number;
  pl: number;
}

export const colsK = (c: Cols) => c.cig * c.kh * c.kw;
export const colsP = (c: Cols) => c.OH * c.OW;
/** 1×1, stride 1, no padding: cols is the image itself */
export const colsDirect = (c: Cols) => c.kh === 1 && c.kw === 1 && c.sh === 1 && c.sw === 1 && c.pt === 0 && c.pl === 0 && c.OH === c.H && c.OW === c.W;

function colsOf(l: Conv): Cols {
  const a = l.args;
  return {
    C: l.input.c, cig: l.input.c / a.groups, H: l.input.h, W: l.input.w, OH: l.output.h, OW: l.output.w,
    kh: a.kernel[0], kw: a.kernel[1], sh: a.stride[0], sw: a.stride[1], dh: a.dilation[0], dw: a.dilation[1], pt: a.pad[0], pl: a.pad[2],
  };
}

function geometry(l: Conv) {
  const a = l.args;
  const c = colsOf(l);
  const G = a.groups, cig = c.cig, cog = a.filters / G;
  return { c, G, cig, cog, K: colsK(c), P: colsP(c), HW: c.H * c.W, direct: colsDirect(c) && a.pad[1] === 0 && a.pad[3] === 0 };
}

/**
 * Output rows ob .. ob + rows of the grid: the columns of cols one pass
 * builds, `rows`·OW of them (the whole grid unless a conv works in blocks).
 */
export interface RowBlock {
  ob: Ex<"i32">;
  rows: Ex<"i32">;
}
const wholeGrid = (c: Cols): RowBlock => ({ ob: k(0), rows: k(c.OH) });

/**
 * Walks every (cols row, output row) pair of one sample's group with the
 * input row it reads, for the output rows of `block`: `inRange(dst, src, lo, hi)`
 * for rows inside the input (dst: element index of the cols row segment's
 * ow = 0; src: input element of iw = 0 on that row; output columns [lo, hi)
 * read real input), `outside(dst)` for rows in the padding. Rows of cols are
 * block.rows·OW floats apart.
 */
function eachColsRow(
  f: Fn,
  c: Cols,
  n: Ex<"i32">,
  g: Ex<"i32">,
  block: RowBlock,
  inRange: (dst: Ex<"i32">, src: Ex<"i32">, lo: number, hi: number, shift: number) => void,
  outside: (dst: Ex<"i32">) => void,
): void {
  const { cig, kh, kw, H, W, OW, sh, sw, dh, dw, pt, pl } = c;
  const HW = H * W;
  const P = f.let(mul(block.rows, k(OW)));
  const chan0 = f.let(add(mul(n, k(c.C)), mul(g, k(cig))));
  f.loop(k(0), k(cig), (ci) => {
    const plane = f.let(mul(add(chan0, ci), k(HW)));
    f.loop(k(0), k(kh), (r) => {
      const row0 = f.let(mul(add(mul(ci, k(kh)), r), k(kw)));
      f.loop(k(0), block.rows, (bh) => {
        const ih = f.let(add(sub(mul(add(block.ob, bh), k(sh)), k(pt)), mul(r, k(dh))));
        f.if(
          or(cmp("lt", ih, k(0)), cmp("ge", ih, k(H))),
          () => {
            for (let q = 0; q < kw; q++) outside(add(mul(add(row0, k(q)), P), mul(bh, k(OW))));
          },
          () => {
            const src = f.let(add(plane, mul(ih, k(W))));
            for (let q = 0; q < kw; q++) {
              // iw = ow·sw − pl + q·dw lies in [0, W) for ow in [lo, hi)
              const shift = q * dw - pl;
              const lo = Math.min(OW, Math.max(0, Math.ceil(-shift / sw)));
              const hi = Math.max(lo, Math.min(OW, Math.floor((W - 1 - shift) / sw) + 1));
              inRange(add(mul(add(row0, k(q)), P), mul(bh, k(OW))), src, lo, hi, shift);
            }
          },
        );
      });
    });
  });
}

/** cols = im2col of sample n's group g of the image at `src`, for the output rows of `block` */
export function im2col(f: Fn, c: Cols, src: Ex<"i32">, cols: Ex<"i32">, n: Ex<"i32">, g: Ex<"i32">, block = wholeGrid(c)): void {
  const { OW, sw } = c;
  eachColsRow(
    f,
    c,
    n,
    g,
    block,
    (dst, at, lo, hi, shift) => {
      const d = f.let(dst);
      if (lo > 0) f.zero(cols, d, k(lo));
      if (hi < OW) f.zero(cols, add(d, k(hi)), k(OW - hi));
      if (hi > lo) {
        if (sw === 1) f.copy(addr(cols, add(d, k(lo))), addr(src, add(at, k(lo + shift))), k(hi - lo));
        else f.gather(f.let(addr(cols, add(d, k(lo)))), f.let(addr(src, add(at, k(lo * sw + shift)))), hi - lo, sw);
      }
    },
    (dst) => f.zero(cols, dst, k(OW)),
  );
}

/** image += col2im(dcols) for sample n's group g, for the output rows of `block` */
export function col2im(f: Fn, c: Cols, image: Ex<"i32">, dcols: Ex<"i32">, n: Ex<"i32">, g: Ex<"i32">, block = wholeGrid(c)): void {
  const sw = c.sw;
  eachColsRow(
    f,
    c,
    n,
    g,
    block,
    (dst, src, lo, hi, shift) => {
      if (hi <= lo) return;
      const d = f.let(add(dst, k(lo)));
      const s = f.let(add(src, k(lo * sw + shift)));
      if (sw === 1) {
        const count = hi - lo, whole = count - (count % 4);
        if (whole > 0) f.loop(k(0), k(whole), (j) => f.stv(image, add(s, j), vadd(ldv(image, add(s, j)), ldv(dcols, add(d, j)))), 4);
        for (let j = whole; j < count; j++) f.stf32(image, s, add(ldf32(image, s, j), ldf32(dcols, d, j)), j);
      } else {
        const si = f.let(addr(image, s)), di = f.let(addr(dcols, d));
        f.loop(k(0), k(hi - lo), (j) => {
          const at = f.let(mul(j, k(sw)));
          f.stf32(si, at, add(ldf32(si, at), ldf32(di, j)));
        });
      }
    },
    () => undefined,
  );
}

/** floats of one block of cols: small enough to stay in cache between im2col and the matrix kernels */
const COLS_BLOCK = 65536;

/** output rows per block: cols of about COLS_BLOCK floats, but at least 64 columns (whole 8-column panels for the kernel) */
export function blockRows(c: Cols): number {
  const rows = Math.max(Math.ceil(64 / c.OW), Math.floor(COLS_BLOCK / (colsK(c) * c.OW)));
  return Math.min(c.OH, Math.max(1, rows));
}

/** body(block) for each block of `per` output rows of an OH-row grid (the last one shorter) */
function eachBlock(f: Fn, OH: number, per: number, body: (b: RowBlock) => void): void {
  if (per >= OH) return body({ ob: k(0), rows: k(OH) });
  f.loop(k(0), k(OH), (ob) => {
    const rows = f.let(sub(k(OH), ob));
    f.if(cmp("gt", rows, k(per)), () => f.set(rows, k(per)));
    body({ ob, rows });
  }, per);
}

/**
 * The weight gradient as dWᵀ += cols · doutᵀ on the 4×8 kernel, when the products are long enough (K) to pay
 * for transposing dout's block and wide enough (cog) to fill its 8-column panels; else dot products (gemmNT).
 */
const dWTransposed = (g: ReturnType<typeof geometry>) => g.cog >= 8 && g.K >= 256;

/** floats from the scratch's start: a block of cols, of dcols, dout's block transposed, dWᵀ of one group */
function scratchLayout(g: ReturnType<typeof geometry>) {
  const Pb = blockRows(g.c) * g.c.OW;
  const colsLen = g.direct ? 0 : g.K * Pb;
  const tLen = dWTransposed(g) ? Pb * g.cog : 0;
  return { dcols: colsLen, doutT: 2 * colsLen, dWT: 2 * colsLen + tLen, end: 2 * colsLen + tLen + (tLen > 0 ? g.K * g.cog : 0) };
}

export const conv: WasmOpEmitter<"conv"> = {
  scratch(l) {
    if (isDepthwise(l)) return depthwiseScratch(l);
    return scratchLayout(geometry(l)).end;
  },
  forward(l) {
    if (isDepthwise(l)) return depthwiseForward(l);
    const f = l.f;
    const { c, G, cig, cog, K, P, HW, direct } = geometry(l);
    const F = l.args.filters;
    f.loop(k(0), l.N, (n) => {
      f.loop(k(0), k(G), (g) => {
        const bias = l.args.bias ? addr(l.param("bias"), mul(g, k(cog))) : k(0);
        const w = addr(l.param("weight"), mul(g, k(cog * K)));
        const out = f.let(addr(l.out, mul(add(mul(n, k(F)), mul(g, k(cog))), k(P))));
        if (direct) {
          const cols = addr(l.inp, mul(add(mul(n, k(l.input.c)), mul(g, k(cig))), k(HW)));
          f.call(l.kernels.gemmNN, [w, k(K), k(1), cols, k(P), out, k(P), k(cog), k(K), k(P), bias, k(0)]);
          return;
        }
        // a block of output rows at a time: its columns of cols are built and consumed while in cache
        eachBlock(f, c.OH, blockRows(c), (b) => {
          im2col(f, c, l.inp, l.scratch, n, g, b);
          const cols = f.let(mul(b.rows, k(c.OW)));
          f.call(l.kernels.gemmNN, [w, k(K), k(1), l.scratch, cols, addr(out, mul(b.ob, k(c.OW))), k(P), k(cog), k(K), cols, bias, k(0)]);
        });
      });
    });
  },
  backward(l) {
    if (isDepthwise(l)) return depthwiseBackward(l);
    const f = l.f;
    const { c, G, cig, cog, K, P, HW, direct } = geometry(l);
    const F = l.args.filters;
    const gw = l.grad("weight");
    if (l.args.bias) f.zero(l.grad("bias"), k(0), k(F));
    if (!direct) f.zero(l.dIn, k(0), mul(l.N, k(l.input.size)));
    const s = f.local("f64");
    const per = blockRows(c);
    const at = scratchLayout(geometry(l));
    const transposed = dWTransposed(geometry(l));
    const dcols = addr(l.scratch, k(at.dcols)), doutT = f.let(addr(l.scratch, k(at.doutT))), dWT = f.let(addr(l.scratch, k(at.dWT)));
    f.loop(k(0), k(G), (g) => {
      const w = f.let(addr(l.param("weight"), mul(g, k(cog * K))));
      const gwg = f.let(addr(gw, mul(g, k(cog * K))));
      f.zero(transposed ? dWT : gwg, k(0), k(K * cog));
      f.loop(k(0), l.N, (n) => {
        const dout = f.let(addr(l.dOut, mul(add(mul(n, k(F)), mul(g, k(cog))), k(P))));
        const image = f.let(mul(add(mul(n, k(l.input.c)), mul(g, k(cig))), k(HW)));
        if (l.args.bias) {
          const gb = l.grad("bias");
          f.loop(k(0), k(cog), (m) => {
            f.set(s, f64(0));
            const row = f.let(mul(m, k(P)));
            f.loop(k(0), k(P), (p) => f.set(s, add(s, ldf(dout, add(row, p)))));
            const at = f.let(add(mul(g, k(cog)), m));
            f.stf(gb, at, add(ldf(gb, at), s));
          });
        }
        eachBlock(f, c.OH, per, (b) => {
          const cols = f.let(mul(b.rows, k(c.OW)));
          const doutB = f.let(addr(dout, mul(b.ob, k(c.OW))));
          // this block's columns of cols: x itself for a direct conv (rows HW apart), else built here
          let colsAt: Ex<"i32"> = l.scratch, colsStride: Ex<"i32"> = cols;
          if (direct) (colsAt = f.let(addr(l.inp, add(image, mul(b.ob, k(c.OW)))))), (colsStride = k(HW));
          else im2col(f, c, l.inp, l.scratch, n, g, b);
          if (transposed) {
            // dWᵀ[K × cog] += cols · doutᵀ on the 4×8 kernel (dout's block transposed first, a small copy)
            f.loop(k(0), k(cog), (m) => {
              const src = f.let(addr(doutB, mul(m, k(P))));
              const dst = f.let(addr(doutT, m));
              f.loop(k(0), cols, (p) => f.stf32(dst, mul(p, k(cog)), ldf32(src, p)));
            });
            f.call(l.kernels.gemmNN, [colsAt, colsStride, k(1), doutT, k(cog), dWT, k(cog), k(K), cols, k(cog), k(0), k(1)]);
          } else f.call(l.kernels.gemmNT, [doutB, k(P), colsAt, colsStride, gwg, k(K), k(1), k(cog), k(K), cols, k(1)]);
          if (direct) {
            const dx = addr(l.dIn, add(image, mul(b.ob, k(c.OW))));
            f.call(l.kernels.gemmNN, [w, k(1), k(K), doutB, k(P), dx, k(HW), k(K), k(cog), cols, k(0), k(0)]);
          } else {
            f.call(l.kernels.gemmNN, [w, k(1), k(K), doutB, k(P), dcols, cols, k(K), k(cog), cols, k(0), k(0)]);
            col2im(f, c, l.dIn, dcols, n, g, b);
          }
        });
      });
      // dW_g = (dWᵀ)ᵀ
      if (transposed) {
        f.loop(k(0), k(cog), (m) => {
          const dst = f.let(addr(gwg, mul(m, k(K))));
          const src = f.let(addr(dWT, m));
          f.loop(k(0), k(K), (j) => f.stf32(dst, j, ldf32(src, mul(j, k(cog)))));
        });
      }
    });
  },
};
