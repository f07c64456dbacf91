// mish: x · tanh(softplus(x)) elementwise (PyTorch Mish); shape unchanged.
import { defineOp, noMacs, noTensors, sameShape } from "./op.ts";

export const mish = defineOp<"mish", null>({
  name: "mish",
  args: [],
  resolve: () => null,
  infer: (_d, input) => sameShape({ op: "mish" }, input),
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
