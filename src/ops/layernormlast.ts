// layernormlast(eps=1e-5): PyTorch's nn.LayerNorm(K) on [.., K]: at each position of the other axes the K
// values of the last axis are normalised (biased variance), then scaled and shifted by γ, β of shape [K].
// ConvNeXt's block norm, channels-last after permute((0, 2, 3, 1)) (docs/language.md#permute-linear-layernormlast).
import type { ArgsOf } from "../ir.ts";
import { epsArg } from "./common-args.ts";
import { defineOp, noMacs, noTensors, sameShape } from "./op.ts";

export const layernormlast = defineOp<"layernormlast", ArgsOf<"layernormlast">>({
  name: "layernormlast",
  aliases: ["layernorm_last", "channels_last_layernorm", "lastnorm"],
  args: [epsArg],
  resolve: (a) => ({ op: "layernormlast", eps: a.number("eps") }),
  infer: (d, input) => sameShape(d, input),
  params: (_a, input) => [
    { suffix: "weight", shape: [input[input.length - 1]!] },
    { suffix: "bias", shape: [input[input.length - 1]!] },
  ],
  state: noTensors,
  macs: noMacs,
});
