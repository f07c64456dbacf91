// The pools' window walk: every output cell of every sample and channel, with
// the window's rows [r0, r1) and columns [q0, q1) clipped to the real input
// (padding cells never take part), in row-major order.
import type { ArgsOf } from "../../ir.ts";
import type { WasmLayerContext } from "../context.ts";
import { add, cmp, type Ex, k, type Local, mul, select, sub } from "../fn.ts";

const imax = (a: Ex<"i32">, b: Ex<"i32">) => select(cmp("gt", a, b), a, b);
export const imin = (a: Ex<"i32">, b: Ex<"i32">) => select(cmp("lt", a, b), a, b);

export interface Window {
  /** plane index n·C + c */
  plane: Local<"i32">;
  /** output index within the batch */
  o: Local<"i32">;
  /** the window's top-left corner, possibly in the padding */
  ih: Local<"i32">;
  iw: Local<"i32">;
  r0: Local<"i32">;
  r1: Local<"i32">;
  q0: Local<"i32">;
  q1: Local<"i32">;
  /** input index of the plane's first element */
  xc: Local<"i32">;
}

/** `plane` runs once per plane before its windows (for values constant over a plane) */
export function eachWindow<O extends "maxpool" | "avgpool">(l: WasmLayerContext<O>, body: (w: Window) => void, plane?: (w: Window) => void): void {
  const f = l.f;
  const { h, w } = l.input;
  const { h: oh, w: ow } = l.output;
  const args = l.args as ArgsOf<"maxpool" | "avgpool">;
  const [kh, kw] = args.kernel;
  const [sh, sw] = args.stride;
  const [pt, , pl] = args.pad;
  const win: Window = {
    plane: f.local("i32"), o: f.local("i32"), ih: f.local("i32"), iw: f.local("i32"),
    r0: f.local("i32"), r1: f.local("i32"), q0: f.local("i32"), q1: f.local("i32"), xc: f.local("i32"),
  };
  f.for(win.plane, k(0), mul(l.N, k(l.input.c)), () => {
    f.set(win.xc, mul(win.plane, k(h * w)));
    plane?.(win);
    f.loop(k(0), k(oh), (y) => {
      f.set(win.ih, sub(mul(y, k(sh)), k(pt)));
      f.set(win.r0, imax(win.ih, k(0)));
      f.set(win.r1, imin(add(win.ih, k(kh)), k(h)));
      f.loop(k(0), k(ow), (x) => {
        f.set(win.o, add(mul(win.plane, k(oh * ow)), add(mul(y, k(ow)), x)));
        f.set(win.iw, sub(mul(x, k(sw)), k(pl)));
        f.set(win.q0, imax(win.iw, k(0)));
        f.set(win.q1, imin(add(win.iw, k(kw)), k(w)));
        body(win);
      });
    });
  });
}
