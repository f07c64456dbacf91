// upsample(scale, mode=nearest): enlarges H and W by an integer factor, PyTorch's
// nn.Upsample(scale_factor=…) (bilinear with align_corners=False). [C, H, W] → [C, H·sh, W·sw].
import { defineOp, noMacs, noTensors, requireImage } from "./op.ts";

export const UPSAMPLE_MODES = ["nearest", "bilinear"] as const;
type Mode = (typeof UPSAMPLE_MODES)[number];

export const upsample = defineOp<"upsample", { scale: [number, number]; mode: Mode }>({
  name: "upsample",
  primary: "scale",
  aliases: ["upsampling", "upsampling2d", "interpolate", "resize", "upsamplingnearest2d", "upscale"],
  args: [
    { name: "scale", type: { kind: "pair", min: 1 }, doc: "the integer factor, k or (h, w)", aliases: ["scale_factor", "factor"], example: "2" },
    {
      name: "mode",
      type: { kind: "enum", values: UPSAMPLE_MODES },
      default: "nearest",
      doc: "nearest (copies) or bilinear (half-pixel centres, align_corners=False); default nearest",
      aliases: ["interpolation", "method"],
    },
  ],
  resolve: (a) => ({ scale: a.pair("scale"), mode: a.enumValue("mode") as Mode }),
  infer(d, input, ctx) {
    if (!requireImage(input, ctx)) return undefined;
    return { args: { op: "upsample", scale: d.scale, mode: d.mode }, output: [input[0], input[1] * d.scale[0], input[2] * d.scale[1]] };
  },
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
