// tanh with the host's Math.tanh (as the TypeScript target); derivative 1 − y².
import type { WasmOpEmitter } from "../context.ts";
import { f64, ldf, mul, sub } from "../fn.ts";
import { elementwise } from "./elementwise.ts";

export const tanh: WasmOpEmitter<"tanh"> = {
  forward(l) {
    const f = l.f;
    elementwise(l, (i) => f.stf(l.out, i, f.callEx("f64", l.math.tanh, [ldf(l.inp, i)])));
  },
  backward(l) {
    const f = l.f;
    elementwise(l, (i) => {
      const y = f.let(ldf(l.out, i));
      f.stf(l.dIn, i, mul(ldf(l.dOut, i), sub(f64(1), mul(y, y))));
    });
  },
};
