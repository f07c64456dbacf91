// globalavgpool: the mean of each channel over H×W. [C, H, W] → [C].
import { defineOp, noMacs, noTensors, requireImage } from "./op.ts";

export const globalavgpool = defineOp<"globalavgpool", null>({
  name: "globalavgpool",
  aliases: ["globalaveragepooling2d", "gap", "globalpool", "global_avg_pool"],
  args: [],
  resolve: () => null,
  infer(_d, input, ctx) {
    if (!requireImage(input, ctx, "remove it: the input is already a vector")) return undefined;
    return { args: { op: "globalavgpool" }, output: [input[0]] };
  },
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
