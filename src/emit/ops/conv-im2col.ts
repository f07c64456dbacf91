// The strided conv strategy (stride or dilation above 1, one group): per
// sample the input windows are copied into a column matrix
// col[C·KH·KW × OH·OW] (zeros where a window reads padding), and every pass
// becomes the register-blocked GEMM of ./conv-pointwise.ts over it:
// - forward: Y[F × P] = W[F × CKK] · col, 4 filters × 4 pixels of accumulators;
// - dWeight: gW += dY · colᵀ per sample (col rebuilt from the input), 4
//   filters × 4 taps reducing over chunks of pixels;
// - dInput: dcol = Wᵀ · dY (4 taps × 4 pixels reducing over filters), then
//   every column entry is added back to the input pixel it was copied from.
// A stride-2 conv reads each input row at every other column, which the
// window code pays for in every multiply-add; here only the copy does.
import { type LayerContext, type WorkspaceBuffer } from "../context.ts";
import type { Geometry } from "../window.ts";
import { type Operand, type Product, weightGradient, weightTimes, weightTransposedTimes } from "./conv-pointwise.ts";
import { windowGeometry } from "./window-geometry.ts";

type Conv = LayerContext<"conv">;

/** The window geometry (./window-geometry.ts) and this strategy's own sizes. */
export interface Im2colConv extends Geometry {
  c: number;
  f: number;
  /** rows of the column matrix (C·KH·KW) and its columns (OH·OW) */
  ckk: number;
  p: number;
}

/** The plan when the layer is a one-group conv with a stride or dilation above 1. */
export function im2colConvOf(l: Conv): Im2colConv | undefined {
  const a = l.args;
  const ok = l.strategy === "auto" && a.groups === 1 && (a.stride.some((s) => s > 1) || a.dilation.some((d) => d > 1));
  if (!ok) return undefined;
  const { c } = l.input;
  const [kh, kw] = a.kernel;
  return {
    ...windowGeometry(l),
    c,
    f: a.filters,
    ckk: c * kh * kw,
    p: l.output.h * l.output.w,
  };
}

export function im2colConvBuffers(l: Conv, d: Im2colConv): WorkspaceBuffer[] {
  // one sample's worth, whatever the batch (scratch shared with other layers must scale with it)
  return [{ name: l.bufferName("col"), kind: "float", length: String(d.ckk * d.p), doc: "one sample's input windows as columns, or their gradient" }];
}

/**
 * The loops over every column-matrix entry of sample n: `inside(x, r)` for an
 * entry read from the input (x its index in the sample's planes, r its index
 * in col), `outside(r)` for one that reads padding (omitted: skipped).
 */
function windowLoops(d: Im2colConv, inside: (x: string, r: string) => string, outside?: (r: string) => string): string {
  const pad = (from: string, to: string) => (outside === undefined ? "" : `for (let ox = ${from}; ox < ${to}; ox++) ${outside("r + ox")};`);
  return `for (let c = 0; c < ${d.c}; c++) {
    for (let ky = 0; ky < ${d.kh}; ky++) {
      for (let kx = 0; kx < ${d.kw}; kx++) {
        const row = ((c * ${d.kh} + ky) * ${d.kw} + kx) * ${d.p}, x0 = kx * ${d.dw} - ${d.pl};
        // output columns [lo, hi) read inside the input row
        const lo = Math.min(${d.ow}, x0 >= 0 ? 0 : Math.ceil(-x0 / ${d.sw})), hi = Math.max(lo, Math.min(${d.ow}, Math.floor((${d.w - 1} - x0) / ${d.sw}) + 1));
        for (let oy = 0; oy < ${d.oh}; oy++) {
          const iy = oy * ${d.sh} + ky * ${d.dh} - ${d.pt}, r = row + oy * ${d.ow};
          if (iy < 0 || iy >= ${d.h}) {
            ${pad("0", String(d.ow))}
            continue;
          }
          const xr = c * ${d.h * d.w} + iy * ${d.w} + x0;
          ${pad("0", "lo")}
          for (let ox = lo; ox < hi; ox++) ${inside(`xr + ox * ${d.sw}`, "r + ox")};
          ${pad("hi", String(d.ow))}
        }
      }
    }
  }`;
}

/** Copies sample n's windows into `col`. */
function im2col(d: Im2colConv): string {
  return `{
    const xn = n * ${d.c * d.h * d.w};
    ${windowLoops(d, (x, r) => `col[${r}] = inp[xn + ${x}]`, (r) => `col[${r}] = 0`)}
  }`;
}

const product = (d: Im2colConv): Product => ({ f: d.f, k: d.ckk, p: d.p });
const columns: Operand = { name: "col", at: "" };

export function im2colConvForward(l: Conv, d: Im2colConv): string {
  return `const W = ${l.param("weight")}, col = ${l.buffer("col")};
  ${l.args.bias ? `const b = ${l.param("bias")};` : ""}
  for (let n = 0; n < N; n++) {
    ${im2col(d)}
    const yn = n * ${d.f * d.p};
    ${weightTimes(l, product(d), columns)}
  }`;
}

function dWeight(l: Conv, d: Im2colConv): string {
  return `const gw = ${l.grad("weight")}, col = ${l.buffer("col")};
  gw.fill(0);
  for (let n = 0; n < N; n++) {
    ${im2col(d)}
    const yn = n * ${d.f * d.p};
    ${weightGradient(product(d), columns)}
  }`;
}

function dInput(l: Conv, d: Im2colConv): string {
  return `const W = ${l.param("weight")}, col = ${l.buffer("col")};
  dIn.fill(0);
  for (let n = 0; n < N; n++) {
    const yn = n * ${d.f * d.p};
    ${weightTransposedTimes(product(d), columns)}
    const xn = n * ${d.c * d.h * d.w};
    ${windowLoops(d, (x, r) => `dIn[xn + ${x}] += col[${r}]`)}
  }`;
}

export function im2colConvBackward(l: Conv, d: Im2colConv): { part: string; code: string }[] {
  return [
    { part: "weight", code: dWeight(l, d) },
    { part: "input", code: dInput(l, d) },
  ];
}
