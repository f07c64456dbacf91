// prelu: x where x > 0, else a·x with a = weight[0] (one shared slope) or weight[c] (per channel).
// Backward (PyTorch's at 0 too): dx = dy or a·dy; da = Σ x·dy over the x ≤ 0, so the input is kept.
// Its gradient-check pattern is the sign of the input, which the forward pass records: a learnt slope may
// be negative, so the output's sign does not tell, and the model's input x is not in the workspace.
import type { OpEmitter, ParamInit } from "../context.ts";

export const prelu: OpEmitter<"prelu"> = {
  init: (l): ParamInit => ({ kind: "fill", value: l.args.init }),
  buffers: (l) => [{ name: l.bufferName("positive"), kind: "int32", length: `batch * ${l.input.size}`, doc: "1 where the last forward pass's input was > 0" }],
  forward(l) {
    const hw = l.input.h * l.input.w;
    const slope = l.args.num_parameters === 1 ? "0" : "c";
    return `const weight = ${l.param("weight")}, positive = ${l.buffer("positive")};
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < ${l.input.c}; c++) {
        const o = n * ${l.input.size} + c * ${hw}, a = weight[${slope}];
        for (let i = o; i < o + ${hw}; i++) {
          const v = inp[i];
          out[i] = v > 0 ? v : a * v;
          positive[i] = v > 0 ? 1 : 0;
        }
      }
    }`;
  },
  backward(l) {
    const hw = l.input.h * l.input.w;
    const slope = l.args.num_parameters === 1 ? "0" : "c";
    return `const weight = ${l.param("weight")}, gweight = ${l.grad("weight")};
    gweight.fill(0);
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < ${l.input.c}; c++) {
        const o = n * ${l.input.size} + c * ${hw}, a = weight[${slope}];
        let acc = 0;
        for (let i = o; i < o + ${hw}; i++) {
          const v = inp[i], d = dOut[i];
          if (v > 0) dIn[i] = d;
          else { dIn[i] = a * d; acc += v * d; }
        }
        gweight[${slope}] += acc;
      }
    }`;
  },
  pattern: (l) => ({
    perSample: l.input.size,
    fill: `const a = ws.${l.bufferName("positive")}; for (let j = 0; j < a.length; j++) pat[k + j] = a[j];`,
  }),
};
