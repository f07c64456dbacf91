// prelu(num_parameters=1, init=0.25): PyTorch's PReLU, y = x where x > 0, else a·x, with a learnable
// slope `weight` of shape [num_parameters]: one slope shared by every channel, or one per channel
// (num_parameters = C, the input's channels or a vector's features; anything else is E0250). Shape unchanged.
import { diag } from "../diagnostics.ts";
import type { ArgsOf } from "../ir.ts";
import { defineOp, formatShape, noMacs, noTensors } from "./op.ts";

export const prelu = defineOp<"prelu", ArgsOf<"prelu">>({
  name: "prelu",
  primary: "num_parameters",
  aliases: ["p_relu", "parametricrelu"],
  args: [
    {
      name: "num_parameters",
      type: { kind: "int", min: 1 },
      default: 1,
      doc: "number of slopes: 1 (shared) or the input's channel count C (one per channel); default 1",
      aliases: ["slopes", "channels", "num_channels"],
    },
    { name: "init", type: { kind: "number", min: 0 }, default: 0.25, doc: "initial value of every slope; default 0.25", aliases: ["alpha", "slope"] },
  ],
  resolve: (a) => ({ op: "prelu", num_parameters: a.int("num_parameters"), init: a.number("init") }),
  infer(d, input, ctx) {
    const channels = input[0];
    if (d.num_parameters !== 1 && d.num_parameters !== channels) {
      ctx.report(
        diag("E0250", ctx.span, `${ctx.display} has num_parameters=${d.num_parameters}, but its input has ${channels} ${input.length === 3 ? "channels" : "features"}`, {
          labels: [ctx.inputLabel(`${formatShape(input)} comes from here`)],
          notes: ["PReLU learns one slope shared by every channel (num_parameters=1) or one per channel", ...ctx.contextNotes],
          help: `write prelu(${channels}) for one slope per channel, or prelu for one shared slope`,
        }),
      );
      return undefined;
    }
    return { args: d, output: [...input] };
  },
  params: (a) => [{ suffix: "weight", shape: [a.num_parameters] }],
  state: noTensors,
  macs: noMacs,
});
