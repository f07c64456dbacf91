// instancenorm: per sample and channel over its H×W positions (M of them), x̂ = (x − μ)/sqrt(σ² + eps)
// with the biased variance, y = γ[c]·x̂ + β[c] (γ = 1, β = 0 without affine); the same in training and
// inference (no running statistics). Backward: dx = istd/M · (M·g − Σg − x̂·Σ(g·x̂)) with g = γ[c]·dy,
// dγ[c] = Σ dy·x̂ and dβ[c] = Σ dy over samples and positions. μ and istd per (sample, channel) are
// saved by the forward pass for the backward.
import { num, type OpEmitter, type ParamInit } from "../context.ts";

export const instancenorm: OpEmitter<"instancenorm"> = {
  init: (_l, _p, suffix): ParamInit => ({ kind: "fill", value: suffix === "weight" ? 1 : 0 }),
  buffers: (l) => [
    { name: l.bufferName("mean"), kind: "float", length: `batch * ${l.input.c}`, doc: "mean per sample and channel, last pass" },
    { name: l.bufferName("istd"), kind: "float", length: `batch * ${l.input.c}`, doc: "1 / sqrt(biased variance + eps) of that pass" },
  ],
  forward(l) {
    const m = l.input.h * l.input.w;
    const affine = l.args.affine;
    return `${affine ? `const gamma = ${l.param("weight")}, beta = ${l.param("bias")};\n    ` : ""}const mean = ${l.buffer("mean")}, istd = ${l.buffer("istd")};
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < ${l.input.c}; c++) {
        const o = n * ${l.input.size} + c * ${m};
        let sum = 0;
        for (let j = o; j < o + ${m}; j++) sum += inp[j];
        const mu = sum / ${m};
        let sq = 0;
        for (let j = o; j < o + ${m}; j++) { const d = inp[j] - mu; sq += d * d; }
        const is = 1 / Math.sqrt(sq / ${m} + ${num(l.args.eps)});
        mean[n * ${l.input.c} + c] = mu;
        istd[n * ${l.input.c} + c] = is;
        ${affine ? "const g = gamma[c] * is, b = beta[c];" : "const g = is;"}
        for (let j = o; j < o + ${m}; j++) out[j] = (inp[j] - mu) * g${affine ? " + b" : ""};
      }
    }`;
  },
  backward(l) {
    const m = l.input.h * l.input.w;
    const affine = l.args.affine;
    return `${affine ? `const gamma = ${l.param("weight")}, ggamma = ${l.grad("weight")}, gbeta = ${l.grad("bias")};\n    ggamma.fill(0);\n    gbeta.fill(0);\n    ` : ""}const mean = ${l.buffer("mean")}, istd = ${l.buffer("istd")};
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < ${l.input.c}; c++) {
        const o = n * ${l.input.size} + c * ${m}, mu = mean[n * ${l.input.c} + c], is = istd[n * ${l.input.c} + c];
        let sdy = 0, sdyx = 0;
        for (let j = o; j < o + ${m}; j++) { const dy = dOut[j]; sdy += dy; sdyx += dy * (inp[j] - mu) * is; }
        ${affine ? "ggamma[c] += sdyx;\n        gbeta[c] += sdy;\n        const k = (gamma[c] * is) / " + m + ";" : `const k = is / ${m};`}
        for (let j = o; j < o + ${m}; j++) dIn[j] = k * (${m} * dOut[j] - sdy - (inp[j] - mu) * is * sdyx);
      }
    }`;
  },
};
