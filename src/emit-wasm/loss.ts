// Loss kernels, keyed by loss op: the exported `loss(z, y, dz, aux, N) → f64`
// returns the loss (the mean over the batch, or as the loss's options say) and
// writes its gradient w.r.t. the logits z (N × the model's output) into dz, with
// the formulas and order of operations of src/emit/loss.ts (the host's Math.exp
// and Math.log, as the TypeScript target). `aux` is the svm's hinge flags, or
// the softmax loss's class weights (f64), or 0.
import { positionsOf } from "../emit/loss.ts";
import type { LossArgs } from "../ir.ts";
import { add, and, cmp, div, f64, Fn, k, ldf, ldf64, ldi, type Local, mul, neg, sub, toF64 } from "./fn.ts";

interface LossFn {
  f: Fn;
  z: Local<"i32">;
  y: Local<"i32">;
  dz: Local<"i32">;
  /** the svm's hinge flags (i32), the softmax loss's class weights (f64) */
  aux: Local<"i32">;
  N: Local<"i32">;
  math: { exp: number; log: number };
}

export interface WasmLossEmitter<O extends LossArgs["op"]> {
  /** `output`: the model's one-sample output, [K] or (softmax) [K, H, W] */
  body(l: LossFn, args: Extract<LossArgs, { op: O }>, output: readonly number[]): void;
}

type SoftmaxArgs = Extract<LossArgs, { op: "softmax" }>;

/** The options of nn.CrossEntropyLoss left at PyTorch's defaults, on [K]: the plain loop. */
const isPlain = (a: SoftmaxArgs, output: readonly number[]) =>
  positionsOf(output) === 1 && a.label_smoothing === undefined && a.weight === undefined && a.ignore_index === undefined && a.reduction !== "sum";

/**
 * nn.CrossEntropyLoss with its options, per position of [K, H, W] (class j of position s at o + j·P),
 * src/emit/loss.ts's crossEntropy: with the target's weight w_t, smoothing ε and the weights' sum W, the
 * gradient is p_j·Q − q_j, q_j = (1 − ε)·w_t·[j = t] + (ε/K)·w_j; the mean divides by the summed w_t of
 * the labels not ignored (docs/language.md#cross-entropy-options).
 */
function crossEntropy({ f, z, y, dz, aux, N, math }: LossFn, a: SoftmaxArgs, output: readonly number[]): void {
  const K = output[0]!, P = positionsOf(output);
  const eps = a.label_smoothing ?? 0;
  const weighted = a.weight !== undefined;
  const sumW = weighted ? a.weight!.reduce((x, v) => x + v, 0) : K;
  const total = f.let(f64(0)), weightSum = f.let(f64(0));
  const m = f.local("f64"), v = f.local("f64"), sum = f.local("f64"), lse = f.local("f64"), wt = f.local("f64"), A = f.local("f64"), Q = f.local("f64");
  const position = (o: Local<"i32">, t: Local<"i32">) => {
    const at = (j: Local<"i32">) => add(o, mul(j, k(P)));
    f.set(m, ldf(z, o));
    f.loop(k(1), k(K), (j) => {
      f.set(v, ldf(z, at(j)));
      f.if(cmp("gt", v, m), () => f.set(m, v));
    });
    f.set(sum, f64(0));
    f.loop(k(0), k(K), (j) => f.set(sum, add(sum, f.callEx("f64", math.exp, [sub(ldf(z, at(j)), m)]))));
    f.set(lse, add(m, f.callEx("f64", math.log, [sum])));
    f.set(wt, weighted ? ldf64(aux, t) : f64(1));
    f.set(A, mul(f64(1 - eps), wt));
    f.set(Q, eps === 0 ? A : add(A, f64((eps / K) * sumW)));
    f.set(weightSum, add(weightSum, wt));
    const zt = f.let(add(o, mul(t, k(P))));
    f.set(total, add(total, mul(A, sub(lse, ldf(z, zt)))));
    f.loop(k(0), k(K), (j) => {
      const i = f.let(at(j));
      const e = f.let(f.callEx("f64", math.exp, [sub(ldf(z, i), lse)]));
      if (eps === 0) return f.stf(dz, i, mul(e, Q));
      const q = f.let(weighted ? mul(f64(eps / K), ldf64(aux, j)) : f64(eps / K));
      f.set(total, add(total, mul(q, sub(lse, ldf(z, i)))));
      f.stf(dz, i, sub(mul(e, Q), q));
    });
    f.stf(dz, zt, sub(ldf(dz, zt), A));
  };
  f.loop(k(0), N, (n) => {
    f.loop(k(0), k(P), (s) => {
      const o = f.let(add(mul(n, k(K * P)), s));
      const t = f.let(ldi(y, add(mul(n, k(P)), s)));
      if (a.ignore_index === undefined) return position(o, t);
      f.if(
        cmp("eq", t, k(a.ignore_index)),
        () => f.loop(k(0), k(K), (j) => f.stf(dz, add(o, mul(j, k(P))), f64(0))),
        () => position(o, t),
      );
    });
  });
  const scale = f.let(a.reduction === "sum" ? f64(1) : div(f64(1), weightSum));
  f.loop(k(0), mul(N, k(K * P)), (i) => f.stf(dz, i, mul(ldf(dz, i), scale)));
  f.result(mul(total, scale));
}

