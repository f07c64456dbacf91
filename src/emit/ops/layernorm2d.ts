// layernorm2d: at each sample and position, x̂ = (x − μ)/sqrt(σ² + eps) over the C channels (biased
// variance), y = γ[c]·x̂ + β[c]; backward dx = istd/C · (C·g − Σg − x̂·Σ(g·x̂)) with g = γ[c]·dy.
// μ and istd per (sample, position) are saved by the forward pass for the backward.
import { num, type OpEmitter, type ParamInit } from "../context.ts";

export const layernorm2d: OpEmitter<"layernorm2d"> = {
  init: (_l, _p, suffix): ParamInit => ({ kind: "fill", value: suffix === "weight" ? 1 : 0 }),
  buffers: (l) => {
    const hw = l.input.h * l.input.w;
    return [
      { name: l.bufferName("mean"), kind: "float", length: `batch * ${hw}`, doc: "mean over channels per sample and position, last pass" },
      { name: l.bufferName("istd"), kind: "float", length: `batch * ${hw}`, doc: "1 / sqrt(biased variance + eps) of that pass" },
    ];
  },
  forward(l) {
    const { c, size } = l.input;
    const hw = l.input.h * l.input.w;
    return `const gamma = ${l.param("weight")}, beta = ${l.param("bias")};
    const mean = ${l.buffer("mean")}, istd = ${l.buffer("istd")};
    for (let n = 0; n < N; n++) {
      for (let q = 0; q < ${hw}; q++) {
        const o = n * ${size} + q;
        let sum = 0;
        for (let c = 0; c < ${c}; c++) sum += inp[o + c * ${hw}];
        const mu = sum / ${c};
        let sq = 0;
        for (let c = 0; c < ${c}; c++) { const d = inp[o + c * ${hw}] - mu; sq += d * d; }
        const is = 1 / Math.sqrt(sq / ${c} + ${num(l.args.eps)});
        mean[n * ${hw} + q] = mu;
        istd[n * ${hw} + q] = is;
        for (let c = 0; c < ${c}; c++) { const j = o + c * ${hw}; out[j] = (inp[j] - mu) * is * gamma[c] + beta[c]; }
      }
    }`;
  },
  backward(l) {
    const { c, size } = l.input;
    const hw = l.input.h * l.input.w;
    return `const gamma = ${l.param("weight")}, ggamma = ${l.grad("weight")}, gbeta = ${l.grad("bias")};
    const mean = ${l.buffer("mean")}, istd = ${l.buffer("istd")};
    ggamma.fill(0);
    gbeta.fill(0);
    for (let n = 0; n < N; n++) {
      for (let q = 0; q < ${hw}; q++) {
        const o = n * ${size} + q, mu = mean[n * ${hw} + q], is = istd[n * ${hw} + q];
        let sg = 0, sgx = 0;
        for (let c = 0; c < ${c}; c++) {
          const j = o + c * ${hw}, xh = (inp[j] - mu) * is, dy = dOut[j], g = gamma[c] * dy;
          ggamma[c] += dy * xh;
          gbeta[c] += dy;
          sg += g;
          sgx += g * xh;
        }
        for (let c = 0; c < ${c}; c++) {
          const j = o + c * ${hw}, xh = (inp[j] - mu) * is;
          dIn[j] = (is / ${c}) * (${c} * gamma[c] * dOut[j] - sg - xh * sgx);
        }
      }
    }`;
  },
};
