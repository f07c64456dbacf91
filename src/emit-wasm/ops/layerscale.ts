// layerscale: y = γ[c]·x per channel (γ named by the layer alone: param("")); dγ[c] = Σ dy·x over
// the batch and the plane, in f64 as src/emit/ops/layerscale.ts. The f32 product of two f32
// values is the f64 product rounded once, so the forward runs in f32x4.
import type { WasmLayerContext, WasmOpEmitter } from "../context.ts";
import { add, demote, f64, k, ldf, ldv, type Local, mul, vmul, vsplat } from "../fn.ts";

/** body(o, g) per sample and channel: the plane's first element and γ[c] (f64) */
function eachPlane(l: WasmLayerContext<"layerscale">, body: (o: Local<"i32">, g: Local<"f64">, c: Local<"i32">) => void): void {
  const f = l.f;
  const hw = l.input.h * l.input.w;
  const gamma = l.param("");
  f.loop(k(0), l.N, (n) => {
    f.loop(k(0), k(l.input.c), (c) => body(f.let(add(mul(n, k(l.input.size)), mul(c, k(hw)))), f.let(ldf(gamma, c)), c));
  });
}

export const layerscale: WasmOpEmitter<"layerscale"> = {
  forward(l) {
    const f = l.f;
    const hw = l.input.h * l.input.w, whole = hw - (hw % 4);
    eachPlane(l, (o, g) => {
      const gv = f.let(vsplat(demote(g)));
      if (whole > 0) f.loop(k(0), k(whole), (j) => f.stv(l.out, add(o, j), vmul(ldv(l.inp, add(o, j)), gv)), 4);
      for (let j = whole; j < hw; j++) f.stf(l.out, o, mul(ldf(l.inp, o, j), g), j);
    });
  },
  backward(l) {
    const f = l.f;
    const hw = l.input.h * l.input.w;
    const gamma = l.param(""), ggamma = l.grad("");
    const acc = f.local("f64");
    f.loop(k(0), k(l.input.c), (c) => {
      const g = f.let(ldf(gamma, c));
      f.set(acc, f64(0));
      f.loop(k(0), l.N, (n) => {
        const o = f.let(add(mul(n, k(l.input.size)), mul(c, k(hw))));
        f.loop(k(0), k(hw), (j) => {
          const at = f.let(add(o, j));
          const d = f.let(ldf(l.dOut, at));
          f.set(acc, add(acc, mul(d, ldf(l.inp, at))));
          f.stf(l.dIn, at, mul(d, g));
        });
      });
      f.stf(ggamma, c, acc);
    });
  },
};
