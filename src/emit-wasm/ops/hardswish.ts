// hardswish: x · min(max(x + 3, 0), 6) / 6; derivative 0 below −3, x/3 + 1/2 on [−3, 3], 1 above
// (PyTorch), in the same f64 arithmetic on the f32 values as src/emit/ops/hardswish.ts.
import type { WasmOpEmitter } from "../context.ts";
import { add, cmp, div, f64, ldf, mul, select } from "../fn.ts";
import { elementwise } from "./elementwise.ts";
import { relu6Of } from "./hardsigmoid.ts";

export const hardswish: WasmOpEmitter<"hardswish"> = {
  forward(l) {
    const f = l.f;
    elementwise(l, (i) => {
      const v = f.let(ldf(l.inp, i));
      const t = f.let(add(v, f64(3)));
      f.stf(l.out, i, div(mul(v, relu6Of(t)), f64(6)));
    });
  },
  backward(l) {
    const f = l.f;
    elementwise(l, (i) => {
      const v = f.let(ldf(l.inp, i));
      const d = f.let(ldf(l.dOut, i));
      const middle = mul(d, add(div(v, f64(3)), f64(0.5)));
      f.stf(l.dIn, i, select(cmp("lt", v, f64(-3)), f64(0), select(cmp("le", v, f64(3)), middle, d)));
    });
  },
};
