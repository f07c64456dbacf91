// Depthwise conv (groups = channels = filters: MobileNet, EfficientNet) on the
// wasm target: per sample and channel a plane times a KH×KW stencil, which the
// matrix kernels would run as K = KH·KW products of one row. Here f32x4 runs
// along each output row instead.
//
// Each input plane is first copied into `sw` zero-padded phase planes:
// S[φ][i][j] = x(i − pt, j·sw + φ − pl) (0 outside the input), so tap (r, q)
// of output row oh reads S[φ(q)][oh·sh + r·dh][ow + o(q) …] contiguously for
// every stride, with φ(q) = q·dw mod sw and o(q) = ⌊q·dw / sw⌋. The backward
// runs the same loop as its adjoint: dS[…] += w·dout and dW += dout·S, then
// dS is copied back into dx (the inverse of the padding copy).
import type { WasmLayerContext } from "../context.ts";
import { add, addr, cmp, type Ex, f64, type Fn, k, ldf, ldf32, ldsplat, ldv, type Local, mul, vadd, vlane, vmul, vsum, vzero } from "../fn.ts";

type Conv = Pick<WasmLayerContext<"conv">, "args" | "input" | "output">;

/** groups = channels = filters: one filter per input channel */
export function isDepthwise(l: Conv): boolean {
  return l.args.groups > 1 && l.args.groups === l.input.c && l.args.filters === l.input.c;
}

function geometry(l: Conv) {
  const a = l.args;
  const [kh, kw] = a.kernel, [sh, sw] = a.stride, [dh, dw] = a.dilation;
  const { h: H, w: W } = l.input, { h: OH, w: OW } = l.output;
  const OW4 = Math.ceil(OW / 4) * 4;
  // rows of S every output row reads, and columns: whole vectors past the last output column
  const Hp = (OH - 1) * sh + (kh - 1) * dh + 1;
  const Wq = OW4 + Math.floor(((kw - 1) * dw) / sw);
  const taps = Array.from({ length: kh * kw }, (_, t) => {
    const r = Math.floor(t / kw), q = t % kw;
    return { t, r, q, phase: (q * dw) % sw, off: Math.floor((q * dw) / sw) };
  });
  const pt = a.pad[0], pl = a.pad[2];
  // every input cell has a place in S (else the backward zeroes dx first: the conv never reads the others)
  const covered = Hp - pt >= H && Math.floor((W - 1 + pl) / sw) < Wq;
  return { kh, kw, sh, sw, dh, dw, H, W, OH, OW, OW4, Hp, Wq, pt, pl, taps, plane: sw * Hp * Wq, covered };
}

export function depthwiseScratch(l: Conv): number {
  const g = geometry(l);
  // S, dS and one zero-tailed plane of dout
  return 2 * g.plane + g.OH * g.OW4;
}

/** S's element of phase φ, row i, column j */
const sAt = (g: ReturnType<typeof geometry>, phase: number, i: Ex32, j: Ex32): Ex32 => add(mul(add(k(phase * g.Hp), i), k(g.Wq)), j);
type Ex32 = Ex<"i32">;

/**
 * Walks S's rows with the input row each one holds: per phase φ and S row i,
 * `inRange(dstRow, srcRow, lo, hi)` where S columns [lo, hi) hold input
 * columns j·sw + φ − pl of input row i − pt, `zero(dstRow, from, count)` for
 * S columns that are padding.
 */
