// Loss emitters, keyed by loss op: the body of `lossPass(z, y, dz, ws)`,
// which stores the mean loss over the batch in ws.result.loss (a store from
// optimised code, so no boxed number per step) and writes its gradient with
// respect to the logits z (N × K) into dz. `N` is in scope.
import type { LossArgs } from "../ir.ts";
import { num } from "./context.ts";

export interface LossEmitter<O extends LossArgs["op"]> {
  body(args: Extract<LossArgs, { op: O }>, k: number): string;
  /** a pattern buffer for the gradient check (hinge active flags), per sample */
  pattern?: (classes: number) => { perSample: number; fill: string };
  buffers?: (classes: number) => { name: string; length: string; doc: string }[];
}

/** Softmax cross-entropy: log-sum-exp shifted by the row maximum. */
const softmax: LossEmitter<"softmax"> = {
  body: (_args, k) => `let total = 0;
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
  ws.result.loss = total / N;`,
};

/** CS231n's multiclass hinge: Σ_{j≠y} max(0, z_j − z_y + margin), mean over the batch. */
const svm: LossEmitter<"svm"> = {
  buffers: (classes) => [{ name: "hinge", length: `batch * ${classes}`, doc: "1 where a hinge term is active (svm loss)" }],
  body: (args, k) => `const hinge = ws.hinge;
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
