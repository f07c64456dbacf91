// softplus(beta=1, threshold=20): log(1 + e^(beta·x)) / beta, and x itself where beta·x > threshold
// (PyTorch Softplus, which switches to the identity there for stability); shape unchanged.
import type { ArgsOf } from "../ir.ts";
import { defineOp, noMacs, noTensors, sameShape } from "./op.ts";

export const softplus = defineOp<"softplus", ArgsOf<"softplus">>({
  name: "softplus",
  primary: "beta",
  args: [
    { name: "beta", type: { kind: "number", min: 0, minExclusive: true }, default: 1, doc: "sharpness; default 1", aliases: ["b"] },
    { name: "threshold", type: { kind: "number", min: 0, minExclusive: true }, default: 20, doc: "beta·x above it gives x; default 20" },
  ],
  resolve: (a) => ({ op: "softplus", beta: a.number("beta"), threshold: a.number("threshold") }),
  infer: (d, input) => sameShape(d, input),
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
