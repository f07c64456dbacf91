// The sliding-window arithmetic shared by conv, maxpool and avgpool: the
// output-size formula under floor / ceil / exact rounding, `same` padding
// (TensorFlow's rule), the pool ceil rules (PyTorch's: a window may run past the
// padded input by less than the stride, and a last window starting in the
// padding is dropped), rows lost under floor, and the diagnostics with the
// arithmetic filled in and a concrete fix: E0301, E0302, W0401.
import { diag, type Diagnostic } from "../diagnostics.ts";
import {
  formatShape,
  type InferContext,
  type Pad4,
  type PadForm,
  type PadValue,
  type Pair,
  type Rounding,
  type RoundingSource,
  type Shape,
} from "./op.ts";

/** One spatial axis of a windowed layer, in input rows/columns. */
export interface Axis {
  size: number;
  kernel: number;
  stride: number;
  dilation: number;
  before: number;
  after: number;
}

export function effectiveKernel(kernel: number, dilation: number): number {
  return dilation * (kernel - 1) + 1;
}

/** floor(a / b) for integers a (any sign) and b > 0, exact in the safe range. */
function floorDiv(a: number, b: number): number {
  const r = ((a % b) + b) % b;
  return (a - r) / b;
}

/**
 * The least padded size (size + before + after) that gives at least one window
 * (docs/language.md#windows-padding-and-rounding): the effective kernel under
 * floor and exact; under ceil (pools only) a window may run past the padded
 * input by up to stride - 1, as PyTorch's ceil_mode allows.
 */
export function leastPadded(a: Axis, rounding: Rounding): number {
  return effectiveKernel(a.kernel, a.dilation) - (rounding === "ceil" ? a.stride - 1 : 0);
}

/**
 * The number of windows along an axis (docs/language.md#windows-padding-and-rounding).
 * Assumes size + before + after >= leastPadded(a, rounding). Under `exact` a
 * division with a remainder returns undefined. Under `ceil`, a pool's last
 * window that would start in the after-padding (or beyond) is dropped, as
 * PyTorch does.
 */
export function windowCount(a: Axis, rounding: Rounding, isPool: boolean): number | undefined {
  const span = a.size + a.before + a.after - effectiveKernel(a.kernel, a.dilation);
  const q = floorDiv(span, a.stride);
  const whole = span % a.stride === 0;
  if (rounding === "floor") return q + 1;
  if (rounding === "exact") return whole ? q + 1 : undefined;
  let out = (whole ? q : q + 1) + 1;
  if (isPool && (out - 1) * a.stride >= a.before + a.size) out -= 1;
  return out;
}

/** `same`: output ceil(size / stride); total padding max((out-1)*stride + k_eff - size, 0), the odd one after. */
export function samePadding(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const out = floorDiv(size + stride - 1, stride);
  const total = Math.max((out - 1) * stride + effectiveKernel(kernel, dilation) - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Real (not padding) rows at the end of the axis that no window reads, given
 * the window count. A window reads only its taps (start + j·dilation), so with
 * dilation the last real row can fall between the taps of the windows that
 * reach it; the answer is the distance from the last real row to the last tap
 * that lands on a real row.
 */
export function lostAtEnd(a: Axis, out: number): number {
  const lastReal = a.before + a.size - 1; // padded coordinates
  const k = effectiveKernel(a.kernel, a.dilation);
  // Windows that end at or before the last real row: the latest one's last tap is the best of them.
  const full = Math.min(out - 1, floorDiv(lastReal - k + 1, a.stride));
  let best = full >= 0 ? full * a.stride + k - 1 : -1;
  // Windows that straddle the last real row: their best tap is lastReal - ((lastReal - start) mod dilation).
  const first = Math.max(full + 1, 0);
  const last = Math.min(out - 1, floorDiv(lastReal, a.stride));
  if (last >= first) {
    const d = a.dilation;
    const g = gcd(a.stride, d);
    const count = last - first + 1;
    let gap: number;
    if (count >= d / g || count > 100_000) {
      // A whole period of starts: the residues reach their minimum, lastReal mod g. (Past 100,000
      // starts, only reachable with absurd dilations, that minimum is used as a bound to stay fast.)
      gap = ((lastReal % g) + g) % g;
    } else {
      gap = d;
      for (let i = first; i <= last && gap > 0; i++) gap = Math.min(gap, (lastReal - i * a.stride) % d);
    }
    best = Math.max(best, lastReal - gap);
  }
  return best < a.before ? a.size : lastReal - best;
}

/** What a windowed op hands to inferWindow after resolving its arguments. */
export interface WindowDraft {
  kernel: Pair;
  stride: Pair;
  dilation: Pair;
  pad: PadValue;
  rounding: Rounding;
  roundingSource: RoundingSource;
  isPool: boolean;
}

const AXES = ["height", "width"] as const;
type AxisName = (typeof AXES)[number];
const UNIT: Record<AxisName, [string, string]> = { height: ["row", "rows"], width: ["column", "columns"] };

export function fmtNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toFixed(2)));
}

