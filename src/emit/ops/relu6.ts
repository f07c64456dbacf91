// relu6: min(max(x, 0), 6); the derivative is 1 strictly inside (0, 6) and 0 elsewhere, at both
// kinks too (PyTorch's hardtanh_backward). Gradient-check pattern: which of the three pieces.
import type { OpEmitter } from "../context.ts";
import { elementwise } from "./elementwise.ts";

export const relu6: OpEmitter<"relu6"> = {
  forward: (l) => elementwise(l, "const v = inp[i]; out[i] = v > 0 ? (v < 6 ? v : 6) : 0;"),
  backward: (l) => elementwise(l, "const v = inp[i]; dIn[i] = v > 0 && v < 6 ? dOut[i] : 0;"),
  pattern: (l) => ({
    perSample: l.output.size,
    fill: `const a = ${l.out}; for (let j = 0; j < a.length; j++) pat[k + j] = a[j] <= 0 ? 0 : a[j] >= 6 ? 2 : 1;`,
  }),
};
