// clamp: min(max(x, min), max); the derivative is 1 strictly inside (min, max) and 0 elsewhere, at both
// kinks too (PyTorch's hardtanh_backward). Gradient-check pattern: which of the three pieces.
import { num, type OpEmitter } from "../context.ts";
import { elementwise } from "./elementwise.ts";

export const clamp: OpEmitter<"clamp"> = {
  forward: (l) => {
    const [lo, hi] = [num(l.args.min), num(l.args.max)];
    return elementwise(l, `const v = inp[i]; out[i] = v > ${lo} ? (v < ${hi} ? v : ${hi}) : ${lo};`);
  },
  backward: (l) => elementwise(l, `const v = inp[i]; dIn[i] = v > ${num(l.args.min)} && v < ${num(l.args.max)} ? dOut[i] : 0;`),
  pattern: (l) => ({
    perSample: l.output.size,
    fill: `const a = ${l.out}; for (let j = 0; j < a.length; j++) pat[k + j] = a[j] <= ${num(l.args.min)} ? 0 : a[j] >= ${num(l.args.max)} ? 2 : 1;`,
  }),
};
