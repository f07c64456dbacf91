// clamp: min(max(x, min), max), derivative 1 strictly inside (min, max) and 0 elsewhere, at both
// kinks too, as src/emit/ops/clamp.ts. relu6 is clamp(0, 6).
import type { WasmLayerContext, WasmOpEmitter } from "../context.ts";
import { and, cmp, f64, ldf, select } from "../fn.ts";
import { elementwise } from "./elementwise.ts";

/** The forward and backward of a clamp to [lo, hi]; comparisons in f64 on the f32 values, as the TypeScript target's. */
export function clampBetween<O extends "clamp" | "relu6">(bounds: (l: WasmLayerContext<O>) => [number, number]): WasmOpEmitter<O> {
  return {
    forward(l) {
      const f = l.f;
      const [lo, hi] = bounds(l);
      elementwise(l, (i) => {
        const v = f.let(ldf(l.inp, i));
        f.stf(l.out, i, select(cmp("gt", v, f64(lo)), select(cmp("lt", v, f64(hi)), v, f64(hi)), f64(lo)));
      });
    },
    backward(l) {
      const f = l.f;
      const [lo, hi] = bounds(l);
      elementwise(l, (i) => {
        const v = f.let(ldf(l.inp, i));
        f.stf(l.dIn, i, select(and(cmp("gt", v, f64(lo)), cmp("lt", v, f64(hi))), ldf(l.dOut, i), f64(0)));
      });
    },
  };
}

export const clamp = clampBetween<"clamp">((l) => [l.args.min, l.args.max]);
