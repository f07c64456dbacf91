// Normalisation code shared by batchnorm (statistics per channel over N, H, W)
// and layernorm/groupnorm (statistics per sample and group of channels over
// C/G, H, W). x̂ = (x − μ)/sqrt(σ² + eps) with the biased variance,
// y = γ·x̂ + β with per-channel γ, β; the backward pass uses
// dx = γ·istd/M · (M·dy − Σdy − x̂·Σ(dy·x̂)).
import { type LayerContext, num, type OpEmitter, type ParamInit, type WorkspaceBuffer } from "./context.ts";

function statBuffers(l: { bufferName(suffix: string): string }, count: string): WorkspaceBuffer[] {
  return [
    { name: l.bufferName("mean"), kind: "float", length: count, doc: "batch mean of the last training-mode pass" },
    { name: l.bufferName("istd"), kind: "float", length: count, doc: "1 / sqrt(biased variance + eps) of that pass" },
  ];
}

const normInit = (_l: unknown, _param: unknown, suffix: string): ParamInit => ({
  kind: "fill",
  value: suffix === "weight" ? 1 : 0,
});

/** batchnorm over (N, H, W) per channel; a [D] input has H = W = 1. */
export function channelNorm(): OpEmitter<"batchnorm"> {
  return {
    init: normInit,
    buffers: (l) => statBuffers(l, String(l.input.c)),
    trainingGuard(l) {
      if (l.input.h * l.input.w > 1) return undefined;
      return {
        condition: "N < 2",
        message: `batchnorm '${l.layer.name}' in training mode needs more than one value per channel (N·H·W > 1); a batch of 1 gives one`,
      };
    },
    forward(l) {
      const { c, size } = l.input;
      const hw = l.input.h * l.input.w;
      const mom = l.args.momentum;
      const loop = (body: string) => `for (let n = 0; n < N; n++) {
          const o = n * ${size} + c * ${hw};
          for (let j = o; j < o + ${hw}; j++) { ${body} }
        }`;
      return `const gamma = ${l.param("weight")}, beta = ${l.param("bias")};
      const rm = ${l.state("running_mean")}, rv = ${l.state("running_var")};
      if (train) {
        const mean = ${l.buffer("mean")}, istd = ${l.buffer("istd")}, M = N * ${hw};
        for (let c = 0; c < ${c}; c++) {
          let sum = 0;
          ${loop("sum += inp[j];")}
          const mu = sum / M;
          let sq = 0;
          ${loop("const d = inp[j] - mu; sq += d * d;")}
          const is = 1 / Math.sqrt(sq / M + ${num(l.args.eps)});
          mean[c] = mu;
          istd[c] = is;
          rm[c] = ${num(1 - mom)} * rm[c] + ${num(mom)} * mu;
          rv[c] = ${num(1 - mom)} * rv[c] + ${num(mom)} * (sq / (M - 1));
          const g = gamma[c] * is, b = beta[c];
          ${loop("out[j] = (inp[j] - mu) * g + b;")}
        }
      } else {
        for (let c = 0; c < ${c}; c++) {
          const mu = rm[c], g = gamma[c] / Math.sqrt(rv[c] + ${num(l.args.eps)}), b = beta[c];
          ${loop("out[j] = (inp[j] - mu) * g + b;")}
        }
      }`;
    },
    backward(l) {
      const { c, size } = l.input;
      const hw = l.input.h * l.input.w;
      const loop = (body: string) => `for (let n = 0; n < N; n++) {
          const o = n * ${size} + c * ${hw};
          for (let j = o; j < o + ${hw}; j++) { ${body} }
        }`;
      return `const gamma = ${l.param("weight")}, ggamma = ${l.grad("weight")}, gbeta = ${l.grad("bias")};
      const mean = ${l.buffer("mean")}, istd = ${l.buffer("istd")}, M = N * ${hw};
      for (let c = 0; c < ${c}; c++) {
        const mu = mean[c], is = istd[c];
        let sdy = 0, sdyx = 0;
        ${loop("const dy = dOut[j]; sdy += dy; sdyx += dy * (inp[j] - mu);")}
        sdyx *= is;
        ggamma[c] = sdyx;
        gbeta[c] = sdy;
        const k = (gamma[c] * is) / M;
        ${loop("dIn[j] = k * (M * dOut[j] - sdy - (inp[j] - mu) * is * sdyx);")}
      }`;
    },
  };
}

