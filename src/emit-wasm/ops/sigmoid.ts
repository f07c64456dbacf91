// sigmoid: 1 / (1 + e^−x) with the host's Math.exp (as the TypeScript target); derivative y·(1 − y).
import type { WasmOpEmitter } from "../context.ts";
import { add, div, f64, ldf, mul, neg, sub } from "../fn.ts";
import { elementwise } from "./elementwise.ts";

export const sigmoid: WasmOpEmitter<"sigmoid"> = {
  forward(l) {
    const f = l.f;
    elementwise(l, (i) => f.stf(l.out, i, div(f64(1), add(f64(1), f.callEx("f64", l.math.exp, [neg(ldf(l.inp, i))])))));
  },
  backward(l) {
    const f = l.f;
    elementwise(l, (i) => {
      const y = f.let(ldf(l.out, i));
      f.stf(l.dIn, i, mul(mul(ldf(l.dOut, i), y), sub(f64(1), y)));
    });
  },
};
