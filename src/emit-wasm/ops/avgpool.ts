// avgpool: the window's sum over its real cells divided by the window's
// divisor: with count_pad, its cells inside the padded input (clipped at
// in + pad_after, PyTorch's ceil-mode rule), else its real cells (src/emit/ops/avgpool.ts).
import type { WasmLayerContext, WasmOpEmitter } from "../context.ts";
import { add, div, f64, k, ldf, mul, sub, toF64 } from "../fn.ts";
import { eachWindow, imin, type Window } from "./window.ts";

function divisor(l: WasmLayerContext<"avgpool">, win: Window) {
  const [kh, kw] = l.args.kernel;
  const [, pb, , pr] = l.args.pad;
  const { h, w } = l.input;
  if (!l.args.count_pad) return toF64(mul(sub(win.r1, win.r0), sub(win.q1, win.q0)));
  return toF64(mul(sub(imin(add(win.ih, k(kh)), k(h + pb)), win.ih), sub(imin(add(win.iw, k(kw)), k(w + pr)), win.iw)));
}

export const avgpool: WasmOpEmitter<"avgpool"> = {
  forward(l) {
    const f = l.f;
    const acc = f.local("f64");
    eachWindow(l, (win) => {
      f.set(acc, f64(0));
      f.loop(win.r0, win.r1, (r) => {
        f.loop(win.q0, win.q1, (q) => f.set(acc, add(acc, ldf(l.inp, add(win.xc, add(mul(r, k(l.input.w)), q))))));
      });
      f.stf(l.out, win.o, div(acc, divisor(l, win)));
    });
  },
  backward(l) {
    const f = l.f;
    const d = f.local("f64");
    f.zero(l.dIn, k(0), mul(l.N, k(l.input.size)));
    eachWindow(l, (win) => {
      f.set(d, div(ldf(l.dOut, win.o), divisor(l, win)));
      f.loop(win.r0, win.r1, (r) => {
        f.loop(win.q0, win.q1, (q) => {
          const i = f.let(add(win.xc, add(mul(r, k(l.input.w)), q)));
          f.stf(l.dIn, i, add(ldf(l.dIn, i), d));
        });
      });
    });
  },
};
