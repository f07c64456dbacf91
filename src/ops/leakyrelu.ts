// leakyrelu(alpha=0.01): x for x > 0, alpha·x otherwise; shape unchanged.
import type { ArgsOf } from "../ir.ts";
import { defineOp, noMacs, noTensors, sameShape } from "./op.ts";

export const leakyrelu = defineOp<"leakyrelu", ArgsOf<"leakyrelu">>({
  name: "leakyrelu",
  primary: "alpha",
  aliases: ["leaky_relu", "lrelu", "prelu"],
  args: [{ name: "alpha", type: { kind: "number", min: 0 }, default: 0.01, doc: "slope for x < 0; default 0.01", aliases: ["negative_slope", "slope"] }],
  resolve: (a) => ({ op: "leakyrelu", alpha: a.number("alpha") }),
  infer: (d, input) => sameShape(d, input),
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
