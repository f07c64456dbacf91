// permute: output (i0, i1, i2) of each sample is the input element whose axis dims[k] − 1 is at i_k
// (src/emit/ops/permute.ts); the backward routes each gradient back along the same map. Pure f32 moves.
import type { WasmLayerContext, WasmOpEmitter } from "../context.ts";
import { add, type Ex, k, ldf32, type Local, mul } from "../fn.ts";

/** move(inputAt, outputAt) for every element of every sample, in the output's order */
function walk(l: WasmLayerContext<"permute">, move: (inputAt: Ex<"i32">, outputAt: Local<"i32">) => void): void {
  const f = l.f;
  const inputStrides = [l.input.h * l.input.w, l.input.w, 1];
  const [s0, s1, s2] = [1, 2, 3].map((d) => inputStrides[l.args.dims[d]! - 1]!);
  const { c: o0, h: o1, w: o2 } = l.output;
  const o = f.local("i32");
  f.loop(k(0), l.N, (n) => {
    const base = f.let(mul(n, k(l.input.size)));
    f.set(o, base);
    f.loop(k(0), k(o0), (i0) => {
      f.loop(k(0), k(o1), (i1) => {
        const s = f.let(add(add(base, mul(i0, k(s0!))), mul(i1, k(s1!))));
        f.loop(k(0), k(o2), (i2) => {
          move(add(s, mul(i2, k(s2!))), o);
          f.set(o, add(o, k(1)));
        });
      });
    });
  });
}

export const permute: WasmOpEmitter<"permute"> = {
  forward(l) {
    walk(l, (at, o) => l.f.stf32(l.out, o, ldf32(l.inp, at)));
  },
  backward(l) {
    walk(l, (at, o) => l.f.stf32(l.dIn, at, ldf32(l.dOut, o)));
  },
};