function eachSRow(f: Fn, g: ReturnType<typeof geometry>, inRange: (s: Local<"i32">, x: Local<"i32">, lo: number, hi: number, phase: number) => void, zero: (s: Ex32, from: number, count: number) => void): void {
  for (let phase = 0; phase < g.sw; phase++) {
    // S column j holds input column j·sw + phase − pl, inside [0, W) for j in [lo, hi)
    const lo = Math.min(g.Wq, Math.max(0, Math.ceil((g.pl - phase) / g.sw)));
    const hi = Math.max(lo, Math.min(g.Wq, Math.floor((g.W - 1 + g.pl - phase) / g.sw) + 1));
    f.loop(k(0), k(g.Hp), (i) => {
      const s = f.let(sAt(g, phase, i, k(0)));
      const ih = f.let(add(i, k(-g.pt)));
      f.if(
        cmp("lt", ih, k(0)),
        () => zero(s, 0, g.Wq),
        () =>
          f.if(
            cmp("ge", ih, k(g.H)),
            () => zero(s, 0, g.Wq),
            () => {
              if (lo > 0) zero(s, 0, lo);
              if (hi < g.Wq) zero(add(s, k(hi)), 0, g.Wq - hi);
              const x = f.let(mul(ih, k(g.W)));
              if (hi > lo) inRange(s, x, lo, hi, phase);
            },
          ),
      );
    });
  }
}

/** S = the phase planes of the input plane at byte address `xPlane` */
function pack(f: Fn, g: ReturnType<typeof geometry>, S: Local<"i32">, xPlane: Local<"i32">): void {
  eachSRow(
    f,
    g,
    (s, x, lo, hi, phase) => {
      const first = lo * g.sw + phase - g.pl;
      if (g.sw === 1) f.copy(addr(S, add(s, k(lo))), addr(xPlane, add(x, k(first))), k(hi - lo));
      else {
        const src = f.let(addr(xPlane, add(x, k(first)))), dst = f.let(addr(S, add(s, k(lo))));
        f.gather(dst, src, hi - lo, g.sw);
      }
    },
    (s, from, count) => f.zero(S, add(s, k(from)), k(count)),
  );
}

/** dx plane = the input positions of dS (the adjoint of pack: padding cells dropped) */
function unpack(f: Fn, g: ReturnType<typeof geometry>, dS: Local<"i32">, dxPlane: Local<"i32">): void {
  eachSRow(
    f,
    g,
    (s, x, lo, hi, phase) => {
      const first = lo * g.sw + phase - g.pl;
      if (g.sw === 1) f.copy(addr(dxPlane, add(x, k(first))), addr(dS, add(s, k(lo))), k(hi - lo));
      else {
        const dst = f.let(addr(dxPlane, add(x, k(first)))), src = f.let(addr(dS, add(s, k(lo))));
        f.loop(k(0), k(hi - lo), (j) => f.stf32(dst, mul(j, k(g.sw)), ldf32(src, j)));
      }
    },
    () => undefined,
  );
}

export function depthwiseForward(l: WasmLayerContext<"conv">): void {
  const f = l.f;
  const g = geometry(l);
  const C = l.input.c, inPlane = g.H * g.W, outPlane = g.OH * g.OW;
  const S = l.scratch;
  const w = l.param("weight");
  const wv = g.taps.map(() => f.local("v128"));
  const acc = f.local("v128");
  f.loop(k(0), k(C), (c) => {
    const wc = f.let(addr(w, mul(c, k(g.taps.length))));
    for (const t of g.taps) f.set(wv[t.t]!, ldsplat(wc, k(t.t)));
    const init = l.args.bias ? f.let(ldsplat(l.param("bias"), c)) : undefined;
    f.loop(k(0), l.N, (n) => {
      const plane = f.let(add(mul(n, k(C)), c));
      const xPlane = f.let(addr(l.inp, mul(plane, k(inPlane))));
      pack(f, g, S, xPlane);
      const oPlane = f.let(addr(l.out, mul(plane, k(outPlane))));
      f.loop(k(0), k(g.OH), (oh) => {
        const rowS = f.let(mul(mul(oh, k(g.sh)), k(g.Wq)));
        const out = f.let(addr(oPlane, mul(oh, k(g.OW))));
        const vector = (ow: Ex32) => {
          f.set(acc, init ?? vzero);
          const base = f.let(add(rowS, ow));
          for (const t of g.taps) f.set(acc, vadd(acc, vmul(wv[t.t]!, ldv(S, base, t.phase * g.Hp * g.Wq + t.r * g.dh * g.Wq + t.off))));
        };
        const whole = g.OW - (g.OW % 4);
        if (whole > 0) {
          f.loop(k(0), k(whole), (ow) => {
            vector(ow);
            f.stv(out, ow, acc);
          }, 4);
        }
        if (whole < g.OW) {
          vector(k(whole));
          for (let j = whole; j < g.OW; j++) f.stf32(out, k(j), vlane(acc, j - whole));
        }
      });
    });
  });
}

