// hardsigmoid: min(max(x + 3, 0), 6) / 6, derivative 1/6 strictly inside (−3, 3), else 0; the
// same f64 arithmetic on the f32 values as src/emit/ops/hardsigmoid.ts. hardswish shares relu6Of.
import type { WasmOpEmitter } from "../context.ts";
import { add, and, cmp, div, type Ex, f64, ldf, select } from "../fn.ts";
import { elementwise } from "./elementwise.ts";

/** min(max(t, 0), 6), t evaluated once by the caller (a local). */
export const relu6Of = (t: Ex<"f64">): Ex<"f64"> => select(cmp("gt", t, f64(0)), select(cmp("lt", t, f64(6)), t, f64(6)), f64(0));

export const hardsigmoid: WasmOpEmitter<"hardsigmoid"> = {
  forward(l) {
    const f = l.f;
    elementwise(l, (i) => {
      const t = f.let(add(ldf(l.inp, i), f64(3)));
      f.stf(l.out, i, div(relu6Of(t), f64(6)));
    });
  },
  backward(l) {
    const f = l.f;
    elementwise(l, (i) => {
      const v = f.let(ldf(l.inp, i));
      f.stf(l.dIn, i, select(and(cmp("gt", v, f64(-3)), cmp("lt", v, f64(3))), div(ldf(l.dOut, i), f64(6)), f64(0)));
    });
  },
};
