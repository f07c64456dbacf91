// The two f32x4 matrix kernels every conv and affine layer calls (strides in
// elements, pointers in bytes, sizes at run time since the batch is):
//
// gemmNN  C[i][p] = init + Σ_j A(i, j) · B[j][p]   — vectorised along p (rows of B and C
//         are contiguous); A(i, j) = a[i·sai + j·saj] is broadcast, so A may be transposed.
//         Register block: 4 rows × 8 columns (8 accumulators), remainder rows one at a time;
//         blocked over K and P so each packed panel and A's rows stay in cache; the last
//         P mod 8 columns are a zero-padded panel whose tiles work on a copy of C's columns.
// gemmNT  C[i][j] = init + Σ_p A[i][p] · B[j][p]   — both operands contiguous along p
//         (dot products); block 4 rows × 2 columns, horizontal sums at the end, scalar tail;
//         the sums run in slices of p so A's rows stay in cache while B's stream past.
//
// init is C itself when `acc` is 1, else the row's bias (gemmNN, when `bias` ≠ 0) or 0.
import { add, and, cmp, divS, Fn, i32, k, ldf32, ldsplat, ldv, type Local, mul, or, shl, sub, vadd, vlane, vmul, vsum, vzero } from "./fn.ts";

const bytes = (e: Local<"i32">) => shl(e, i32(2));

/**
 * gemmNN copies blocks of B to this fixed place in memory as 8-column panels,
 * reading B's rows contiguously (a strided walk down a column of a wide B, as
 * an im2col matrix is, defeats the prefetcher and every cache set), so the
 * tiles of every row block read a panel contiguously and from cache.
 */
export const PACK_AT = 64;
/** the block of B packed at a time: PACK_K rows × PACK_COLS columns (whole 8-column panels) */
export const PACK_K = 256;
export const PACK_COLS = 128;
/**
 * The last panel of a block may hold fewer than 8 of B's columns (zeros in the others): its tiles
 * work on a copy of C's few columns here, 4 rows of 8 floats, so every tile is a whole 4×8 or 1×8 one.
 */
const EDGE_AT = PACK_AT + PACK_K * PACK_COLS * 4;
/** the bytes from 0 to the end of the packing area: a memory's own data starts at or after this */
export const PACK_END = EDGE_AT + 4 * 8 * 4;
/** gemmNT sums its dot products in slices of about this many floats of A (all of A's rows), kept in cache */
const NT_SLICE = 32768;

