// relu: max(0, x) elementwise; shape unchanged.
import { defineOp, noMacs, noTensors, sameShape } from "./op.ts";

export const relu = defineOp<"relu", null>({
  name: "relu",
  aliases: ["rectifier"],
  args: [],
  resolve: () => null,
  infer: (_d, input) => sameShape({ op: "relu" }, input),
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
