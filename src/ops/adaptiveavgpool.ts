// adaptiveavgpool(size): the mean over PyTorch's adaptive windows, nn.AdaptiveAvgPool2d.
// Output row i averages input rows [floor(i·H/OH), ceil((i+1)·H/OH)), likewise for
// columns, so any output size works (windows overlap when H is not a multiple).
// [C, H, W] → [C, OH, OW].
import { defineOp, noMacs, noTensors, requireImage } from "./op.ts";

export const adaptiveavgpool = defineOp<"adaptiveavgpool", [number, number]>({
  name: "adaptiveavgpool",
  primary: "size",
  aliases: ["adaptiveavgpool2d", "adaptive_avg_pool2d", "adaptiveaveragepool", "adaptivepool"],
  args: [{ name: "size", type: { kind: "pair", min: 1 }, doc: "output height and width, k or (h, w)", aliases: ["output_size", "out"], example: "7" }],
  resolve: (a) => a.pair("size"),
  infer(size, input, ctx) {
    if (!requireImage(input, ctx)) return undefined;
    return { args: { op: "adaptiveavgpool", size }, output: [input[0], size[0], size[1]] };
  },
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
