// linear: nn.Linear over the last axis (src/emit/ops/linear.ts). Each sample is R = size / K rows of the
// K contiguous values of its last axis, so the batch is N·R rows and the layer is affine's matrix
// products on them (../gemm.ts): forward gemmNT (dot products along K, bias pre-filled per row),
// dW = dyᵀ·x and dx = dy·W with gemmNN, db the f64 sum of dy per output.
import type { WasmLayerContext, WasmOpEmitter } from "../context.ts";
import { add, addr, f64, k, ldf, mul } from "../fn.ts";

/** K (the last axis), M (the features) and the rows per sample */
function shape(l: WasmLayerContext<"linear">) {
  const K = l.layer.input[l.layer.input.length - 1]!;
  return { K, M: l.args.features, R: l.input.size / K };
}

export const linear: WasmOpEmitter<"linear"> = {
  forward(l) {
    const f = l.f;
    const { K, M, R } = shape(l);
    const rows = f.let(mul(l.N, k(R)));
    const bias = l.args.bias;
    if (bias) f.loop(k(0), rows, (r) => f.copy(addr(l.out, mul(r, k(M))), l.param("bias"), k(M)));
    f.call(l.kernels.gemmNT, [l.inp, k(K), l.param("weight"), k(K), l.out, k(M), k(1), rows, k(M), k(K), k(bias ? 1 : 0)]);
  },
  backward(l) {
    const f = l.f;
    const { K, M, R } = shape(l);
    const rows = f.let(mul(l.N, k(R)));
    f.call(l.kernels.gemmNN, [l.dOut, k(1), k(M), l.inp, k(K), l.grad("weight"), k(K), k(M), rows, k(K), k(0), k(0)]);
    if (l.args.bias) {
      const gb = l.grad("bias");
      const s = f.local("f64");
      f.loop(k(0), k(M), (j) => {
        f.set(s, f64(0));
        f.loop(k(0), rows, (r) => f.set(s, add(s, ldf(l.dOut, add(mul(r, k(M)), j)))));
        f.stf(gb, j, s);
      });
    }
    f.call(l.kernels.gemmNN, [l.dOut, k(M), k(1), l.param("weight"), k(K), l.dIn, k(K), rows, k(M), k(K), k(0), k(0)]);
  },
};
