// loss softmax: softmax cross-entropy on [K] scores, mean over the batch.
import { defineLoss } from "./op.ts";

export const softmax = defineLoss({
  name: "softmax",
  aliases: ["crossentropy", "cross_entropy", "ce", "softmax_cross_entropy", "logsoftmax", "nll"],
  args: [],
  resolve: () => ({ op: "softmax" }),
});
