// Normalisations: batchnorm per channel over (N, H, W), its sums in f64 on
// f64x2 pairs and its elementwise passes on f32x4 lanes (src/emit-wasm/lanes.ts);
// layernorm and groupnorm per sample and group of channels, the formulas of
// src/emit/normalize.ts in the same order of f64 operations on f32 values.
import type { WasmLayerContext, WasmOpEmitter } from "../context.ts";
import { add, div, type Ex, f64, k, ldf, type Local, mul, sqrt, sub, toF64 } from "../fn.ts";
import { ACCS, four, inLanes, type Lanes, Sums, two } from "../lanes.ts";

type Channel = WasmLayerContext<"batchnorm">;

/** body(v, j) for every element j of channel c over the batch, on `wide` lanes where they fit */
function channelLoop(l: Channel, c: Ex<"i32">, wide: Lanes<"v128">, body: Parameters<typeof inLanes>[4], hoist: Local<"f64">[] = []): void {
  const hw = l.input.h * l.input.w;
  // sums on pairs: unrolled so each copy adds into its own accumulator
  const unroll = wide.width === 2 ? ACCS : 1;
  l.f.loop(k(0), l.N, (n) => inLanes(l.f, wide, l.f.let(add(mul(n, k(l.input.size)), mul(c, k(hw)))), hw, body, hoist, unroll));
}

export const batchnorm: WasmOpEmitter<"batchnorm"> = {
  forward(l) {
    const f = l.f;
    const hw = l.input.h * l.input.w;
    const gamma = l.param("weight"), beta = l.param("bias");
    const rm = l.state("running_mean"), rv = l.state("running_var");
    const mom = l.args.momentum;
    const sums = new Sums(f, 1);
    const mu = f.local("f64"), sq = f.local("f64"), is = f.local("f64"), g = f.local("f64"), b = f.local("f64");
    const normalise = (c: Ex<"i32">) =>
      channelLoop(l, c, four(f), (v, j) => {
        const jj = f.let(j);
        v.st(l.out, jj, v.add(v.mul(v.sub(v.ld(l.inp, jj), v.of(mu)), v.of(g)), v.of(b)));
      }, [mu, g, b]);
    f.if(
      l.train,
      () => {
        const mean = l.buffer("mean"), istd = l.buffer("istd");
        const M = f.let(toF64(mul(l.N, k(hw))));
        f.loop(k(0), k(l.input.c), (c) => {
          sums.clear();
          channelLoop(l, c, two(f), (v, j) => sums.add(v, 0, v.ld(l.inp, j)));
          f.set(mu, div(sums.total(0), M));
          sums.clear();
          channelLoop(l, c, two(f), (v, j) => {
            const d = f.let(v.sub(v.ld(l.inp, j), v.of(mu)));
            sums.add(v, 0, v.mul(d, d));
          }, [mu]);
          f.set(sq, sums.total(0));
          f.set(is, div(f64(1), sqrt(add(div(sq, M), f64(l.args.eps)))));
          f.stf(mean, c, mu);
          f.stf(istd, c, is);
          f.stf(rm, c, add(mul(f64(1 - mom), ldf(rm, c)), mul(f64(mom), mu)));
          f.stf(rv, c, add(mul(f64(1 - mom), ldf(rv, c)), mul(f64(mom), div(sq, sub(M, f64(1))))));
          f.set(g, mul(ldf(gamma, c), is));
          f.set(b, ldf(beta, c));
          normalise(c);
        });
      },
      () => {
        f.loop(k(0), k(l.input.c), (c) => {
          f.set(mu, ldf(rm, c));
          f.set(g, div(ldf(gamma, c), sqrt(add(ldf(rv, c), f64(l.args.eps)))));
          f.set(b, ldf(beta, c));
          normalise(c);
        });
      },
    );
  },
  backward(l) {
    const f = l.f;
    const hw = l.input.h * l.input.w;
    const gamma = l.param("weight"), ggamma = l.grad("weight"), gbeta = l.grad("bias");
    const mean = l.buffer("mean"), istd = l.buffer("istd");
    const M = f.let(toF64(mul(l.N, k(hw))));
    const sums = new Sums(f, 2);
    const mu = f.local("f64"), is = f.local("f64"), sdy = f.local("f64"), sdyx = f.local("f64"), kk = f.local("f64");
    f.loop(k(0), k(l.input.c), (c) => {
      f.set(mu, ldf(mean, c));
      f.set(is, ldf(istd, c));
      sums.clear();
      channelLoop(l, c, two(f), (v, j) => {
        const jj = f.let(j);
        const dy = f.let(v.ld(l.dOut, jj));
        sums.add(v, 0, dy);
        sums.add(v, 1, v.mul(dy, v.sub(v.ld(l.inp, jj), v.of(mu))));
      }, [mu]);
      f.set(sdy, sums.total(0));
      f.set(sdyx, mul(sums.total(1), is));
      f.stf(ggamma, c, sdyx);
      f.stf(gbeta, c, sdy);
      f.set(kk, div(mul(ldf(gamma, c), is), M));
      // in f64: on f32x4 lanes the cancellation in M·dy − Σdy doubled the largest error on the random models
      channelLoop(l, c, two(f), (v, j) => {
        const jj = f.let(j);
        v.st(l.dIn, jj, v.mul(v.of(kk), v.sub(v.sub(v.mul(v.of(M), v.ld(l.dOut, jj)), v.of(sdy)), v.mul(v.mul(v.sub(v.ld(l.inp, jj), v.of(mu)), v.of(is)), v.of(sdyx)))));
      }, [kk, M, sdy, mu, is, sdyx]);
    });
  },
};

