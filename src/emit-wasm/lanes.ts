// f64 arithmetic on f32 arrays written once for one value at a time (f64) and
// two (f64x2): the same operations in the same order on each value, so a loop
// over pairs with a scalar tail computes per element exactly what the scalar
// loop does, at twice the width. Only reductions change their order (two
// partial sums, added at the end).
import { add, dadd, dlane, dmul, dsplat, dsub, type Ex, f64, type Fn, k, ldf, ldf2, type Local, mul, sub, vzero } from "./fn.ts";

export interface Lanes<T extends "f64" | "v128"> {
  /** values per step */
  readonly width: 1 | 2;
  /** f32 elements idx … widened to f64 */
  ld(ptr: Ex<"i32">, idx: Ex<"i32">): Ex<T>;
  /** rounded to f32 and stored at idx … */
  st(ptr: Ex<"i32">, idx: Ex<"i32">, v: Ex<T>): void;
  add(a: Ex<T>, b: Ex<T>): Ex<T>;
  sub(a: Ex<T>, b: Ex<T>): Ex<T>;
  mul(a: Ex<T>, b: Ex<T>): Ex<T>;
  /** an f64 in every lane; hoisted into a local by the caller where it repeats */
  of(x: Ex<"f64">): Ex<T>;
}

export const one = (f: Fn): Lanes<"f64"> => ({
  width: 1,
  ld: ldf,
  st: (ptr, idx, v) => f.stf(ptr, idx, v),
  add,
  sub,
  mul,
  of: (x) => x,
});

export const two = (f: Fn): Lanes<"v128"> => ({
  width: 2,
  ld: ldf2,
  st: (ptr, idx, v) => f.stf2(ptr, idx, v),
  add: dadd,
  sub: dsub,
  mul: dmul,
  of: dsplat,
});

type Body = <T extends "f64" | "v128">(v: Lanes<T>, j: Ex<"i32">) => void;

/** body(j) for j = from + [0, count): on pairs while two values are left, then on the last one */
export function pairs(f: Fn, from: Ex<"i32">, count: number, body: Body): void {
  const whole = count - (count % 2);
  if (whole > 0) {
    const v = two(f);
    f.loop(k(0), k(whole), (j) => body(v, add(from, j)), 2);
  }
  if (whole < count) body(one(f), add(from, k(whole)));
}

/** Running sums kept per width (an f64x2 and an f64 each), totalled lane by lane at the end. */
export class Sums {
  private readonly wide: Local<"v128">[];
  private readonly narrow: Local<"f64">[];
  constructor(
    private readonly f: Fn,
    n: number,
  ) {
    this.wide = Array.from({ length: n }, () => f.local("v128"));
    this.narrow = Array.from({ length: n }, () => f.local("f64"));
  }
  /** every sum back to zero */
  clear(): void {
    for (const w of this.wide) this.f.set(w, vzero);
    for (const s of this.narrow) this.f.set(s, f64(0));
  }
  /** sum i += e */
  add<T extends "f64" | "v128">(v: Lanes<T>, i: number, e: Ex<T>): void {
    const acc = (v.width === 2 ? this.wide[i] : this.narrow[i]) as Local<T>;
    this.f.set(acc, v.add(acc, e));
  }
  /** sum i over both widths */
  total(i: number): Ex<"f64"> {
    return add(add(dlane(this.wide[i]!, 0), dlane(this.wide[i]!, 1)), this.narrow[i]!);
  }
}
