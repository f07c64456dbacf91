// layernormlast: each run of K = the last axis's contiguous values normalised, x̂ = (x − μ)/sqrt(σ² + eps)
// (biased variance), y = γ[k]·x̂ + β[k]; the formulas and order of f64 operations of
// src/emit/ops/layernormlast.ts (μ and 1/σ per run kept in f32 buffers, γ and β gradients summed in f32).
import type { WasmLayerContext, WasmOpEmitter } from "../context.ts";
import { add, div, f64, k, ldf, mul, sqrt, sub } from "../fn.ts";

/** K, the last axis, and the runs of one sample */
function shape(l: WasmLayerContext<"layernormlast">) {
  const K = l.layer.input[l.layer.input.length - 1]!;
  return { K, runs: l.input.size / K };
}

export const layernormlast: WasmOpEmitter<"layernormlast"> = {
  forward(l) {
    const f = l.f;
    const { K, runs } = shape(l);
    const gamma = l.param("weight"), beta = l.param("bias");
    const mean = l.buffer("mean"), istd = l.buffer("istd");
    const sum = f.local("f64"), mu = f.local("f64"), sq = f.local("f64"), is = f.local("f64");
    f.loop(k(0), mul(l.N, k(runs)), (r) => {
      const o = f.let(mul(r, k(K)));
      f.set(sum, f64(0));
      f.loop(k(0), k(K), (j) => f.set(sum, add(sum, ldf(l.inp, add(o, j)))));
      f.set(mu, div(sum, f64(K)));
      f.set(sq, f64(0));
      f.loop(k(0), k(K), (j) => {
        const d = f.let(sub(ldf(l.inp, add(o, j)), mu));
        f.set(sq, add(sq, mul(d, d)));
      });
      f.set(is, div(f64(1), sqrt(add(div(sq, f64(K)), f64(l.args.eps)))));
      f.stf(mean, r, mu);
      f.stf(istd, r, is);
      f.loop(k(0), k(K), (j) => {
        const at = f.let(add(o, j));
        f.stf(l.out, at, add(mul(mul(sub(ldf(l.inp, at), mu), is), ldf(gamma, j)), ldf(beta, j)));
      });
    });
  },
  backward(l) {
    const f = l.f;
    const { K, runs } = shape(l);
    const gamma = l.param("weight"), ggamma = l.grad("weight"), gbeta = l.grad("bias");
    const mean = l.buffer("mean"), istd = l.buffer("istd");
    const mu = f.local("f64"), is = f.local("f64"), sg = f.local("f64"), sgx = f.local("f64");
    f.zero(ggamma, k(0), k(K));
    f.zero(gbeta, k(0), k(K));
    f.loop(k(0), mul(l.N, k(runs)), (r) => {
      const o = f.let(mul(r, k(K)));
      f.set(mu, ldf(mean, r));
      f.set(is, ldf(istd, r));
      f.set(sg, f64(0));
      f.set(sgx, f64(0));
      f.loop(k(0), k(K), (j) => {
        const at = f.let(add(o, j));
        const xh = f.let(mul(sub(ldf(l.inp, at), mu), is));
        const dy = f.let(ldf(l.dOut, at));
        const g = f.let(mul(ldf(gamma, j), dy));
        f.stf(ggamma, j, add(ldf(ggamma, j), mul(dy, xh)));
        f.stf(gbeta, j, add(ldf(gbeta, j), dy));
        f.set(sg, add(sg, g));
        f.set(sgx, add(sgx, mul(g, xh)));
      });
      f.loop(k(0), k(K), (j) => {
        const at = f.let(add(o, j));
        const xh = f.let(mul(sub(ldf(l.inp, at), mu), is));
        f.stf(l.dIn, at, mul(div(is, f64(K)), sub(sub(mul(mul(f64(K), ldf(gamma, j)), ldf(l.dOut, at)), sg), mul(xh, sgx))));
      });
    });
  },
};
