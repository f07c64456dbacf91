// maxpool: padding never wins, ties go to the first maximum in row-major
// order (strict >), and the winner's index within its sample is kept in the
// argmax buffer for the backward pass and activationPattern (as src/emit/ops/maxpool.ts).
import type { WasmOpEmitter } from "../context.ts";
import { add, cmp, divS, f64, k, ldf, ldi, mul, or, sub } from "../fn.ts";
import { eachWindow } from "./window.ts";

export const maxpool: WasmOpEmitter<"maxpool"> = {
  forward(l) {
    const f = l.f;
    const arg = l.buffer("argmax");
    const { w } = l.input;
    const m = f.local("f64"), a = f.local("i32"), v = f.local("f64"), j = f.local("i32");
    const planeOfSample = f.local("i32");
    eachWindow(l, (win) => {
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
      f.stf(l.out, win.o, m);
      // index within the sample: a − n·C·H·W, with n = plane / C
      f.set(planeOfSample, mul(divS(win.plane, k(l.input.c)), k(l.input.size)));
      f.sti(arg, win.o, sub(a, planeOfSample));
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
