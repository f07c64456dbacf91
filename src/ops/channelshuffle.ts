// channelshuffle(groups): PyTorch ChannelShuffle / ShuffleNet's channel_shuffle — view the C channels as
// [groups, C/groups], transpose, flatten: output channel j·groups + i is input channel i·(C/groups) + j.
// [C, H, W] with C a multiple of groups (E0304); shape unchanged.
import { diag } from "../diagnostics.ts";
import type { ArgsOf } from "../ir.ts";
import { nearestDivisor } from "./common-args.ts";
import { defineOp, formatShape, noMacs, noTensors, requireImage } from "./op.ts";

export const channelshuffle = defineOp<"channelshuffle", ArgsOf<"channelshuffle">>({
  name: "channelshuffle",
  primary: "groups",
  aliases: ["channel_shuffle", "shuffle"],
  args: [{ name: "groups", type: { kind: "int", min: 1 }, doc: "number of groups; C must be a multiple of it", aliases: ["g"], example: "2" }],
  resolve: (a) => ({ op: "channelshuffle", groups: a.int("groups") }),
  infer(d, input, ctx) {
    if (!requireImage(input, ctx)) return undefined;
    const channels = input[0];
    if (channels % d.groups !== 0) {
      ctx.report(
        diag("E0304", ctx.span, `${ctx.display} input channels ${channels} are not divisible by groups=${d.groups}`, {
          labels: [ctx.inputLabel(`${formatShape(input)} comes from here`)],
          notes: [`each group holds C / G = ${channels} / ${d.groups} = ${(channels / d.groups).toFixed(2)} channels`, ...ctx.contextNotes],
          help: `channelshuffle(${nearestDivisor(channels, d.groups)}) divides the ${channels} channels`,
        }),
      );
      return undefined;
    }
    return { args: d, output: [...input] };
  },
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
