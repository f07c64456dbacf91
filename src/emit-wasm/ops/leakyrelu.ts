// leakyrelu: x for x > 0, alpha·x otherwise (src/emit/ops/leakyrelu.ts); the backward reads the
// output's sign (alpha ≥ 0, so out > 0 exactly where inp > 0), as the TypeScript target.
import type { WasmOpEmitter } from "../context.ts";
import { cmp, f64, ldf, mul, select } from "../fn.ts";
import { elementwise } from "./elementwise.ts";

export const leakyrelu: WasmOpEmitter<"leakyrelu"> = {
  forward(l) {
    const f = l.f;
    elementwise(l, (i) => {
      const v = f.let(ldf(l.inp, i));
      f.stf(l.out, i, select(cmp("gt", v, f64(0)), v, mul(f64(l.args.alpha), v)));
    });
  },
  backward(l) {
    const f = l.f;
    elementwise(l, (i) => {
      const d = f.let(ldf(l.dOut, i));
      f.stf(l.dIn, i, select(cmp("gt", ldf(l.out, i), f64(0)), d, mul(f64(l.args.alpha), d)));
    });
  },
};