const softmax: WasmLossEmitter<"softmax"> = {
  body(l, args, output) {
    if (!isPlain(args, output)) return crossEntropy(l, args, output);
    const { f, z, y, dz, N, math } = l;
    const K = output[0]!;
    const total = f.local("f64"), m = f.local("f64"), sum = f.local("f64"), lse = f.local("f64"), v = f.local("f64");
    const Nf = f.let(toF64(N));
    f.set(total, f64(0));
    f.loop(k(0), N, (n) => {
      const o = f.let(mul(n, k(K)));
      f.set(m, ldf(z, o));
      f.loop(k(1), k(K), (j) => {
        f.set(v, ldf(z, add(o, j)));
        f.if(cmp("gt", v, m), () => f.set(m, v));
      });
      f.set(sum, f64(0));
      f.loop(k(0), k(K), (j) => f.set(sum, add(sum, f.callEx("f64", math.exp, [sub(ldf(z, add(o, j)), m)]))));
      f.set(lse, add(m, f.callEx("f64", math.log, [sum])));
      const t = f.let(add(o, ldi(y, n)));
      f.set(total, add(total, sub(lse, ldf(z, t))));
      f.loop(k(0), k(K), (j) => {
        const at = f.let(add(o, j));
        f.stf(dz, at, div(f.callEx("f64", math.exp, [sub(ldf(z, at), lse)]), Nf));
      });
      f.stf(dz, t, sub(ldf(dz, t), div(f64(1), Nf)));
    });
    f.result(div(total, Nf));
  },
};

const svm: WasmLossEmitter<"svm"> = {
  body({ f, z, y, dz, aux: hinge, N }, args, [K]) {
    const total = f.local("f64"), zy = f.local("f64"), margin = f.local("f64"), count = f.local("i32");
    const Nf = f.let(toF64(N));
    f.set(total, f64(0));
    f.loop(k(0), N, (n) => {
      const o = f.let(mul(n, k(K)));
      const label = f.let(ldi(y, n));
      const t = f.let(add(o, label));
      f.set(zy, ldf(z, t));
      f.set(count, k(0));
      f.loop(k(0), k(K), (j) => {
        const at = f.let(add(o, j));
        f.set(margin, add(sub(ldf(z, at), zy), f64(args.margin)));
        f.if(
          and(cmp("ne", j, label), cmp("gt", margin, f64(0))),
          () => {
            f.set(total, add(total, margin));
            f.stf(dz, at, div(f64(1), Nf));
            f.sti(hinge, at, k(1));
            f.set(count, add(count, k(1)));
          },
          () => {
            f.stf(dz, at, f64(0));
            f.sti(hinge, at, k(0));
          },
        );
      });
      f.stf(dz, t, div(neg(toF64(count)), Nf));
    });
    f.result(div(total, Nf));
  },
};

const wasmLossEmitters: { [O in LossArgs["op"]]: WasmLossEmitter<O> } = { softmax, svm };

/** the exported loss function of a model with this loss */
export function lossFunction(args: LossArgs, output: readonly number[], math: { exp: number; log: number }): Fn {
  const f = new Fn("loss", true);
  const l: LossFn = { f, z: f.param("i32"), y: f.param("i32"), dz: f.param("i32"), aux: f.param("i32"), N: f.param("i32"), math };
  f.returns("f64");
  (wasmLossEmitters[args.op] as WasmLossEmitter<LossArgs["op"]>).body(l, args as never, output);
  return f;
}
