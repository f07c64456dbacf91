// sigmoid: 1 / (1 + e^-x) elementwise; shape unchanged.
import { defineOp, noMacs, noTensors, sameShape } from "./op.ts";

export const sigmoid = defineOp<"sigmoid", null>({
  name: "sigmoid",
  aliases: ["logistic"],
  args: [],
  resolve: () => null,
  infer: (_d, input) => sameShape({ op: "sigmoid" }, input),
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
