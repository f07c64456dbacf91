// Typed builder for wasm function bodies: expressions carry their value type
// (an i32 where an f64 is expected is a TypeScript error), statements append
// to the function's body. Only the instructions the target uses.
import { sleb, uleb, type FuncType, type ValType } from "./encoder.ts";

export interface Ex<T extends ValType> {
  readonly t: T;
  emit(out: number[]): void;
}

export class Local<T extends ValType> implements Ex<T> {
  constructor(
    readonly index: number,
    readonly t: T,
  ) {}
  emit(out: number[]): void {
    out.push(0x20);
    uleb(out, this.index);
  }
}

const ex = <T extends ValType>(t: T, emit: (out: number[]) => void): Ex<T> => ({ t, emit });
const op = (...bytes: number[]) => (out: number[]) => out.push(...bytes);
/** a 0xfd-prefixed SIMD instruction */
const simd = (code: number) => (out: number[]) => {
  out.push(0xfd);
  uleb(out, code);
};

// ---------------------------------------------------------------- constants

export const i32 = (v: number): Ex<"i32"> =>
  ex("i32", (out) => {
    out.push(0x41);
    sleb(out, v);
  });

export const f64 = (v: number): Ex<"f64"> =>
  ex("f64", (out) => {
    out.push(0x44);
    const b = new Uint8Array(new Float64Array([v]).buffer);
    out.push(...b);
  });

export const f32 = (v: number): Ex<"f32"> =>
  ex("f32", (out) => {
    out.push(0x43);
    const b = new Uint8Array(new Float32Array([v]).buffer);
    out.push(...b);
  });

// ---------------------------------------------------------------- arithmetic

type Num = "i32" | "f32" | "f64";
const BIN: Record<"add" | "sub" | "mul", Record<Num, number>> = {
  add: { i32: 0x6a, f32: 0x92, f64: 0xa0 },
  sub: { i32: 0x6b, f32: 0x93, f64: 0xa1 },
  mul: { i32: 0x6c, f32: 0x94, f64: 0xa2 },
};

function bin<T extends ValType>(a: Ex<T>, b: Ex<T>, code: (out: number[]) => void): Ex<T> {
  return ex(a.t, (out) => {
    a.emit(out);
    b.emit(out);
    code(out);
  });
}

/** i32 constants fold, so address arithmetic on literals stays short */
const konst = (e: Ex<"i32">): number | undefined => (e as { k?: number }).k;
function i32k(v: number): Ex<"i32"> {
  const e = i32(v) as Ex<"i32"> & { k: number };
  e.k = v;
  return e;
}

export function add<T extends Num>(a: Ex<T>, b: Ex<T>): Ex<T> {
  if (a.t === "i32") {
    const ka = konst(a as Ex<"i32">), kb = konst(b as Ex<"i32">);
    if (ka !== undefined && kb !== undefined) return i32k(ka + kb) as unknown as Ex<T>;
    if (kb === 0) return a;
    if (ka === 0) return b;
  }
  return bin(a, b, op(BIN.add[a.t as Num]));
}
export function sub<T extends Num>(a: Ex<T>, b: Ex<T>): Ex<T> {
  if (a.t === "i32" && konst(b as Ex<"i32">) === 0) return a;
  return bin(a, b, op(BIN.sub[a.t as Num]));
}
export function mul<T extends Num>(a: Ex<T>, b: Ex<T>): Ex<T> {
  if (a.t === "i32") {
    const ka = konst(a as Ex<"i32">), kb = konst(b as Ex<"i32">);
    if (ka !== undefined && kb !== undefined) return i32k(ka * kb) as unknown as Ex<T>;
    if (kb === 1) return a;
    if (ka === 1) return b;
    if (kb === 0 || ka === 0) return i32k(0) as unknown as Ex<T>;
  }
  return bin(a, b, op(BIN.mul[a.t as Num]));
}
/** a literal i32 that folds */
export const k = (v: number): Ex<"i32"> => i32k(v);
export const div = (a: Ex<"f64">, b: Ex<"f64">): Ex<"f64"> => bin(a, b, op(0xa3));
export const divS = (a: Ex<"i32">, b: Ex<"i32">): Ex<"i32"> => bin(a, b, op(0x6d));
export const remS = (a: Ex<"i32">, b: Ex<"i32">): Ex<"i32"> => bin(a, b, op(0x6f));
export const shl = (a: Ex<"i32">, b: Ex<"i32">): Ex<"i32"> => bin(a, b, op(0x74));
export const and = (a: Ex<"i32">, b: Ex<"i32">): Ex<"i32"> => bin(a, b, op(0x71));
export const or = (a: Ex<"i32">, b: Ex<"i32">): Ex<"i32"> => bin(a, b, op(0x72));
export const min = (a: Ex<"f64">, b: Ex<"f64">): Ex<"f64"> => bin(a, b, op(0xa4));
export const max = (a: Ex<"f64">, b: Ex<"f64">): Ex<"f64"> => bin(a, b, op(0xa5));
export const sqrt = (a: Ex<"f64">): Ex<"f64"> => ex("f64", (out) => (a.emit(out), out.push(0x9f)));
export const neg = (a: Ex<"f64">): Ex<"f64"> => ex("f64", (out) => (a.emit(out), out.push(0x9a)));
export const toF64 = (a: Ex<"i32">): Ex<"f64"> => ex("f64", (out) => (a.emit(out), out.push(0xb7)));
export const floor = (a: Ex<"f64">): Ex<"f64"> => ex("f64", (out) => (a.emit(out), out.push(0x9c)));
/** an f64 with an integral value in i32 range, as i32 (i32.trunc_f64_s) */
export const toI32 = (a: Ex<"f64">): Ex<"i32"> => ex("i32", (out) => (a.emit(out), out.push(0xaa)));
export const promote = (a: Ex<"f32">): Ex<"f64"> => ex("f64", (out) => (a.emit(out), out.push(0xbb)));
export const demote = (a: Ex<"f64">): Ex<"f32"> => ex("f32", (out) => (a.emit(out), out.push(0xb6)));

