// globalavgpool: each channel plane's mean; the gradient spreads dOut / (H·W) over the plane.
import type { WasmOpEmitter } from "../context.ts";
import { add, div, f64, k, ldf, mul } from "../fn.ts";

export const globalavgpool: WasmOpEmitter<"globalavgpool"> = {
  forward(l) {
    const f = l.f;
    const hw = l.input.h * l.input.w;
    const acc = f.local("f64");
    f.loop(k(0), mul(l.N, k(l.input.c)), (plane) => {
      const base = f.let(mul(plane, k(hw)));
      f.set(acc, f64(0));
      f.loop(k(0), k(hw), (j) => f.set(acc, add(acc, ldf(l.inp, add(base, j)))));
      f.stf(l.out, plane, div(acc, f64(hw)));
    });
  },
  backward(l) {
    const f = l.f;
    const hw = l.input.h * l.input.w;
    f.loop(k(0), mul(l.N, k(l.input.c)), (plane) => {
      const base = f.let(mul(plane, k(hw)));
      const d = f.let(div(ldf(l.dOut, plane), f64(hw)));
      f.loop(k(0), k(hw), (j) => f.stf(l.dIn, add(base, j), d));
    });
  },
};
