// The layers that only move values, as block copies (memory.copy, overlap-safe) or strided f32
// moves, exactly the maps of src/emit/ops/channelshuffle.ts, slice.ts and pixelshuffle.ts.
import type { Dims } from "../../emit/context.ts";
import type { WasmLayerContext, WasmOpEmitter } from "../context.ts";
import { add, addr, divS, type Ex, type Fn, k, ldf32, mul, remS } from "../fn.ts";

/** per sample and output channel co: co's plane and the input plane ci = (co % G)·(C/G) + ⌊co / G⌋ */
function shuffle(l: WasmLayerContext<"channelshuffle">, move: (outPlane: Ex<"i32">, inPlane: Ex<"i32">) => void): void {
  const f = l.f;
  const hw = l.input.h * l.input.w, g = l.args.groups, cg = l.input.c / g;
  f.loop(k(0), l.N, (n) => {
    const base = f.let(mul(n, k(l.input.size)));
    f.loop(k(0), k(l.input.c), (co) => {
      const ci = add(mul(remS(co, k(g)), k(cg)), divS(co, k(g)));
      move(add(base, mul(co, k(hw))), add(base, mul(ci, k(hw))));
    });
  });
}

export const channelshuffle: WasmOpEmitter<"channelshuffle"> = {
  forward(l) {
    const hw = l.input.h * l.input.w;
    shuffle(l, (o, s) => l.f.copy(addr(l.out, o), addr(l.inp, s), k(hw)));
  },
  backward(l) {
    const hw = l.input.h * l.input.w;
    shuffle(l, (o, s) => l.f.copy(addr(l.dIn, s), addr(l.dOut, o), k(hw)));
  },
};

/** per sample: the first kept input element and the output sample's first element */
function kept(l: WasmLayerContext<"slice">, move: (inAt: Ex<"i32">, outAt: Ex<"i32">) => void): void {
  const hw = l.input.h * l.input.w;
  l.f.loop(k(0), l.N, (n) => move(add(mul(n, k(l.input.size)), k(l.args.start * hw)), mul(n, k(l.output.size))));
}

export const slice: WasmOpEmitter<"slice"> = {
  forward(l) {
    kept(l, (s, o) => l.f.copy(addr(l.out, o), addr(l.inp, s), k(l.output.size)));
  },
  backward(l) {
    l.f.zero(l.dIn, k(0), mul(l.N, k(l.input.size)));
    kept(l, (s, o) => l.f.copy(addr(l.dIn, s), addr(l.dOut, o), k(l.output.size)));
  },
};

/**
 * Every value of the channel-deep side `deep` (c·r² + i·r + j, h, w) and its place (c, h·r + i, w·r + j)
 * on the r-times-larger side `big`: move(deepIndex, bigIndex) per element.
 */
function permute(f: Fn, N: Ex<"i32">, deep: Dims, big: Dims, r: number, move: (d: Ex<"i32">, b: Ex<"i32">) => void): void {
  f.loop(k(0), N, (n) => {
    f.loop(k(0), k(big.c), (c) => {
      for (let i = 0; i < r; i++) {
        for (let j = 0; j < r; j++) {
          f.loop(k(0), k(deep.h), (h) => {
            const d = f.let(add(mul(n, k(deep.size)), mul(add(mul(add(mul(c, k(r * r)), k(i * r + j)), k(deep.h)), h), k(deep.w))));
            const b = f.let(add(add(mul(n, k(big.size)), mul(add(add(mul(c, k(big.h)), mul(h, k(r))), k(i)), k(big.w))), k(j)));
            f.loop(k(0), k(deep.w), (w) => move(add(d, w), add(b, mul(w, k(r)))));
          });
        }
      }
    });
  });
}

export const pixelshuffle: WasmOpEmitter<"pixelshuffle"> = {
  forward(l) {
    permute(l.f, l.N, l.input, l.output, l.args.factor, (d, b) => l.f.stf32(l.out, b, ldf32(l.inp, d)));
  },
  backward(l) {
    permute(l.f, l.N, l.input, l.output, l.args.factor, (d, b) => l.f.stf32(l.dIn, d, ldf32(l.dOut, b)));
  },
};

export const pixelunshuffle: WasmOpEmitter<"pixelunshuffle"> = {
  forward(l) {
    permute(l.f, l.N, l.output, l.input, l.args.factor, (d, b) => l.f.stf32(l.out, d, ldf32(l.inp, b)));
  },
  backward(l) {
    permute(l.f, l.N, l.output, l.input, l.args.factor, (d, b) => l.f.stf32(l.dIn, b, ldf32(l.dOut, d)));
  },
};
