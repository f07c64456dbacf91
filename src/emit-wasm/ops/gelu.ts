// gelu: x·Φ(x) (PyTorch's exact GELU) or, with approximate=tanh, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))),
// with the derivatives and the erf of src/emit/ops/gelu.ts (docs/language.md#gelu): the positive series
// below |z| = 2.5, erfc's continued fraction beyond, e^(−z²) split so its rounding does not reach the
// exponential; here in wasm f64 instructions and the host's Math.exp and Math.tanh, in the same order of
// operations, so both targets compute the same numbers. Φ is emitted once into each layer function.
import type { WasmLayerContext, WasmOpEmitter } from "../context.ts";
import { add, cmp, demote, div, type Ex, f64, k, ldf, type Local, mul, neg, promote, sub, toF64 } from "../fn.ts";
import { elementwise } from "./elementwise.ts";

type Gelu = WasmLayerContext<"gelu">;

const SQRT1_2 = Math.SQRT1_2;
/** √(2/π) and 1/√(2π) */
const K = 0.7978845608028654;
const INV_SQRT_2PI = 0.3989422804014327;

const exp = (l: Gelu, x: Ex<"f64">) => l.f.callEx("f64", l.math.exp, [x]);

/** e^(−z²) with h = z rounded to f32, so h² is exact: e^(−h²)·e^(−(z − h)(z + h)) */
function expNegSq(l: Gelu, z: Local<"f64">): Ex<"f64"> {
  const h = l.f.let(promote(demote(z)));
  return mul(exp(l, neg(mul(h, h))), exp(l, neg(mul(sub(z, h), add(z, h)))));
}

/** r = erfc(z) for z ≥ 1.5: the continued fraction from its last term up (40 terms from 2.5, else 90) */
function erfcTail(l: Gelu, z: Local<"f64">, r: Local<"f64">): void {
  const f = l.f;
  const n = f.local("i32");
  f.set(r, z);
  f.set(n, k(90));
  f.if(cmp("ge", z, f64(2.5)), () => f.set(n, k(40)));
  f.while(cmp("ge", n, k(1)), () => {
    f.set(r, add(z, div(div(toF64(n), f64(2)), r)));
    f.set(n, sub(n, k(1)));
  });
  f.set(r, div(mul(expNegSq(l, z), f64(0.5641895835477563)), r));
}

/** r = erf(z) for 0 ≤ z < 2.5: the series of positive terms, until a term is below 1e-17 of the sum */
function erfSeries(l: Gelu, z: Local<"f64">, r: Local<"f64">): void {
  const f = l.f;
  const z2 = f.let(mul(mul(f64(2), z), z));
  const t = f.let(z), n = f.local("i32");
  f.set(r, z);
  f.set(n, k(1));
  f.while(cmp("gt", t, mul(f64(1e-17), r)), () => {
    f.set(t, mul(t, div(z2, add(mul(f64(2), toF64(n)), f64(1)))));
    f.set(r, add(r, t));
    f.set(n, add(n, k(1)));
  });
  f.set(r, mul(mul(f64(1.1283791670955126), expNegSq(l, z)), r));
}

/** r = Φ(x); the left tail by erfc directly, so it keeps its relative precision */
function phi(l: Gelu, x: Local<"f64">, r: Local<"f64">): void {
  const f = l.f;
  const z = f.let(mul(x, f64(SQRT1_2)));
  const a = f.local("f64"), e = f.local("f64");
  f.if(
    cmp("le", z, f64(-1.5)),
    () => {
      f.set(a, neg(z));
      erfcTail(l, a, e);
      f.set(r, mul(f64(0.5), e));
    },
    () =>
      f.if(
        cmp("ge", z, f64(2.5)),
        () => {
          erfcTail(l, z, e);
          f.set(r, sub(f64(1), mul(f64(0.5), e)));
        },
        () =>
          f.if(
            cmp("ge", z, f64(0)),
            () => {
              erfSeries(l, z, e);
              f.set(r, add(f64(0.5), mul(f64(0.5), e)));
            },
            () => {
              f.set(a, neg(z));
              erfSeries(l, a, e);
              f.set(r, sub(f64(0.5), mul(f64(0.5), e)));
            },
          ),
      ),
  );
}

/** tanh(√(2/π)·(v + 0.044715·v³)) */
const tanhArg = (l: Gelu, v: Local<"f64">) =>
  l.f.callEx("f64", l.math.tanh, [mul(f64(K), add(v, mul(mul(mul(f64(0.044715), v), v), v)))]);

export const gelu: WasmOpEmitter<"gelu"> = {
  forward(l) {
    const f = l.f;
    const p = f.local("f64");
    elementwise(l, (i) => {
      const v = f.let(ldf(l.inp, i));
      if (l.args.approximate === "tanh") {
        f.stf(l.out, i, mul(mul(f64(0.5), v), add(f64(1), tanhArg(l, v))));
      } else {
        phi(l, v, p);
        f.stf(l.out, i, mul(v, p));
      }
    });
  },
  backward(l) {
    const f = l.f;
    const p = f.local("f64");
    elementwise(l, (i) => {
      const v = f.let(ldf(l.inp, i));
      if (l.args.approximate === "tanh") {
        const t = f.let(tanhArg(l, v));
        const slope = mul(mul(mul(mul(f64(0.5), v), sub(f64(1), mul(t, t))), f64(K)), add(f64(1), mul(mul(f64(0.134145), v), v)));
        f.stf(l.dIn, i, mul(ldf(l.dOut, i), add(mul(f64(0.5), add(f64(1), t)), slope)));
      } else {
        phi(l, v, p);
        const z = f.let(mul(v, f64(SQRT1_2)));
        f.stf(l.dIn, i, mul(ldf(l.dOut, i), add(p, mul(mul(v, f64(INV_SQRT_2PI)), expNegSq(l, z)))));
      }
    });
  },
};
