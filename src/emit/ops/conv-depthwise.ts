// The depthwise conv strategy (groups = input channels = filters: one filter
// per channel, as in MobileNet and EfficientNet), any stride and dilation,
// windows within the unroll budget. Each plane is its own small conv, so the
// kernels walk channel by channel with the filter's taps held in locals:
// - the plane is copied into a zero-bordered plane buffer (when padded), so
//   no window needs a bounds test;
// - forward: 4 output columns per step; per kernel row the distinct inputs
//   the 4 windows read are loaded once (4 + KW − 1 at stride 1, 2·3 + KW at
//   stride 2), then each tap feeds 4 accumulators;
// - backward, per plane: each output gradient g adds g·x to its taps'
//   weight-gradient accumulators; at stride 1 dx is then the forward's loop
//   on the zero-bordered output gradient with the filter flipped (a full
//   correlation), otherwise g·w is added into a bordered input-gradient plane
//   whose interior is copied to dx.
import { type LayerContext, plus, type WorkspaceBuffer } from "../context.ts";
import type { Geometry } from "../window.ts";
import { windowGeometry } from "./window-geometry.ts";
import { blocks } from "./conv-pointwise.ts";

type Conv = LayerContext<"conv">;

/** The window geometry (./window-geometry.ts) and this strategy's own sizes. */
export interface DepthwiseConv extends Geometry {
  c: number;
  /** the padded plane's height and width */
  hp: number;
  wp: number;
  padded: boolean;
  /**
   * stride 1, no dilation, padding under the window: dx is a full correlation
   * of the output gradient (in a K − 1 − pad zero border of gh × gw) with the
   * flipped filter, every element written once; otherwise the backward adds
   * g·w into a padded plane (scatter)
   */
  gather: boolean;
  gh: number;
  gw: number;
}

/** The plan when every channel has its own single filter and the window fits the unroll budget. */
export function depthwiseConvOf(l: Conv): DepthwiseConv | undefined {
  const a = l.args;
  const { c, h, w } = l.input;
  const [kh, kw] = a.kernel;
  const ok = l.strategy === "auto" && a.groups === c && a.filters === c && c > 1 && kh * kw <= l.unrollBudget;
  if (!ok) return undefined;
  const [pt, pb, pl, pr] = a.pad;
  return {
    ...windowGeometry(l),
    c,
    hp: h + pt + pb,
    wp: w + pl + pr,
    padded: pt + pb + pl + pr > 0,
    gather: a.stride.every((v) => v === 1) && a.dilation.every((v) => v === 1) && Math.max(pt, pb) < kh && Math.max(pl, pr) < kw,
    gh: h + kh - 1,
    gw: w + kw - 1,
  };
}

export function depthwiseConvBuffers(l: Conv, d: DepthwiseConv): WorkspaceBuffer[] {
  // one plane each, whatever the batch (scratch shared with other layers must scale with it)
  const grad: WorkspaceBuffer = d.gather
    ? { name: l.bufferName("dwgrad"), kind: "float", length: String(d.gh * d.gw), doc: "one plane's output gradient with a zero border" }
    : { name: l.bufferName("dwgrad"), kind: "float", length: String(d.hp * d.wp), doc: "one plane's input gradient with its border" };
  const out = [grad];
  if (d.padded) out.push({ name: l.bufferName("dwpad"), kind: "float", length: String(d.hp * d.wp), doc: "one input plane with its zero border" });
  return out;
}

const taps = (d: DepthwiseConv) => Array.from({ length: d.kh * d.kw }, (_, t) => ({ t, ky: Math.floor(t / d.kw), kx: t % d.kw }));

/** Offset of tap (ky, kx) from its window's origin in the (padded) plane. */
const tapOffset = (d: DepthwiseConv, ky: number, kx: number) => ky * d.dh * d.wp + kx * d.dw;

/** Loads channel c's taps into w0.. (and its bias into bc). */
function loadTaps(l: Conv, d: DepthwiseConv): string {
  return `const ${taps(d).map(({ t }) => `w${t} = W[${plus(`c * ${d.kh * d.kw}`, t)}]`).join(", ")};`;
}