/** Statistics per sample and group of `groups` channels; a [D] input is D channels of 1×1. */
export function groupNorm<O extends "layernorm" | "groupnorm">(
  groupsOf: (l: LayerContext<O>) => number,
): OpEmitter<O> {
  const epsOf = (l: LayerContext<O>): number => (l.args as { eps: number }).eps;
  return {
    init: normInit,
    buffers: (l) => statBuffers(l, `batch * ${groupsOf(l)}`),
    forward(l) {
      const groups = groupsOf(l);
      const hw = l.input.h * l.input.w;
      const cg = l.input.c / groups;
      const m = cg * hw;
      return `const gamma = ${l.param("weight")}, beta = ${l.param("bias")};
      const mean = ${l.buffer("mean")}, istd = ${l.buffer("istd")};
      for (let n = 0; n < N; n++) {
        for (let gi = 0; gi < ${groups}; gi++) {
          const o = n * ${l.input.size} + gi * ${m};
          let sum = 0;
          for (let j = o; j < o + ${m}; j++) sum += inp[j];
          const mu = sum / ${m};
          let sq = 0;
          for (let j = o; j < o + ${m}; j++) { const d = inp[j] - mu; sq += d * d; }
          const is = 1 / Math.sqrt(sq / ${m} + ${num(epsOf(l))});
          mean[n * ${groups} + gi] = mu;
          istd[n * ${groups} + gi] = is;
          for (let cc = 0; cc < ${cg}; cc++) {
            const c = gi * ${cg} + cc, g = gamma[c] * is, b = beta[c], oc = o + cc * ${hw};
            for (let j = oc; j < oc + ${hw}; j++) out[j] = (inp[j] - mu) * g + b;
          }
        }
      }`;
    },
    backward(l) {
      const groups = groupsOf(l);
      const hw = l.input.h * l.input.w;
      const cg = l.input.c / groups;
      const m = cg * hw;
      return `const gamma = ${l.param("weight")}, ggamma = ${l.grad("weight")}, gbeta = ${l.grad("bias")};
      const mean = ${l.buffer("mean")}, istd = ${l.buffer("istd")};
      ggamma.fill(0);
      gbeta.fill(0);
      for (let n = 0; n < N; n++) {
        for (let gi = 0; gi < ${groups}; gi++) {
          const o = n * ${l.input.size} + gi * ${m}, mu = mean[n * ${groups} + gi], is = istd[n * ${groups} + gi];
          let s1 = 0, s2 = 0;
          for (let cc = 0; cc < ${cg}; cc++) {
            const c = gi * ${cg} + cc, gm = gamma[c], oc = o + cc * ${hw};
            let sg = 0, sb = 0;
            for (let j = oc; j < oc + ${hw}; j++) {
              const dy = dOut[j], xh = (inp[j] - mu) * is;
              sg += dy * xh;
              sb += dy;
            }
            ggamma[c] += sg;
            gbeta[c] += sb;
            s1 += gm * sb;
            s2 += gm * sg;
          }
          const k = is / ${m};
          for (let cc = 0; cc < ${cg}; cc++) {
            const c = gi * ${cg} + cc, gm = gamma[c], oc = o + cc * ${hw};
            for (let j = oc; j < oc + ${hw}; j++) dIn[j] = k * (${m} * gm * dOut[j] - s1 - (inp[j] - mu) * is * s2);
          }
        }
      }`;
    },
  };
}
