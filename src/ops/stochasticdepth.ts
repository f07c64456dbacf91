// stochasticdepth(p, mode=row): torchvision.ops.StochasticDepth — the identity in eval; in training
// each sample (row) or the whole batch (batch) is zeroed with probability p and otherwise scaled by
// 1/(1 − p). Meant for a residual branch before its merge. Shape unchanged.
import type { ArgsOf } from "../ir.ts";
import { defineOp, noMacs, noTensors, sameShape } from "./op.ts";

export const stochasticdepth = defineOp<"stochasticdepth", ArgsOf<"stochasticdepth">>({
  name: "stochasticdepth",
  primary: "p",
  aliases: ["stochastic_depth", "droppath", "drop_path"],
  args: [
    { name: "p", type: { kind: "number", min: 0, max: 1 }, doc: "probability to drop a sample's (or the batch's) branch, in [0, 1]", aliases: ["rate", "prob"], example: "0.1" },
    { name: "mode", type: { kind: "enum", values: ["row", "batch"] }, default: "row", doc: "row: one draw per sample; batch: one draw for the whole batch; default row" },
  ],
  resolve: (a) => ({ op: "stochasticdepth", p: a.number("p"), mode: a.enumValue("mode") === "batch" ? "batch" : "row" }),
  infer: (d, input) => sameShape(d, input),
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
