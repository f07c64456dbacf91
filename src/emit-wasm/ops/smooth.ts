// The smooth activations, in the TypeScript target's f64 arithmetic on f32 values and the
// host's Math functions (exp, expm1, log1p, tanh: the same calls as src/emit/ops/silu.ts,
// elu.ts, selu.ts, softplus.ts and mish.ts), so both targets compute the same numbers.
import type { WasmLayerContext, WasmOpEmitter } from "../context.ts";
import { add, cmp, div, type Ex, f64, ldf, type Local, mul, neg, sub } from "../fn.ts";
import { SELU_ALPHA, SELU_SCALE } from "../../emit/ops/selu.ts";
import { elementwise } from "./elementwise.ts";

type Smooth = "silu" | "elu" | "selu" | "softplus" | "mish";

/** Math.f(x) through the module's import */
const call = <O extends Smooth>(l: WasmLayerContext<O>, fn: "exp" | "expm1" | "log1p" | "tanh", x: Ex<"f64">) => l.f.callEx("f64", l.math[fn], [x]);
/** σ(v) = 1 / (1 + e^−v) */
const sigmoidOf = <O extends Smooth>(l: WasmLayerContext<O>, v: Ex<"f64">) => div(f64(1), add(f64(1), call(l, "exp", neg(v))));

/** out[i] (or dIn[i]) = v > 0 ? positive : negative, only the taken side computed */
function piecewise<O extends Smooth>(l: WasmLayerContext<O>, dst: Local<"i32">, i: Local<"i32">, test: Ex<"i32">, positive: () => Ex<"f64">, negative: () => Ex<"f64">): void {
  l.f.if(test, () => l.f.stf(dst, i, positive()), () => l.f.stf(dst, i, negative()));
}

export const silu: WasmOpEmitter<"silu"> = {
  forward(l) {
    const f = l.f;
    elementwise(l, (i) => {
      const v = f.let(ldf(l.inp, i));
      f.stf(l.out, i, div(v, add(f64(1), call(l, "exp", neg(v)))));
    });
  },
  backward(l) {
    const f = l.f;
    elementwise(l, (i) => {
      const v = f.let(ldf(l.inp, i));
      const s = f.let(sigmoidOf(l, v));
      f.stf(l.dIn, i, mul(mul(ldf(l.dOut, i), s), add(f64(1), mul(v, sub(f64(1), s)))));
    });
  },
};

export const elu: WasmOpEmitter<"elu"> = {
  forward(l) {
    const f = l.f;
    const alpha = f64(l.args.alpha);
    elementwise(l, (i) => {
      const v = f.let(ldf(l.inp, i));
      piecewise(l, l.out, i, cmp("gt", v, f64(0)), () => v, () => mul(alpha, call(l, "expm1", v)));
    });
  },
  backward(l) {
    const f = l.f;
    const alpha = f64(l.args.alpha);
    elementwise(l, (i) => {
      const v = f.let(ldf(l.inp, i));
      piecewise(l, l.dIn, i, cmp("gt", v, f64(0)), () => ldf(l.dOut, i), () => mul(mul(ldf(l.dOut, i), alpha), call(l, "exp", v)));
    });
  },
};

export const selu: WasmOpEmitter<"selu"> = {
  forward(l) {
    const f = l.f;
    elementwise(l, (i) => {
      const v = f.let(ldf(l.inp, i));
      piecewise(l, l.out, i, cmp("gt", v, f64(0)), () => mul(f64(SELU_SCALE), v), () => mul(f64(SELU_SCALE * SELU_ALPHA), call(l, "expm1", v)));
    });
  },
  backward(l) {
    const f = l.f;
    elementwise(l, (i) => {
      const v = f.let(ldf(l.inp, i));
      piecewise(
        l,
        l.dIn,
        i,
        cmp("gt", v, f64(0)),
        () => mul(f64(SELU_SCALE), ldf(l.dOut, i)),
        () => mul(mul(f64(SELU_SCALE * SELU_ALPHA), call(l, "exp", v)), ldf(l.dOut, i)),
      );
    });
  },
};

export const softplus: WasmOpEmitter<"softplus"> = {
  forward(l) {
    const f = l.f;
    const { beta, threshold } = l.args;
    elementwise(l, (i) => {
      const v = f.let(ldf(l.inp, i));
      const z = f.let(mul(f64(beta), v));
      piecewise(l, l.out, i, cmp("gt", z, f64(threshold)), () => v, () => div(call(l, "log1p", call(l, "exp", z)), f64(beta)));
    });
  },
  backward(l) {
    const f = l.f;
    const { beta, threshold } = l.args;
    elementwise(l, (i) => {
      const z = f.let(mul(f64(beta), ldf(l.inp, i)));
      piecewise(l, l.dIn, i, cmp("gt", z, f64(threshold)), () => ldf(l.dOut, i), () => div(ldf(l.dOut, i), add(f64(1), call(l, "exp", neg(z)))));
    });
  },
};

export const mish: WasmOpEmitter<"mish"> = {
  forward(l) {
    const f = l.f;
    elementwise(l, (i) => {
      const v = f.let(ldf(l.inp, i));
      f.stf(l.out, i, mul(v, call(l, "tanh", call(l, "log1p", call(l, "exp", v)))));
    });
  },
  backward(l) {
    const f = l.f;
    elementwise(l, (i) => {
      const v = f.let(ldf(l.inp, i));
      const t = f.let(call(l, "tanh", call(l, "log1p", call(l, "exp", v))));
      const s = f.let(sigmoidOf(l, v));
      f.stf(l.dIn, i, mul(ldf(l.dOut, i), add(t, mul(mul(v, s), sub(f64(1), mul(t, t))))));
    });
  },
};
