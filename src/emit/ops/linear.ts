// linear: PyTorch's nn.Linear over the last axis. Each sample is R = size / K rows of K contiguous values
// (the last axis), and row r of the output is W·x_r + b with W [M, K]. Every inner loop is unit-stride:
// - forward: four outputs at a time share each input load (the dot products run along K);
// - dX: each row's gradient is Σ_j dy_j · W[j, :], accumulated along K;
// - dW: Σ over the N·R rows of dy_j · x_r, accumulated along K; db: Σ of dy_j.
import type { LayerContext, OpEmitter } from "../context.ts";

const lastAxis = (l: LayerContext<"linear">) => l.layer.input[l.layer.input.length - 1]!;

export const linear: OpEmitter<"linear"> = {
  init(l, _param, suffix) {
    return suffix === "weight" ? { kind: "he", fanIn: lastAxis(l) } : { kind: "fill", value: 0 };
  },

  forward(l) {
    const k = lastAxis(l);
    const m = l.args.features;
    const rows = l.input.size / k;
    const bias = (j: string) => (l.args.bias ? `b[${j}]` : "0");
    const main = m - (m % 4);
    return `const w = ${l.param("weight")}${l.args.bias ? `, b = ${l.param("bias")}` : ""};
    for (let r = 0; r < N * ${rows}; r++) {
      const x = r * ${k}, y = r * ${m};
      for (let j = 0; j < ${main}; j += 4) {
        const w0 = j * ${k}, w1 = w0 + ${k}, w2 = w1 + ${k}, w3 = w2 + ${k};
        let a0 = ${bias("j")}, a1 = ${bias("j + 1")}, a2 = ${bias("j + 2")}, a3 = ${bias("j + 3")};
        for (let i = 0; i < ${k}; i++) {
          const u = inp[x + i];
          a0 += u * w[w0 + i]; a1 += u * w[w1 + i]; a2 += u * w[w2 + i]; a3 += u * w[w3 + i];
        }
        out[y + j] = a0; out[y + j + 1] = a1; out[y + j + 2] = a2; out[y + j + 3] = a3;
      }
      for (let j = ${main}; j < ${m}; j++) {
        const w0 = j * ${k};
        let a = ${bias("j")};
        for (let i = 0; i < ${k}; i++) a += inp[x + i] * w[w0 + i];
        out[y + j] = a;
      }
    }`;
  },

  backward(l) {
    const k = lastAxis(l);
    const m = l.args.features;
    const rows = l.input.size / k;
    const bias = () => `const gb = ${l.grad("bias")};
    gb.fill(0);
    for (let r = 0; r < N * ${rows}; r++) {
      const y = r * ${m};
      for (let j = 0; j < ${m}; j++) gb[j] += dOut[y + j];
    }`;
    const weight = `const gw = ${l.grad("weight")};
    gw.fill(0);
    for (let r = 0; r < N * ${rows}; r++) {
      const x = r * ${k}, y = r * ${m};
      for (let j = 0; j < ${m}; j++) {
        const g = dOut[y + j], w0 = j * ${k};
        if (g === 0) continue;
        for (let i = 0; i < ${k}; i++) gw[w0 + i] += g * inp[x + i];
      }
    }`;
    const input = `const w = ${l.param("weight")};
    for (let r = 0; r < N * ${rows}; r++) {
      const x = r * ${k}, y = r * ${m};
      for (let i = 0; i < ${k}; i++) dIn[x + i] = 0;
      for (let j = 0; j < ${m}; j++) {
        const g = dOut[y + j], w0 = j * ${k};
        for (let i = 0; i < ${k}; i++) dIn[x + i] += g * w[w0 + i];
      }
    }`;
    const parts = [
      { part: "weight", code: weight },
      { part: "input", code: input },
    ];
    if (l.args.bias) parts.unshift({ part: "bias", code: bias() });
    return parts;
  },
};
