// Shared loops for elementwise layers over the N × size values of a batch:
// an optional f32x4 body over groups of four, then the scalar body (f64
// arithmetic on f32 values, as the TypeScript target computes) for the rest.
import { and, type Ex, i32, k, type Local, mul } from "../fn.ts";
import type { OpName } from "../../ir.ts";
import type { WasmLayerContext } from "../context.ts";

export function elementwise<O extends OpName>(
  l: WasmLayerContext<O>,
  scalar: (i: Local<"i32">) => void,
  vector?: (i: Local<"i32">) => void,
): void {
  const f = l.f;
  const total = f.let(mul(l.N, k(l.input.size)));
  const i = f.local("i32");
  f.set(i, k(0));
  if (vector !== undefined) {
    const whole: Ex<"i32"> = f.let(and(total, i32(~3)));
    f.for(i, i, whole, () => vector(i), 4);
  }
  f.for(i, i, total, () => scalar(i));
}
