// silu: x · sigmoid(x) elementwise (PyTorch SiLU, also called swish); shape unchanged.
import { defineOp, noMacs, noTensors, sameShape } from "./op.ts";

export const silu = defineOp<"silu", null>({
  name: "silu",
  aliases: ["swish"],
  args: [],
  resolve: () => null,
  infer: (_d, input) => sameShape({ op: "silu" }, input),
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
