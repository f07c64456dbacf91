// pad: zero padding (top, bottom, left, right); one row copy per input row, and back for the gradient.
// Reflect, replicate and circular padding gather and scatter (./pad-mode.ts).
import type { WasmLayerContext, WasmOpEmitter } from "../context.ts";
import { add, type Ex, k, mul } from "../fn.ts";
import { padGather, padScatter } from "./pad-mode.ts";

/** every input row's (input element, output element) index pair, as a row copy */
function rows(l: WasmLayerContext<"pad">, copy: (inRow: Ex<"i32">, outRow: Ex<"i32">) => void): void {
  const f = l.f;
  const [pt, , pl] = l.args.pad;
  const { c, h, w } = l.input;
  const o = l.output;
  f.loop(k(0), mul(l.N, k(c)), (plane) => {
    f.loop(k(0), k(h), (r) => {
      copy(add(mul(plane, k(h * w)), mul(r, k(w))), add(mul(plane, k(o.h * o.w)), add(mul(r, k(o.w)), k(pt * o.w + pl))));
    });
  });
}

const at = (ptr: WasmLayerContext["inp"], idx: Ex<"i32">) => add(ptr, mul(idx, k(4)));

export const pad: WasmOpEmitter<"pad"> = {
  forward(l) {
    if (l.args.mode !== undefined) return padGather(l.f, l.N, l.args.mode, l.args.pad, l.input, l.output, l.inp, l.out);
    l.f.zero(l.out, k(0), mul(l.N, k(l.output.size)));
    rows(l, (i, o) => l.f.copy(at(l.out, o), at(l.inp, i), k(l.input.w)));
  },
  backward(l) {
    if (l.args.mode !== undefined) return padScatter(l.f, l.N, l.args.mode, l.args.pad, l.input, l.output, l.dOut, l.dIn);
    rows(l, (i, o) => l.f.copy(at(l.dIn, i), at(l.dOut, o), k(l.input.w)));
  },
};
