// E025x: padding modes (pad, conv's padding_mode) and the options of `loss softmax`.
import type { CodeInfo } from "./index.ts";

export const paddingLossCodes = {
  E0252: {
    title: "padding too wide for its mode",
    explanation:
      "`reflect` padding mirrors the input about its edge row (or column) without repeating it, so " +
      "each side can add at most size − 1 rows (columns): PyTorch refuses a reflect pad at or above " +
      "the input's size. `circular` padding wraps around and can add at most the size itself. " +
      "`replicate` and zero padding have no limit. The message names the side and the size; for a " +
      "conv with `padding_mode`, the size is the conv's input.",
    example: "model Net {\n  input [1, 3, 3]\n  pad(3, mode=reflect)  # ~ E0252\n}",
    fix: "Pad less than the size, or repeat the edge instead:\n\nmodel Net {\n  input [1, 3, 3]\n  pad(3, mode=replicate)\n}",
  },
  E0253: {
    title: "class weights do not fit the classes",
    explanation:
      "`loss softmax(weight=(w0, w1, …))` gives each class a weight, as nn.CrossEntropyLoss's `weight`: " +
      "the loss of a label of class c is multiplied by w_c, and the mean divides by the sum of the " +
      "weights of the labels. There must be exactly K weights for the K class scores (the first axis " +
      "of the loss input), and not all of them 0 (the mean would be 0/0).",
    example: "model Net {\n  input [4]\n  affine(3)\n  loss softmax(weight=(1, 2))  # ~ E0253\n}",
    fix: "One weight per class:\n\nmodel Net {\n  input [4]\n  affine(3)\n  loss softmax(weight=(1, 2, 1))\n}",
  },
} as const satisfies Record<string, CodeInfo>;
