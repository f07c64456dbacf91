// groupnorm(G, eps=1e-5): per sample and group of C/G channels over
// (C/G, H, W), per-channel γ/β (PyTorch GroupNorm). [C, H, W], shape unchanged.
import { diag } from "../diagnostics.ts";
import type { ArgsOf } from "../ir.ts";
import { epsArg, nearestDivisor } from "./common-args.ts";
import { defineOp, formatShape, noMacs, noTensors, requireImage } from "./op.ts";

export const groupnorm = defineOp<"groupnorm", ArgsOf<"groupnorm">>({
  name: "groupnorm",
  primary: "groups",
  aliases: ["groupnormalization", "gn", "group_norm"],
  args: [
    { name: "groups", type: { kind: "int", min: 1 }, doc: "number of channel groups G; C must be a multiple of it", aliases: ["num_groups", "g"], example: "2" },
    epsArg,
  ],
  resolve: (a) => ({ op: "groupnorm", groups: a.int("groups"), eps: a.number("eps") }),
  infer(d, input, ctx) {
    if (!requireImage(input, ctx, "use layernorm or batchnorm, which work on vectors")) return undefined;
    const channels = input[0];
    if (channels % d.groups !== 0) {
      ctx.report(
        diag("E0304", ctx.span, `${ctx.display} input channels ${channels} are not divisible by groups=${d.groups}`, {
          labels: [ctx.inputLabel(`${formatShape(input)} comes from here`)],
          notes: [`each group holds C / G = ${channels} / ${d.groups} = ${(channels / d.groups).toFixed(2)} channels`, ...ctx.contextNotes],
          help: `groupnorm(${nearestDivisor(channels, d.groups)}) divides the ${channels} channels`,
        }),
      );
      return undefined;
    }
    return { args: d, output: [...input] };
  },
  params: (_a, input) => [
    { suffix: "weight", shape: [input[0]] },
    { suffix: "bias", shape: [input[0]] },
  ],
  state: noTensors,
  macs: noMacs,
});
