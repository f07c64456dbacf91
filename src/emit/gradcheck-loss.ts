// The gradient check's own cross-entropy with nn.CrossEntropyLoss's options (docs/language.md#losses),
// written as the definition reads (log-softmax, then the smoothed and weighted target
// distribution) rather than as lossPass computes it, and the labels it draws: per position for a
// [K, H, W] output, some of them the ignore_index.
import type { LossArgs } from "../ir.ts";
import { num } from "./context.ts";
import { positionsOf } from "./loss.ts";

type CrossEntropy = LossArgs & { op: "softmax" };

/** Options beyond `loss softmax` on [K]: the harness uses the code below. */
export const hasCrossEntropyOptions = (a: CrossEntropy, output: readonly number[]) =>
  positionsOf(output) !== 1 || a.label_smoothing !== undefined || a.weight !== undefined || a.ignore_index !== undefined || a.reduction !== undefined;

/** The body of the harness's loss evaluation: `z` from the forward pass, labels `y`, `batch` in scope. */
export function crossEntropyFormula(a: CrossEntropy, output: readonly number[]): string {
  const K = output[0]!;
  const P = positionsOf(output);
  const eps = a.label_smoothing ?? 0;
  const weights = a.weight ?? Array.from({ length: K }, () => 1);
  return `const z = forward(p, s, x, ws, true);
    const classWeight = [${weights.map(num).join(", ")}];
    let total = 0, labelWeight = 0;
    for (let n = 0; n < batch; n++) {
      for (let q = 0; q < ${P}; q++) {
        const t = y[n * ${P} + q];
        ${a.ignore_index !== undefined ? `if (t === ${a.ignore_index}) continue;` : ""}
        const logits = Array.from({ length: ${K} }, (_, j) => z[(n * ${K} + j) * ${P} + q]);
        const m = Math.max(...logits);
        const logNorm = m + Math.log(logits.reduce((acc, v) => acc + Math.exp(v - m), 0));
        labelWeight += classWeight[t];
        for (let j = 0; j < ${K}; j++) {
          const target = (j === t ? ${num(1 - eps)} * classWeight[t] : 0) + ${num(eps)} * classWeight[j] / ${K};
          total -= target * (logits[j] - logNorm);
        }
      }
    }
    return ${a.reduction === "sum" ? "total" : "total / labelWeight"};`;
}

/** Labels for a [K] or [K, H, W] output: a class per position, about a fifth of them the ignore_index (never the first). */
export function crossEntropyLabels(a: CrossEntropy, output: readonly number[]): string {
  const K = output[0]!;
  const P = positionsOf(output);
  const draw = `Math.floor(rand() * ${K})`;
  const label = a.ignore_index === undefined ? draw : `i > 0 && rand() < 0.2 ? ${a.ignore_index} : ${draw}`;
  return `function gcLabels(batch: number, rand: () => number): Int32Array {
  return Int32Array.from({ length: batch * ${P} }, (_, i) => ${label});
}
`;
}
