// loss svm(margin=1): CS231n's multiclass hinge loss on [K] scores, mean over the batch.
import { defineLoss } from "./op.ts";

export const svm = defineLoss({
  name: "svm",
  primary: "margin",
  aliases: ["hinge", "multimargin", "multi_margin", "multiclass_hinge"],
  args: [{ name: "margin", type: { kind: "number", min: 0 }, default: 1, doc: "the hinge margin Δ; default 1", aliases: ["delta"] }],
  resolve: (a) => ({ op: "svm", margin: a.number("margin") }),
});
