// Argument specs shared by the windowed ops (conv, maxpool, avgpool), written once.
import { ROUNDINGS, type ArgSpec, type PadValue } from "./op.ts";

export const ZERO_PAD: PadValue = { kind: "explicit", pad: [0, 0, 0, 0], form: "int" };

export const strideArg = (defaultDoc: string, defaultValue?: [number, number]): ArgSpec => ({
  name: "stride",
  type: { kind: "pair", min: 1 },
  ...(defaultValue !== undefined ? { default: defaultValue } : { optional: true }),
  doc: `step between windows, k or (h, w); default ${defaultDoc}`,
  aliases: ["strides", "step"],
});

export const padArg: ArgSpec = {
  name: "pad",
  type: { kind: "pad", same: true },
  default: ZERO_PAD,
  doc: "zero padding: k, (h, w), (top, bottom, left, right), same or valid; default 0",
  aliases: ["padding", "pads"],
};

export const roundingArg: ArgSpec = {
  name: "rounding",
  type: { kind: "enum", values: ROUNDINGS },
  optional: true,
  doc: "floor, ceil or exact; default: the model's `rounding` statement, else floor",
  aliases: ["ceil_mode", "round"],
};

export const kernelArg: ArgSpec = {
  name: "kernel",
  type: { kind: "pair", min: 1 },
  doc: "window size, k or (h, w)",
  aliases: ["kernel_size", "ksize", "size", "pool_size", "window"],
  example: "3",
};

export const epsArg: ArgSpec = {
  name: "eps",
  type: { kind: "number", min: 0, minExclusive: true },
  default: 1e-5,
  doc: "added to the variance before the square root; default 1e-5",
  aliases: ["epsilon"],
};

/** The divisor of n (that also divides `alsoDivides`) nearest to `target`; ties go to the smaller. */
export function nearestDivisor(n: number, target: number, alsoDivides = n): number {
  let best = 1;
  for (let i = 1; i * i <= n; i++) {
    if (n % i !== 0) continue;
    for (const d of [i, n / i]) {
      if (alsoDivides % d !== 0) continue;
      const dist = Math.abs(d - target);
      const bestDist = Math.abs(best - target);
      if (dist < bestDist || (dist === bestDist && d < best)) best = d;
    }
  }
  return best;
}