export function depthwiseBackward(l: WasmLayerContext<"conv">): void {
  const f = l.f;
  const g = geometry(l);
  const C = l.input.c, inPlane = g.H * g.W, outPlane = g.OH * g.OW;
  const S = l.scratch;
  const dS = f.let(addr(l.scratch, k(g.plane)));
  const D = f.let(addr(l.scratch, k(2 * g.plane)));
  const w = l.param("weight"), gw = l.grad("weight");
  const wv = g.taps.map(() => f.local("v128"));
  const gv = g.taps.map(() => f.local("v128"));
  const d = f.local("v128");
  const s = f.local("f64");
  // D's columns past OW stay zero, so whole vectors add nothing there
  f.zero(D, k(0), k(g.OH * g.OW4));
  f.loop(k(0), k(C), (c) => {
    const wc = f.let(addr(w, mul(c, k(g.taps.length))));
    for (const t of g.taps) {
      f.set(wv[t.t]!, ldsplat(wc, k(t.t)));
      f.set(gv[t.t]!, vzero);
    }
    if (l.args.bias) f.set(s, f64(0));
    f.loop(k(0), l.N, (n) => {
      const plane = f.let(add(mul(n, k(C)), c));
      const xPlane = f.let(addr(l.inp, mul(plane, k(inPlane))));
      const dPlane = f.let(addr(l.dOut, mul(plane, k(outPlane))));
      pack(f, g, S, xPlane);
      f.zero(dS, k(0), k(g.plane));
      f.loop(k(0), k(g.OH), (oh) => f.copy(addr(D, mul(oh, k(g.OW4))), addr(dPlane, mul(oh, k(g.OW))), k(g.OW)));
      if (l.args.bias) f.loop(k(0), k(outPlane), (p) => f.set(s, add(s, ldf(dPlane, p))));
      // one tap at a time over the whole plane (S, dS and D stay in cache): a tap's weight, gradient sum and the
      // vector of dout are all it holds in registers
      for (const t of g.taps) {
        const off = t.phase * g.Hp * g.Wq + t.r * g.dh * g.Wq + t.off;
        f.loop(k(0), k(g.OH), (oh) => {
          const rowS = f.let(mul(mul(oh, k(g.sh)), k(g.Wq)));
          const rowD = f.let(mul(oh, k(g.OW4)));
          f.loop(k(0), k(g.OW4), (ow) => {
            f.set(d, ldv(D, add(rowD, ow)));
            const base = f.let(add(rowS, ow));
            f.set(gv[t.t]!, vadd(gv[t.t]!, vmul(d, ldv(S, base, off))));
            f.stv(dS, base, vadd(ldv(dS, base, off), vmul(wv[t.t]!, d)), off);
          }, 4);
        });
      }
      const dxPlane = f.let(addr(l.dIn, mul(plane, k(inPlane))));
      if (!g.covered) f.zero(dxPlane, k(0), k(inPlane));
      unpack(f, g, dS, dxPlane);
    });
    const gc = f.let(addr(gw, mul(c, k(g.taps.length))));
    for (const t of g.taps) f.stf32(gc, k(t.t), vsum(gv[t.t]!));
    if (l.args.bias) f.stf(l.grad("bias"), c, s);
  });
}
