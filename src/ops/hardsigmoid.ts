// hardsigmoid: relu6(x + 3) / 6 elementwise (PyTorch Hardsigmoid); shape unchanged.
import { defineOp, noMacs, noTensors, sameShape } from "./op.ts";

export const hardsigmoid = defineOp<"hardsigmoid", null>({
  name: "hardsigmoid",
  aliases: ["hard_sigmoid", "hsigmoid"],
  args: [],
  resolve: () => null,
  infer: (_d, input) => sameShape({ op: "hardsigmoid" }, input),
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
