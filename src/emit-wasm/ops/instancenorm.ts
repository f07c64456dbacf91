// instancenorm: per sample and channel over its H×W positions, x̂ = (x − μ)/sqrt(σ² + eps) (biased variance),
// y = γ[c]·x̂ + β[c] with affine; the formulas and order of f64 operations of src/emit/ops/instancenorm.ts
// (μ and 1/σ kept in f32 buffers for the backward pass, γ and β gradients summed in f32 there too).
import type { WasmOpEmitter } from "../context.ts";
import { add, div, f64, k, ldf, mul, sqrt, sub } from "../fn.ts";

export const instancenorm: WasmOpEmitter<"instancenorm"> = {
  forward(l) {
    const f = l.f;
    const C = l.input.c, M = l.input.h * l.input.w;
    const affine = l.args.affine;
    const mean = l.buffer("mean"), istd = l.buffer("istd");
    const sum = f.local("f64"), mu = f.local("f64"), sq = f.local("f64"), is = f.local("f64"), g = f.local("f64"), b = f.local("f64");
    f.loop(k(0), l.N, (n) => {
      f.loop(k(0), k(C), (c) => {
        const o = f.let(add(mul(n, k(l.input.size)), mul(c, k(M))));
        const end = f.let(add(o, k(M)));
        f.set(sum, f64(0));
        f.loop(o, end, (j) => f.set(sum, add(sum, ldf(l.inp, j))));
        f.set(mu, div(sum, f64(M)));
        f.set(sq, f64(0));
        f.loop(o, end, (j) => {
          const d = f.let(sub(ldf(l.inp, j), mu));
          f.set(sq, add(sq, mul(d, d)));
        });
        f.set(is, div(f64(1), sqrt(add(div(sq, f64(M)), f64(l.args.eps)))));
        const s = f.let(add(mul(n, k(C)), c));
        f.stf(mean, s, mu);
        f.stf(istd, s, is);
        if (affine) {
          f.set(g, mul(ldf(l.param("weight"), c), is));
          f.set(b, ldf(l.param("bias"), c));
          f.loop(o, end, (j) => f.stf(l.out, j, add(mul(sub(ldf(l.inp, j), mu), g), b)));
        } else {
          f.loop(o, end, (j) => f.stf(l.out, j, mul(sub(ldf(l.inp, j), mu), is)));
        }
      });
    });
  },
  backward(l) {
    const f = l.f;
    const C = l.input.c, M = l.input.h * l.input.w;
    const affine = l.args.affine;
    const mean = l.buffer("mean"), istd = l.buffer("istd");
    const mu = f.local("f64"), is = f.local("f64"), sdy = f.local("f64"), sdyx = f.local("f64"), kk = f.local("f64");
    if (affine) {
      f.zero(l.grad("weight"), k(0), k(C));
      f.zero(l.grad("bias"), k(0), k(C));
    }
    f.loop(k(0), l.N, (n) => {
      f.loop(k(0), k(C), (c) => {
        const o = f.let(add(mul(n, k(l.input.size)), mul(c, k(M))));
        const end = f.let(add(o, k(M)));
        const s = f.let(add(mul(n, k(C)), c));
        f.set(mu, ldf(mean, s));
        f.set(is, ldf(istd, s));
        f.set(sdy, f64(0));
        f.set(sdyx, f64(0));
        f.loop(o, end, (j) => {
          const dy = f.let(ldf(l.dOut, j));
          f.set(sdy, add(sdy, dy));
          f.set(sdyx, add(sdyx, mul(mul(dy, sub(ldf(l.inp, j), mu)), is)));
        });
        if (affine) {
          const gg = l.grad("weight"), gb = l.grad("bias");
          f.stf(gg, c, add(ldf(gg, c), sdyx));
          f.stf(gb, c, add(ldf(gb, c), sdy));
          f.set(kk, div(mul(ldf(l.param("weight"), c), is), f64(M)));
        } else {
          f.set(kk, div(is, f64(M)));
        }
        f.loop(o, end, (j) =>
          f.stf(l.dIn, j, mul(kk, sub(sub(mul(f64(M), ldf(l.dOut, j)), sdy), mul(mul(sub(ldf(l.inp, j), mu), is), sdyx)))),
        );
      });
    });
  },
};
