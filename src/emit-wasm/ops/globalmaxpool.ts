// globalmaxpool: each channel plane's maximum, ties to the first in row-major order (strict >),
// the winner's index within its sample kept for the backward pass and activationPattern
// (src/emit/ops/globalmaxpool.ts).
import type { WasmOpEmitter } from "../context.ts";
import { add, cmp, k, ldf, ldi, mul, sub } from "../fn.ts";

export const globalmaxpool: WasmOpEmitter<"globalmaxpool"> = {
  forward(l) {
    const f = l.f;
    const arg = l.buffer("argmax");
    const hw = l.input.h * l.input.w;
    const m = f.local("f64"), a = f.local("i32"), v = f.local("f64");
    f.loop(k(0), l.N, (n) => {
      const xn = f.let(mul(n, k(l.input.size)));
      f.loop(k(0), k(l.input.c), (c) => {
        const xc = f.let(add(xn, mul(c, k(hw))));
        f.set(m, ldf(l.inp, xc));
        f.set(a, xc);
        f.loop(add(xc, k(1)), add(xc, k(hw)), (j) => {
          f.set(v, ldf(l.inp, j));
          f.if(cmp("gt", v, m), () => {
            f.set(m, v);
            f.set(a, j);
          });
        });
        const o = f.let(add(mul(n, k(l.output.size)), c));
        f.stf(l.out, o, m);
        f.sti(arg, o, sub(a, xn));
      });
    });
  },
  backward(l) {
    const f = l.f;
    const arg = l.buffer("argmax");
    f.zero(l.dIn, k(0), mul(l.N, k(l.input.size)));
    f.loop(k(0), l.N, (n) => {
      const xn = f.let(mul(n, k(l.input.size)));
      const yn = f.let(mul(n, k(l.output.size)));
      f.loop(k(0), k(l.output.size), (c) => {
        const o = f.let(add(yn, c));
        f.stf(l.dIn, add(xn, ldi(arg, o)), ldf(l.dOut, o));
      });
    });
  },
};
