// stochasticdepth: the per-sample (row) or per-batch mask (0 or 1/(1 − p)) is drawn by the
// generated TypeScript before the pass, from the workspace's generator in the TypeScript
// target's order (src/emit/ops/stochasticdepth.ts); here each sample is scaled by its entry.
// Eval: the identity.
import type { WasmLayerContext, WasmOpEmitter } from "../context.ts";
import { add, type Ex, k, ldf, mul } from "../fn.ts";

function scaled(l: WasmLayerContext<"stochasticdepth">, dst: Ex<"i32">, src: Ex<"i32">): void {
  const f = l.f;
  const mask = l.buffer("mask");
  const size = l.input.size;
  f.loop(k(0), l.N, (n) => {
    const m = f.let(ldf(mask, l.args.mode === "row" ? n : k(0)));
    const o = f.let(mul(n, k(size)));
    f.loop(o, add(o, k(size)), (j) => f.stf(dst, j, mul(ldf(src, j), m)));
  });
}

export const stochasticdepth: WasmOpEmitter<"stochasticdepth"> = {
  forward(l) {
    l.f.if(l.train, () => scaled(l, l.out, l.inp), () => l.f.copy(l.out, l.inp, mul(l.N, k(l.input.size))));
  },
  backward(l) {
    scaled(l, l.dIn, l.dOut);
  },
};
