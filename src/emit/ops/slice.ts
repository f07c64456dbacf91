// slice: channels [start, end) of each sample, a contiguous block of (end − start)·H·W values;
// the backward pass writes the gradient there and zeros for the channels left out.
import type { OpEmitter } from "../context.ts";

export const slice: OpEmitter<"slice"> = {
  forward(l) {
    const hw = l.input.h * l.input.w;
    return `for (let n = 0; n < N; n++) {
      const s = n * ${l.input.size} + ${l.args.start * hw}, o = n * ${l.output.size};
      for (let j = 0; j < ${l.output.size}; j++) out[o + j] = inp[s + j];
    }`;
  },
  backward(l) {
    const hw = l.input.h * l.input.w;
    return `dIn.fill(0);
    for (let n = 0; n < N; n++) {
      const s = n * ${l.input.size} + ${l.args.start * hw}, o = n * ${l.output.size};
      for (let j = 0; j < ${l.output.size}; j++) dIn[s + j] = dOut[o + j];
    }`;
  },
};
