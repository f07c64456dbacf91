// hardsigmoid: min(max(x + 3, 0), 6) / 6; the derivative is 1/6 strictly inside (−3, 3), else 0
// (PyTorch). Pattern: which of the three pieces, read from the output (0, 1 or between).
import type { OpEmitter } from "../context.ts";
import { elementwise } from "./elementwise.ts";

export const hardsigmoid: OpEmitter<"hardsigmoid"> = {
  forward: (l) => elementwise(l, "const t = inp[i] + 3; out[i] = (t > 0 ? (t < 6 ? t : 6) : 0) / 6;"),
  backward: (l) => elementwise(l, "const v = inp[i]; dIn[i] = v > -3 && v < 3 ? dOut[i] / 6 : 0;"),
  pattern: (l) => ({
    perSample: l.output.size,
    fill: `const a = ${l.out}; for (let j = 0; j < a.length; j++) pat[k + j] = a[j] <= 0 ? 0 : a[j] >= 1 ? 2 : 1;`,
  }),
};
