// Loss emitters, keyed by loss op: the body of `lossPass(z, y, dz, ws)`,
// which stores the loss (the mean over the batch, or as the loss's options
// say) in ws.result.loss (a store from optimised code, so no boxed number per
// step) and writes its gradient with respect to the logits z (N × the model's
// output) into dz. `N` is in scope.
import type { LossArgs } from "../ir.ts";
import { num } from "./context.ts";

export interface LossEmitter<O extends LossArgs["op"]> {
  /** `output`: the model's one-sample output, [K] or (softmax) [K, H, W] */
  body(args: Extract<LossArgs, { op: O }>, output: readonly number[]): string;
  /** top-level constants the body reads (class weights) */
  constants?(args: Extract<LossArgs, { op: O }>): string;
  /** a pattern buffer for the gradient check (hinge active flags), per sample */
  pattern?: (classes: number) => { perSample: number; fill: string };
  buffers?: (classes: number) => { name: string; length: string; doc: string }[];
}

/** Positions per sample that each hold K class scores: H·W for [K, H, W], 1 for [K]. */
export const positionsOf = (output: readonly number[]): number => output.slice(1).reduce((a, b) => a * b, 1);

/** The options of nn.CrossEntropyLoss left at PyTorch's defaults, on [K]: the plain loop below. */
const isPlain = (a: LossArgs & { op: "softmax" }, output: readonly number[]) =>
  positionsOf(output) === 1 && a.label_smoothing === undefined && a.weight === undefined && a.ignore_index === undefined && a.reduction !== "sum";

/**
 * nn.CrossEntropyLoss with its options, per position of [K, H, W] (class j of
 * position s at o + j·P). With the target's weight w_t, smoothing ε and the
 * weights' sum W, the per-position loss is −Σ_j q_j log p_j where
 * q_j = (1 − ε)·w_t·[j = t] + (ε/K)·w_j, so its gradient is p_j·Σq − q_j; the
 * mean divides by the summed w_t of the labels not ignored (docs/language.md#cross-entropy-options).
 */
function crossEntropy(a: LossArgs & { op: "softmax" }, output: readonly number[]): string {
  const k = output[0]!;
  const P = positionsOf(output);
  const eps = a.label_smoothing ?? 0;
  const weighted = a.weight !== undefined;
  const wt = weighted ? "lossClassWeight[t]" : "1";
  const epsK = num(eps / k);
  const sumW = weighted ? a.weight!.reduce((x, y) => x + y, 0) : k;
  const at = (j: string) => (P === 1 ? `o + ${j}` : `o + ${j} * ${P}`);
  const smoothTerm = eps === 0 ? "" : weighted ? `const q = ${epsK} * lossClassWeight[j];
        total += q * (lse - z[i]);
        ` : `total += ${epsK} * (lse - z[i]);
        `;
  const grad = eps === 0 ? "e * Q" : weighted ? "e * Q - q" : `e * Q - ${epsK}`;
  const ignore = a.ignore_index === undefined ? "" : `if (t === ${a.ignore_index}) {
        for (let j = 0; j < ${k}; j++) dz[${at("j")}] = 0;
        continue;
      }
      `;
  const scale = a.reduction === "sum" ? "1" : "1 / weightSum";
  const position = `const t = y[${P === 1 ? "n" : `n * ${P} + s`}];
      ${ignore}let m = z[o];
      for (let j = 1; j < ${k}; j++) if (z[${at("j")}] > m) m = z[${at("j")}];
      let sum = 0;
      for (let j = 0; j < ${k}; j++) sum += Math.exp(z[${at("j")}] - m);
      const lse = m + Math.log(sum), wt = ${wt}, a = ${num(1 - eps)} * wt, Q = a${eps === 0 ? "" : ` + ${num((eps / k) * sumW)}`};
      weightSum += wt;
      total += a * (lse - z[${at("t")}]);
      for (let j = 0; j < ${k}; j++) {
        const i = ${at("j")}, e = Math.exp(z[i] - lse);
        ${smoothTerm}dz[i] = ${grad};
      }
      dz[${at("t")}] -= a;`;
  return `let total = 0, weightSum = 0;
  for (let n = 0; n < N; n++) {
    ${P === 1 ? `const o = n * ${k};
    ${position}` : `for (let s = 0; s < ${P}; s++) {
      const o = n * ${k * P} + s;
      ${position}
    }`}
  }
  const scale = ${scale};
  for (let i = 0; i < N * ${k * P}; i++) dz[i] *= scale;
  ws.result.loss = total * scale;`;
}

/** Softmax cross-entropy with no options, on [K]: log-sum-exp shifted by the row maximum. */
const plain = (k: number) => `let total = 0;
  for (let n = 0; n < N; n++) {
    const o = n * ${k};
    let m = z[o];
    for (let j = o + 1; j < o + ${k}; j++) if (z[j] > m) m = z[j];
    let sum = 0;
    for (let j = o; j < o + ${k}; j++) sum += Math.exp(z[j] - m);
    const lse = m + Math.log(sum), t = o + y[n];
    total += lse - z[t];
    for (let j = o; j < o + ${k}; j++) dz[j] = Math.exp(z[j] - lse) / N;
    dz[t] -= 1 / N;
  }
  ws.result.loss = total / N;`;

/** Softmax cross-entropy (nn.CrossEntropyLoss). */
const softmax: LossEmitter<"softmax"> = {
  constants: (args) => (args.weight === undefined ? "" : `/** the class weights of the loss */
const lossClassWeight = new Float64Array([${args.weight.map(num).join(", ")}]);

`),
  body: (args, output) => (isPlain(args, output) ? plain(output[0]!) : crossEntropy(args, output)),
};

/** CS231n's multiclass hinge: Σ_{j≠y} max(0, z_j − z_y + margin), mean over the batch. */
const svm: LossEmitter<"svm"> = {
  buffers: (classes) => [{ name: "hinge", length: `batch * ${classes}`, doc: "1 where a hinge term is active (svm loss)" }],
  body: (args, [k]) => `const hinge = ws.hinge;
  let total = 0;
  for (let n = 0; n < N; n++) {
    const o = n * ${k}, t = o + y[n], zy = z[t];
    let count = 0;
    for (let j = o; j < o + ${k}; j++) {
      const margin = z[j] - zy + ${num(args.margin)};
      if (j !== t && margin > 0) {
        total += margin;
        dz[j] = 1 / N;
        hinge[j] = 1;
        count++;
      } else {
        dz[j] = 0;
        hinge[j] = 0;
      }
    }
    dz[t] = -count / N;
  }
  ws.result.loss = total / N;`,
  pattern: (classes) => ({
    perSample: classes,
    fill: "const a = ws.hinge; for (let j = 0; j < a.length; j++) pat[k + j] = a[j];",
  }),
};

export const lossEmitters: { [O in LossArgs["op"]]: LossEmitter<O> } = { softmax, svm };

export function lossEmitterOf<O extends LossArgs["op"]>(op: O): LossEmitter<O> {
  return lossEmitters[op] as LossEmitter<O>;
}
