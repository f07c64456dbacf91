// dropout: the mask (0 or 1/(1 − p)) is drawn by the generated TypeScript
// from the workspace's generator before the pass, in layer order, exactly as
// the TypeScript target draws it (src/emit/ops/dropout.ts); here it is applied.
import type { WasmOpEmitter } from "../context.ts";
import { k, ldf, mul } from "../fn.ts";
import { elementwise } from "./elementwise.ts";

export const dropout: WasmOpEmitter<"dropout"> = {
  forward(l) {
    const f = l.f;
    const mask = l.buffer("mask");
    f.if(
      l.train,
      () => elementwise(l, (i) => f.stf(l.out, i, mul(ldf(l.inp, i), ldf(mask, i)))),
      () => f.copy(l.out, l.inp, mul(l.N, k(l.input.size))),
    );
  },
  backward(l) {
    const f = l.f;
    const mask = l.buffer("mask");
    elementwise(l, (i) => f.stf(l.dIn, i, mul(ldf(l.dOut, i), ldf(mask, i))));
  },
};
