// Padding by reflect, replicate or circular (docs/language.md#padding-modes), shared by the pad
// layer and conv's padding_mode: each padded cell copies one input cell, so the forward is a
// gather and the backward adds each padded cell's gradient back into the cell it copied.
import type { Dims } from "../context.ts";
import type { PadMode } from "../../ir.ts";

type Pad4 = readonly [number, number, number, number];

/** The input index (an expression) that padded index `i` (relative to the input's first cell) copies. */
function source(mode: PadMode, i: string, size: number): string {
  if (size === 1) return "0";
  switch (mode) {
    case "reflect":
      return `(${i} < 0 ? -${i} : ${i} >= ${size} ? ${2 * size - 2} - ${i} : ${i})`;
    case "replicate":
      return `(${i} < 0 ? 0 : ${i} >= ${size} ? ${size - 1} : ${i})`;
    case "circular":
      return `(${i} < 0 ? ${i} + ${size} : ${i} >= ${size} ? ${i} - ${size} : ${i})`;
  }
}

/** Loops over every padded cell with `xr + <column source>` (input) and `yr + ow` (padded) in scope of `cell`. */
function eachCell(mode: PadMode, pad: Pad4, input: Dims, output: Dims, cell: (x: string, y: string) => string): string {
  const [pt, , pl] = pad;
  return `for (let n = 0; n < N; n++) {
      for (let c = 0; c < ${input.c}; c++) {
        const xc = n * ${input.size} + c * ${input.h * input.w}, yc = n * ${output.size} + c * ${output.h * output.w};
        for (let oh = 0; oh < ${output.h}; oh++) {
          const r = oh - ${pt}, xr = xc + ${source(mode, "r", input.h)} * ${input.w}, yr = yc + oh * ${output.w};
          for (let ow = 0; ow < ${output.w}; ow++) {
            const q = ow - ${pl};
            ${cell(`xr + ${source(mode, "q", input.w)}`, "yr + ow")}
          }
        }
      }
    }`;
}

/** `to` (N × output) = `from` (N × input) padded by `mode`. */
export function padGather(mode: PadMode, pad: Pad4, input: Dims, output: Dims, from: string, to: string): string {
  return eachCell(mode, pad, input, output, (x, y) => `${to}[${y}] = ${from}[${x}];`);
}

/** `to` (N × input) = the gradient of the padding: every padded cell's `from` added into the cell it copied. */
export function padScatter(mode: PadMode, pad: Pad4, input: Dims, output: Dims, from: string, to: string): string {
  return `for (let i = 0; i < N * ${input.size}; i++) ${to}[i] = 0;
    ${eachCell(mode, pad, input, output, (x, y) => `${to}[${x}] += ${from}[${y}];`)}`;
}
