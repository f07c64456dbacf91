// maxpool: padding never wins, ties go to the first maximum in row-major
// order (strict >), and the winner's index within its sample is kept in the
// argmax buffer for the backward pass and activationPattern (as src/emit/ops/maxpool.ts).
import type { WasmLayerContext, WasmOpEmitter } from "../context.ts";
import { add, and, cmp, divS, type Ex, f64, type Fn, k, ldf, ldi, ldsplat, type Local, mul, or, promote, select, sub, vgt, vlane, vlaneI, vmax } from "../fn.ts";
import { eachWindow, type Window } from "./window.ts";

/**
 * Windows that never leave the input (no padding, no ceil overhang) and hold at most 16 cells:
 * each window's cells are straight-line loads at fixed offsets from its corner, the first
 * maximum kept by branch-free selects.
 */
function inside(l: WasmLayerContext<"maxpool">): boolean {
  const [kh, kw] = l.args.kernel;
  const [sh, sw] = l.args.stride;
  return l.args.pad.every((p) => p === 0) && (l.output.h - 1) * sh + kh <= l.input.h && (l.output.w - 1) * sw + kw <= l.input.w && kh * kw <= 16;
}

/**
 * The first maximum of the kh × kw window at element `corner` of `x` (rows W
 * apart): its value in lane 0 of `m`, its offset from the corner in `a`. Branch-free
 * (a branch per cell mispredicts on real data): f32x4.pmax keeps m unless v > m, as
 * the strict > does, NaN included, and the index follows the same comparison.
 */
function windowMax(f: Fn, x: Ex<"i32">, corner: Local<"i32">, kh: number, kw: number, W: number, m: Local<"v128">, v: Local<"v128">, a: Local<"i32">): void {
  f.set(m, ldsplat(x, corner));
  f.set(a, k(0));
  for (let r = 0; r < kh; r++) {
    for (let q = 0; q < kw; q++) {
      if (r === 0 && q === 0) continue;
      f.set(v, ldsplat(x, corner, r * W + q));
      f.set(a, select(vlaneI(vgt(v, m), 0), k(r * W + q), a));
      f.set(m, vmax(m, v));
    }
  }
}

function forwardInside(l: WasmLayerContext<"maxpool">): void {
  const f = l.f;
  const arg = l.buffer("argmax");
  const [kh, kw] = l.args.kernel;
  const [sh, sw] = l.args.stride;
  const { c: C, h: H, w: W, size } = l.input;
  const { h: OH, w: OW } = l.output;
  const m = f.local("v128"), a = f.local("i32"), v = f.local("v128"), o = f.local("i32"), corner = f.local("i32");
  f.loop(k(0), l.N, (n) => {
    f.loop(k(0), k(C), (c) => {
      const plane = f.let(add(mul(n, k(size)), mul(c, k(H * W))));
      const planeInSample = f.let(mul(c, k(H * W)));
      f.set(o, mul(add(mul(n, k(C)), c), k(OH * OW)));
      f.loop(k(0), k(OH), (y) => {
        const row = f.let(add(plane, mul(y, k(sh * W))));
        f.loop(k(0), k(OW), (x) => {
          f.set(corner, add(row, mul(x, k(sw))));
          windowMax(f, l.inp, corner, kh, kw, W, m, v, a);
          f.stf32(l.out, o, vlane(m, 0));
          // the winner's index within its sample
          f.sti(arg, o, add(sub(add(corner, a), plane), planeInSample));
          f.set(o, add(o, k(1)));
        });
      });
    });
  });
}

export const maxpool: WasmOpEmitter<"maxpool"> = {
  forward(l) {
    if (inside(l)) return forwardInside(l);
    const f = l.f;
    const arg = l.buffer("argmax");
    const { w } = l.input;
    const [kh, kw] = l.args.kernel;
    const m = f.local("f64"), a = f.local("i32"), v = f.local("f64"), j = f.local("i32");
    const planeOfSample = f.local("i32");
    const generic = (win: Window) => {
      f.set(m, f64(-Infinity));
      f.set(a, k(-1));
      f.loop(win.r0, win.r1, (r) => {
        f.loop(win.q0, win.q1, (q) => {
          f.set(j, add(win.xc, add(mul(r, k(w)), q)));
          f.set(v, ldf(l.inp, j));
          f.if(or(cmp("lt", a, k(0)), cmp("gt", v, m)), () => {
            f.set(m, v);
            f.set(a, j);
          });
        });
      });
    };
    // a window wholly inside the input (most of them when the padding is small): straight-line loads, as forwardInside
    const mv = f.local("v128"), vv = f.local("v128");
    const whole = (win: Window) => {
      f.set(j, add(win.xc, add(mul(win.ih, k(w)), win.iw)));
      windowMax(f, l.inp, j, kh, kw, w, mv, vv, a);
      f.set(a, add(j, a));
      f.set(m, promote(vlane(mv, 0)));
    };
    eachWindow(l, (win) => {
      if (kh * kw <= 16) {
        const full = and(cmp("eq", sub(win.r1, win.r0), k(kh)), cmp("eq", sub(win.q1, win.q0), k(kw)));
        f.if(full, () => whole(win), () => generic(win));
      } else generic(win);
      f.stf(l.out, win.o, m);
      f.sti(arg, win.o, sub(a, planeOfSample));
    }, (win) => {
      // the index within the sample is a − n·C·H·W, with n = plane / C
      f.set(planeOfSample, mul(divS(win.plane, k(l.input.c)), k(l.input.size)));
    });
  },
  backward(l) {
    const f = l.f;
    const arg = l.buffer("argmax");
    const { size: xs } = l.input;
    const ys = l.output.size;
    f.zero(l.dIn, k(0), mul(l.N, k(xs)));
    f.loop(k(0), l.N, (n) => {
      const xn = f.let(mul(n, k(xs)));
      const yn = f.let(mul(n, k(ys)));
      f.loop(k(0), k(ys), (jj) => {
        const o = f.let(add(yn, jj));
        const i = f.let(add(xn, ldi(arg, o)));
        f.stf(l.dIn, i, add(ldf(l.dIn, i), ldf(l.dOut, o)));
      });
    });
  },
};
