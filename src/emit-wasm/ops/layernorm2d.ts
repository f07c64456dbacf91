// layernorm2d: per sample and position, normalised over the C channels (biased variance), then
// γ[c]·x̂ + β[c]; the formulas and order of f64 operations of src/emit/ops/layernorm2d.ts
// (μ and 1/σ kept in f32 buffers for the backward pass, γ and β gradients summed in f32 there too).
import type { WasmOpEmitter } from "../context.ts";
import { add, div, f64, k, ldf, mul, sqrt, sub } from "../fn.ts";

export const layernorm2d: WasmOpEmitter<"layernorm2d"> = {
  forward(l) {
    const f = l.f;
    const { c: C, size } = l.input;
    const hw = l.input.h * l.input.w;
    const gamma = l.param("weight"), beta = l.param("bias");
    const mean = l.buffer("mean"), istd = l.buffer("istd");
    const sum = f.local("f64"), mu = f.local("f64"), sq = f.local("f64"), is = f.local("f64");
    f.loop(k(0), l.N, (n) => {
      f.loop(k(0), k(hw), (q) => {
        const o = f.let(add(mul(n, k(size)), q));
        f.set(sum, f64(0));
        f.loop(k(0), k(C), (c) => f.set(sum, add(sum, ldf(l.inp, add(o, mul(c, k(hw)))))));
        f.set(mu, div(sum, f64(C)));
        f.set(sq, f64(0));
        f.loop(k(0), k(C), (c) => {
          const d = f.let(sub(ldf(l.inp, add(o, mul(c, k(hw)))), mu));
          f.set(sq, add(sq, mul(d, d)));
        });
        f.set(is, div(f64(1), sqrt(add(div(sq, f64(C)), f64(l.args.eps)))));
        const s = f.let(add(mul(n, k(hw)), q));
        f.stf(mean, s, mu);
        f.stf(istd, s, is);
        f.loop(k(0), k(C), (c) => {
          const j = f.let(add(o, mul(c, k(hw))));
          f.stf(l.out, j, add(mul(mul(sub(ldf(l.inp, j), mu), is), ldf(gamma, c)), ldf(beta, c)));
        });
      });
    });
  },
  backward(l) {
    const f = l.f;
    const { c: C, size } = l.input;
    const hw = l.input.h * l.input.w;
    const gamma = l.param("weight"), ggamma = l.grad("weight"), gbeta = l.grad("bias");
    const mean = l.buffer("mean"), istd = l.buffer("istd");
    const mu = f.local("f64"), is = f.local("f64"), sg = f.local("f64"), sgx = f.local("f64");
    f.zero(ggamma, k(0), k(C));
    f.zero(gbeta, k(0), k(C));
    f.loop(k(0), l.N, (n) => {
      f.loop(k(0), k(hw), (q) => {
        const o = f.let(add(mul(n, k(size)), q));
        const s = f.let(add(mul(n, k(hw)), q));
        f.set(mu, ldf(mean, s));
        f.set(is, ldf(istd, s));
        f.set(sg, f64(0));
        f.set(sgx, f64(0));
        f.loop(k(0), k(C), (c) => {
          const j = f.let(add(o, mul(c, k(hw))));
          const xh = f.let(mul(sub(ldf(l.inp, j), mu), is));
          const dy = f.let(ldf(l.dOut, j));
          const g = f.let(mul(ldf(gamma, c), dy));
          f.stf(ggamma, c, add(ldf(ggamma, c), mul(dy, xh)));
          f.stf(gbeta, c, add(ldf(gbeta, c), dy));
          f.set(sg, add(sg, g));
          f.set(sgx, add(sgx, mul(g, xh)));
        });
        f.loop(k(0), k(C), (c) => {
          const j = f.let(add(o, mul(c, k(hw))));
          const xh = f.let(mul(sub(ldf(l.inp, j), mu), is));
          f.stf(l.dIn, j, mul(div(is, f64(C)), sub(sub(mul(mul(f64(C), ldf(gamma, c)), ldf(l.dOut, j)), sg), mul(xh, sgx))));
        });
      });
    });
  },
};
