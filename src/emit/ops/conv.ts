// conv: PyTorch Conv2d (weight [F, C/groups, KH, KW], bias [F]) with
// asymmetric padding, stride, dilation and groups. Interior windows are
// straight-line code with literal offsets (over channels too when the group
// is small enough for the unroll budget); border windows loop with tests.
import { type LayerContext, type OpEmitter, plus } from "../context.ts";
import { borderTaps, type Geometry, insideTapLoops, pixelLoop, tapsOf } from "../window.ts";
import { windowGeometry } from "./window-geometry.ts";
import { convBiasGrad, directConvBackward, directConvBuffers, directConvForward, directConvOf } from "./conv-direct.ts";
import { pointwiseConvBackward, pointwiseConvForward, pointwiseConvOf } from "./conv-pointwise.ts";
import { depthwiseConvBackward, depthwiseConvBuffers, depthwiseConvForward, depthwiseConvOf } from "./conv-depthwise.ts";
import { im2colConvBackward, im2colConvBuffers, im2colConvForward, im2colConvOf } from "./conv-im2col.ts";

type Conv = LayerContext<"conv">;

interface ConvPlan {
  g: Geometry;
  cg: number;
  fg: number;
  kk: number;
  hw: number;
  ohw: number;
  /** channels of a group written out as straight-line code (else a loop over c) */
  unrollChannels: boolean;
  /** kernel taps written out (else loops over kh, kw) */
  unrollTaps: boolean;
  /** straight-line taps: offsets into the input window and into the filter */
  taps: { input: number; weight: number }[];
}

function planOf(l: Conv): ConvPlan {
  const g = windowGeometry(l);
  const groups = l.args.groups;
  const cg = l.input.c / groups;
  const fg = l.args.filters / groups;
  const kk = g.kh * g.kw;
  const hw = g.h * g.w;
  const unrollChannels = cg * kk <= l.unrollBudget;
  const unrollTaps = kk <= l.unrollBudget;
  const taps: { input: number; weight: number }[] = [];
  for (let c = 0; c < (unrollChannels ? cg : 1); c++) {
    for (const t of tapsOf(g)) taps.push({ input: c * hw + t.offset, weight: c * kk + t.k });
  }
  return { g, cg, fg, kk, hw, ohw: g.oh * g.ow, unrollChannels, unrollTaps, taps };
}

/** `xg`: start of this filter's input group within the batch buffer. */
function groupBase(p: ConvPlan, l: Conv, sampleBase: string): string {
  if (l.args.groups === 1) return sampleBase;
  return `${sampleBase} + ((f / ${p.fg}) | 0) * ${p.cg * p.hw}`;
}

/**
 * Interior code: `line(i, k)` gets the input and filter index expressions of
 * one tap (i relative to the window origin `i0` plus the group base).
 */
function insideCode(p: ConvPlan, line: (i: string, k: string) => string): string {
  if (p.unrollChannels) {
    return `const i = xg + i0;\n` + p.taps.map((t) => line(plus("i", t.input), plus("wf", t.weight))).join("\n");
  }
  const taps = p.unrollTaps
    ? p.taps.map((t) => line(plus("i", t.input), plus("k", t.weight))).join("\n")
    : insideTapLoops(p.g, line("i + t", `k + kh * ${p.g.kw} + kw`));
  return `for (let c = 0; c < ${p.cg}; c++) {
    const i = xg + i0 + c * ${p.hw}, k = wf + c * ${p.kk};
    ${taps}
  }`;
}

function borderCode(p: ConvPlan, line: (i: string, k: string) => string): string {
  return `for (let c = 0; c < ${p.cg}; c++) {
    const xc = xg + c * ${p.hw}, wc = wf + c * ${p.kk};
    ${borderTaps(p.g, line(`xc + r * ${p.g.w} + q`, `wc + kh * ${p.g.kw} + kw`))}
  }`;
}

/**
 * Strategies chosen per layer from its shape: the GEMM-shaped kernels of
 * ./conv-pointwise.ts for 1×1 convs of stride 1 without padding or groups,
 * the per-plane kernels of ./conv-depthwise.ts for depthwise convs, the direct sliding kernels of ./conv-direct.ts for other stride-1,
 * undilated convs whose window fits the unroll budget, the column-matrix GEMM
 * of ./conv-im2col.ts for one-group convs with a stride or dilation, and
 * otherwise the general window code below.
 */
