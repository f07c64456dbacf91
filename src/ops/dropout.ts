// dropout(p=0.5): inverted dropout in training (drop with probability p, scale
// the rest by 1/(1-p)), identity in eval; shape unchanged.
import type { ArgsOf } from "../ir.ts";
import { defineOp, noMacs, noTensors, sameShape } from "./op.ts";

export const dropout = defineOp<"dropout", ArgsOf<"dropout">>({
  name: "dropout",
  primary: "p",
  aliases: ["dropout2d"],
  args: [
    {
      name: "p",
      type: { kind: "number", min: 0, max: 1, maxExclusive: true },
      default: 0.5,
      doc: "probability to drop an activation, in [0, 1); default 0.5",
      aliases: ["rate", "prob", "probability"],
    },
  ],
  resolve: (a) => ({ op: "dropout", p: a.number("p") }),
  infer: (d, input) => sameShape(d, input),
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