export function gemmNN(): Fn {
  const f = new Fn("gemmNN", false);
  const [a, sai, saj, b, sb, c, sc, M, K, P, bias, acc] = [
    f.param("i32"), f.param("i32"), f.param("i32"), f.param("i32"), f.param("i32"), f.param("i32"),
    f.param("i32"), f.param("i32"), f.param("i32"), f.param("i32"), f.param("i32"), f.param("i32"),
  ];
  const i = f.local("i32"), p = f.local("i32"), j = f.local("i32");
  const pa = [f.local("i32"), f.local("i32"), f.local("i32"), f.local("i32")];
  const pb = f.local("i32"), pc = f.local("i32");
  const accs = Array.from({ length: 4 }, () => [f.local("v128"), f.local("v128")]);
  const sajB = f.local("i32");
  /** the packed panel a tile reads (8 floats a row) */
  const panel = f.local("i32");
  /** the block of B the tiles work on: columns p0 .. p0 + pw, packed in pw8 / 8 panels, the last one
   * holding rem columns (0: all whole); rows k0 .. k0 + kc; useC: start from C (acc, or a later K block) */
  const p0 = f.local("i32"), pw = f.local("i32"), pw8 = f.local("i32"), rem = f.local("i32");
  const k0 = f.local("i32"), kc = f.local("i32"), useC = f.local("i32"), q = f.local("i32"), e = f.local("i32");
  /** where a tile reads and writes C: C itself (c, sc) or, in the last panel, the edge copy (8 floats a row) */
  const cAt = f.local("i32"), cStride = f.local("i32");
  f.set(sajB, bytes(saj));

  /** one R-row × 8-column tile at (i, p) over rows k0 .. k0 + kc of B's packed panel */
  const tile = (R: number) => {
    const cRow = (r: number) => add(cAt, shl(add(mul(add(i, i32(r)), cStride), p), i32(2)));
    for (let r = 0; r < R; r++) {
      f.set(pa[r]!, add(a, shl(add(mul(add(i, i32(r)), sai), mul(k0, saj)), i32(2))));
      for (let v = 0; v < 2; v++) {
        f.if(
          useC,
          () => f.set(accs[r]![v]!, ldv(cRow(r), k(0), 4 * v)),
          () =>
            f.if(
              bias,
              () => f.set(accs[r]![v]!, ldsplat(bias, add(i, i32(r)))),
              () => f.set(accs[r]![v]!, vzero),
            ),
        );
      }
    }
    f.set(pb, panel);
    f.for(j, k(0), kc, () => {
      const bv = [f.let(ldv(pb, k(0))), f.let(ldv(pb, k(0), 4))];
      for (let r = 0; r < R; r++) {
        const av = f.let(ldsplat(pa[r]!, k(0)));
        for (let v = 0; v < 2; v++) f.set(accs[r]![v]!, vadd(accs[r]![v]!, vmul(av, bv[v]!)));
        f.set(pa[r]!, add(pa[r]!, sajB));
      }
      f.set(pb, add(pb, i32(32)));
    });
    for (let r = 0; r < R; r++) {
      f.set(pc, cRow(r));
      for (let v = 0; v < 2; v++) f.stv(pc, k(0), accs[r]![v]!, 4 * v);
    }
  };

  /** every row of columns p .. p + 8 of the panel at `panel` */
  const columnBlock = () => {
    f.set(i, k(0));
    f.while(cmp("le", add(i, i32(4)), M), () => {
      tile(4);
      f.set(i, add(i, i32(4)));
    });
    f.for(i, i, M, () => tile(1));
  };

  /** the last panel's tiles on the edge copy of rows i .. i + R of C's rem columns from p */
  const edgeTile = (R: number) => {
    const edge = (r: number) => k(EDGE_AT + r * 32);
    const cCol = (r: number) => add(c, shl(add(mul(add(i, i32(r)), sc), p), i32(2)));
    f.if(useC, () => {
      for (let r = 0; r < R; r++) f.for(e, k(0), rem, () => f.stf32(edge(r), e, ldf32(cCol(r), e)));
    });
    // the edge row r is at cAt + ((i + r)·8 + p)·4 bytes
    f.set(cAt, sub(k(EDGE_AT), shl(add(shl(i, i32(3)), p), i32(2))));
    f.set(cStride, k(8));
    tile(R);
    f.set(cAt, c);
    f.set(cStride, sc);
    for (let r = 0; r < R; r++) f.for(e, k(0), rem, () => f.stf32(cCol(r), e, ldf32(edge(r), e)));
  };

  // blocks of PACK_COLS columns × PACK_K rows of B, copied row by row (contiguous reads) into
  // 8-column panels of kc rows, so a tile's panel is contiguous and stays in cache across the rows of A
  f.set(cAt, c);
  f.set(cStride, sc);
  f.set(p0, k(0));
  f.while(cmp("lt", p0, P), () => {
    f.set(pw, sub(P, p0));
    f.if(cmp("gt", pw, k(PACK_COLS)), () => f.set(pw, k(PACK_COLS)));
    f.set(rem, and(pw, i32(7)));
    f.set(pw8, and(add(pw, i32(7)), i32(~7)));
    f.set(k0, k(0));
    f.while(cmp("lt", k0, K), () => {
      f.set(kc, sub(K, k0));
      f.if(cmp("gt", kc, k(PACK_K)), () => f.set(kc, k(PACK_K)));
      f.set(useC, or(acc, cmp("gt", k0, k(0))));
      f.for(j, k(0), kc, () => {
        f.set(pb, add(b, shl(add(mul(add(k0, j), sb), p0), i32(2))));
        f.set(pc, add(k(PACK_AT), shl(j, i32(5))));
        f.for(q, k(0), sub(pw, rem), () => {
          f.stv(pc, k(0), ldv(pb, k(0)));
          f.stv(pc, k(0), ldv(pb, k(0), 4), 4);
          f.set(pb, add(pb, i32(32)));
          f.set(pc, add(pc, shl(kc, i32(5))));
        }, 8);
        // the last panel: rem columns, then zeros
        f.if(rem, () => {
          f.stv(pc, k(0), vzero);
          f.stv(pc, k(0), vzero, 4);
          f.for(q, k(0), rem, () => f.stf32(pc, q, ldf32(pb, q)));
        });
      });
      f.for(q, k(0), pw8, () => {
        f.set(p, add(p0, q));
        f.set(panel, add(k(PACK_AT), mul(shl(q, i32(2)), kc)));
        f.if(
          or(cmp("eq", rem, k(0)), cmp("lt", add(q, i32(8)), pw)),
          columnBlock,
          () => {
            f.set(i, k(0));
            f.while(cmp("le", add(i, i32(4)), M), () => {
              edgeTile(4);
              f.set(i, add(i, i32(4)));
            });
            f.for(i, i, M, () => edgeTile(1));
          },
        );
      }, 8);
      f.set(k0, add(k0, kc));
    });
    f.set(p0, add(p0, pw));
  });
  return f;
}

