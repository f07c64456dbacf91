// convtranspose: PyTorch ConvTranspose2d (weight [C, F/groups, KH, KW], bias [F]).
// Input pixel (ih, iw) of channel c adds x·w[c, j, kh, kw] to output pixel
// (ih·sh − pt + kh·dh, iw·sw − pl + kw·dw) of filter j of c's group; pixels that
// land outside the output (cropped by pad) are skipped, and output_pad rows and
// columns that no tap reaches get the bias only.
//
// Every pass walks taps (kh, kw): the input rows and columns whose target lies
// in the output form a range per tap, so the innermost loop is a strided
// multiply-add with no bounds tests. Channels (forward) or filters (backward)
// go BLOCK at a time, so each output or input element is read and written once
// per BLOCK multiply-adds (a straight-line remainder block takes the rest).
import type { LayerContext, OpEmitter } from "../context.ts";

type ConvT = LayerContext<"convtranspose">;

const BLOCK = 4;

interface Plan {
  /** input channels and filters per group */
  cg: number;
  fg: number;
  kk: number;
  hw: number;
  ohw: number;
}

function planOf(l: ConvT): Plan {
  const a = l.args;
  return { cg: l.input.c / a.groups, fg: a.filters / a.groups, kk: a.kernel[0] * a.kernel[1], hw: l.input.h * l.input.w, ohw: l.output.h * l.output.w };
}

/**
 * Loops over taps and their valid input pixels: `k` (the tap within the kernel),
 * then per pixel `i` (its offset in an input plane) and `o` (its target's offset
 * in an output plane). `perTap` runs once per tap, `pixel` per pixel, `afterTap` after.
 */
function taps(l: ConvT, perTap: string, pixel: string, afterTap = ""): string {
  const a = l.args;
  // input index range [lo, hi) with target i·stride − before + k·dilation in [0, out)
  const range = (k: string, size: number, out: number, stride: number, before: number, dilation: number) => ({
    lo: `Math.max(0, Math.ceil((${before} - ${k} * ${dilation}) / ${stride}))`,
    hi: `Math.min(${size}, Math.floor((${out - 1 + before} - ${k} * ${dilation}) / ${stride}) + 1)`,
    shift: `${k} * ${dilation} - ${before}`,
  });
  const rows = range("kh", l.input.h, l.output.h, a.stride[0], a.pad[0], a.dilation[0]);
  const cols = range("kw", l.input.w, l.output.w, a.stride[1], a.pad[2], a.dilation[1]);
  return `for (let kh = 0; kh < ${a.kernel[0]}; kh++) {
    const ih0 = ${rows.lo}, ih1 = ${rows.hi}, rs = (${rows.shift}) * ${l.output.w};
    for (let kw = 0; kw < ${a.kernel[1]}; kw++) {
      const k = kh * ${a.kernel[1]} + kw, iw0 = ${cols.lo}, iw1 = ${cols.hi}, cs = ${cols.shift};
      ${perTap}
      for (let ih = ih0; ih < ih1; ih++) {
        const ir = ih * ${l.input.w}, orow = ih * ${a.stride[0] * l.output.w} + rs + cs;
        for (let iw = iw0; iw < iw1; iw++) {
          const i = ir + iw, o = orow + iw * ${a.stride[1]};
          ${pixel}
        }
      }
      ${afterTap}
    }
  }`;
}

/** `count` items in blocks of BLOCK: full blocks in a loop over `v`, then one straight-line remainder block. */
function blocked(v: string, count: number, block: (width: number) => string): string {
  const full = Math.floor(count / BLOCK) * BLOCK;
  const parts: string[] = [];
  if (full > 0) parts.push(`for (let ${v} = 0; ${v} < ${full}; ${v} += ${BLOCK}) {\n${block(BLOCK)}\n}`);
  if (count > full) parts.push(`{\nconst ${v} = ${full};\n${block(count - full)}\n}`);
  return parts.join("\n");
}

const range = (n: number) => Array.from({ length: n }, (_, j) => j);
const sum = (terms: string[]) => terms.join(" + ");

