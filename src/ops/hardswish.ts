// hardswish: x · relu6(x + 3) / 6 elementwise (PyTorch Hardswish); shape unchanged.
import { defineOp, noMacs, noTensors, sameShape } from "./op.ts";

export const hardswish = defineOp<"hardswish", null>({
  name: "hardswish",
  aliases: ["hard_swish", "hswish"],
  args: [],
  resolve: () => null,
  infer: (_d, input) => sameShape({ op: "hardswish" }, input),
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
