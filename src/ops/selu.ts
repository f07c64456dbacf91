// selu: scale · (max(0, x) + min(0, alpha · (e^x − 1))) with PyTorch's fixed alpha and scale; shape unchanged.
import { defineOp, noMacs, noTensors, sameShape } from "./op.ts";

export const selu = defineOp<"selu", null>({
  name: "selu",
  args: [],
  resolve: () => null,
  infer: (_d, input) => sameShape({ op: "selu" }, input),
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
