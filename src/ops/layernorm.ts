// layernorm(eps=1e-5): per sample over (C, H, W) with per-channel γ/β on
// [C, H, W] (CS231n; PyTorch GroupNorm(1, C)), over D with per-feature γ/β on [D]. Shape unchanged.
import type { ArgsOf } from "../ir.ts";
import { epsArg } from "./common-args.ts";
import { defineOp, noMacs, noTensors, sameShape } from "./op.ts";

export const layernorm = defineOp<"layernorm", ArgsOf<"layernorm">>({
  name: "layernorm",
  aliases: ["layernormalization", "ln", "layer_norm"],
  args: [epsArg],
  resolve: (a) => ({ op: "layernorm", eps: a.number("eps") }),
  infer: (d, input) => sameShape(d, input),
  params: (_a, input) => [
    { suffix: "weight", shape: [input[0]] },
    { suffix: "bias", shape: [input[0]] },
  ],
  state: noTensors,
  macs: noMacs,
});
