// tanh: hyperbolic tangent elementwise; shape unchanged.
import { defineOp, noMacs, noTensors, sameShape } from "./op.ts";

export const tanh = defineOp<"tanh", null>({
  name: "tanh",
  args: [],
  resolve: () => null,
  infer: (_d, input) => sameShape({ op: "tanh" }, input),
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
