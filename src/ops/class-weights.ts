// The class weights of `loss softmax(weight=…)` against the loss input [K] or [K, H, W]:
// one weight per class, not all zero (the weighted mean divides by their sum over the targets).
import { diag, type Diagnostic, type Label, type Span } from "../diagnostics.ts";
import type { LossArgs } from "../ir.ts";
import { formatShape, type Shape } from "./op.ts";

export function checkClassWeights(args: LossArgs & { op: "softmax" }, shape: Shape, span: Span, input: Label, report: (d: Diagnostic) => void): void {
  const w = args.weight;
  if (w === undefined) return;
  const classes = shape[0]!;
  if (w.length !== classes) {
    report(
      diag("E0253", span, `loss softmax has ${w.length} class weight${w.length === 1 ? "" : "s"}, but its input ${formatShape(shape)} has ${classes} classes`, {
        labels: [input],
        notes: [`the first axis of the loss input holds the K = ${classes} class scores; \`weight\` gives one number per class, in class order`],
        help: w.length < classes ? `add ${classes - w.length} more weight${classes - w.length === 1 ? "" : "s"} (1 leaves a class as it is)` : `remove ${w.length - classes} weight${w.length - classes === 1 ? "" : "s"}`,
      }),
    );
    return;
  }
  if (w.every((v) => v === 0)) {
    report(
      diag("E0253", span, "loss softmax: every class weight is 0", {
        notes: ["every label would weigh 0: the loss and its gradient would be 0 (sum) or 0/0 (mean)"],
        help: "give the classes that matter a positive weight",
      }),
    );
  }
}