/** "(20 + 3 + 3 - 6) / 6 + 1" */
export function formula(a: Axis): string {
  return `(${a.size} + ${a.before} + ${a.after} - ${effectiveKernel(a.kernel, a.dilation)}) / ${a.stride} + 1`;
}

export function exactValue(a: Axis): number {
  return (a.size + a.before + a.after - effectiveKernel(a.kernel, a.dilation)) / a.stride + 1;
}

/** Writes a padding in the user's form, or the smallest wider form that can hold it. */
export function renderPad(pad: Pad4, form: PadForm): string {
  const [t, b, l, r] = pad;
  if (form === "int" && t === b && b === l && l === r) return String(t);
  if (form !== "quad" && t === b && l === r) return `(${t}, ${l})`;
  return `(${t}, ${b}, ${l}, ${r})`;
}

export function renderPair(p: Pair): string {
  return p[0] === p[1] ? String(p[0]) : `(${p[0]}, ${p[1]})`;
}

/** Splits a total padding: keep the user's `before` for a 4-tuple, else halves with the odd one after (TensorFlow). */
function splitPad(total: number, oldBefore: number, form: PadForm): [number, number] {
  if (form === "quad" && oldBefore <= total) return [oldBefore, total - oldBefore];
  const before = Math.floor(total / 2);
  return [before, total - before];
}

function poolPadOk(kernel: number, before: number, after: number): boolean {
  return before <= Math.floor(kernel / 2) && after <= Math.floor(kernel / 2);
}

/** The nearest total padding that makes the division exact (ties: the smaller one), valid for the op. */
function exactPadFix(a: Axis, d: WindowDraft, form: PadForm): [number, number] | undefined {
  const total = a.before + a.after;
  const r = (((a.size + total - effectiveKernel(a.kernel, a.dilation)) % a.stride) + a.stride) % a.stride;
  const candidates = [total - r, total + (a.stride - r)].sort((x, y) => Math.abs(x - total) - Math.abs(y - total) || x - y);
  for (const c of candidates) {
    if (c < 0 || a.size + c < effectiveKernel(a.kernel, a.dilation)) continue;
    const split = splitPad(c, a.before, form);
    if (d.isPool && !poolPadOk(a.kernel, split[0], split[1])) continue;
    return split;
  }
  return undefined;
}

/** The stride nearest to the current one that divides the span exactly (prefers the smaller on a tie). */
function exactStrideFix(a: Axis): number {
  const span = a.size + a.before + a.after - effectiveKernel(a.kernel, a.dilation);
  if (span === 0) return a.stride;
  let best = 1;
  for (let i = 1; i * i <= span; i++) {
    if (span % i !== 0) continue;
    for (const div of [i, span / i]) {
      const better = Math.abs(div - a.stride) < Math.abs(best - a.stride) || (Math.abs(div - a.stride) === Math.abs(best - a.stride) && div < best);
      if (better) best = div;
    }
  }
  return best;
}

function roundingKnob(source: RoundingSource, mode: Rounding): string {
  return source === "layer" ? `\`rounding=${mode}\`` : `\`rounding ${mode}\``;
}

function padPair(pad: Pad4): [Pair, Pair] {
  return [
    [pad[0], pad[1]],
    [pad[2], pad[3]],
  ];
}

function plural(n: number, unit: [string, string]): string {
  return n === 1 ? `the last ${unit[0]}` : `the last ${n} ${unit[1]}`;
}