type Cmp = "lt" | "gt" | "le" | "ge" | "eq" | "ne";
const CMP: Record<Cmp, Record<"i32" | "f64", number>> = {
  eq: { i32: 0x46, f64: 0x61 },
  ne: { i32: 0x47, f64: 0x62 },
  lt: { i32: 0x48, f64: 0x63 },
  gt: { i32: 0x4a, f64: 0x64 },
  le: { i32: 0x4c, f64: 0x65 },
  ge: { i32: 0x4e, f64: 0x66 },
};
export function cmp<T extends "i32" | "f64">(c: Cmp, a: Ex<T>, b: Ex<T>): Ex<"i32"> {
  return ex("i32", (out) => {
    a.emit(out);
    b.emit(out);
    out.push(CMP[c][a.t]);
  });
}

/** `cond ? a : b`, both evaluated */
export function select<T extends ValType>(cond: Ex<"i32">, a: Ex<T>, b: Ex<T>): Ex<T> {
  return ex(a.t, (out) => {
    a.emit(out);
    b.emit(out);
    cond.emit(out);
    out.push(0x1b);
  });
}

// ---------------------------------------------------------------- memory

/** byte address of element `idx` of the f32/i32 array at `ptr`, plus a literal element offset */
function memarg(out: number[], align: number, elemOffset: number): void {
  uleb(out, align);
  uleb(out, elemOffset * 4);
}
/** byte address of f32/i32 element `idx` of the array at byte address `ptr` */
export const addr = (ptr: Ex<"i32">, idx: Ex<"i32">): Ex<"i32"> => {
  const ki = konst(idx);
  if (ki === 0) return ptr;
  return add(ptr, ki !== undefined ? i32k(ki * 4) : shl(idx, i32(2)));
};

/** f32 element `idx + off` of the array at ptr, widened to f64 */
export const ldf = (ptr: Ex<"i32">, idx: Ex<"i32">, off = 0): Ex<"f64"> =>
  ex("f64", (out) => {
    addr(ptr, idx).emit(out);
    out.push(0x2a);
    memarg(out, 2, off);
    out.push(0xbb);
  });
/** the raw f32 element */
export const ldf32 = (ptr: Ex<"i32">, idx: Ex<"i32">, off = 0): Ex<"f32"> =>
  ex("f32", (out) => {
    addr(ptr, idx).emit(out);
    out.push(0x2a);
    memarg(out, 2, off);
  });
export const ldi = (ptr: Ex<"i32">, idx: Ex<"i32">, off = 0): Ex<"i32"> =>
  ex("i32", (out) => {
    addr(ptr, idx).emit(out);
    out.push(0x28);
    memarg(out, 2, off);
  });