/**
 * Plane (n, c) of the input as the kernels read it: `src` and the index `x0`
 * of its (padded) origin; when padded, the interior of the plane buffer is
 * rewritten (its border is zeroed once per call).
 */
function planeSource(d: DepthwiseConv): { src: string; copy: string; x0: string } {
  if (!d.padded) return { src: "inp", copy: "", x0: "xc" };
  const copy = `for (let r = 0; r < ${d.h}; r++) {
    const s = xc + r * ${d.w}, t = ${plus(`r * ${d.wp}`, d.pt * d.wp + d.pl)};
    for (let q = 0; q < ${d.w}; q++) xp[t + q] = inp[s + q];
  }`;
  return { src: "xp", copy, x0: "0" };
}

/**
 * `nb` output columns from ox of a correlation over a plane of row stride
 * `row` (stride `sw`, dilation d.dh × d.dw): accumulators a0.. over every tap
 * (`weight(ky, kx)`: the local holding its weight), each distinct input
 * loaded once per kernel row; stored at `dst[yr + ox + j]`.
 */
function correlationBlock(d: DepthwiseConv, o: { src: string; row: number; sw: number; nb: number; init: string; dst: string; weight: (ky: number, kx: number) => string }): string {
  const acc = Array.from({ length: o.nb }, (_, j) => `a${j}`);
  const rows: string[] = [];
  for (let ky = 0; ky < d.kh; ky++) {
    const cols = [...new Set(Array.from({ length: o.nb }, (_, j) => Array.from({ length: d.kw }, (_, kx) => j * o.sw + kx * d.dw)).flat())].sort((a, b) => a - b);
    const loads = cols.map((c) => `x${c} = ${o.src}[${plus("i", ky * d.dh * o.row + c)}]`);
    const macs = Array.from({ length: d.kw }, (_, kx) => acc.map((a, j) => `${a} += ${o.weight(ky, kx)} * x${j * o.sw + kx * d.dw};`).join(" "));
    rows.push(`{ const ${loads.join(", ")};\n${macs.join("\n")} }`);
  }
  return `const i = xr + ox * ${o.sw};
  let ${acc.map((a) => `${a} = ${o.init}`).join(", ")};
  ${rows.join("\n")}
  ${acc.map((a, j) => `${o.dst}[${plus("yr + ox", j)}] = ${a};`).join(" ")}`;
}

export function depthwiseConvForward(l: Conv, d: DepthwiseConv): string {
  const { src, copy, x0 } = planeSource(d);
  return `const W = ${l.param("weight")};
  ${l.args.bias ? `const b = ${l.param("bias")};` : ""}
  ${d.padded ? `const xp = ${l.buffer("dwpad")};\nxp.fill(0);` : ""}
  for (let c = 0; c < ${d.c}; c++) {
    ${loadTaps(l, d)}
    const bc = ${l.args.bias ? "b[c]" : "0"};
    for (let n = 0; n < N; n++) {
      const xc = (n * ${d.c} + c) * ${d.h * d.w}, yc = (n * ${d.c} + c) * ${d.oh * d.ow};
      ${copy}
      for (let oy = 0; oy < ${d.oh}; oy++) {
        const xr = ${x0 === "0" ? "" : `${x0} + `}oy * ${d.sh * d.wp}, yr = yc + oy * ${d.ow};
        ${blocks("ox", d.ow, (nb) => correlationBlock(d, { src, row: d.wp, sw: d.sw, nb, init: "bc", dst: "out", weight: (ky, kx) => `w${ky * d.kw + kx}` }))}
      }
    }
  }`;
}

