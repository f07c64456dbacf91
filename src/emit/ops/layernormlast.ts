// layernormlast: each run of K = the last axis's contiguous values is normalised, x̂ = (x − μ)/sqrt(σ² + eps)
// (biased variance), y = γ[k]·x̂ + β[k]; backward dx = istd/K · (K·g − Σg − x̂·Σ(g·x̂)) with g = γ[k]·dy.
// μ and istd per run are saved by the forward pass for the backward.
import { num, type LayerContext, type OpEmitter, type ParamInit } from "../context.ts";

const lastAxis = (l: LayerContext<"layernormlast">) => l.layer.input[l.layer.input.length - 1]!;

export const layernormlast: OpEmitter<"layernormlast"> = {
  init: (_l, _p, suffix): ParamInit => ({ kind: "fill", value: suffix === "weight" ? 1 : 0 }),
  buffers: (l) => {
    const runs = l.input.size / lastAxis(l);
    return [
      { name: l.bufferName("mean"), kind: "float", length: `batch * ${runs}`, doc: "mean over the last axis per sample and position, last pass" },
      { name: l.bufferName("istd"), kind: "float", length: `batch * ${runs}`, doc: "1 / sqrt(biased variance + eps) of that pass" },
    ];
  },
  forward(l) {
    const k = lastAxis(l);
    const runs = l.input.size / k;
    return `const gamma = ${l.param("weight")}, beta = ${l.param("bias")};
    const mean = ${l.buffer("mean")}, istd = ${l.buffer("istd")};
    for (let r = 0; r < N * ${runs}; r++) {
      const o = r * ${k};
      let sum = 0;
      for (let k = 0; k < ${k}; k++) sum += inp[o + k];
      const mu = sum / ${k};
      let sq = 0;
      for (let k = 0; k < ${k}; k++) { const d = inp[o + k] - mu; sq += d * d; }
      const is = 1 / Math.sqrt(sq / ${k} + ${num(l.args.eps)});
      mean[r] = mu;
      istd[r] = is;
      for (let k = 0; k < ${k}; k++) out[o + k] = (inp[o + k] - mu) * is * gamma[k] + beta[k];
    }`;
  },
  backward(l) {
    const k = lastAxis(l);
    const runs = l.input.size / k;
    return `const gamma = ${l.param("weight")}, ggamma = ${l.grad("weight")}, gbeta = ${l.grad("bias")};
    const mean = ${l.buffer("mean")}, istd = ${l.buffer("istd")};
    ggamma.fill(0);
    gbeta.fill(0);
    for (let r = 0; r < N * ${runs}; r++) {
      const o = r * ${k}, mu = mean[r], is = istd[r];
      let sg = 0, sgx = 0;
      for (let k = 0; k < ${k}; k++) {
        const xh = (inp[o + k] - mu) * is, dy = dOut[o + k], g = gamma[k] * dy;
        ggamma[k] += dy * xh;
        gbeta[k] += dy;
        sg += g;
        sgx += g * xh;
      }
      for (let k = 0; k < ${k}; k++) {
        const xh = (inp[o + k] - mu) * is;
        dIn[o + k] = (is / ${k}) * (${k} * gamma[k] * dOut[o + k] - sg - xh * sgx);
      }
    }`;
  },
};
