// concat: values stacked along channels (src/emit/ops/concat.ts): per sample, each operand's
// block is copied to its offset in the output, and back for the gradients (added where another
// reader of the value wrote first).
import type { WasmLayerContext, WasmOpEmitter, WasmOperand } from "../context.ts";
import { add, addr, type Ex, k, ldv, mul, vadd, ldf } from "../fn.ts";

/** per sample and operand: the operand's element index of the block and the output's */
function blocks(l: WasmLayerContext<"concat">, body: (o: WasmOperand, x: Ex<"i32">, y: Ex<"i32">) => void): void {
  const f = l.f;
  f.loop(k(0), l.N, (n) => {
    let offset = 0;
    for (const o of l.operands) {
      body(o, mul(n, k(o.dims.size)), add(mul(n, k(l.output.size)), k(offset)));
      offset += o.dims.size;
    }
  });
}

export const concat: WasmOpEmitter<"concat"> = {
  forward(l) {
    blocks(l, (o, x, y) => l.f.copy(addr(l.out, y), addr(o.inp, x), k(o.dims.size)));
  },
  backward(l) {
    const f = l.f;
    blocks(l, (o, x, y) => {
      if (!o.accumulate) {
        f.copy(addr(o.dIn, x), addr(l.dOut, y), k(o.dims.size));
        return;
      }
      const dst = f.let(addr(o.dIn, x)), src = f.let(addr(l.dOut, y));
      const size = o.dims.size, whole = size - (size % 4);
      if (whole > 0) f.loop(k(0), k(whole), (j) => f.stv(dst, j, vadd(ldv(dst, j), ldv(src, j))), 4);
      for (let j = whole; j < size; j++) f.stf(dst, k(j), add(ldf(dst, k(j)), ldf(src, k(j))));
    });
  },
};
