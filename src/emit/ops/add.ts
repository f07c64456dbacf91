// add: the elementwise sum of two or more values of one shape (a residual
// connection). Its backward hands dOut to every operand, adding where another
// reader of the same value wrote first (operand.accumulate).
import type { OpEmitter } from "../context.ts";

export const add: OpEmitter<"add"> = {
  multiInput: true,
  inPlace: true,
  forward(l) {
    const sum = l.operands.map((o) => `${o.inp}[i]`).join(" + ");
    return `for (let i = 0, e = N * ${l.output.size}; i < e; i++) out[i] = ${sum};`;
  },
  backward(l) {
    const stores = l.operands.map((o) => `${o.dIn}[i] ${o.accumulate ? "+=" : "="} d;`).join(" ");
    return `for (let i = 0, e = N * ${l.output.size}; i < e; i++) {
      const d = dOut[i];
      ${stores}
    }`;
  },
};
