// The fast conv strategy for stride 1 and dilation 1, any groups (bench/KERNELS.md):
// - the input is copied once into a zero-bordered buffer, so no window needs a
//   bounds test;
// - forward = 1 filter × 4 output columns: per kernel row, the 4 + KW − 1
//   inputs the 4 columns share are loaded into locals once, then every weight
//   feeds 4 accumulators;
// - dInput = the same loop on the zero-padded output gradient with the filter
//   flipped in place (a full correlation), writing every dx element once;
// - dWeight = 4 filters × up to 4 kernel columns of accumulators reducing over
//   the batch and the output plane (an implicit-im2col GEMM).
import { type LayerContext, plus, type WorkspaceBuffer } from "../context.ts";
import { blocks } from "./conv-pointwise.ts";

type Conv = LayerContext<"conv">;

export interface DirectConv {
  c: number;
  f: number;
  groups: number;
  /** input channels and filters per group */
  cg: number;
  fg: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  pt: number;
  pb: number;
  pl: number;
  pr: number;
  oh: number;
  ow: number;
  /** padded input height and width */
  hp: number;
  wp: number;
  /** padded output gradient height and width (H + KH − 1, W + KW − 1) */
  dh: number;
  dw: number;
}

/** The direct plan when the layer qualifies (and its window fits the unroll budget). */
export function directConvOf(l: Conv): DirectConv | undefined {
  const a = l.args;
  const [kh, kw] = a.kernel;
  const [pt, pb, pl, pr] = a.pad;
  const ok =
    l.strategy === "auto" &&
    a.stride[0] === 1 &&
    a.stride[1] === 1 &&
    a.dilation[0] === 1 &&
    a.dilation[1] === 1 &&
    Math.max(pt, pb) <= kh - 1 &&
    Math.max(pl, pr) <= kw - 1 &&
    kh * kw <= l.unrollBudget;
  if (!ok) return undefined;
  const { c, h, w } = l.input;
  return {
    c,
    f: a.filters,
    groups: a.groups,
    cg: c / a.groups,
    fg: a.filters / a.groups,
    h,
    w,
    kh,
    kw,
    pt,
    pb,
    pl,
    pr,
    oh: l.output.h,
    ow: l.output.w,
    hp: h + pt + pb,
    wp: w + pl + pr,
    dh: h + kh - 1,
    dw: w + kw - 1,
  };
}

const isPadded = (d: DirectConv) => d.pt + d.pb + d.pl + d.pr > 0;
/** dOut needs a border for the full correlation unless the forward padding was already "full" (K − 1 each side) */
const dOutPadded = (d: DirectConv) =>
  d.pt !== d.kh - 1 || d.pb !== d.kh - 1 || d.pl !== d.kw - 1 || d.pr !== d.kw - 1;

export function directConvBuffers(l: Conv, d: DirectConv): WorkspaceBuffer[] {
  const out: WorkspaceBuffer[] = [];
  if (isPadded(d)) {
    const length = `batch * ${d.c * d.hp * d.wp}`;
    out.push({ name: l.bufferName("xpad"), kind: "float", length, doc: "the input with its zero border (forward scratch)", live: "forward" });
    out.push({ name: l.bufferName("xpadb"), kind: "float", length, doc: "the input with its zero border again (backward scratch)", live: "backward" });
  }
  if (dOutPadded(d)) {
    out.push({ name: l.bufferName("dpad"), kind: "float", length: `batch * ${d.f * d.dh * d.dw}`, doc: "the output gradient with a K − 1 − pad zero border", live: "backward" });
  }
  return out;
}

/**
 * Copies N planes of h×w from `src` into the interior of `dst` planes of hp×wp
 * at (top, left), after zeroing `dst` (a scratch buffer: memory shared with others).
 */
function copyIntoBorder(src: string, dst: string, planes: number, h: number, w: number, hp: number, wp: number, top: number, left: number): string {
  return `${dst}.fill(0);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < ${planes}; c++) {
      const from = (n * ${planes} + c) * ${h * w}, to = (n * ${planes} + c) * ${hp * wp} + ${top * wp + left};
      for (let r = 0; r < ${h}; r++) {
        const sr = from + r * ${w}, dr = to + r * ${wp};
        for (let q = 0; q < ${w}; q++) ${dst}[dr + q] = ${src}[sr + q];
      }
    }
  }`;
}

/**
 * One block of `nb` output columns: accumulators a0.., reducing over
 * `channels` planes of `src` (plane stride `plane`, row stride `row`), weights
 * at `wo + tap(ky, kx)` with `wo` advancing by `wStep` per channel.
 */
