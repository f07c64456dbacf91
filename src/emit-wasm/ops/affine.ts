// affine: PyTorch Linear, y = x·Wᵀ + b with W [O, D], on the f32x4 kernels of ../gemm.ts:
// forward gemmNT (dot products along D, bias pre-filled), dW = dyᵀ·x and dx = dy·W with gemmNN.
import type { WasmOpEmitter } from "../context.ts";
import { add, addr, f64, k, ldf, mul } from "../fn.ts";

export const affine: WasmOpEmitter<"affine"> = {
  forward(l) {
    const f = l.f;
    const D = l.input.size, O = l.args.features;
    const bias = l.args.bias;
    if (bias) f.loop(k(0), l.N, (n) => f.copy(addr(l.out, mul(n, k(O))), l.param("bias"), k(O)));
    f.call(l.kernels.gemmNT, [l.inp, k(D), l.param("weight"), k(D), l.out, k(O), k(1), l.N, k(O), k(D), k(bias ? 1 : 0)]);
  },
  backward(l) {
    const f = l.f;
    const D = l.input.size, O = l.args.features;
    f.call(l.kernels.gemmNN, [l.dOut, k(1), k(O), l.inp, k(D), l.grad("weight"), k(D), k(O), l.N, k(D), k(0), k(0)]);
    if (l.args.bias) {
      const gb = l.grad("bias");
      const s = f.local("f64");
      f.loop(k(0), k(O), (o) => {
        f.set(s, f64(0));
        f.loop(k(0), l.N, (n) => f.set(s, add(s, ldf(l.dOut, add(mul(n, k(O)), o)))));
        f.stf(gb, o, s);
      });
    }
    f.call(l.kernels.gemmNN, [l.dOut, k(O), k(1), l.param("weight"), k(D), l.dIn, k(D), l.N, k(O), k(D), k(0), k(0)]);
  },
};
