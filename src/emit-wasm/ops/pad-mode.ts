// Padding by reflect, replicate or circular (docs/language.md#padding-modes) on the wasm target, shared by
// the pad layer and conv's padding_mode: each padded cell copies one input cell (src/emit/ops/pad-mode.ts),
// so the forward is a gather (each row's interior one memory.copy, its border columns one move each) and
// the backward adds every padded cell's gradient back into the cell it copied, in the TypeScript target's
// order (row by row, left to right; f32 sums of f32 values, its numbers exactly).
import type { Dims } from "../../emit/context.ts";
import type { PadMode } from "../../ir.ts";
import { add, addr, cmp, type Ex, type Fn, k, ldf, ldf32, type Local, mul, select, sub } from "../fn.ts";

type Pad4 = readonly [number, number, number, number];

/** The input index that padded index i (relative to the input's first cell) copies, for a literal i. */
function sourceOf(mode: PadMode, i: number, size: number): number {
  if (size === 1) return 0;
  if (i >= 0 && i < size) return i;
  switch (mode) {
    case "reflect":
      return i < 0 ? -i : 2 * size - 2 - i;
    case "replicate":
      return i < 0 ? 0 : size - 1;
    case "circular":
      return i < 0 ? i + size : i - size;
  }
}

/** The same map for an index known at run time. */
function sourceEx(f: Fn, mode: PadMode, i: Local<"i32">, size: number): Ex<"i32"> {
  if (size === 1) return k(0);
  const low = mode === "reflect" ? sub(k(0), i) : mode === "replicate" ? k(0) : add(i, k(size));
  const high = mode === "reflect" ? sub(k(2 * size - 2), i) : mode === "replicate" ? k(size - 1) : sub(i, k(size));
  return select(cmp("lt", i, k(0)), low, select(cmp("ge", i, k(size)), high, i));
}

/**
 * Every padded row: row(xr, yr) with xr the input row's first element and yr the padded row's; the
 * padded row's columns are then [0, pl) border, [pl, pl + W) the input row, [pl + W, OW) border.
 */
function eachRow(f: Fn, N: Local<"i32">, mode: PadMode, pad: Pad4, input: Dims, output: Dims, row: (xr: Local<"i32">, yr: Local<"i32">) => void): void {
  const [pt] = pad;
  f.loop(k(0), mul(N, k(input.c)), (plane) => {
    const xc = f.let(mul(plane, k(input.h * input.w))), yc = f.let(mul(plane, k(output.h * output.w)));
    f.loop(k(0), k(output.h), (oh) => {
      const r = f.let(sub(oh, k(pt)));
      row(f.let(add(xc, mul(sourceEx(f, mode, r, input.h), k(input.w)))), f.let(add(yc, mul(oh, k(output.w)))));
    });
  });
}

/** the border columns: (padded column, input column it copies) */
function borders(mode: PadMode, pad: Pad4, input: Dims): { left: [number, number][]; right: [number, number][] } {
  const [, , pl, pr] = pad;
  const W = input.w;
  const left = Array.from({ length: pl }, (_, j): [number, number] => [j, sourceOf(mode, j - pl, W)]);
  const right = Array.from({ length: pr }, (_, j): [number, number] => [pl + W + j, sourceOf(mode, W + j, W)]);
  return { left, right };
}

/** `to` (N × output) = `from` (N × input) padded by `mode`. */
export function padGather(f: Fn, N: Local<"i32">, mode: PadMode, pad: Pad4, input: Dims, output: Dims, from: Ex<"i32">, to: Ex<"i32">): void {
  const { left, right } = borders(mode, pad, input);
  eachRow(f, N, mode, pad, input, output, (xr, yr) => {
    for (const [y, x] of [...left, ...right]) f.stf32(to, yr, ldf32(from, xr, x), y);
    f.copy(addr(to, add(yr, k(pad[2]))), addr(from, xr), k(input.w));
  });
}

/** `to` (N × input) = the gradient of the padding: every padded cell's `from` added into the cell it copied. */
export function padScatter(f: Fn, N: Local<"i32">, mode: PadMode, pad: Pad4, input: Dims, output: Dims, from: Ex<"i32">, to: Ex<"i32">): void {
  const { left, right } = borders(mode, pad, input);
  const pl = pad[2];
  f.zero(to, k(0), mul(N, k(input.size)));
  const plus = (xr: Local<"i32">, yr: Local<"i32">, x: number, y: number) => f.stf(to, xr, add(ldf(to, xr, x), ldf(from, yr, y)), x);
  eachRow(f, N, mode, pad, input, output, (xr, yr) => {
    for (const [y, x] of left) plus(xr, yr, x, y);
    f.loop(k(0), k(input.w), (q) => {
      const at = f.let(add(xr, q));
      f.stf(to, at, add(ldf(to, at), ldf(from, add(yr, q), pl)));
    });
    for (const [y, x] of right) plus(xr, yr, x, y);
  });
}