function slideBlock(o: {
  nb: number;
  kh: number;
  kw: number;
  src: string;
  row: number;
  plane: number;
  channels: number;
  wStep: number;
  tap: (ky: number, kx: number) => number;
  init: string;
  store: (j: number) => string;
  /** a condition under which kernel row ky reads anything but zero padding (omitted: always) */
  rowGuard?: (ky: number) => string | undefined;
}): string {
  const acc = Array.from({ length: o.nb }, (_, j) => `a${j}`);
  const rows: string[] = [];
  for (let ky = 0; ky < o.kh; ky++) {
    const loads = Array.from({ length: o.nb + o.kw - 1 }, (_, t) => `x${t} = ${o.src}[${plus("xo", ky * o.row + t)}]`);
    const taps: string[] = [];
    for (let kx = 0; kx < o.kw; kx++) {
      taps.push(`{ const v = W[${plus("wo", o.tap(ky, kx))}]; ${acc.map((a, j) => `${a} += v * x${j + kx};`).join(" ")} }`);
    }
    const row = `{ const ${loads.join(", ")};\n${taps.join("\n")} }`;
    const guard = o.rowGuard?.(ky);
    rows.push(guard === undefined ? row : `if (${guard}) ${row}`);
  }
  return `let ${acc.map((a) => `${a} = ${o.init}`).join(", ")};
  let xo = xr + ox, wo = wb;
  for (let ch = 0; ch < ${o.channels}; ch++, xo += ${o.plane}, wo += ${o.wStep}) {
    ${rows.join("\n")}
  }
  ${acc.map((a, j) => `${o.store(j)} = ${a};`).join(" ")}`;
}

export function directConvForward(l: Conv, d: DirectConv): string {
  const padded = isPadded(d);
  const src = padded ? "xp" : "inp";
  const kk = d.kh * d.kw;
  return `const W = ${l.param("weight")};
  ${l.args.bias ? `const b = ${l.param("bias")};` : ""}
  ${padded ? `const xp = ${l.buffer("xpad")};\n${copyIntoBorder("inp", "xp", d.c, d.h, d.w, d.hp, d.wp, d.pt, d.pl)}` : ""}
  for (let n = 0; n < N; n++) {
    const xn = n * ${d.c * d.hp * d.wp};
    for (let f = 0; f < ${d.f}; f++) {
      const wb = f * ${d.cg * kk}, bf = ${l.args.bias ? "b[f]" : "0"}, yf = (n * ${d.f} + f) * ${d.oh * d.ow};
      const xg = ${d.groups === 1 ? "xn" : `xn + ((f / ${d.fg}) | 0) * ${d.cg * d.hp * d.wp}`};
      for (let oy = 0; oy < ${d.oh}; oy++) {
        const yr = yf + oy * ${d.ow}, xr = xg + oy * ${d.wp};
        ${blocks("ox", d.ow, (nb) =>
          slideBlock({
            nb,
            kh: d.kh,
            kw: d.kw,
            src,
            row: d.wp,
            plane: d.hp * d.wp,
            channels: d.cg,
            wStep: kk,
            tap: (ky, kx) => ky * d.kw + kx,
            init: "bf",
            store: (j) => `out[${plus("yr + ox", j)}]`,
          }),
        )}
      }
    }
  }`;
}

function dInput(l: Conv, d: DirectConv): string {
  const kk = d.kh * d.kw;
  const padded = dOutPadded(d);
  const src = padded ? "dp" : "dOut";
  const copy = padded
    ? `const dp = ${l.buffer("dpad")};\n${copyIntoBorder("dOut", "dp", d.f, d.oh, d.ow, d.dh, d.dw, d.kh - 1 - d.pt, d.kw - 1 - d.pl)}`
    : "";
  return `${copy}
  for (let n = 0; n < N; n++) {
    const xn = n * ${d.f * d.dh * d.dw};
    for (let c = 0; c < ${d.c}; c++) {
      ${d.groups === 1 ? `const wb = c * ${kk}, xg = xn;` : `const g = (c / ${d.cg}) | 0, wb = (g * ${d.fg * d.cg} + c - g * ${d.cg}) * ${kk}, xg = xn + g * ${d.fg * d.dh * d.dw};`}
      const yf = (n * ${d.c} + c) * ${d.h * d.w};
      for (let oy = 0; oy < ${d.h}; oy++) {
        const yr = yf + oy * ${d.w}, xr = xg + oy * ${d.dw};
        ${blocks("ox", d.w, (nb) =>
          slideBlock({
            nb,
            kh: d.kh,
            kw: d.kw,
            src,
            row: d.dw,
            plane: d.dh * d.dw,
            channels: d.fg,
            wStep: d.cg * kk,
            tap: (ky, kx) => (d.kh - 1 - ky) * d.kw + (d.kw - 1 - kx),
            init: "0",
            rowGuard: (ky) => {
              // rows top … top + OH − 1 of the padded gradient hold dOut; the rest are zero
              const top = d.kh - 1 - d.pt;
              const tests: string[] = [];
              if (ky < top) tests.push(`oy >= ${top - ky}`);
              if (d.h - 1 + ky >= top + d.oh) tests.push(`oy < ${top + d.oh - ky}`);
              return tests.length === 0 ? undefined : tests.join(" && ");
            },
            store: (j) => `dIn[${plus("yr + ox", j)}]`,
          }),
        )}
      }
    }
  }`;
}

