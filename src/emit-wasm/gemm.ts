// The two f32x4 matrix kernels every conv and affine layer calls (strides in
// elements, pointers in bytes, sizes at run time since the batch is):
//
// gemmNN  C[i][p] = init + Σ_j A(i, j) · B[j][p]   — vectorised along p (rows of B and C
//         are contiguous); A(i, j) = a[i·sai + j·saj] is broadcast, so A may be transposed.
//         Register block: 4 rows × 8 columns (8 accumulators); remainders 1 row, 4 and 1 column.
// gemmNT  C[i][j] = init + Σ_p A[i][p] · B[j][p]   — both operands contiguous along p
//         (dot products); block 4 rows × 2 columns, horizontal sums at the end, scalar tail.
//
// init is C itself when `acc` is 1, else the row's bias (gemmNN, when `bias` ≠ 0) or 0.
import { add, and, cmp, Fn, i32, k, ldf32, ldsplat, ldv, type Local, mul, shl, vadd, vlane, vmul, vsum, vzero } from "./fn.ts";

const bytes = (e: Local<"i32">) => shl(e, i32(2));

/**
 * gemmNN copies each 8-column panel of B (K rows) to this fixed place in memory
 * when K ≤ PACK_ROWS, so the tiles of every row block read it contiguously:
 * rows of B P floats apart (4 KiB when P = 1024) all fall in one cache set.
 */
export const PACK_AT = 64;
export const PACK_ROWS = 8192;
/** the bytes from 0 to the end of the packing area: a memory's own data starts at or after this */
export const PACK_END = PACK_AT + PACK_ROWS * 8 * 4;

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
  const sajB = f.local("i32"), sbB = f.local("i32");
  /** where the tile reads B's panel and the bytes between its rows: B itself (b + p, sb) or the packed copy (PACK_AT, 8) */
  const panel = f.local("i32"), step = f.local("i32");
  f.set(sajB, bytes(saj));
  f.set(sbB, bytes(sb));

  /** one R-row × W-column tile at (i, p); W = 8, 4 or 1 (one lane used) */
  const tile = (R: number, W: 8 | 4 | 1) => {
    const V = W === 8 ? 2 : 1;
    for (let r = 0; r < R; r++) {
      f.set(pa[r]!, add(a, shl(mul(add(i, i32(r)), sai), i32(2))));
      for (let v = 0; v < V; v++) {
        const cAt = add(c, shl(add(mul(add(i, i32(r)), sc), p), i32(2)));
        f.if(
          acc,
          () => f.set(accs[r]![v]!, W === 1 ? ldsplat(cAt, k(0)) : ldv(cAt, k(0), 4 * v)),
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
    f.for(j, k(0), K, () => {
      const bv = Array.from({ length: V }, (_, v) => f.let(W === 1 ? ldsplat(pb, k(0)) : ldv(pb, k(0), 4 * v)));
      for (let r = 0; r < R; r++) {
        const av = f.let(ldsplat(pa[r]!, k(0)));
        for (let v = 0; v < V; v++) f.set(accs[r]![v]!, vadd(accs[r]![v]!, vmul(av, bv[v]!)));
        f.set(pa[r]!, add(pa[r]!, sajB));
      }
      f.set(pb, add(pb, step));
    });
    for (let r = 0; r < R; r++) {
      f.set(pc, add(c, shl(add(mul(add(i, i32(r)), sc), p), i32(2))));
      for (let v = 0; v < V; v++) {
        if (W === 1) f.stf32(pc, k(0), vlane(accs[r]![v]!, 0));
        else f.stv(pc, k(0), accs[r]![v]!, 4 * v);
      }
    }
  };

  /** every row of columns p .. p + W, B's panel already chosen */
  const columnBlock = (W: 8 | 4 | 1) => {
    f.set(i, k(0));
    f.while(cmp("le", add(i, i32(4)), M), () => {
      tile(4, W);
      f.set(i, add(i, i32(4)));
    });
    f.for(i, i, M, () => tile(1, W));
  };
  const unpacked = () => {
    f.set(panel, add(b, bytes(p)));
    f.set(step, sbB);
  };

  f.set(p, k(0));
  f.while(cmp("le", add(p, i32(8)), P), () => {
    f.if(
      cmp("le", K, k(PACK_ROWS)),
      () => {
        // the panel's K rows of 8, one after another
        f.set(pb, add(b, bytes(p)));
        f.set(pc, k(PACK_AT));
        f.for(j, k(0), K, () => {
          f.stv(pc, k(0), ldv(pb, k(0)));
          f.stv(pc, k(0), ldv(pb, k(0), 4), 4);
          f.set(pb, add(pb, sbB));
          f.set(pc, add(pc, i32(32)));
        });
        f.set(panel, k(PACK_AT));
        f.set(step, i32(32));
      },
      unpacked,
    );
    columnBlock(8);
    f.set(p, add(p, i32(8)));
  });
  f.if(cmp("le", add(p, i32(4)), P), () => {
    unpacked();
    columnBlock(4);
    f.set(p, add(p, i32(4)));
  });
  f.while(cmp("lt", p, P), () => {
    unpacked();
    columnBlock(1);
    f.set(p, add(p, i32(1)));
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
  // P rounded down to a multiple of 4: the vector part of each dot product
  f.set(p4, and(P, i32(~3)));

  const tile = (R: number, J: number) => {
    for (let r = 0; r < R; r++) {
      f.set(pa[r]!, add(a, shl(mul(add(i, i32(r)), sa), i32(2))));
      for (let q = 0; q < J; q++) f.set(accs[r]![q]!, vzero);
    }
    for (let q = 0; q < J; q++) f.set(pb[q]!, add(b, shl(mul(add(j, i32(q)), sb), i32(2))));
    f.for(p, k(0), p4, () => {
      const bv = Array.from({ length: J }, (_, q) => f.let(ldv(pb[q]!, p)));
      for (let r = 0; r < R; r++) {
        const av = f.let(ldv(pa[r]!, p));
        for (let q = 0; q < J; q++) f.set(accs[r]![q]!, vadd(accs[r]![q]!, vmul(av, bv[q]!)));
      }
    }, 4);
    for (let r = 0; r < R; r++) for (let q = 0; q < J; q++) f.set(tails[r]![q]!, vsum(accs[r]![q]!));
    f.for(p, p4, P, () => {
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
        f.if(acc, () => f.set(t, add(t, ldf32(pc, k(0)))));
        f.stf32(pc, k(0), t);
      }
    }
  };

  const rowBlock = (R: number) => {
    f.set(j, k(0));
    f.while(cmp("le", add(j, i32(2)), Nn), () => {
      tile(R, 2);
      f.set(j, add(j, i32(2)));
    });
    f.for(j, j, Nn, () => tile(R, 1));
  };
  f.set(i, k(0));
  f.while(cmp("le", add(i, i32(4)), M), () => {
    rowBlock(4);
    f.set(i, add(i, i32(4)));
  });
  f.for(i, i, M, () => rowBlock(1));
  return f;
}

/** indices of the kernels in a module's function space, for layer code to call */
export interface Kernels {
  gemmNN: number;
  gemmNT: number;
}
