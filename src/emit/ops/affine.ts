// affine: PyTorch Linear, y = W·x + b with W [M, D]; a [C, H, W] input is
// read as D = C·H·W in NCHW order (no copy). Inner loops run along D with
// unit stride, and samples go in blocks of 4 so that each weight loaded
// feeds 4 multiply-adds (the batch tail runs one sample at a time).
import type { OpEmitter } from "../context.ts";

/** `body(k)` for k samples at n, n+1, …: a 4-sample block loop, then the tail. */
function sampleBlocks(body: (k: number) => string): string {
  return `let n = 0;
  for (; n + 4 <= N; n += 4) {
    ${body(4)}
  }
  for (; n < N; n++) {
    ${body(1)}
  }`;
}

const range = (k: number) => Array.from({ length: k }, (_, s) => s);

export const affine: OpEmitter<"affine"> = {
  init(l, _param, suffix) {
    return suffix === "weight" ? { kind: "he", fanIn: l.input.size } : { kind: "fill", value: 0 };
  },

  forward(l) {
    const d = l.input.size;
    const m = l.args.features;
    return `const w = ${l.param("weight")};
    ${l.args.bias ? `const b = ${l.param("bias")};` : ""}
    ${sampleBlocks(
      (k) => `const ${range(k).map((s) => `x${s} = (n + ${s}) * ${d}`).join(", ")};
      for (let j = 0; j < ${m}; j++) {
        const wj = j * ${d}, bj = ${l.args.bias ? "b[j]" : "0"};
        let ${range(k).map((s) => `a${s} = bj`).join(", ")};
        for (let i = 0; i < ${d}; i++) {
          const v = w[wj + i];
          ${range(k).map((s) => `a${s} += v * inp[x${s} + i];`).join(" ")}
        }
        ${range(k).map((s) => `out[(n + ${s}) * ${m} + j] = a${s};`).join(" ")}
      }`,
    )}`;
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
    const weight = `const gw = ${l.grad("weight")};
    gw.fill(0);
    for (let j = 0; j < ${m}; j++) {
      const wj = j * ${d};
      ${sampleBlocks(
        (k) => `const ${range(k).map((s) => `g${s} = dOut[(n + ${s}) * ${m} + j], x${s} = (n + ${s}) * ${d}`).join(", ")};
        for (let i = 0; i < ${d}; i++) gw[wj + i] += ${range(k).map((s) => `g${s} * inp[x${s} + i]`).join(" + ")};`,
      )}
    }`;
    const input = `const w = ${l.param("weight")};
    dIn.fill(0);
    ${sampleBlocks(
      (k) => `const ${range(k).map((s) => `x${s} = (n + ${s}) * ${d}`).join(", ")};
      for (let j = 0; j < ${m}; j++) {
        const wj = j * ${d}, ${range(k).map((s) => `g${s} = dOut[(n + ${s}) * ${m} + j]`).join(", ")};
        for (let i = 0; i < ${d}; i++) {
          const v = w[wj + i];
          ${range(k).map((s) => `dIn[x${s} + i] += g${s} * v;`).join(" ")}
        }
      }`,
    )}`;
    const parts = [
      { part: "weight", code: weight },
      { part: "input", code: input },
    ];
    if (bias !== "") parts.unshift({ part: "bias", code: bias });
    return parts;
  },
};