/** layernorm (one group) and groupnorm: statistics per sample and group of C/G channels */
export function groupNorm<O extends "layernorm" | "groupnorm">(groupsOf: (l: WasmLayerContext<O>) => number): WasmOpEmitter<O> {
  const epsOf = (l: WasmLayerContext<O>): number => (l.args as { eps: number }).eps;
  return {
    forward(l) {
      const f = l.f;
      const groups = groupsOf(l);
      const hw = l.input.h * l.input.w;
      const cg = l.input.c / groups;
      const m = cg * hw;
      const gamma = l.param("weight"), beta = l.param("bias");
      const mean = l.buffer("mean"), istd = l.buffer("istd");
      const sum = f.local("f64"), mu = f.local("f64"), sq = f.local("f64"), is = f.local("f64"), g = f.local("f64"), b = f.local("f64");
      f.loop(k(0), l.N, (n) => {
        f.loop(k(0), k(groups), (gi) => {
          const o = f.let(add(mul(n, k(l.input.size)), mul(gi, k(m))));
          f.set(sum, f64(0));
          f.loop(k(0), k(m), (j) => f.set(sum, add(sum, ldf(l.inp, add(o, j)))));
          f.set(mu, div(sum, f64(m)));
          f.set(sq, f64(0));
          f.loop(k(0), k(m), (j) => {
            const d = f.let(sub(ldf(l.inp, add(o, j)), mu));
            f.set(sq, add(sq, mul(d, d)));
          });
          f.set(is, div(f64(1), sqrt(add(div(sq, f64(m)), f64(epsOf(l))))));
          const s = f.let(add(mul(n, k(groups)), gi));
          f.stf(mean, s, mu);
          f.stf(istd, s, is);
          f.loop(k(0), k(cg), (cc) => {
            const c = f.let(add(mul(gi, k(cg)), cc));
            f.set(g, mul(ldf(gamma, c), is));
            f.set(b, ldf(beta, c));
            const oc = f.let(add(o, mul(cc, k(hw))));
            f.loop(k(0), k(hw), (j) => {
              const jj = f.let(add(oc, j));
              f.stf(l.out, jj, add(mul(sub(ldf(l.inp, jj), mu), g), b));
            });
          });
        });
      });
    },
    backward(l) {
      const f = l.f;
      const groups = groupsOf(l);
      const hw = l.input.h * l.input.w;
      const cg = l.input.c / groups;
      const m = cg * hw;
      const gamma = l.param("weight"), ggamma = l.grad("weight"), gbeta = l.grad("bias");
      const mean = l.buffer("mean"), istd = l.buffer("istd");
      const mu = f.local("f64"), is = f.local("f64"), s1 = f.local("f64"), s2 = f.local("f64"), sg = f.local("f64"), sb = f.local("f64");
      const kk = f.local("f64");
      f.zero(ggamma, k(0), k(l.input.c));
      f.zero(gbeta, k(0), k(l.input.c));
      f.loop(k(0), l.N, (n) => {
        f.loop(k(0), k(groups), (gi) => {
          const o = f.let(add(mul(n, k(l.input.size)), mul(gi, k(m))));
          const s = f.let(add(mul(n, k(groups)), gi));
          f.set(mu, ldf(mean, s));
          f.set(is, ldf(istd, s));
          f.set(s1, f64(0));
          f.set(s2, f64(0));
          f.loop(k(0), k(cg), (cc) => {
            const c = f.let(add(mul(gi, k(cg)), cc));
            const gm = f.let(ldf(gamma, c));
            const oc = f.let(add(o, mul(cc, k(hw))));
            f.set(sg, f64(0));
            f.set(sb, f64(0));
            f.loop(k(0), k(hw), (j) => {
              const jj = f.let(add(oc, j));
              const dy = f.let(ldf(l.dOut, jj));
              const xh = f.let(mul(sub(ldf(l.inp, jj), mu), is));
              f.set(sg, add(sg, mul(dy, xh)));
              f.set(sb, add(sb, dy));
            });
            f.stf(ggamma, c, add(ldf(ggamma, c), sg));
            f.stf(gbeta, c, add(ldf(gbeta, c), sb));
            f.set(s1, add(s1, mul(gm, sb)));
            f.set(s2, add(s2, mul(gm, sg)));
          });
          f.set(kk, div(is, f64(m)));
          f.loop(k(0), k(cg), (cc) => {
            const c = f.let(add(mul(gi, k(cg)), cc));
            const gm = f.let(ldf(gamma, c));
            const oc = f.let(add(o, mul(cc, k(hw))));
            f.loop(k(0), k(hw), (j) => {
              const jj = f.let(add(oc, j));
              f.stf(l.dIn, jj, mul(kk, sub(sub(mul(mul(f64(m), gm), ldf(l.dOut, jj)), s1), mul(mul(sub(ldf(l.inp, jj), mu), is), s2))));
            });
          });
        });
      });
    },
  };
}

export const layernorm = groupNorm<"layernorm">(() => 1);
export const groupnorm = groupNorm<"groupnorm">((l) => l.args.groups);
