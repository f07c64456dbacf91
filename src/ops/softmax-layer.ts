// softmax (the layer): probabilities over the features of [D], or over the channels
// at each pixel of [C, H, W] (PyTorch's nn.Softmax(dim=1)). Shape unchanged. For an
// inference output; `loss softmax` already includes it for training.
import { defineOp, noMacs, noTensors, sameShape } from "./op.ts";

export const softmaxLayer = defineOp<"softmax", null>({
  name: "softmax",
  aliases: ["softmax2d"],
  args: [],
  resolve: () => null,
  infer: (_d, input) => sameShape({ op: "softmax" }, input),
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
