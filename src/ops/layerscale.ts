// layerscale(init=1e-6): y = γ · x with a learnable per-channel γ (ConvNeXt's layer scale). The tensor
// is named by the layer's label alone, shaped [C, 1, 1], as torchvision's CNBlock `layer_scale`
// parameter, so `layer_scale: layerscale` loads that state dict entry (docs/language.md#layerscale).
import type { ArgsOf } from "../ir.ts";
import { defineOp, noMacs, noTensors, requireImage } from "./op.ts";

export const layerscale = defineOp<"layerscale", ArgsOf<"layerscale">>({
  name: "layerscale",
  primary: "init",
  aliases: ["layer_scale", "scale"],
  args: [{ name: "init", type: { kind: "number", min: -Infinity }, default: 1e-6, doc: "initial value of every γ; default 1e-6", aliases: ["layer_scale_init_value", "value"] }],
  resolve: (a) => ({ op: "layerscale", init: a.number("init") }),
  infer: (d, input, ctx) => (requireImage(input, ctx) ? { args: d, output: [...input] } : undefined),
  params: (_a, input) => [{ suffix: "", shape: [input[0], 1, 1] }],
  state: noTensors,
  macs: noMacs,
});
