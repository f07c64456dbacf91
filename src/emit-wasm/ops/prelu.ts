// prelu: x where x > 0, else a·x with a = weight[0] (one shared slope) or weight[c] (src/emit/ops/prelu.ts).
// The forward records the input's sign in the `positive` buffer (the gradient check's pattern); the backward
// reads the input: dx = dy or a·dy, da = the f64 sum of x·dy over the x ≤ 0.
import type { WasmLayerContext, WasmOpEmitter } from "../context.ts";
import { add, cmp, f64, k, ldf, type Local, mul, select } from "../fn.ts";

/** body(o, a, c) per sample and channel: the plane's first element, its slope (f64) and its slope's index */
function eachPlane(l: WasmLayerContext<"prelu">, body: (o: Local<"i32">, a: Local<"f64">, slope: Local<"i32">) => void): void {
  const f = l.f;
  const hw = l.input.h * l.input.w;
  const weight = l.param("weight");
  f.loop(k(0), l.N, (n) => {
    f.loop(k(0), k(l.input.c), (c) => {
      const slope = l.args.num_parameters === 1 ? f.let(k(0)) : c;
      body(f.let(add(mul(n, k(l.input.size)), mul(c, k(hw)))), f.let(ldf(weight, slope)), slope);
    });
  });
}

export const prelu: WasmOpEmitter<"prelu"> = {
  forward(l) {
    const f = l.f;
    const hw = l.input.h * l.input.w;
    const positive = l.buffer("positive");
    eachPlane(l, (o, a) => {
      f.loop(o, add(o, k(hw)), (i) => {
        const v = f.let(ldf(l.inp, i));
        const pos = f.let(cmp("gt", v, f64(0)));
        f.stf(l.out, i, select(pos, v, mul(a, v)));
        f.sti(positive, i, pos);
      });
    });
  },
  backward(l) {
    const f = l.f;
    const hw = l.input.h * l.input.w;
    const gweight = l.grad("weight");
    const acc = f.local("f64");
    f.zero(gweight, k(0), k(l.args.num_parameters));
    eachPlane(l, (o, a, slope) => {
      f.set(acc, f64(0));
      f.loop(o, add(o, k(hw)), (i) => {
        const v = f.let(ldf(l.inp, i));
        const d = f.let(ldf(l.dOut, i));
        f.if(
          cmp("gt", v, f64(0)),
          () => f.stf(l.dIn, i, d),
          () => {
            f.stf(l.dIn, i, mul(a, d));
            f.set(acc, add(acc, mul(v, d)));
          },
        );
      });
      f.stf(gweight, slope, add(ldf(gweight, slope), acc));
    });
  },
};
