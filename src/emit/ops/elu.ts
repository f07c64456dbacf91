// elu: x for x > 0, alpha · (e^x − 1) otherwise; the derivative alpha · e^x for x ≤ 0 (PyTorch).
// Unless alpha = 1 the slope jumps at 0: the pattern is the sign of the output.
import { num, type OpEmitter } from "../context.ts";
import { elementwise } from "./elementwise.ts";

export const elu: OpEmitter<"elu"> = {
  forward: (l) => elementwise(l, `const v = inp[i]; out[i] = v > 0 ? v : ${num(l.args.alpha)} * Math.expm1(v);`),
  backward: (l) => elementwise(l, `const v = inp[i]; dIn[i] = v > 0 ? dOut[i] : dOut[i] * ${num(l.args.alpha)} * Math.exp(v);`),
  pattern: (l) => ({
    perSample: l.output.size,
    fill: `const a = ${l.out}; for (let j = 0; j < a.length; j++) pat[k + j] = a[j] > 0 ? 1 : 0;`,
  }),
};