/** f64 element `idx` of the f64 array at ptr (8-byte elements) */
export const ldf64 = (ptr: Ex<"i32">, idx: Ex<"i32">): Ex<"f64"> =>
  ex("f64", (out) => {
    add(ptr, shl(idx, i32(3))).emit(out);
    out.push(0x2b);
    uleb(out, 3);
    uleb(out, 0);
  });
/** four f32 starting at element idx + off */
export const ldv = (ptr: Ex<"i32">, idx: Ex<"i32">, off = 0): Ex<"v128"> =>
  ex("v128", (out) => {
    addr(ptr, idx).emit(out);
    simd(0x00)(out);
    memarg(out, 2, off);
  });
/** one f32 broadcast to four lanes (v128.load32_splat) */
export const ldsplat = (ptr: Ex<"i32">, idx: Ex<"i32">, off = 0): Ex<"v128"> =>
  ex("v128", (out) => {
    addr(ptr, idx).emit(out);
    simd(0x09)(out);
    memarg(out, 2, off);
  });

// ---------------------------------------------------------------- SIMD (f32x4)

export const vadd = (a: Ex<"v128">, b: Ex<"v128">): Ex<"v128"> => bin(a, b, simd(0xe4));
export const vsub = (a: Ex<"v128">, b: Ex<"v128">): Ex<"v128"> => bin(a, b, simd(0xe5));
export const vmul = (a: Ex<"v128">, b: Ex<"v128">): Ex<"v128"> => bin(a, b, simd(0xe6));
/** f32x4.pmax: a < b ? b : a, lane-wise (so vmax(0, v) is `v > 0 ? v : 0`, NaN and −0 giving 0) */
export const vmax = (a: Ex<"v128">, b: Ex<"v128">): Ex<"v128"> => bin(a, b, simd(0xeb));
/** f32x4.pmin: b < a ? b : a, lane-wise */
export const vmin = (a: Ex<"v128">, b: Ex<"v128">): Ex<"v128"> => bin(a, b, simd(0xea));
/** lanes where a > b all ones, else zero (f32x4.gt) */
export const vgt = (a: Ex<"v128">, b: Ex<"v128">): Ex<"v128"> => bin(a, b, simd(0x44));
/** lanes where a < b all ones, else zero (f32x4.lt) */
export const vlt = (a: Ex<"v128">, b: Ex<"v128">): Ex<"v128"> => bin(a, b, simd(0x43));
export const vand = (a: Ex<"v128">, b: Ex<"v128">): Ex<"v128"> => bin(a, b, simd(0x4e));
/** f32 lanes 0 and 2 of a, then of b (i8x16.shuffle): the even elements of the eight a, b hold */
export const vevens = (a: Ex<"v128">, b: Ex<"v128">): Ex<"v128"> =>
  bin(a, b, (out) => {
    simd(0x0d)(out);
    for (const lane of [0, 2, 4, 6]) out.push(lane * 4, lane * 4 + 1, lane * 4 + 2, lane * 4 + 3);
  });
export const vsplat = (a: Ex<"f32">): Ex<"v128"> => ex("v128", (out) => (a.emit(out), simd(0x13)(out)));
export const vzero: Ex<"v128"> = ex("v128", (out) => {
  simd(0x0c)(out);
  for (let i = 0; i < 16; i++) out.push(0);
});
export const vlane = (a: Ex<"v128">, lane: number): Ex<"f32"> =>
  ex("f32", (out) => {
    a.emit(out);
    simd(0x1f)(out);
    out.push(lane);
  });
/** lane `lane` of a vector as i32 (i32x4.extract_lane): a comparison mask's lane is −1 or 0 */
export const vlaneI = (a: Ex<"v128">, lane: number): Ex<"i32"> =>
  ex("i32", (out) => {
    a.emit(out);
    simd(0x1b)(out);
    out.push(lane);
  });
/** the sum of a vector's four lanes, as f32 (lane order 0 + 1 + 2 + 3) */
export const vsum = (a: Local<"v128">): Ex<"f32"> =>
  bin(bin(bin(vlane(a, 0), vlane(a, 1), op(0x92)), vlane(a, 2), op(0x92)), vlane(a, 3), op(0x92));

// ---------------------------------------------------------------- SIMD (f64x2)

