// loss softmax: softmax cross-entropy on [K] scores, mean over the batch.
import { defineLoss } from "./op.ts";

export const softmax = defineLoss({
  name: "softmax",
  summary: "softmax cross-entropy, mean over the batch; labels are class indices",
  aliases: ["crossentropy", "cross_entropy", "ce", "softmax_cross_entropy", "logsoftmax", "nll"],
  args: [],
  resolve: () => ({ op: "softmax" }),
});
