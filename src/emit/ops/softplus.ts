// softplus: log(1 + e^(beta·x)) / beta, or x where beta·x > threshold (PyTorch); the derivative
// σ(beta·x), or 1 past the threshold. The switch is a (tiny) jump: the pattern says which side.
import { num, type OpEmitter } from "../context.ts";
import { elementwise } from "./elementwise.ts";

export const softplus: OpEmitter<"softplus"> = {
  forward: (l) => {
    const { beta, threshold } = l.args;
    return elementwise(l, `const v = inp[i]; const z = ${num(beta)} * v; out[i] = z > ${num(threshold)} ? v : Math.log1p(Math.exp(z)) / ${num(beta)};`);
  },
  backward: (l) => {
    const { beta, threshold } = l.args;
    return elementwise(l, `const z = ${num(beta)} * inp[i]; dIn[i] = z > ${num(threshold)} ? dOut[i] : dOut[i] / (1 + Math.exp(-z));`);
  },
  pattern: (l) => ({
    perSample: l.output.size,
    fill: `const a = ${l.out}; for (let j = 0; j < a.length; j++) pat[k + j] = ${num(l.args.beta)} * a[j] > ${num(l.args.threshold)} ? 1 : 0;`,
  }),
};
