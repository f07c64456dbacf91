// clamp: min(max(x, min), max), derivative 1 strictly inside (min, max) and 0 elsewhere, at both
// kinks too, as src/emit/ops/clamp.ts. relu6 is clamp(0, 6). f32x4 where the bounds allow it (f32Exact).
import type { WasmLayerContext, WasmOpEmitter } from "../context.ts";
import { and, cmp, f32, f64, ldf, ldv, select, vand, vgt, vlt, vmax, vmin, vsplat } from "../fn.ts";
import { elementwise } from "./elementwise.ts";

/** The forward and backward of a clamp to [lo, hi]; comparisons in f64 on the f32 values, as the TypeScript target's. */
export function clampBetween<O extends "clamp" | "relu6">(bounds: (l: WasmLayerContext<O>) => [number, number]): WasmOpEmitter<O> {
  return {
    forward(l) {
      const f = l.f;
      const [lo, hi] = bounds(l);
      const simd = f32Exact(lo, hi);
      const [vlo, vhi] = simd ? [f.let(vsplat(f32(lo))), f.let(vsplat(f32(hi)))] : [];
      elementwise(
        l,
        (i) => {
          const v = f.let(ldf(l.inp, i));
          f.stf(l.out, i, select(cmp("gt", v, f64(lo)), select(cmp("lt", v, f64(hi)), v, f64(hi)), f64(lo)));
        },
        // pmax(lo, v) is `v > lo ? v : lo` (NaN giving lo), then pmin(hi, t) is `t < hi ? t : hi`
        simd ? (i) => f.stv(l.out, i, vmin(vhi!, vmax(vlo!, ldv(l.inp, i)))) : undefined,
      );
    },
    backward(l) {
      const f = l.f;
      const [lo, hi] = bounds(l);
      const simd = f32Exact(lo, hi);
      const [vlo, vhi] = simd ? [f.let(vsplat(f32(lo))), f.let(vsplat(f32(hi)))] : [];
      elementwise(
        l,
        (i) => {
          const v = f.let(ldf(l.inp, i));
          f.stf(l.dIn, i, select(and(cmp("gt", v, f64(lo)), cmp("lt", v, f64(hi))), ldf(l.dOut, i), f64(0)));
        },
        simd
          ? (i) => {
              const v = f.let(ldv(l.inp, i));
              f.stv(l.dIn, i, vand(ldv(l.dOut, i), vand(vgt(v, vlo!), vlt(v, vhi!))));
            }
          : undefined,
      );
    },
  };
}

/**
 * Whether f32x4 lanes compute exactly what the scalar loop does: bounds that are f32 values (so an f32
 * comparison equals the f64 one) and lo < hi (so pmin(hi, pmax(lo, v)) picks what the nested select picks).
 */
function f32Exact(lo: number, hi: number): boolean {
  return Math.fround(lo) === lo && Math.fround(hi) === hi && lo < hi;
}

export const clamp = clampBetween<"clamp">((l) => [l.args.min, l.args.max]);
