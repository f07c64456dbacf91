// batchnorm(eps=1e-5, momentum=0.1): per channel over (N, H, W) on [C, H, W],
// per feature over N on [D] (PyTorch BatchNorm2d / BatchNorm1d). Shape unchanged.
import type { ArgsOf } from "../ir.ts";
import { epsArg } from "./common-args.ts";
import { defineOp, noMacs, sameShape } from "./op.ts";

export const batchnorm = defineOp<"batchnorm", ArgsOf<"batchnorm">>({
  name: "batchnorm",
  aliases: ["batchnorm2d", "batchnorm1d", "batchnormalization", "bn", "batch_norm"],
  args: [
    epsArg,
    {
      name: "momentum",
      type: { kind: "number", min: 0, max: 1 },
      default: 0.1,
      doc: "running = (1 - momentum)·running + momentum·batch; default 0.1",
    },
  ],
  resolve: (a) => ({ op: "batchnorm", eps: a.number("eps"), momentum: a.number("momentum") }),
  infer: (d, input) => sameShape(d, input),
  params: (_a, input) => [
    { suffix: "weight", shape: [input[0]] },
    { suffix: "bias", shape: [input[0]] },
  ],
  state: (_a, input) => [
    { suffix: "running_mean", shape: [input[0]] },
    { suffix: "running_var", shape: [input[0]] },
  ],
  macs: noMacs,
});
