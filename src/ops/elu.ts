// elu(alpha=1): x for x > 0, alpha · (e^x − 1) otherwise (PyTorch ELU); shape unchanged.
import type { ArgsOf } from "../ir.ts";
import { defineOp, noMacs, noTensors, sameShape } from "./op.ts";

export const elu = defineOp<"elu", ArgsOf<"elu">>({
  name: "elu",
  primary: "alpha",
  args: [{ name: "alpha", type: { kind: "number", min: 0 }, default: 1, doc: "scale of the negative part; default 1", aliases: ["a"] }],
  resolve: (a) => ({ op: "elu", alpha: a.number("alpha") }),
  infer: (d, input) => sameShape(d, input),
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
