// sigmoid: 1 / (1 + e^−x); the derivative from the output, y·(1 − y).
import type { OpEmitter } from "../context.ts";
import { elementwise } from "./elementwise.ts";

export const sigmoid: OpEmitter<"sigmoid"> = {
  inPlace: true,
  forward: (l) => elementwise(l, "out[i] = 1 / (1 + Math.exp(-inp[i]));"),
  backward: (l) => elementwise(l, "const y = out[i]; dIn[i] = dOut[i] * y * (1 - y);"),
};