export function gemmNT(): Fn {
  const f = new Fn("gemmNT", false);
  const [a, sa, b, sb, c, sci, scj, M, Nn, P, acc] = [
    f.param("i32"), f.param("i32"), f.param("i32"), f.param("i32"), f.param("i32"), f.param("i32"),
    f.param("i32"), f.param("i32"), f.param("i32"), f.param("i32"), f.param("i32"),
  ];
  const i = f.local("i32"), j = f.local("i32"), p = f.local("i32"), p4 = f.local("i32");
  const pa = [f.local("i32"), f.local("i32"), f.local("i32"), f.local("i32")];
  const pb = [f.local("i32"), f.local("i32")];
  const accs = Array.from({ length: 4 }, () => [f.local("v128"), f.local("v128")]);
  const tails = Array.from({ length: 4 }, () => [f.local("f32"), f.local("f32")]);
  const pc = f.local("i32");
  /** the slice p0 .. p0 + plen of every dot product this pass sums; useC: add to C (acc, or a later slice) */
  const p0 = f.local("i32"), plen = f.local("i32"), pmax = f.local("i32"), useC = f.local("i32");

  const tile = (R: number, J: number) => {
    for (let r = 0; r < R; r++) {
      f.set(pa[r]!, add(a, shl(add(mul(add(i, i32(r)), sa), p0), i32(2))));
      for (let q = 0; q < J; q++) f.set(accs[r]![q]!, vzero);
    }
    for (let q = 0; q < J; q++) f.set(pb[q]!, add(b, shl(add(mul(add(j, i32(q)), sb), p0), i32(2))));
    f.for(p, k(0), p4, () => {
      const bv = Array.from({ length: J }, (_, q) => f.let(ldv(pb[q]!, p)));
      for (let r = 0; r < R; r++) {
        const av = f.let(ldv(pa[r]!, p));
        for (let q = 0; q < J; q++) f.set(accs[r]![q]!, vadd(accs[r]![q]!, vmul(av, bv[q]!)));
      }
    }, 4);
    for (let r = 0; r < R; r++) for (let q = 0; q < J; q++) f.set(tails[r]![q]!, vsum(accs[r]![q]!));
    f.for(p, p4, plen, () => {
      for (let r = 0; r < R; r++) {
        for (let q = 0; q < J; q++) {
          f.set(tails[r]![q]!, add(tails[r]![q]!, mul(ldf32(pa[r]!, p), ldf32(pb[q]!, p))));
        }
      }
    });
    for (let r = 0; r < R; r++) {
      for (let q = 0; q < J; q++) {
        f.set(pc, add(c, shl(add(mul(add(i, i32(r)), sci), mul(add(j, i32(q)), scj)), i32(2))));
        const t = tails[r]![q]!;
        f.if(useC, () => f.set(t, add(t, ldf32(pc, k(0)))));
        f.stf32(pc, k(0), t);
      }
    }
  };

  /** every row of A against B's rows j .. j + J */
  const colBlock = (J: number) => {
    f.set(i, k(0));
    f.while(cmp("le", add(i, i32(4)), M), () => {
      tile(4, J);
      f.set(i, add(i, i32(4)));
    });
    f.for(i, i, M, () => tile(1, J));
  };
  // slices of the dot products short enough that all of A's rows stay in cache while B's rows
  // stream past once per slice (about NT_SLICE floats of A per slice, at least 64 a row)
  f.set(pmax, and(divS(k(NT_SLICE), M), i32(~3)));
  f.if(cmp("lt", pmax, k(64)), () => f.set(pmax, k(64)));
  f.set(p0, k(0));
  f.while(cmp("lt", p0, P), () => {
    f.set(plen, sub(P, p0));
    f.if(cmp("gt", plen, pmax), () => f.set(plen, pmax));
    // plen rounded down to a multiple of 4: the vector part of each dot product
    f.set(p4, and(plen, i32(~3)));
    f.set(useC, or(acc, cmp("gt", p0, k(0))));
    f.set(j, k(0));
    f.while(cmp("le", add(j, i32(2)), Nn), () => {
      colBlock(2);
      f.set(j, add(j, i32(2)));
    });
    f.for(j, j, Nn, () => colBlock(1));
    f.set(p0, add(p0, plen));
  });
  return f;
}

/** indices of the kernels in a module's function space, for layer code to call */
export interface Kernels {
  gemmNN: number;
  gemmNT: number;
}
