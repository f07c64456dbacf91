// upsample: nn.Upsample by integer factors (sh, sw), in the TypeScript target's f64
// arithmetic and order (src/emit/ops/upsample.ts). Nearest copies each input pixel
// into its sh×sw block (the gradient sums the block). Bilinear uses half-pixel
// centres (align_corners=False): output row o reads source row
// max((o + 0.5)/sh − 0.5, 0), split between its floor and the next row (clamped
// at the last) with the fraction as weight; likewise for columns.
import type { WasmLayerContext, WasmOpEmitter } from "../context.ts";
import { add, addr, cmp, div, type Ex, f64, floor, k, ldf, ldf32, type Local, max, mul, select, sub, toF64, toI32 } from "../fn.ts";

type Upsample = WasmLayerContext<"upsample">;

/** body(xc, yc) per sample and channel: the plane's first input and output element */
function eachPlane(l: Upsample, body: (xc: Local<"i32">, yc: Local<"i32">) => void): void {
  const f = l.f;
  f.loop(k(0), mul(l.N, k(l.input.c)), (plane) => {
    body(f.let(mul(plane, k(l.input.h * l.input.w))), f.let(mul(plane, k(l.output.h * l.output.w))));
  });
}

/** Bilinear: per output pixel o, plane offsets r0/r1 of its rows with weight a on r1, columns q0/q1 with weight b on q1. */
function bilinear(
  l: Upsample,
  pixel: (p: { o: Local<"i32">; r0: Local<"i32">; r1: Local<"i32">; q0: Local<"i32">; q1: Local<"i32">; a: Local<"f64">; b: Local<"f64"> }) => void,
): void {
  const f = l.f;
  const [sh, sw] = l.args.scale;
  const { h: H, w: W } = l.input;
  const source = (o: Ex<"i32">, s: number) => max(sub(div(add(toF64(o), f64(0.5)), f64(s)), f64(0.5)), f64(0));
  const sy = f.local("f64"), a = f.local("f64"), sx = f.local("f64"), b = f.local("f64");
  const h0 = f.local("i32"), r0 = f.local("i32"), r1 = f.local("i32"), q0 = f.local("i32"), q1 = f.local("i32"), yr = f.local("i32"), o = f.local("i32");
  eachPlane(l, (xc, yc) => {
    f.loop(k(0), k(l.output.h), (oh) => {
      f.set(sy, source(oh, sh));
      f.set(h0, toI32(floor(sy)));
      f.set(a, sub(sy, toF64(h0)));
      f.set(r0, add(xc, mul(h0, k(W))));
      f.set(r1, select(cmp("lt", h0, k(H - 1)), add(r0, k(W)), r0));
      f.set(yr, add(yc, mul(oh, k(l.output.w))));
      f.loop(k(0), k(l.output.w), (ow) => {
        f.set(sx, source(ow, sw));
        f.set(q0, toI32(floor(sx)));
        f.set(b, sub(sx, toF64(q0)));
        f.set(q1, select(cmp("lt", q0, k(W - 1)), add(q0, k(1)), q0));
        f.set(o, add(yr, ow));
        pixel({ o, r0, r1, q0, q1, a, b });
      });
    });
  });
}

export const upsample: WasmOpEmitter<"upsample"> = {
  forward(l) {
    const f = l.f;
    const [sh, sw] = l.args.scale;
    const { h: H, w: W } = l.input;
    const OW = l.output.w;
    if (l.args.mode === "nearest") {
      eachPlane(l, (xc, yc) => {
        f.loop(k(0), k(H), (h) => {
          const xr = f.let(add(xc, mul(h, k(W))));
          for (let r = 0; r < sh; r++) {
            const yr = f.let(add(yc, mul(add(mul(h, k(sh)), k(r)), k(OW))));
            if (sw === 1) f.copy(addr(l.out, yr), addr(l.inp, xr), k(W));
            else {
              f.loop(k(0), k(W), (w) => {
                const v = f.let(ldf32(l.inp, add(xr, w)));
                const o = f.let(add(yr, mul(w, k(sw))));
                for (let q = 0; q < sw; q++) f.stf32(l.out, o, v, q);
              });
            }
          }
        });
      });
      return;
    }
    bilinear(l, ({ o, r0, r1, q0, q1, a, b }) => {
      const v = (r: Local<"i32">, q: Local<"i32">) => ldf(l.inp, add(r, q));
      const nb = f.let(sub(f64(1), b));
      f.stf(l.out, o, add(mul(sub(f64(1), a), add(mul(nb, v(r0, q0)), mul(b, v(r0, q1)))), mul(a, add(mul(nb, v(r1, q0)), mul(b, v(r1, q1))))));
    });
  },
  backward(l) {
    const f = l.f;
    const [sh, sw] = l.args.scale;
    const { h: H, w: W } = l.input;
    const OW = l.output.w;
    if (l.args.mode === "nearest") {
      // each input pixel sums its block, row by row, in f64
      eachPlane(l, (xc, yc) => {
        f.loop(k(0), k(H), (h) => {
          const xr = f.let(add(xc, mul(h, k(W))));
          const yr = f.let(add(yc, mul(h, k(sh * OW))));
          f.loop(k(0), k(W), (w) => {
            const o = f.let(add(yr, mul(w, k(sw))));
            let sum: Ex<"f64"> | undefined;
            for (let r = 0; r < sh; r++) for (let q = 0; q < sw; q++) sum = sum === undefined ? ldf(l.dOut, o, r * OW + q) : add(sum, ldf(l.dOut, o, r * OW + q));
            f.stf(l.dIn, add(xr, w), sum!);
          });
        });
      });
      return;
    }
    f.zero(l.dIn, k(0), mul(l.N, k(l.input.size)));
    const g = f.local("f64"), ga = f.local("f64"), gb = f.local("f64"), nb = f.local("f64");
    bilinear(l, ({ o, r0, r1, q0, q1, a, b }) => {
      f.set(g, ldf(l.dOut, o));
      f.set(ga, mul(g, a));
      f.set(gb, sub(g, ga));
      f.set(nb, sub(f64(1), b));
      const acc = (r: Local<"i32">, q: Local<"i32">, v: Ex<"f64">) => {
        const i = f.let(add(r, q));
        f.stf(l.dIn, i, add(ldf(l.dIn, i), v));
      };
      acc(r0, q0, mul(gb, nb));
      acc(r0, q1, mul(gb, b));
      acc(r1, q0, mul(ga, nb));
      acc(r1, q1, mul(ga, b));
    });
  },
};
