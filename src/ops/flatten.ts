// flatten: [C, H, W] → [C·H·W] in NCHW order; identity on [D].
import { defineOp, noMacs, noTensors, product } from "./op.ts";

export const flatten = defineOp<"flatten", null>({
  name: "flatten",
  aliases: ["reshape", "view"],
  args: [],
  resolve: () => null,
  infer: (_d, input) => ({ args: { op: "flatten" }, output: [product(input)] }),
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
