// Sliding-window geometry shared by conv and the pools: which output pixels
// read a window lying wholly inside the input (emitted without bounds tests,
// kernel taps unrolled with literal offsets) and which touch the padding
// (emitted as loops that test every row and column).
import { lin } from "./context.ts";

export interface Geometry {
  h: number;
  w: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  /** pad top, bottom, left, right */
  pt: number;
  pb: number;
  pl: number;
  pr: number;
}

/** Output indices [lo, hi) along one axis whose window lies inside [0, size). */
function insideRange(out: number, size: number, k: number, s: number, d: number, before: number): [number, number] {
  const lo = Math.min(out, Math.ceil(before / s));
  const last = Math.floor((size - 1 - (k - 1) * d + before) / s);
  const hi = Math.max(lo, Math.min(out, last + 1));
  return [lo, hi];
}

export interface Interior {
  oh0: number;
  oh1: number;
  ow0: number;
  ow1: number;
  /** every window is inside: no border code at all */
  all: boolean;
  /** no window is inside: border code only */
  none: boolean;
}

export function interiorOf(g: Geometry): Interior {
  const [oh0, oh1] = insideRange(g.oh, g.h, g.kh, g.sh, g.dh, g.pt);
  const [ow0, ow1] = insideRange(g.ow, g.w, g.kw, g.sw, g.dw, g.pl);
  const none = oh0 >= oh1 || ow0 >= ow1;
  const all = !none && oh0 === 0 && oh1 === g.oh && ow0 === 0 && ow1 === g.ow;
  return { oh0, oh1, ow0, ow1, all, none };
}

/** One kernel tap: its offset into the input plane and its index in the kernel. */
export interface Tap {
  kh: number;
  kw: number;
  /** kh·dh·W + kw·dw */
  offset: number;
  /** kh·KW + kw */
  k: number;
}

export function tapsOf(g: Geometry): Tap[] {
  const taps: Tap[] = [];
  for (let kh = 0; kh < g.kh; kh++) {
    for (let kw = 0; kw < g.kw; kw++) {
      taps.push({ kh, kw, offset: kh * g.dh * g.w + kw * g.dw, k: kh * g.kw + kw });
    }
  }
  return taps;
}

export interface PixelLoop {
  /** statements at the top of each output pixel; `oh`, `ow`, `ih`, `iw` (window origin) and `yr + ow` (output index within the plane) are in scope */
  before: string;
  /** code for a window wholly inside the input; `i0 = ih·W + iw` is in scope */
  inside: string;
  /** code for a window touching the padding (loops with bounds tests) */
  border: string;
  after: string;
}

/**
 * Loops over every output pixel of one plane. `ih`/`iw` are the window's
 * top-left input coordinates (may be negative in the padding); `yr` is the
 * output row offset oh·OW.
 */
export function pixelLoop(g: Geometry, body: PixelLoop): string {
  const inner = interiorOf(g);
  const rowTest = inner.all || inner.none ? "" : `const rowInside = oh >= ${inner.oh0} && oh < ${inner.oh1};`;
  const i0 = `const i0 = ${lin("ih", g.w, 0)} + iw;`;
  let choose: string;
  if (inner.all) choose = `${i0}\n${body.inside}`;
  else if (inner.none) choose = body.border;
  else {
    choose = `if (rowInside && ow >= ${inner.ow0} && ow < ${inner.ow1}) {
      ${i0}
      ${body.inside}
    } else {
      ${body.border}
    }`;
  }
  return `for (let oh = 0; oh < ${g.oh}; oh++) {
    const ih = ${lin("oh", g.sh, -g.pt)}, yr = ${lin("oh", g.ow, 0)};
    ${rowTest}
    for (let ow = 0; ow < ${g.ow}; ow++) {
      const iw = ${lin("ow", g.sw, -g.pl)};
      ${body.before}
      ${choose}
      ${body.after}
    }
  }`;
}

/**
 * Border-window loops: runs `tap` for every kernel cell inside the input,
 * with `r`/`q` the input row/column and `kh`/`kw` the kernel cell.
 */
export function borderTaps(g: Geometry, tap: string): string {
  return `for (let kh = 0; kh < ${g.kh}; kh++) {
    const r = ${lin("kh", g.dh, 0) === "0" ? "ih" : `ih + ${lin("kh", g.dh, 0)}`};
    if (r < 0 || r >= ${g.h}) continue;
    for (let kw = 0; kw < ${g.kw}; kw++) {
      const q = ${lin("kw", g.dw, 0) === "0" ? "iw" : `iw + ${lin("kw", g.dw, 0)}`};
      if (q < 0 || q >= ${g.w}) continue;
      ${tap}
    }
  }`;
}

/** Interior-window loops without bounds tests (used when unrolling would exceed the budget). */
export function insideTapLoops(g: Geometry, tap: string): string {
  return `for (let kh = 0; kh < ${g.kh}; kh++) {
    for (let kw = 0; kw < ${g.kw}; kw++) {
      const t = ${lin("kh", g.dh * g.w, 0)} + ${lin("kw", g.dw, 0)};
      ${tap}
    }
  }`;
}
