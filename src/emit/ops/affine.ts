// affine: PyTorch Linear, y = W·x + b with W [M, D]; a [C, H, W] input is
// read as D = C·H·W in NCHW order (no copy). Inner loops run along D with
// unit stride.
import type { OpEmitter } from "../context.ts";

export const affine: OpEmitter<"affine"> = {
  init(l, _param, suffix) {
    return suffix === "weight" ? { kind: "he", fanIn: l.input.size } : { kind: "fill", value: 0 };
  },

  forward(l) {
    const d = l.input.size;
    const m = l.args.features;
    return `const w = ${l.param("weight")};
    ${l.args.bias ? `const b = ${l.param("bias")};` : ""}
    for (let n = 0; n < N; n++) {
      const xn = n * ${d}, yn = n * ${m};
      for (let j = 0; j < ${m}; j++) {
        const wj = j * ${d};
        let acc = ${l.args.bias ? "b[j]" : "0"};
        for (let i = 0; i < ${d}; i++) acc += w[wj + i] * inp[xn + i];
        out[yn + j] = acc;
      }
    }`;
  },

  backward(l) {
    const d = l.input.size;
    const m = l.args.features;
    const bias = l.args.bias
      ? `const gb = ${l.grad("bias")};
      for (let j = 0; j < ${m}; j++) {
        let acc = 0;
        for (let n = 0; n < N; n++) acc += dOut[n * ${m} + j];
        gb[j] = acc;
      }`
      : "";
    return `const w = ${l.param("weight")}, gw = ${l.grad("weight")};
    ${bias}
    gw.fill(0);
    for (let n = 0; n < N; n++) {
      const xn = n * ${d}, yn = n * ${m};
      for (let j = 0; j < ${m}; j++) {
        const g = dOut[yn + j], wj = j * ${d};
        if (g === 0) continue;
        for (let i = 0; i < ${d}; i++) gw[wj + i] += g * inp[xn + i];
      }
    }
    dIn.fill(0);
    for (let n = 0; n < N; n++) {
      const xn = n * ${d}, yn = n * ${m};
      for (let j = 0; j < ${m}; j++) {
        const g = dOut[yn + j], wj = j * ${d};
        if (g === 0) continue;
        for (let i = 0; i < ${d}; i++) dIn[xn + i] += g * w[wj + i];
      }
    }`;
  },
};
