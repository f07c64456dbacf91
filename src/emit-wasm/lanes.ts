// Arithmetic on f32 arrays written once for one value at a time (f64) and for
// several: two in f64x2 lanes, the same operations in the same order on each
// value, so a loop over pairs with a scalar tail computes per element exactly
// what the scalar loop does, at twice the width (only reductions change their
// order: partial sums in several accumulators, added at the end); or four in f32x4 lanes, each
// operation rounded to f32, for elementwise passes where that is accurate enough.
import { add, dadd, dlane, dmul, dsplat, dsub, demote, type Ex, f64, type Fn, k, ldf, ldf2, ldv, Local, mul, sub, vadd, vmul, vsplat, vsub, vzero } from "./fn.ts";

export interface Lanes<T extends "f64" | "v128"> {
  /** values per step */
  readonly width: 1 | 2 | 4;
  /** f32 elements idx … (widened to f64 but in f32x4 lanes) */
  ld(ptr: Ex<"i32">, idx: Ex<"i32">): Ex<T>;
  /** stored at idx …, rounded to f32 */
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

/** four f32 lanes: each operation rounded to f32 (an f64 operand is rounded to f32 first) */
export const four = (f: Fn): Lanes<"v128"> => ({
  width: 4,
  ld: ldv,
  st: (ptr, idx, v) => f.stv(ptr, idx, v),
  add: vadd,
  sub: vsub,
  mul: vmul,
  of: (x) => vsplat(demote(x)),
});

type Body = <T extends "f64" | "v128">(v: Lanes<T>, j: Ex<"i32">) => void;

/**
 * body(j) for j = from + [0, count): on `wide` lanes (two(f) or four(f)) while they fill, then one value
 * at a time. The f64 locals in `hoist` are spread across lanes once, before the loop, for body's `of`.
 * `unroll` copies of body per step of the main loop (for sums: see Sums.add).
 */
export function inLanes(f: Fn, wide: Lanes<"v128">, from: Ex<"i32">, count: number, body: Body, hoist: Local<"f64">[] = [], unroll = 1): void {
  const w = wide.width, step = w * unroll;
  const whole = count - (count % w), unrolled = count - (count % step);
  if (whole > 0) {
    const spread = new Map(hoist.map((x) => [x.index, f.let(wide.of(x))]));
    const lanes: Lanes<"v128"> = { ...wide, of: (x) => (x instanceof Local ? spread.get(x.index) : undefined) ?? wide.of(x) };
    if (unrolled > 0) {
      f.loop(k(0), k(unrolled), (j) => {
        for (let u = 0; u < unroll; u++) body(lanes, add(from, add(j, k(u * w))));
      }, step);
    }
    if (whole > unrolled) f.loop(k(unrolled), k(whole), (j) => body(lanes, add(from, j)), w);
  }
  if (whole === count) return;
  const rest = count - whole, v = one(f);
  if (rest === 1) body(v, add(from, k(whole)));
  else f.loop(k(whole), k(count), (j) => body(v, add(from, j)));
}

/** f64x2 accumulators per sum: a chain of f64 adds waits about three cycles for each result */
export const ACCS = 4;

/**
 * Running sums kept per width: ACCS f64x2 accumulators and an f64 each, totalled at the end. Each add
 * on pairs goes to the next accumulator in turn, so the unrolled copies of a loop body (inLanes with
 * unroll = ACCS) add into different ones and do not wait on each other.
 */
export class Sums {
  private readonly wide: Local<"v128">[][];
  private readonly narrow: Local<"f64">[];
  private readonly turn: number[];
  constructor(
    private readonly f: Fn,
    n: number,
  ) {
    this.wide = Array.from({ length: n }, () => Array.from({ length: ACCS }, () => f.local("v128")));
    this.narrow = Array.from({ length: n }, () => f.local("f64"));
    this.turn = Array.from({ length: n }, () => 0);
  }
  /** every sum back to zero */
  clear(): void {
    for (const w of this.wide.flat()) this.f.set(w, vzero);
    for (const s of this.narrow) this.f.set(s, f64(0));
  }
  /** sum i += e */
  add<T extends "f64" | "v128">(v: Lanes<T>, i: number, e: Ex<T>): void {
    if (v.width === 4) throw new Error("internal: sums are kept in f64 (one or two lanes)");
    const acc = (v.width === 2 ? this.wide[i]![this.turn[i]!++ % ACCS] : this.narrow[i]) as Local<T>;
    this.f.set(acc, v.add(acc, e));
  }
  /** sum i over every accumulator */
  total(i: number): Ex<"f64"> {
    const w = this.wide[i]!;
    let v: Ex<"v128"> = w[0]!;
    for (let a = 1; a < ACCS; a++) v = dadd(v, w[a]!);
    const t = this.f.let(v);
    return add(add(dlane(t, 0), dlane(t, 1)), this.narrow[i]!);
  }
}
