// Loss kernels, keyed by loss op: the exported `loss(z, y, dz, hinge, N) → f64`
// returns the mean loss over the batch and writes its gradient w.r.t. the
// logits z (N × K) into dz, with the formulas and order of operations of
// src/emit/loss.ts (the host's Math.exp and Math.log, as the TypeScript target).
import type { LossArgs } from "../ir.ts";
import { add, and, cmp, div, f64, Fn, k, ldf, ldi, type Local, mul, neg, sub, toF64 } from "./fn.ts";

interface LossFn {
  f: Fn;
  z: Local<"i32">;
  y: Local<"i32">;
  dz: Local<"i32">;
  hinge: Local<"i32">;
  N: Local<"i32">;
  math: { exp: number; log: number };
}

export interface WasmLossEmitter<O extends LossArgs["op"]> {
  body(l: LossFn, args: Extract<LossArgs, { op: O }>, classes: number): void;
}

const softmax: WasmLossEmitter<"softmax"> = {
  body({ f, z, y, dz, N, math }, _args, K) {
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
  body({ f, z, y, dz, hinge, N }, args, K) {
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
export function lossFunction(args: LossArgs, classes: number, math: { exp: number; log: number }): Fn {
  const f = new Fn("loss", true);
  const l: LossFn = { f, z: f.param("i32"), y: f.param("i32"), dz: f.param("i32"), hinge: f.param("i32"), N: f.param("i32"), math };
  f.returns("f64");
  (wasmLossEmitters[args.op] as WasmLossEmitter<LossArgs["op"]>).body(l, args as never, classes);
  return f;
}