/** Sizes of near-equal chunks of at most `max`: 7 → [4, 3], 5 → [3, 2], 3 → [3]. */
function chunks(total: number, max: number): number[] {
  const count = Math.ceil(total / max);
  return Array.from({ length: count }, (_, i) => Math.floor(total / count) + (i < total % count ? 1 : 0));
}

/** dWeight for filters [f0, f0 + mb) and kernel columns [kx0, kx0 + kb) of row ky (all in scope). */
function dWeightBlock(d: DirectConv, src: string, mb: number, kx0: number, kb: number): string {
  const ohw = d.oh * d.ow;
  const kk = d.kh * d.kw;
  const names: string[][] = Array.from({ length: mb }, (_, m) => Array.from({ length: kb }, (_, k) => `a${m}${k}`));
  const dLoads = Array.from({ length: mb }, (_, m) => `d${m} = dOut[${plus("dyo", m * ohw)}]`);
  const body = Array.from({ length: kb }, (_, k) => {
    return `{ const v = ${src}[${plus("xo + ox", kx0 + k)}]; ${names.map((row, m) => `${row[k]} += d${m} * v;`).join(" ")} }`;
  });
  const stores = names.flatMap((row, m) => row.map((a, k) => `gw[${plus("g", m * d.cg * kk + kx0 + k)}] = ${a};`));
  return `{
    let ${names.flat().map((a) => `${a} = 0`).join(", ")};
    for (let n = 0; n < N; n++) {
      let dyo = (n * ${d.f} + f0) * ${ohw}, xo = (n * ${d.c} + ci) * ${d.hp * d.wp} + ky * ${d.wp};
      for (let oy = 0; oy < ${d.oh}; oy++, xo += ${d.wp}) {
        for (let ox = 0; ox < ${d.ow}; ox++, dyo++) {
          const ${dLoads.join(", ")};
          ${body.join("\n")}
        }
      }
    }
    const g = (f0 * ${d.cg} + c) * ${kk} + ky * ${d.kw};
    ${stores.join(" ")}
  }`;
}

function dWeight(l: Conv, d: DirectConv): string {
  const src = isPadded(d) ? "xp" : "inp";
  const columnBlocks = chunks(d.kw, 4);
  const forFilters = (mb: number) => {
    let kx0 = 0;
    return columnBlocks
      .map((kb) => {
        const code = dWeightBlock(d, src, mb, kx0, kb);
        kx0 += kb;
        return code;
      })
      .join("\n");
  };
  // c is the channel within the group, ci the input channel it reads
  const perRow = (mb: number) => `for (let c = 0; c < ${d.cg}; c++) {
      const ci = ${d.groups === 1 ? "c" : `gi * ${d.cg} + c`};
      for (let ky = 0; ky < ${d.kh}; ky++) {
        ${forFilters(mb)}
      }
    }`;
  // blocks of 4 filters (then 2, then 1) that never straddle a group
  const fb = d.groups === 1 ? "" : "fb + ";
  const full = d.fg - (d.fg % 4);
  const parts: string[] = [];
  if (full > 0) parts.push(`for (let f0 = ${fb}0; f0 < ${fb}${full}; f0 += 4) {\n${perRow(4)}\n}`);
  let f0 = full;
  for (const mb of [2, 1]) {
    if (d.fg - f0 >= mb) {
      parts.push(`{\nconst f0 = ${fb}${f0};\n${perRow(mb)}\n}`);
      f0 += mb;
    }
  }
  const blocks = d.groups === 1 ? parts.join("\n") : `for (let gi = 0; gi < ${d.groups}; gi++) {\nconst fb = gi * ${d.fg};\n${parts.join("\n")}\n}`;
  return `const gw = ${l.grad("weight")};
  ${isPadded(d) ? `const xp = ${l.buffer("xpadb")};\n${copyIntoBorder("inp", "xp", d.c, d.h, d.w, d.hp, d.wp, d.pt, d.pl)}` : ""}
  ${blocks}`;
}

export function directConvBackward(l: Conv, d: DirectConv): { part: string; code: string }[] {
  return [
    { part: "weight", code: dWeight(l, d) },
    { part: "input", code: `const W = ${l.param("weight")};\n${dInput(l, d)}` },
  ];
}

/** The bias gradient of a conv with `f` filters and `ohw` output pixels per plane: the sum of dOut over the batch and the plane. */
export function convBiasGrad(l: Conv, f: number, ohw: number): { part: string; code: string } {
  return {
    part: "bias",
    code: `const gb = ${l.grad("bias")};
    for (let f = 0; f < ${f}; f++) {
      let acc = 0;
      for (let n = 0; n < N; n++) {
        const yf = (n * ${f} + f) * ${ohw};
        for (let j = yf; j < yf + ${ohw}; j++) acc += dOut[j];
      }
      gb[f] = acc;
    }`,
  };
}
