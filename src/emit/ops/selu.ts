// selu: scale · x for x > 0, scale · alpha · (e^x − 1) otherwise, with PyTorch's constants; the slope
// jumps at 0 (scale vs scale · alpha): the pattern is the sign of the output.
import { num, type OpEmitter } from "../context.ts";
import { elementwise } from "./elementwise.ts";

/** PyTorch's SELU constants (torch.nn.SELU). */
export const SELU_ALPHA = 1.6732632423543772;
export const SELU_SCALE = 1.0507009873554805;

export const selu: OpEmitter<"selu"> = {
  forward: (l) =>
    elementwise(l, `const v = inp[i]; out[i] = v > 0 ? ${num(SELU_SCALE)} * v : ${num(SELU_SCALE * SELU_ALPHA)} * Math.expm1(v);`),
  backward: (l) =>
    elementwise(l, `const v = inp[i]; dIn[i] = v > 0 ? ${num(SELU_SCALE)} * dOut[i] : ${num(SELU_SCALE * SELU_ALPHA)} * Math.exp(v) * dOut[i];`),
  pattern: (l) => ({
    perSample: l.output.size,
    fill: `const a = ${l.out}; for (let j = 0; j < a.length; j++) pat[k + j] = a[j] > 0 ? 1 : 0;`,
  }),
};
