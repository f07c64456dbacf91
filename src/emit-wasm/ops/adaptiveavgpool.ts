// adaptiveavgpool: nn.AdaptiveAvgPool2d (src/emit/ops/adaptiveavgpool.ts). Output row i
// averages input rows [floor(i·H/OH), ceil((i+1)·H/OH)), likewise for columns. When the
// windows tile the input they are avgpool's (kernel = stride = H/OH), and ./avgpool.ts runs.
import type { ArgsOf } from "../../ir.ts";
import type { WasmLayerContext, WasmOpEmitter } from "../context.ts";
import { add, div, divS, f64, k, ldf, type Local, mul, sub, toF64 } from "../fn.ts";
import { avgpool } from "./avgpool.ts";

type Adaptive = WasmLayerContext<"adaptiveavgpool">;

function asAvgpool(l: Adaptive): WasmLayerContext<"avgpool"> | undefined {
  const { h, w } = l.input;
  const [oh, ow] = l.args.size;
  if (h % oh !== 0 || w % ow !== 0) return undefined;
  const kk: [number, number] = [h / oh, w / ow];
  const args: ArgsOf<"avgpool"> = { op: "avgpool", kernel: kk, stride: kk, pad: [0, 0, 0, 0], count_pad: true, rounding: "floor" };
  return { ...l, args, layer: { ...l.layer, args } };
}

/** body per output pixel: its window rows [r0, r1) and columns [q0, q1) of the plane at xc, its divisor and output index */
function windows(l: Adaptive, body: (w: { xc: Local<"i32">; r0: Local<"i32">; r1: Local<"i32">; q0: Local<"i32">; q1: Local<"i32">; div: Local<"f64">; o: Local<"i32"> }) => void): void {
  const f = l.f;
  const { h, w } = l.input;
  const [oh, ow] = l.args.size;
  const r0 = f.local("i32"), r1 = f.local("i32"), q0 = f.local("i32"), q1 = f.local("i32"), d = f.local("f64"), o = f.local("i32");
  f.loop(k(0), mul(l.N, k(l.input.c)), (plane) => {
    const xc = f.let(mul(plane, k(h * w)));
    const yc = f.let(mul(plane, k(oh * ow)));
    f.loop(k(0), k(oh), (i) => {
      f.set(r0, divS(mul(i, k(h)), k(oh)));
      f.set(r1, divS(add(mul(i, k(h)), k(h + oh - 1)), k(oh)));
      f.loop(k(0), k(ow), (j) => {
        f.set(q0, divS(mul(j, k(w)), k(ow)));
        f.set(q1, divS(add(mul(j, k(w)), k(w + ow - 1)), k(ow)));
        f.set(d, toF64(mul(sub(r1, r0), sub(q1, q0))));
        f.set(o, add(yc, add(mul(i, k(ow)), j)));
        body({ xc, r0, r1, q0, q1, div: d, o });
      });
    });
  });
}

export const adaptiveavgpool: WasmOpEmitter<"adaptiveavgpool"> = {
  forward(l) {
    const pool = asAvgpool(l);
    if (pool !== undefined) return avgpool.forward(pool);
    const f = l.f;
    const acc = f.local("f64");
    windows(l, (win) => {
      f.set(acc, f64(0));
      f.loop(win.r0, win.r1, (r) => f.loop(win.q0, win.q1, (q) => f.set(acc, add(acc, ldf(l.inp, add(win.xc, add(mul(r, k(l.input.w)), q)))))));
      f.stf(l.out, win.o, div(acc, win.div));
    });
  },
  backward(l) {
    const pool = asAvgpool(l);
    if (pool !== undefined) return avgpool.backward(pool);
    const f = l.f;
    const d = f.local("f64");
    f.zero(l.dIn, k(0), mul(l.N, k(l.input.size)));
    windows(l, (win) => {
      f.set(d, div(ldf(l.dOut, win.o), win.div));
      f.loop(win.r0, win.r1, (r) =>
        f.loop(win.q0, win.q1, (q) => {
          const i = f.let(add(win.xc, add(mul(r, k(l.input.w)), q)));
          f.stf(l.dIn, i, add(ldf(l.dIn, i), d));
        }),
      );
    });
  },
};
