// softmax (the layer): over the features of [D], or over the channels at each pixel of
// [C, H, W], in the TypeScript target's order of f64 operations on f32 values
// (src/emit/ops/softmax.ts): e^(x − max) stored, summed, then each stored value
// scaled by 1/sum; the backward reads the output: dx = y·(dy − Σ dy·y).
import type { WasmLayerContext, WasmOpEmitter } from "../context.ts";
import { add, cmp, div, f64, k, ldf, type Local, mul, sub } from "../fn.ts";

/** body(b) for every sample and pixel; the pixel's channels are b + c·hw */
function eachPixel(l: WasmLayerContext<"softmax">, body: (b: Local<"i32">) => void): void {
  const f = l.f;
  const hw = l.input.h * l.input.w;
  f.loop(k(0), l.N, (n) => {
    const base = f.let(mul(n, k(l.input.size)));
    f.loop(k(0), k(hw), (j) => body(f.let(add(base, j))));
  });
}

export const softmax: WasmOpEmitter<"softmax"> = {
  forward(l) {
    const f = l.f;
    const hw = l.input.h * l.input.w, e = l.input.c * hw;
    const m = f.local("f64"), v = f.local("f64"), sum = f.local("f64"), inv = f.local("f64");
    eachPixel(l, (b) => {
      f.set(m, ldf(l.inp, b));
      f.loop(add(b, k(hw)), add(b, k(e)), (i) => {
        f.set(v, ldf(l.inp, i));
        f.if(cmp("gt", v, m), () => f.set(m, v));
      }, hw);
      f.set(sum, f64(0));
      f.loop(b, add(b, k(e)), (i) => {
        f.set(v, f.callEx("f64", l.math.exp, [sub(ldf(l.inp, i), m)]));
        f.stf(l.out, i, v);
        f.set(sum, add(sum, v));
      }, hw);
      f.set(inv, div(f64(1), sum));
      f.loop(b, add(b, k(e)), (i) => f.stf(l.out, i, mul(ldf(l.out, i), inv)), hw);
    });
  },
  backward(l) {
    const f = l.f;
    const hw = l.input.h * l.input.w, e = l.input.c * hw;
    const dot = f.local("f64");
    eachPixel(l, (b) => {
      f.set(dot, f64(0));
      f.loop(b, add(b, k(e)), (i) => f.set(dot, add(dot, mul(ldf(l.dOut, i), ldf(l.out, i)))), hw);
      f.loop(b, add(b, k(e)), (i) => f.stf(l.dIn, i, mul(ldf(l.out, i), sub(ldf(l.dOut, i), dot))), hw);
    });
  },
};
