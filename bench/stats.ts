// Statistics and table formatting for the benchmark. Pure functions (checked
// by test/bench.test.ts against hand-computed values), and the two timing loops.

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError("median of an empty list");
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Linear-interpolated quantile q ∈ [0, 1] (the "R-7" rule, as numpy's default). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) throw new RangeError("quantile of an empty list");
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/** GFLOP/s from a FLOP count and a time in milliseconds. */
export function gflops(flops: number, ms: number): number {
  return flops / (ms * 1e6);
}

/** A number with a sensible number of significant digits for a table cell. */
export function fmt(x: number | undefined, digits = 3): string {
  if (x === undefined || !Number.isFinite(x)) return "—";
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toString();
  if (a === 0) return "0";
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(a)));
  return x.toFixed(Math.min(decimals, 6));
}

/** Bytes as KiB/MiB with one decimal. */
export function fmtBytes(b: number | undefined): string {
  if (b === undefined) return "—";
  if (b < 1024) return `${b} B`;
  if (b < 1024 * 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${(b / 1024 / 1024).toFixed(1)} MiB`;
}

/** A GitHub-flavoured markdown table; numeric-looking columns are right-aligned. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  // a column is numeric when every non-empty cell is a number (or "—")
  const isNum = (s: string) => /^[-+]?[\d.,]+[×%x]?$|^—$/.test(s);
  const numeric = header.map((_, i) => rows.some((r) => isNum(r[i] ?? "")) && rows.every((r) => (r[i] ?? "") === "" || isNum(r[i] ?? "")));
  const cell = (s: string, i: number) => (numeric[i] ? s.padStart(widths[i]) : s.padEnd(widths[i]));
  const line = (r: readonly string[]) => `| ${r.map((s, i) => cell(s ?? "", i)).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] ? "-".repeat(w + 1) + ":" : "-".repeat(w + 2))).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/**
 * Times `fn`: `warmup` untimed calls, then timed calls until `iters` samples or
 * `budgetMs` of timed work (at least `minIters`). Returns every sample in ms.
 */
export function timeIt(
  fn: () => void,
  opts: { warmup: number; iters: number; minIters?: number; budgetMs?: number },
): number[] {
  for (let i = 0; i < opts.warmup; i++) fn();
  const samples: number[] = [];
  const start = performance.now();
  const budget = opts.budgetMs ?? Infinity;
  const minIters = opts.minIters ?? opts.iters;
  while (samples.length < opts.iters) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
    if (samples.length >= minIters && performance.now() - start > budget) break;
  }
  return samples;
}

/**
 * Calls each function once untimed, then all of them in turns `iters` times,
 * so a change in the shared machine's speed hits every one alike. Returns the
 * process's CPU time (user + system) and the wall time of every call, in ms.
 */
export function inTurns(fns: readonly (() => unknown)[], iters: number): { cpu: number[]; wall: number[] }[] {
  for (const fn of fns) fn();
  const out = fns.map(() => ({ cpu: [] as number[], wall: [] as number[] }));
  for (let i = 0; i < iters; i++) {
    fns.forEach((fn, k) => {
      const t = process.cpuUsage(), w0 = performance.now();
      fn();
      out[k]!.wall.push(performance.now() - w0);
      const d = process.cpuUsage(t);
      out[k]!.cpu.push((d.user + d.system) / 1000);
    });
  }
  return out;
}