export const convtranspose: OpEmitter<"convtranspose"> = {
  strategy: () => `taps with valid-range loops, ${BLOCK} channels or filters per pass`,

  init(l, _param, suffix) {
    // PyTorch's fan-in for ConvTranspose2d's weight [C, F/groups, KH, KW] is its dim 1 × KH × KW.
    if (suffix === "weight") return { kind: "he", fanIn: (l.args.filters / l.args.groups) * l.args.kernel[0] * l.args.kernel[1] };
    return { kind: "fill", value: 0 };
  },

  // out[f] = bias[f] + Σ over the group's channels c (BLOCK at a time) and taps of w[c, j, k]·x[c] shifted
  forward(l) {
    const p = planOf(l);
    const cStride = p.fg * p.kk; // between channels in the weight
    const body = (width: number) => `const xc = xn + (cbase + cb) * ${p.hw}, wc = (cbase + cb) * ${cStride} + j * ${p.kk};
      ${taps(
        l,
        `const ${range(width).map((t) => `w${t} = w[wc + ${t * cStride} + k]`).join(", ")};`,
        `out[yf + o] += ${sum(range(width).map((t) => `w${t} * inp[xc + ${t * p.hw} + i]`))};`,
      )}`;
    return `const w = ${l.param("weight")};
    ${l.args.bias ? `const b = ${l.param("bias")};` : ""}
    for (let n = 0; n < N; n++) {
      const xn = n * ${l.input.size}, yn = n * ${l.output.size};
      for (let f = 0; f < ${l.args.filters}; f++) {
        const j = f % ${p.fg}, cbase = ((f / ${p.fg}) | 0) * ${p.cg}, yf = yn + f * ${p.ohw};
        out.fill(${l.args.bias ? "b[f]" : "0"}, yf, yf + ${p.ohw});
        ${blocked("cb", p.cg, body)}
      }
    }`;
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
    // gw[c, j, k] = Σ over samples and valid pixels of x[c]·dOut[f] shifted; BLOCK filters share each
    // x load. The sample loop opens in the per-tap code and closes after the pixels, so the
    // accumulators run over the whole batch and each gradient entry is written once.
    const weightBlock = (width: number) => `const fb = fbase + jb, wcj = c * ${p.fg * p.kk} + jb * ${p.kk};
      ${taps(
        l,
        `let ${range(width).map((t) => `g${t} = 0`).join(", ")};
        for (let n = 0; n < N; n++) {
          const xc = n * ${l.input.size} + c * ${p.hw}, yf = n * ${l.output.size} + fb * ${p.ohw};`,
        `const v = inp[xc + i];
          ${range(width).map((t) => `g${t} += v * dOut[yf + ${t * p.ohw} + o];`).join("\n")}`,
        `}
        ${range(width).map((t) => `gw[wcj + ${t * p.kk} + k] = g${t};`).join("\n")}`,
      )}`;
    parts.push({
      part: "weight",
      code: `const gw = ${l.grad("weight")};
      for (let c = 0; c < ${l.input.c}; c++) {
        const fbase = ((c / ${p.cg}) | 0) * ${p.fg};
        ${blocked("jb", p.fg, weightBlock)}
      }`,
    });
    // dIn[c] = Σ over the group's filters (BLOCK at a time) and taps of w[c, j, k]·dOut[f] shifted
    const inputBlock = (width: number) => `const yf = yn + (fbase + jb) * ${p.ohw}, wcj = c * ${p.fg * p.kk} + jb * ${p.kk};
      ${taps(
        l,
        `const ${range(width).map((t) => `w${t} = w[wcj + ${t * p.kk} + k]`).join(", ")};`,
        `dIn[xc + i] += ${sum(range(width).map((t) => `w${t} * dOut[yf + ${t * p.ohw} + o]`))};`,
      )}`;
    parts.push({
      part: "input",
      code: `const w = ${l.param("weight")};
      dIn.fill(0);
      for (let n = 0; n < N; n++) {
        const xn = n * ${l.input.size}, yn = n * ${l.output.size};
        for (let c = 0; c < ${l.input.c}; c++) {
          const xc = xn + c * ${p.hw}, fbase = ((c / ${p.cg}) | 0) * ${p.fg};
          ${blocked("jb", p.fg, inputBlock)}
        }
      }`,
    });
    return parts;
  },
};
