// layerscale: y = γ[c] · x with γ shaped [C, 1, 1] and named by the layer alone (param(""));
// dγ[c] = Σ over samples and positions of dy · x.
import type { OpEmitter, ParamInit } from "../context.ts";

export const layerscale: OpEmitter<"layerscale"> = {
  init: (l): ParamInit => ({ kind: "fill", value: l.args.init }),
  forward(l) {
    const hw = l.input.h * l.input.w;
    return `const gamma = ${l.param("")};
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < ${l.input.c}; c++) {
        const o = n * ${l.input.size} + c * ${hw}, g = gamma[c];
        for (let j = o; j < o + ${hw}; j++) out[j] = inp[j] * g;
      }
    }`;
  },
  backward(l) {
    const hw = l.input.h * l.input.w;
    return `const gamma = ${l.param("")}, ggamma = ${l.grad("")};
    for (let c = 0; c < ${l.input.c}; c++) {
      const g = gamma[c];
      let acc = 0;
      for (let n = 0; n < N; n++) {
        const o = n * ${l.input.size} + c * ${hw};
        for (let j = o; j < o + ${hw}; j++) {
          acc += dOut[j] * inp[j];
          dIn[j] = dOut[j] * g;
        }
      }
      ggamma[c] = acc;
    }`;
  },
};
