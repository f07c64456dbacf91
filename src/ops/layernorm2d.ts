// layernorm2d(eps=1e-6): torchvision's LayerNorm2d (ConvNeXt) — at each sample and position, normalise
// the C values over channels, then per-channel γ/β of shape [C]. [C, H, W], shape unchanged.
// (`layernorm` keeps its meaning: statistics over all of [C, H, W].)
import type { ArgsOf } from "../ir.ts";
import { epsArg } from "./common-args.ts";
import { defineOp, noMacs, noTensors, requireImage } from "./op.ts";

export const layernorm2d = defineOp<"layernorm2d", ArgsOf<"layernorm2d">>({
  name: "layernorm2d",
  aliases: ["layer_norm_2d", "channelnorm"],
  args: [{ ...epsArg, default: 1e-6, doc: "added to the variance before the square root; default 1e-6 (torchvision's ConvNeXt)" }],
  resolve: (a) => ({ op: "layernorm2d", eps: a.number("eps") }),
  infer: (d, input, ctx) => (requireImage(input, ctx, "use layernorm, which works on vectors") ? { args: d, output: [...input] } : undefined),
  params: (_a, input) => [
    { suffix: "weight", shape: [input[0]] },
    { suffix: "bias", shape: [input[0]] },
  ],
  state: noTensors,
  macs: noMacs,
});
