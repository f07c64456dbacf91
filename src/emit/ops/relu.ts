// relu: max(x, 0); the derivative at 0 is 0 (PyTorch). Its pattern for the
// gradient check is the sign of the output (1 where x > 0).
import type { OpEmitter } from "../context.ts";
import { elementwise } from "./elementwise.ts";

export const relu: OpEmitter<"relu"> = {
  forward: (l) => elementwise(l, "const v = inp[i]; out[i] = v > 0 ? v : 0;"),
  inPlace: true,
  // from the output (out > 0 exactly where inp > 0), so the input need not be kept for backward
  backward: (l) => elementwise(l, "dIn[i] = out[i] > 0 ? dOut[i] : 0;"),
  pattern: (l) => ({
    perSample: l.output.size,
    fill: `const a = ${l.out}; for (let j = 0; j < a.length; j++) pat[k + j] = a[j] > 0 ? 1 : 0;`,
  }),
};
