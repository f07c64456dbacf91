// leakyrelu: x for x > 0, alpha·x otherwise (PyTorch: the slope at 0 is alpha).
// Its gradient-check pattern is the sign of the output, which is the sign of x.
import { num, type OpEmitter } from "../context.ts";
import { elementwise } from "./elementwise.ts";

export const leakyrelu: OpEmitter<"leakyrelu"> = {
  forward: (l) => elementwise(l, `const v = inp[i]; out[i] = v > 0 ? v : ${num(l.args.alpha)} * v;`),
  inPlace: true,
  // from the output (alpha ≥ 0, so out > 0 exactly where inp > 0): the input need not be kept for backward
  backward: (l) => elementwise(l, `dIn[i] = out[i] > 0 ? dOut[i] : ${num(l.args.alpha)} * dOut[i];`),
  pattern: (l) => ({
    perSample: l.output.size,
    fill: `const a = ${l.out}; for (let j = 0; j < a.length; j++) pat[k + j] = a[j] > 0 ? 1 : 0;`,
  }),
};