/** two f32 elements from idx + off, widened to an f64x2 (v128.load64_zero, f64x2.promote_low_f32x4) */
export const ldf2 = (ptr: Ex<"i32">, idx: Ex<"i32">, off = 0): Ex<"v128"> =>
  ex("v128", (out) => {
    addr(ptr, idx).emit(out);
    simd(0x5d)(out);
    memarg(out, 2, off);
    simd(0x5f)(out);
  });
export const dadd = (a: Ex<"v128">, b: Ex<"v128">): Ex<"v128"> => bin(a, b, simd(0xf0));
export const dsub = (a: Ex<"v128">, b: Ex<"v128">): Ex<"v128"> => bin(a, b, simd(0xf1));
export const dmul = (a: Ex<"v128">, b: Ex<"v128">): Ex<"v128"> => bin(a, b, simd(0xf2));
export const dsplat = (a: Ex<"f64">): Ex<"v128"> => ex("v128", (out) => (a.emit(out), simd(0x14)(out)));
export const dlane = (a: Ex<"v128">, lane: number): Ex<"f64"> =>
  ex("f64", (out) => {
    a.emit(out);
    simd(0x21)(out);
    out.push(lane);
  });

// ---------------------------------------------------------------- functions

/**
 * Copies and fills of at most this many f32 elements, counted by a literal, are unrolled into
 * loads and stores: memory.copy and memory.fill cost a call each, which dominated building the
 * im2col rows of 7- to 28-wide images.
 */
const SHORT = 64;

export class Fn {
  readonly params: Local<ValType>[] = [];
  readonly locals: ValType[] = [];
  readonly body: number[] = [];
  private readonly results: ValType[] = [];

  constructor(
    readonly name: string,
    readonly exported: boolean,
  ) {}

  param<T extends ValType>(t: T): Local<T> {
    if (this.locals.length > 0) throw new Error("internal: wasm params after locals");
    const l = new Local(this.params.length, t);
    this.params.push(l);
    return l;
  }

  local<T extends ValType>(t: T): Local<T> {
    this.locals.push(t);
    return new Local(this.params.length + this.locals.length - 1, t);
  }

  /** the function returns the value left on the stack at the end of its body */
  returns(t: ValType): void {
    this.results.push(t);
  }

  /** appends an expression whose value is the function's result */
  result(e: Ex<ValType>): void {
    e.emit(this.body);
  }

  get type(): FuncType {
    return { params: this.params.map((p) => p.t), results: this.results };
  }