export const conv: OpEmitter<"conv"> = {
  buffers(l) {
    if (pointwiseConvOf(l) !== undefined) return [];
    const depthwise = depthwiseConvOf(l);
    if (depthwise !== undefined) return depthwiseConvBuffers(l, depthwise);
    const direct = directConvOf(l);
    if (direct !== undefined) return directConvBuffers(l, direct);
    const im2col = im2colConvOf(l);
    return im2col === undefined ? [] : im2colConvBuffers(l, im2col);
  },

  strategy(l) {
    if (pointwiseConvOf(l) !== undefined) return "pointwise: a GEMM per sample, 4 filters × 4 pixels";
    if (depthwiseConvOf(l) !== undefined) return "depthwise: a zero-bordered plane per channel, taps in locals, 4 columns";
    if (directConvOf(l) !== undefined) return "direct: padded input, 1 filter × 4 columns, sliding rows";
    if (im2colConvOf(l) !== undefined) return "im2col: a column matrix per sample and a GEMM, 4 filters × 4 pixels";
    const p = planOf(l);
    return p.unrollChannels
      ? `window: ${p.taps.length} taps unrolled over the group's channels`
      : p.unrollTaps
        ? `window: ${p.kk} taps unrolled per channel`
        : "window: loops (over the unroll budget)";
  },

  init(l, _param, suffix) {
    if (suffix === "weight") {
      return { kind: "he", fanIn: (l.input.c / l.args.groups) * l.args.kernel[0] * l.args.kernel[1] };
    }
    return { kind: "fill", value: 0 };
  },

  forward(l) {
    const pointwise = pointwiseConvOf(l);
    if (pointwise !== undefined) return pointwiseConvForward(l, pointwise);
    const depthwise = depthwiseConvOf(l);
    if (depthwise !== undefined) return depthwiseConvForward(l, depthwise);
    const direct = directConvOf(l);
    if (direct !== undefined) return directConvForward(l, direct);
    const im2col = im2colConvOf(l);
    if (im2col !== undefined) return im2colConvForward(l, im2col);
    const p = planOf(l);
    const bias = l.args.bias ? "b[f]" : "0";
    return `const w = ${l.param("weight")};
    ${l.args.bias ? `const b = ${l.param("bias")};` : ""}
    for (let n = 0; n < N; n++) {
      const xn = n * ${l.input.size}, yn = n * ${l.output.size};
      for (let f = 0; f < ${l.args.filters}; f++) {
        const xg = ${groupBase(p, l, "xn")}, wf = f * ${p.cg * p.kk}, yf = yn + f * ${p.ohw}, bf = ${bias};
        ${pixelLoop(p.g, {
          before: "let acc = bf;",
          inside: insideCode(p, (i, k) => `acc += inp[${i}] * w[${k}];`),
          border: borderCode(p, (i, k) => `acc += inp[${i}] * w[${k}];`),
          after: "out[yf + yr + ow] = acc;",
        })}
      }
    }`;
  },

  backward(l) {
    const bias = l.args.bias ? [convBiasGrad(l, l.args.filters, l.output.h * l.output.w)] : [];
    const pointwise = pointwiseConvOf(l);
    if (pointwise !== undefined) return [...bias, ...pointwiseConvBackward(l, pointwise)];
    const depthwise = depthwiseConvOf(l);
    if (depthwise !== undefined) return [...bias, ...depthwiseConvBackward(l, depthwise)];
    const direct = directConvOf(l);
    if (direct !== undefined) return [...bias, ...directConvBackward(l, direct)];
    const im2col = im2colConvOf(l);
    if (im2col !== undefined) return [...bias, ...im2colConvBackward(l, im2col)];
    const p = planOf(l);
    const biasGrad = l.args.bias
      ? `const gb = ${l.grad("bias")};
      for (let f = 0; f < ${l.args.filters}; f++) {
        let acc = 0;
        for (let n = 0; n < N; n++) {
          const yf = n * ${l.output.size} + f * ${p.ohw};
          for (let j = 0; j < ${p.ohw}; j++) acc += dOut[yf + j];
        }
        gb[f] = acc;
      }`
      : "";
    // Weight gradient: when the whole group's taps are unrolled, each filter
    // weight has its own local accumulator over the batch and the interior
    // pixels; border windows add straight into gw (zeroed first).
    const sums = p.unrollChannels ? p.taps.map((_, t) => `g${t}`) : [];
    const weightInside = p.unrollChannels
      ? `const i = xg + i0;\n` + p.taps.map((t, j) => `${sums[j]} += g * inp[${plus("i", t.input)}];`).join("\n")
      : insideCode(p, (i, k) => `gw[${k}] += g * inp[${i}];`);
    const weightGrad = `const gw = ${l.grad("weight")};
    gw.fill(0);
    for (let f = 0; f < ${l.args.filters}; f++) {
      const wf = f * ${p.cg * p.kk};
      ${sums.length > 0 ? `let ${sums.map((s) => `${s} = 0`).join(", ")};` : ""}
      for (let n = 0; n < N; n++) {
        const xg = ${groupBase(p, l, `n * ${l.input.size}`)}, yf = n * ${l.output.size} + f * ${p.ohw};
        ${pixelLoop(p.g, {
          before: "const g = dOut[yf + yr + ow];",
          inside: weightInside,
          border: borderCode(p, (i, k) => `gw[${k}] += g * inp[${i}];`),
          after: "",
        })}
      }
      ${p.taps.length > 0 && sums.length > 0 ? p.taps.map((t, j) => `gw[${plus("wf", t.weight)}] += ${sums[j]};`).join("\n") : ""}
    }`;
    const inputGrad = `dIn.fill(0);
    for (let n = 0; n < N; n++) {
      const xn = n * ${l.input.size}, yn = n * ${l.output.size};
      for (let f = 0; f < ${l.args.filters}; f++) {
        const xg = ${groupBase(p, l, "xn")}, wf = f * ${p.cg * p.kk}, yf = yn + f * ${p.ohw};
        ${pixelLoop(p.g, {
          before: "const g = dOut[yf + yr + ow];",
          inside: insideCode(p, (i, k) => `dIn[${i}] += g * w[${k}];`),
          border: borderCode(p, (i, k) => `dIn[${i}] += g * w[${k}];`),
          after: "",
        })}
      }
    }`;
    return `const w = ${l.param("weight")};
    ${biasGrad}
    ${weightGrad}
    ${inputGrad}`;
  },
};
