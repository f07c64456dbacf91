// globalavgpool: the mean of each channel's H·W plane; [C, H, W] → [C].
import type { OpEmitter } from "../context.ts";

export const globalavgpool: OpEmitter<"globalavgpool"> = {
  forward(l) {
    const hw = l.input.h * l.input.w;
    return `for (let n = 0; n < N; n++) {
      for (let c = 0; c < ${l.input.c}; c++) {
        const xc = n * ${l.input.size} + c * ${hw};
        let acc = 0;
        for (let j = 0; j < ${hw}; j++) acc += inp[xc + j];
        out[n * ${l.output.size} + c] = acc / ${hw};
      }
    }`;
  },
  backward(l) {
    const hw = l.input.h * l.input.w;
    return `for (let n = 0; n < N; n++) {
      for (let c = 0; c < ${l.input.c}; c++) {
        const xc = n * ${l.input.size} + c * ${hw}, d = dOut[n * ${l.output.size} + c] / ${hw};
        for (let j = 0; j < ${hw}; j++) dIn[xc + j] = d;
      }
    }`;
  },
};