/** Stride 1: dW gathers g·x per tap; dx is the correlation of the bordered dOut plane with the flipped filter. */
function gatherBackward(l: Conv, d: DepthwiseConv): string {
  const { src, copy, x0 } = planeSource(d);
  const ts = taps(d);
  const top = (d.kh - 1 - d.pt) * d.gw + (d.kw - 1 - d.pl);
  return `const W = ${l.param("weight")}, gw = ${l.grad("weight")}, dp = ${l.buffer("dwgrad")};
  ${d.padded ? `const xp = ${l.buffer("dwpad")};\nxp.fill(0);` : ""}
  dp.fill(0);
  for (let c = 0; c < ${d.c}; c++) {
    ${loadTaps(l, d)}
    let ${ts.map(({ t }) => `g${t} = 0`).join(", ")};
    for (let n = 0; n < N; n++) {
      const xc = (n * ${d.c} + c) * ${d.h * d.w}, yc = (n * ${d.c} + c) * ${d.oh * d.ow};
      ${copy}
      for (let oy = 0; oy < ${d.oh}; oy++) {
        const yr = yc + oy * ${d.ow}, dr = ${plus(`oy * ${d.gw}`, top)};
        for (let ox = 0; ox < ${d.ow}; ox++) {
          const g = dOut[yr + ox], i = ${x0 === "0" ? "" : `${x0} + `}oy * ${d.wp} + ox;
          dp[dr + ox] = g;
          ${ts.map(({ t, ky, kx }) => `g${t} += g * ${src}[${plus("i", tapOffset(d, ky, kx))}];`).join(" ")}
        }
      }
      for (let oy = 0; oy < ${d.h}; oy++) {
        const xr = oy * ${d.gw}, yr = xc + oy * ${d.w};
        ${blocks("ox", d.w, (nb) =>
          correlationBlock(d, { src: "dp", row: d.gw, sw: 1, nb, init: "0", dst: "dIn", weight: (ky, kx) => `w${(d.kh - 1 - ky) * d.kw + (d.kw - 1 - kx)}` }),
        )}
      }
    }
    ${ts.map(({ t }) => `gw[${plus(`c * ${d.kh * d.kw}`, t)}] = g${t};`).join(" ")}
  }`;
}

/** Any stride: each output gradient g adds g·x to its taps' accumulators and g·w to the bordered input-gradient plane. */
function scatterBackward(l: Conv, d: DepthwiseConv): string {
  const { src, copy, x0 } = planeSource(d);
  const ts = taps(d);
  const body = ts.map(({ t, ky, kx }) => {
    const o = tapOffset(d, ky, kx);
    return `{ const k = ${plus("i", o)}; g${t} += g * ${src}[${plus(x0 === "0" ? "i" : "xi", o)}]; dp[k] += g * w${t}; }`;
  });
  return `const W = ${l.param("weight")}, gw = ${l.grad("weight")}, dp = ${l.buffer("dwgrad")};
  ${d.padded ? `const xp = ${l.buffer("dwpad")};\nxp.fill(0);` : ""}
  for (let c = 0; c < ${d.c}; c++) {
    ${loadTaps(l, d)}
    let ${ts.map(({ t }) => `g${t} = 0`).join(", ")};
    for (let n = 0; n < N; n++) {
      const xc = (n * ${d.c} + c) * ${d.h * d.w}, yc = (n * ${d.c} + c) * ${d.oh * d.ow};
      ${copy}
      dp.fill(0);
      for (let oy = 0; oy < ${d.oh}; oy++) {
        const yr = yc + oy * ${d.ow};
        for (let ox = 0; ox < ${d.ow}; ox++) {
          const g = dOut[yr + ox], i = oy * ${d.sh * d.wp} + ox * ${d.sw}${x0 === "0" ? "" : `, xi = ${x0} + i`};
          ${body.join("\n")}
        }
      }
      for (let r = 0; r < ${d.h}; r++) {
        const s = ${plus(`r * ${d.wp}`, d.pt * d.wp + d.pl)}, t = xc + r * ${d.w};
        for (let q = 0; q < ${d.w}; q++) dIn[t + q] = dp[s + q];
      }
    }
    ${ts.map(({ t }) => `gw[${plus(`c * ${d.kh * d.kw}`, t)}] = g${t};`).join(" ")}
  }`;
}

export function depthwiseConvBackward(l: Conv, d: DepthwiseConv): { part: string; code: string }[] {
  return [{ part: "weightAndInput", code: d.gather ? gatherBackward(l, d) : scatterBackward(l, d) }];
}
