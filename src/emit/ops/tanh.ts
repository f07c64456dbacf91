// tanh; the derivative from the output, 1 − y².
import type { OpEmitter } from "../context.ts";
import { elementwise } from "./elementwise.ts";

export const tanh: OpEmitter<"tanh"> = {
  inPlace: true,
  forward: (l) => elementwise(l, "out[i] = Math.tanh(inp[i]);"),
  backward: (l) => elementwise(l, "const y = out[i]; dIn[i] = dOut[i] * (1 - y * y);"),
};
