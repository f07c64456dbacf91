// relu6: min(max(x, 0), 6) elementwise (PyTorch ReLU6); shape unchanged.
import { defineOp, noMacs, noTensors, sameShape } from "./op.ts";

export const relu6 = defineOp<"relu6", null>({
  name: "relu6",
  aliases: ["relu_6"],
  args: [],
  resolve: () => null,
  infer: (_d, input) => sameShape({ op: "relu6" }, input),
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
