// instancenorm(eps=1e-5, affine=false): PyTorch's InstanceNorm2d without running statistics
// (track_running_stats=False, its default): each sample's channel is normalised over its H×W values
// (biased variance), in training and inference alike; with affine=true a per-channel γ/β named
// weight/bias of shape [C]. [C, H, W] with H·W > 1 (one value normalises to 0: E0251); shape unchanged.
import { diag } from "../diagnostics.ts";
import type { ArgsOf } from "../ir.ts";
import { epsArg } from "./common-args.ts";
import { defineOp, formatShape, noMacs, noTensors, requireImage } from "./op.ts";

export const instancenorm = defineOp<"instancenorm", ArgsOf<"instancenorm">>({
  name: "instancenorm",
  aliases: ["instance_norm", "instancenorm2d", "instancenormalization"],
  args: [
    epsArg,
    { name: "affine", type: { kind: "bool" }, default: false, doc: "learn a per-channel γ (weight) and β (bias); default false, as PyTorch" },
  ],
  resolve: (a) => ({ op: "instancenorm", eps: a.number("eps"), affine: a.bool("affine") }),
  infer(d, input, ctx) {
    if (!requireImage(input, ctx, "use layernorm or batchnorm, which work on vectors")) return undefined;
    const [, h, w] = input;
    if (h * w === 1) {
      ctx.report(
        diag("E0251", ctx.span, `${ctx.display} normalises each channel over its ${h}×${w} positions: one value`, {
          labels: [ctx.inputLabel(`${formatShape(input)} comes from here`)],
          notes: ["over one value x − mean is 0, so the output would be β whatever the input; PyTorch refuses it too", ...ctx.contextNotes],
          help: "move the layer before the pooling that reduced the input to 1×1, or use batchnorm",
        }),
      );
      return undefined;
    }
    return { args: d, output: [...input] };
  },
  params: (a, input) =>
    a.affine
      ? [
          { suffix: "weight", shape: [input[0]] },
          { suffix: "bias", shape: [input[0]] },
        ]
      : [],
  state: noTensors,
  macs: noMacs,
});
