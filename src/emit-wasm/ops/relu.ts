// relu: max(x, 0) with derivative 0 at 0, as src/emit/ops/relu.ts; f32x4 where four values fit.
// The backward reads the output (out > 0 exactly where inp > 0), so the input need not outlive the forward pass.
import type { WasmOpEmitter } from "../context.ts";
import { cmp, f64, ldf, ldv, select, vand, vgt, vmax, vzero } from "../fn.ts";
import { elementwise } from "./elementwise.ts";

export const relu: WasmOpEmitter<"relu"> = {
  forward(l) {
    const f = l.f;
    elementwise(
      l,
      (i) => {
        const v = f.let(ldf(l.inp, i));
        f.stf(l.out, i, select(cmp("gt", v, f64(0)), v, f64(0)));
      },
      (i) => f.stv(l.out, i, vmax(vzero, ldv(l.inp, i))),
    );
  },
  backward(l) {
    const f = l.f;
    elementwise(
      l,
      (i) => f.stf(l.dIn, i, select(cmp("gt", ldf(l.out, i), f64(0)), ldf(l.dOut, i), f64(0))),
      (i) => f.stv(l.dIn, i, vand(ldv(l.dOut, i), vgt(ldv(l.out, i), vzero))),
    );
  },
};
