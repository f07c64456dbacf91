// convtranspose: PyTorch ConvTranspose2d (weight [C, F/groups, KH, KW], bias [F]).
// Input pixel (ih, iw) of channel c adds x·w[c, f, kh, kw] to output pixel
// (ih·sh − pt + kh·dh, iw·sw − pl + kw·dw) of filter f in c's group; pixels that
// land outside the output (cropped by pad) are skipped, and the output_pad
// rows/columns past the last tap get the bias only.
//
// All three passes walk the same nest: per (input channel, filter, kh, kw) the
// input rows and columns whose target lies in the output form a range
// (computed once per tap), so the innermost loop is a
// strided multiply-add with no bounds tests.
import type { LayerContext, OpEmitter } from "../context.ts";

type ConvT = LayerContext<"convtranspose">;

interface Plan {
  cg: number;
  fg: number;
  kk: number;
  hw: number;
  ohw: number;
}

function planOf(l: ConvT): Plan {
  const a = l.args;
  return {
    cg: l.input.c / a.groups,
    fg: a.filters / a.groups,
    kk: a.kernel[0] * a.kernel[1],
    hw: l.input.h * l.input.w,
    ohw: l.output.h * l.output.w,
  };
}

/**
 * The input indices [lo, hi) along one axis whose target i·stride − before + k·dilation
 * lies in [0, out), as expressions of the tap variable `k`; and that target for i = 0.
 */
function axisRange(k: string, size: number, out: number, stride: number, before: number, dilation: number) {
  const shift = `${k} * ${dilation} - ${before}`;
  return {
    lo: `Math.max(0, Math.ceil((${before} - ${k} * ${dilation}) / ${stride}))`,
    hi: `Math.min(${size}, Math.floor((${out - 1 + before} - ${k} * ${dilation}) / ${stride}) + 1)`,
    shift,
  };
}

/**
 * The tap nest for input channel `c` and filter `f` (both in scope, with `xc` and
 * `yf` their plane offsets in the current sample): `body` runs per valid input
 * pixel with `i` (input index) and `o` (output index) in scope, `k` the weight index.
 */
function taps(l: ConvT, before: string, body: string, after: string): string {
  const a = l.args;
  const rows = axisRange("kh", l.input.h, l.output.h, a.stride[0], a.pad[0], a.dilation[0]);
  const cols = axisRange("kw", l.input.w, l.output.w, a.stride[1], a.pad[2], a.dilation[1]);
  return `for (let kh = 0; kh < ${a.kernel[0]}; kh++) {
    const ih0 = ${rows.lo}, ih1 = ${rows.hi}, rs = (${rows.shift}) * ${l.output.w};
    for (let kw = 0; kw < ${a.kernel[1]}; kw++) {
      const k = wcf + kh * ${a.kernel[1]} + kw, iw0 = ${cols.lo}, iw1 = ${cols.hi}, cs = ${cols.shift};
      ${before}
      for (let ih = ih0; ih < ih1; ih++) {
        const xr = xc + ih * ${l.input.w}, yr = yf + ih * ${a.stride[0] * l.output.w} + rs + cs;
        for (let iw = iw0; iw < iw1; iw++) {
          const i = xr + iw, o = yr + iw * ${a.stride[1]};
          ${body}
        }
      }
      ${after}
    }
  }`;
}

/**
 * For every sample, input channel `c` and filter `f` of its group: `xc` and `yf`
 * (their plane offsets) and `wcf` (the offset of weight [c, f − group start]).
 * With `samplesInside` the sample loop is innermost, so a weight gradient
 * accumulates over the batch in one local.
 */
function eachPair(l: ConvT, p: Plan, body: string, samplesInside = false): string {
  const head = `const f = ${p.cg === 1 ? "c" : `((c / ${p.cg}) | 0)`} * ${p.fg} + fl, wcf = (c * ${p.fg} + fl) * ${p.kk};`;
  const offsets = `const xc = n * ${l.input.size} + c * ${p.hw}, yf = n * ${l.output.size} + f * ${p.ohw};`;
  const pairs = (inner: string) => `for (let c = 0; c < ${l.input.c}; c++) {
    for (let fl = 0; fl < ${p.fg}; fl++) {
      ${head}
      ${inner}
    }
  }`;
  const samples = (inner: string) => `for (let n = 0; n < N; n++) {
    ${inner}
  }`;
  return samplesInside ? pairs(samples(`${offsets}\n${body}`)) : samples(pairs(`${offsets}\n${body}`));
}

export const convtranspose: OpEmitter<"convtranspose"> = {
  init(l, _param, suffix) {
    // PyTorch's fan-in for ConvTranspose2d's weight [C, F/groups, KH, KW] is its dim 1 × KH × KW.
    if (suffix === "weight") return { kind: "he", fanIn: (l.args.filters / l.args.groups) * l.args.kernel[0] * l.args.kernel[1] };
    return { kind: "fill", value: 0 };
  },

  forward(l) {
    const p = planOf(l);
    const bias = l.args.bias
      ? `const b = ${l.param("bias")};
      for (let n = 0; n < N; n++) {
        for (let f = 0; f < ${l.args.filters}; f++) out.fill(b[f], n * ${l.output.size} + f * ${p.ohw}, n * ${l.output.size} + (f + 1) * ${p.ohw});
      }`
      : "out.fill(0);";
    return `const w = ${l.param("weight")};
    ${bias}
    ${eachPair(l, p, taps(l, "const wv = w[k];", "out[o] += wv * inp[i];", ""))}`;
  },

  backward(l) {
    const p = planOf(l);
    const parts: { part: string; code: string }[] = [];
    if (l.args.bias) {
      parts.push({
        part: "bias",
        code: `const gb = ${l.grad("bias")};
        for (let f = 0; f < ${l.args.filters}; f++) {
          let acc = 0;
          for (let n = 0; n < N; n++) {
            const yf = n * ${l.output.size} + f * ${p.ohw};
            for (let j = 0; j < ${p.ohw}; j++) acc += dOut[yf + j];
          }
          gb[f] = acc;
        }`,
      });
    }
    parts.push({
      part: "weight",
      code: `const gw = ${l.grad("weight")};
        gw.fill(0);
      ${eachPair(l, p, taps(l, "let acc = 0;", "acc += dOut[o] * inp[i];", "gw[k] += acc;"), true)}`,
    });
    parts.push({
      part: "input",
      code: `const w = ${l.param("weight")};
        dIn.fill(0);
      ${eachPair(l, p, taps(l, "const wv = w[k];", "dIn[i] += wv * dOut[o];", ""))}`,
    });
    return parts;
  },
};
