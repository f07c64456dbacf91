// convtranspose: PyTorch ConvTranspose2d (weight [C, F/G, KH, KW], bias [F]) as the
// transpose of conv's matrix products (./conv.ts), per sample and group: the
// output plays conv's input and the input conv's output grid (Cols with the
// roles swapped), K = F/G·KH·KW, P = H·W of the input:
// - forward   cols[K × P] = W_gᵀ · x_g, scattered into out (col2im) over the bias (gemmNN)
// - dx_g      = W_g · im2col(dout)_g                                               (gemmNN)
// - dW_g     += x_g · im2col(dout)_gᵀ                                              (gemmNT)
// Output rows and columns no tap reaches (output_pad) keep the bias. A 1×1
// transpose with stride 1 and no padding reads and writes the planes directly.
import type { WasmLayerContext, WasmOpEmitter } from "../context.ts";
import { type Cols, col2im, colsDirect, colsK, colsP, im2col } from "./conv.ts";
import { add, addr, demote, type Ex, f64, k, ldf, mul, remS, vsplat } from "../fn.ts";

type ConvT = { args: WasmLayerContext<"convtranspose">["args"]; input: WasmLayerContext["input"]; output: WasmLayerContext["output"] };

function geometry(l: ConvT) {
  const a = l.args;
  const fg = a.filters / a.groups, cg = l.input.c / a.groups;
  const c: Cols = {
    C: a.filters, cig: fg, H: l.output.h, W: l.output.w, OH: l.input.h, OW: l.input.w,
    kh: a.kernel[0], kw: a.kernel[1], sh: a.stride[0], sw: a.stride[1], dh: a.dilation[0], dw: a.dilation[1], pt: a.pad[0], pl: a.pad[2],
  };
  return { c, G: a.groups, fg, cg, K: colsK(c), P: colsP(c), OHW: l.output.h * l.output.w, direct: colsDirect(c) && a.pad[1] === 0 && a.pad[3] === 0 };
}

export const convtranspose: WasmOpEmitter<"convtranspose"> = {
  scratch(l) {
    const { K, P, direct } = geometry(l);
    return direct ? 0 : K * P;
  },
  forward(l) {
    const f = l.f;
    const { c, G, fg, cg, K, P, OHW, direct } = geometry(l);
    const F = l.args.filters;
    const w = l.param("weight");
    if (!direct) {
      // every output plane starts at its bias (or 0); the taps add into it
      const total = mul(l.N, k(l.output.size));
      if (!l.args.bias) f.zero(l.out, k(0), total);
      else {
        const b = l.param("bias");
        f.loop(k(0), mul(l.N, k(F)), (plane) => {
          const base = f.let(mul(plane, k(OHW)));
          const v = f.let(ldf(b, remS(plane, k(F))));
          const splat = f.let(vsplat(demote(v)));
          const whole = OHW - (OHW % 4);
          if (whole > 0) f.loop(k(0), k(whole), (j) => f.stv(l.out, add(base, j), splat), 4);
          for (let j = whole; j < OHW; j++) f.stf(l.out, base, v, j);
        });
      }
    }
    f.loop(k(0), l.N, (n) => {
      f.loop(k(0), k(G), (g) => {
        const x = addr(l.inp, mul(add(mul(n, k(l.input.c)), mul(g, k(cg))), k(P)));
        const wg = addr(w, mul(g, k(cg * K)));
        if (direct) {
          const bias = l.args.bias ? addr(l.param("bias"), mul(g, k(fg))) : k(0);
          const out = addr(l.out, mul(add(mul(n, k(F)), mul(g, k(fg))), k(P)));
          f.call(l.kernels.gemmNN, [wg, k(1), k(K), x, k(P), out, k(P), k(K), k(cg), k(P), bias, k(0)]);
        } else {
          f.call(l.kernels.gemmNN, [wg, k(1), k(K), x, k(P), l.scratch, k(P), k(K), k(cg), k(P), k(0), k(0)]);
          col2im(f, c, l.out, l.scratch, n, g);
        }
      });
    });
  },
  backward(l) {
    const f = l.f;
    const { c, G, fg, cg, K, P, OHW, direct } = geometry(l);
    const F = l.args.filters;
    const w = l.param("weight"), gw = l.grad("weight");
    f.zero(gw, k(0), k(l.input.c * K));
    if (l.args.bias) {
      // per filter, over the batch and the plane in the TypeScript target's order (f64 sum)
      const gb = l.grad("bias");
      const s = f.local("f64");
      f.loop(k(0), k(F), (j) => {
        f.set(s, f64(0));
        f.loop(k(0), l.N, (n) => {
          const base = f.let(add(mul(n, k(l.output.size)), mul(j, k(OHW))));
          f.loop(k(0), k(OHW), (q) => f.set(s, add(s, ldf(l.dOut, add(base, q)))));
        });
        f.stf(gb, j, s);
      });
    }
    f.loop(k(0), l.N, (n) => {
      f.loop(k(0), k(G), (g) => {
        const x = f.let(addr(l.inp, mul(add(mul(n, k(l.input.c)), mul(g, k(cg))), k(P))));
        const dx = f.let(addr(l.dIn, mul(add(mul(n, k(l.input.c)), mul(g, k(cg))), k(P))));
        let cols: Ex<"i32"> = l.scratch;
        if (direct) cols = f.let(addr(l.dOut, mul(add(mul(n, k(F)), mul(g, k(fg))), k(P))));
        else im2col(f, c, l.dOut, l.scratch, n, g);
        const wg = f.let(addr(w, mul(g, k(cg * K))));
        f.call(l.kernels.gemmNT, [x, k(P), cols, k(P), addr(gw, mul(g, k(cg * K))), k(K), k(1), k(cg), k(K), k(P), k(1)]);
        f.call(l.kernels.gemmNN, [wg, k(K), k(1), cols, k(P), dx, k(P), k(cg), k(K), k(P), k(0), k(0)]);
      });
    });
  },
};