function joinAnd(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/**
 * The shape rule of a windowed layer on a [C, H, W] input: the output height
 * and width and the padding resolved to (top, bottom, left, right). Reports
 * E0302 / E0301 and returns undefined, or reports W0401 and carries on.
 */
export function inferWindow(
  d: WindowDraft,
  input: Shape,
  ctx: InferContext,
): { out: Pair; pad: Pad4 } | undefined {
  const [, h, w] = input;
  const sizes: Pair = [h, w];
  if (d.pad.kind === "same") return inferSame(d, sizes, ctx);
  const pad = d.pad.pad;
  const form = d.pad.form;
  const pads = padPair(pad);
  const axes: Axis[] = [0, 1].map((i) => ({
    size: sizes[i],
    kernel: d.kernel[i],
    stride: d.stride[i],
    dilation: d.dilation[i],
    before: pads[i][0],
    after: pads[i][1],
  }));
  const notesWithContext = (notes: string[]): string[] => [...notes, ...ctx.contextNotes];

  // At least one window: under floor and exact it fits in the padded input; under ceil it may run past it by less than the stride.
  const tooSmall = [0, 1].filter((i) => axes[i].size + axes[i].before + axes[i].after < leastPadded(axes[i], d.rounding));
  if (tooSmall.length > 0) {
    ctx.report(tooSmallDiagnostic(d, input, axes, tooSmall, form, ctx, notesWithContext));
    return undefined;
  }

  const counts = axes.map((a) => windowCount(a, d.rounding, d.isPool));
  const notWhole = [0, 1].filter((i) => counts[i] === undefined);
  if (notWhole.length > 0) {
    const names = notWhole.map((i) => AXES[i]);
    const message =
      names.length === 1
        ? `${ctx.display} output ${names[0]} is not a whole number under rounding exact`
        : `${ctx.display} output height and width are not whole numbers under rounding exact`;
    const notes = notWhole.map((i) => `${AXES[i]}: ${formula(axes[i])} = ${fmtNumber(exactValue(axes[i]))}`);
    const fix = exactFix(d, axes, notWhole, pad, form);
    ctx.report(
      diag("E0301", ctx.span, message, {
        notes: notesWithContext(notes),
        help: `${changeText(fix.set)} gives ${fix.gives}, or ${roundingKnob(d.roundingSource, "floor")} floors it (PyTorch's behaviour)`,
        fix: { kind: "setArgs", title: `${changeText(fix.set)} (gives ${fix.gives})`, args: fix.set },
      }),
    );
    return undefined;
  }
  const out = counts as Pair;

  if (d.rounding === "floor") {
    // A 1-wide window with a stride subsamples on purpose (ResNet's strided 1x1 shortcut): nothing to warn about.
    const lost = [0, 1].map((i) => (effectiveKernel(axes[i].kernel, axes[i].dilation) === 1 ? 0 : lostAtEnd(axes[i], out[i])));
    const lossy = [0, 1].filter((i) => lost[i] > 0);
    if (lossy.length > 0) ctx.report(lostDiagnostic(d, axes, out, lost, lossy, pad, form, ctx, notesWithContext));
  }
  return { out, pad };
}

/**
 * `same`: ceil(in / stride) windows, whatever the rounding. Rows can still go
 * unread at the end when the stride is larger than the (effective) kernel, or
 * between dilated taps; that is W0401 too, fixed by a larger kernel.
 */
function inferSame(d: WindowDraft, sizes: Pair, ctx: InferContext): { out: Pair; pad: Pad4 } {
  const axisFor = (i: number, kernel: number): { axis: Axis; out: number } => {
    const [before, after] = samePadding(sizes[i], kernel, d.stride[i], d.dilation[i]);
    const axis = { size: sizes[i], kernel, stride: d.stride[i], dilation: d.dilation[i], before, after };
    return { axis, out: floorDiv(sizes[i] + d.stride[i] - 1, d.stride[i]) };
  };
  const axes = [0, 1].map((i) => axisFor(i, d.kernel[i]));
  const lost = axes.map((a) => lostAtEnd(a.axis, a.out));
  const lossy = [0, 1].filter((i) => lost[i] > 0);
  if (lossy.length > 0) {
    const kernelFix: Pair = [...d.kernel];
    let found = true;
    for (const i of lossy) {
      let k = d.kernel[i] + 1;
      const limit = d.kernel[i] + Math.min(d.stride[i] * d.dilation[i], 10_000);
      while (k <= limit && lostAtEnd(axisFor(i, k).axis, axes[i].out) > 0) k++;
      if (k > limit) found = false;
      kernelFix[i] = k;
    }
    const parts = lossy.map((i) => plural(lost[i], UNIT[AXES[i]]));
    ctx.report(
      diag("W0401", ctx.span, `${ctx.display} never reads ${joinAnd(parts)} of its input`, {
        notes: [
          ...lossy.map(
            (i) =>
              `${AXES[i]}: pad=same gives ceil(${sizes[i]} / ${d.stride[i]}) = ${axes[i].out} windows; they read up to ${UNIT[AXES[i]][0]} ${sizes[i] - lost[i]} of ${sizes[i]}`,
          ),
          ...ctx.contextNotes,
        ],
        help: found
          ? `kernel=${renderPair(kernelFix)} reads ${lossy.reduce((n, i) => n + lost[i], 0) === 1 ? "it" : "them"} with the same output size`
          : "a kernel at least as large as the stride reads them",
      }),
    );
  }
  const pad: Pad4 = [axes[0].axis.before, axes[0].axis.after, axes[1].axis.before, axes[1].axis.after];
  return { out: [axes[0].out, axes[1].out], pad };
}

/** "pad=(2, 2) gives width 4": the nearest padding (else stride) that makes each listed axis divide exactly. */
function exactFix(d: WindowDraft, axes: Axis[], which: number[], pad: Pad4, form: PadForm): { set: ArgChange[]; gives: string } {
  const newPad: Pad4 = [...pad];
  const newStride: Pair = [...d.stride];
  let padChanged = false;
  let strideChanged = false;
  const results: string[] = [];
  for (const i of which) {
    const a = axes[i];
    const padFix = exactPadFix(a, d, form);
    let fixed: Axis;
    if (padFix !== undefined) {
      newPad[2 * i] = padFix[0];
      newPad[2 * i + 1] = padFix[1];
      padChanged = true;
      fixed = { ...a, before: padFix[0], after: padFix[1] };
    } else {
      newStride[i] = exactStrideFix(a);
      strideChanged = true;
      fixed = { ...a, stride: newStride[i] };
    }
    results.push(`${AXES[i]} ${windowCount(fixed, "exact", d.isPool)}`);
  }
  const set: ArgChange[] = [];
  if (padChanged) set.push({ name: "pad", value: renderPad(newPad, newPad[0] === newPad[1] && newPad[2] === newPad[3] ? form : "quad") });
  if (strideChanged) set.push({ name: "stride", value: renderPair(newStride) });
  return { set, gives: joinAnd(results) };
}

/** New argument values a fix writes into the layer. */
interface ArgChange {
  name: string;
  value: string;
}

/** "pad=(2, 2) with stride=3" */
function changeText(set: readonly ArgChange[]): string {
  return set.map((c) => `${c.name}=${c.value}`).join(" with ");
}

/** The least extra bottom/right padding after which every real row and column is read (floor rounding). */
function readAllPadFix(
  d: WindowDraft,
  axes: Axis[],
  which: number[],
  pad: Pad4,
  form: PadForm,
): { set: ArgChange[]; gives: string } | undefined {
  const newPad: Pad4 = [...pad];
  const results: string[] = [];
  for (const i of which) {
    const a = axes[i];
    // Bounded search: each step may walk up to 100,000 windows when the kernel is dilated.
    const limit = Math.min(a.stride + effectiveKernel(a.kernel, a.dilation), a.dilation > 1 ? 1_000 : 10_000);
    let found: Axis | undefined;
    for (let extra = 1; extra <= limit && found === undefined; extra++) {
      const b = { ...a, after: a.after + extra };
      if (d.isPool && !poolPadOk(a.kernel, b.before, b.after)) break;
      const out = windowCount(b, "floor", d.isPool) as number;
      if (lostAtEnd(b, out) === 0) found = b;
    }
    if (found === undefined) return undefined;
    newPad[2 * i + 1] = found.after;
    results.push(`${AXES[i]} ${windowCount(found, "floor", d.isPool)}`);
  }
  const shown = renderPad(newPad, newPad[0] === newPad[1] && newPad[2] === newPad[3] ? form : "quad");
  return { set: [{ name: "pad", value: shown }], gives: joinAnd(results) };
}

function tooSmallDiagnostic(
  d: WindowDraft,
  input: Shape,
  axes: Axis[],
  which: number[],
  form: PadForm,
  ctx: InferContext,
  notesWithContext: (n: string[]) => string[],
): Diagnostic {
  const ceil = d.rounding === "ceil";
  const names = which.map((i) => AXES[i]);
  const notes = which.map((i) => {
    const a = axes[i];
    const k = effectiveKernel(a.kernel, a.dilation);
    const padded = a.size + a.before + a.after;
    const dil = a.dilation > 1 ? ` (dilation ${a.dilation}·(${a.kernel} - 1) + 1)` : "";
    const slack = ceil ? `; under rounding ceil a window may run past it by at most stride - 1 = ${a.stride - 1}` : "";
    return `${AXES[i]}: the window spans ${k} ${UNIT[AXES[i]][1]}${dil} but the padded input has ${padded} (${a.size} + ${a.before} + ${a.after})${slack}`;
  });
  // Fix 1: the least padding that gives one window (pools: if kernel/2 per side allows it).
  const pad: Pad4 = [axes[0].before, axes[0].after, axes[1].before, axes[1].after];
  let padOk = true;
  const kernelFix: Pair = [...d.kernel];
  let kernelOk = true;
  for (const i of which) {
    const a = axes[i];
    const total = leastPadded(a, d.rounding) - a.size;
    const [before, after] = splitPad(total, a.before, form);
    // Padding much larger than the input would mostly convolve zeros: not a fix worth offering.
    if (total > 2 * a.size || (d.isPool && !poolPadOk(a.kernel, before, after))) padOk = false;
    pad[2 * i] = before;
    pad[2 * i + 1] = after;
    // Fix 2: the largest kernel that gives one window (and, under exact, divides).
    const reach = a.size + a.before + a.after + (ceil ? a.stride - 1 : 0);
    let k = Math.floor((reach - 1) / a.dilation) + 1;
    if (d.rounding === "exact") {
      // The remainder repeats with a period of at most `stride`; give up after a bounded search.
      const lowest = Math.max(1, k - Math.min(a.stride, 10_000));
      while (k >= lowest && windowCount({ ...a, kernel: k }, "exact", d.isPool) === undefined) k--;
      if (k < lowest) k = 0;
    }
    if (k < 1 || (d.isPool && !poolPadOk(k, a.before, a.after))) kernelOk = false;
    kernelFix[i] = k;
  }
  const fixes: string[] = [];
  const results = (change: (a: Axis, i: number) => Axis): string =>
    joinAnd(which.map((i) => `${AXES[i]} ${windowCount(change(axes[i], i), d.rounding, d.isPool)}`));
  if (padOk) {
    const shown = renderPad(pad, pad[0] === pad[1] && pad[2] === pad[3] ? form : "quad");
    fixes.push(`pad=${shown} gives ${results((a, i) => ({ ...a, before: pad[2 * i], after: pad[2 * i + 1] }))}`);
  }
  if (kernelOk) fixes.push(`kernel=${renderPair(kernelFix)} gives ${results((a, i) => ({ ...a, kernel: kernelFix[i] }))}`);
  // Fix 3 (pools): ceil rounding keeps one window that runs past the padded input, as PyTorch's ceil_mode does.
  if (d.isPool && !ceil && which.every((i) => axes[i].size + axes[i].before + axes[i].after >= leastPadded(axes[i], "ceil"))) {
    // Both axes: ceil may also change the one that was fine.
    const both = joinAnd([0, 1].map((i) => `${AXES[i]} ${windowCount(axes[i], "ceil", true)}`));
    fixes.push(`rounding=ceil gives ${both} (PyTorch's ceil_mode)`);
  }
  const help =
    fixes.length > 0
      ? `${fixes.join(", or ")}; or downsample less before this layer`
      : "downsample less before this layer, or use a larger input";
  const why = ceil ? `the window runs past the input ${formatShape(input)} by the stride or more` : `the window does not fit in the input ${formatShape(input)}`;
  return diag("E0302", ctx.span, `${ctx.display} output ${names.join(" and ")} would be less than 1: ${why}`, {
    notes: notesWithContext(notes),
    help,
    labels: [ctx.inputLabel(`the input ${formatShape(input)} comes from here`)],
  });
}

function lostDiagnostic(
  d: WindowDraft,
  axes: Axis[],
  out: Pair,
  lost: number[],
  which: number[],
  pad: Pad4,
  form: PadForm,
  ctx: InferContext,
  notesWithContext: (n: string[]) => string[],
): Diagnostic {
  const parts = which.map((i) => plural(lost[i], UNIT[AXES[i]]));
  const notes = which.map((i) => {
    const a = axes[i];
    return `${AXES[i]}: ${formula(a)} = ${fmtNumber(exactValue(a))}, rounded down to ${out[i]}; the windows read up to ${UNIT[AXES[i]][0]} ${a.size - lost[i]} of ${a.size}`;
  });
  const fixes: string[] = [];
  const fix = readAllPadFix(d, axes, which, pad, form);
  if (fix !== undefined) fixes.push(`${changeText(fix.set)} reads ${which.reduce((n, i) => n + lost[i], 0) === 1 ? "it" : "them"} (${fix.gives})`);
  if (d.isPool) fixes.push("`rounding=ceil` adds a last partial window (Caffe, PyTorch's ceil_mode)");
  if (fixes.length === 0) fixes.push("a stride no larger than the kernel, or more padding at the bottom/right, reads them");
  return diag("W0401", ctx.span, `${ctx.display} never reads ${joinAnd(parts)} of its input`, {
    notes: notesWithContext(notes),
    help: fixes.join(", or "),
    fix: fix !== undefined ? { kind: "setArgs", title: `${changeText(fix.set)} (${fix.gives})`, args: fix.set } : undefined,
  });
}
