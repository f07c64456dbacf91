// loss softmax: softmax cross-entropy as nn.CrossEntropyLoss, on [K] scores or per position on [K, H, W]
// (docs/language.md#losses). Options left at PyTorch's defaults are absent from the IR.
import { defineLoss } from "./op.ts";

export const softmax = defineLoss({
  name: "softmax",
  aliases: ["crossentropy", "cross_entropy", "ce", "softmax_cross_entropy", "logsoftmax", "nll"],
  args: [
    {
      name: "label_smoothing",
      type: { kind: "number", min: 0, max: 1, maxExclusive: true },
      default: 0,
      doc: "ε: the target is (1 − ε)·one-hot + ε/K; in [0, 1), default 0",
      aliases: ["smoothing", "smooth"],
    },
    {
      name: "weight",
      type: { kind: "numbers", min: 0 },
      optional: true,
      doc: "one weight per class (K numbers ≥ 0); the mean divides by the summed weights of the targets",
      aliases: ["weights", "class_weight", "class_weights"],
      example: "1, 2, 1",
    },
    {
      name: "ignore_index",
      type: { kind: "int", min: 0 },
      optional: true,
      doc: "a label value that contributes no loss and no gradient; default none (PyTorch's -100)",
      aliases: ["ignore", "ignore_label"],
      example: "255",
    },
    {
      name: "reduction",
      type: { kind: "enum", values: ["mean", "sum"] },
      default: "mean",
      doc: "mean (over the labels not ignored) or sum; default mean",
      aliases: ["reduce"],
    },
  ],
  resolve(a) {
    const smoothing = a.number("label_smoothing");
    const weight = a.numbers("weight");
    const ignore = a.given("ignore_index") ? a.int("ignore_index") : undefined;
    return {
      op: "softmax",
      ...(smoothing !== 0 ? { label_smoothing: smoothing } : {}),
      ...(weight !== undefined ? { weight } : {}),
      ...(ignore !== undefined ? { ignore_index: ignore } : {}),
      ...(a.enumValue("reduction") === "sum" ? { reduction: "sum" as const } : {}),
    };
  },
});
