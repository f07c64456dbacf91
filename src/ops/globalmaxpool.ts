// globalmaxpool: the maximum of each channel over H×W (PyTorch's AdaptiveMaxPool2d(1)
// then a flatten). [C, H, W] → [C].
import { defineOp, noMacs, noTensors, requireImage } from "./op.ts";

export const globalmaxpool = defineOp<"globalmaxpool", null>({
  name: "globalmaxpool",
  aliases: ["globalmaxpooling2d", "adaptivemaxpool2d", "global_max_pool", "gmp"],
  args: [],
  resolve: () => null,
  infer(_d, input, ctx) {
    if (!requireImage(input, ctx, "remove it: the input is already a vector")) return undefined;
    return { args: { op: "globalmaxpool" }, output: [input[0]] };
  },
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