  // statements
  set<T extends ValType>(l: Local<T>, e: Ex<T>): void {
    e.emit(this.body);
    this.body.push(0x21);
    uleb(this.body, l.index);
  }
  /** f64 value stored as f32 element idx + off of ptr */
  stf(ptr: Ex<"i32">, idx: Ex<"i32">, v: Ex<"f64">, off = 0): void {
    this.stf32(ptr, idx, demote(v), off);
  }
  stf32(ptr: Ex<"i32">, idx: Ex<"i32">, v: Ex<"f32">, off = 0): void {
    addr(ptr, idx).emit(this.body);
    v.emit(this.body);
    this.body.push(0x38);
    memarg(this.body, 2, off);
  }
  sti(ptr: Ex<"i32">, idx: Ex<"i32">, v: Ex<"i32">, off = 0): void {
    addr(ptr, idx).emit(this.body);
    v.emit(this.body);
    this.body.push(0x36);
    memarg(this.body, 2, off);
  }
  stv(ptr: Ex<"i32">, idx: Ex<"i32">, v: Ex<"v128">, off = 0): void {
    addr(ptr, idx).emit(this.body);
    v.emit(this.body);
    simd(0x0b)(this.body);
    memarg(this.body, 2, off);
  }
  /** an f64x2 stored as two f32 elements from idx + off (f32x4.demote_f64x2_zero, v128.store64_lane 0) */
  stf2(ptr: Ex<"i32">, idx: Ex<"i32">, v: Ex<"v128">, off = 0): void {
    addr(ptr, idx).emit(this.body);
    v.emit(this.body);
    simd(0x5e)(this.body);
    simd(0x5b)(this.body);
    memarg(this.body, 2, off);
    this.body.push(0);
  }
  /** count f32 elements from idx set to zero (memory.fill; stores when count is a short literal) */
  zero(ptr: Ex<"i32">, idx: Ex<"i32">, count: Ex<"i32">): void {
    const n = konst(count);
    if (n !== undefined && n <= SHORT) {
      const d = n > 1 ? this.let(addr(ptr, idx)) : addr(ptr, idx);
      this.short(n, (i) => this.stv(d, k(0), vzero, i), (i) => this.stf32(d, k(0), f32(0), i));
      return;
    }
    addr(ptr, idx).emit(this.body);
    i32(0).emit(this.body);
    shl(count, i32(2)).emit(this.body);
    this.body.push(0xfc, 0x0b, 0x00);
  }
  /** count f32 elements copied between regions that do not overlap (memory.copy; loads and stores when count is a short literal) */
  copy(dst: Ex<"i32">, src: Ex<"i32">, count: Ex<"i32">): void {
    const n = konst(count);
    if (n !== undefined && n <= SHORT) {
      const d = n > 1 ? this.let(dst) : dst, s = n > 1 ? this.let(src) : src;
      this.short(n, (i) => this.stv(d, k(0), ldv(s, k(0), i), i), (i) => this.stf32(d, k(0), ldf32(s, k(0), i), i));
      return;
    }
    dst.emit(this.body);
    src.emit(this.body);
    shl(count, i32(2)).emit(this.body);
    this.body.push(0xfc, 0x0a, 0x00, 0x00);
  }
  /**
   * dst[j] = src[j·stride] for j < count (a literal), dst and src byte addresses held in locals. Stride 2
   * takes four at a time from the even elements of eight, while the eighth is still one it reads.
   */
  gather(dst: Local<"i32">, src: Local<"i32">, count: number, stride: number): void {
    const fours = stride === 2 ? Math.floor((count - 1) / 4) * 4 : 0;
    if (fours > 0) this.loop(k(0), k(fours), (j) => this.stv(dst, j, vevens(ldv(src, mul(j, k(2))), ldv(src, mul(j, k(2)), 4))), 4);
    this.loop(k(fours), k(count), (j) => this.stf32(dst, j, ldf32(src, mul(j, k(stride)))));
  }
  /** n elements unrolled: four(i) for each whole group of four from element i, one(i) for the rest */
  private short(n: number, four: (i: number) => void, one: (i: number) => void): void {
    let i = 0;
    for (; i + 4 <= n; i += 4) four(i);
    for (; i < n; i++) one(i);
  }
  call(fn: number, args: Ex<ValType>[]): void {
    for (const a of args) a.emit(this.body);
    this.body.push(0x10);
    uleb(this.body, fn);
  }
  /** a call returning one value, as an expression */
  callEx<T extends ValType>(t: T, fn: number, args: Ex<ValType>[]): Ex<T> {
    return ex(t, (out) => {
      for (const a of args) a.emit(out);
      out.push(0x10);
      uleb(out, fn);
    });
  }

  /** for (v = from; v < to; v += step) body — `to` evaluated every iteration */
  for(v: Local<"i32">, from: Ex<"i32">, to: Ex<"i32">, body: () => void, step = 1): void {
    this.set(v, from);
    this.body.push(0x02, 0x40, 0x03, 0x40);
    cmp("ge", v, to).emit(this.body);
    this.body.push(0x0d, 0x01);
    body();
    this.set(v, add(v, i32(step)));
    this.body.push(0x0c, 0x00, 0x0b, 0x0b);
  }

  /** while (cond) body */
  while(cond: Ex<"i32">, body: () => void): void {
    this.body.push(0x02, 0x40, 0x03, 0x40);
    cond.emit(this.body);
    this.body.push(0x45, 0x0d, 0x01);
    body();
    this.body.push(0x0c, 0x00, 0x0b, 0x0b);
  }

  /** a fresh i32 counter for one loop */
  loop(from: Ex<"i32">, to: Ex<"i32">, body: (v: Local<"i32">) => void, step = 1): void {
    const v = this.local("i32");
    this.for(v, from, to, () => body(v), step);
  }

  if(cond: Ex<"i32">, then: () => void, otherwise?: () => void): void {
    cond.emit(this.body);
    this.body.push(0x04, 0x40);
    then();
    if (otherwise !== undefined) {
      this.body.push(0x05);
      otherwise();
    }
    this.body.push(0x0b);
  }

  /** a local holding `e` (evaluated once) */
  let<T extends ValType>(e: Ex<T>): Local<T> {
    const l = this.local(e.t);
    this.set(l, e);
    return l;
  }
}
