// slice(start=0, end): channels [start, end) of a [C, H, W] input (features of a [D] one), as PyTorch's
// x[:, start:end]; two slices write ShuffleNet v2's x.chunk(2, dim=1). start < end (E0241) and
// end ≤ C (E0242). Output [end − start, H, W].
import { diag } from "../diagnostics.ts";
import type { ArgsOf } from "../ir.ts";
import { defineOp, formatShape, noMacs, noTensors } from "./op.ts";

export const slice = defineOp<"slice", ArgsOf<"slice">>({
  name: "slice",
  aliases: ["chunk", "split", "narrow"],
  args: [
    { name: "start", type: { kind: "int", min: 0 }, default: 0, doc: "first channel kept; default 0", aliases: ["begin", "from"] },
    { name: "end", type: { kind: "int", min: 1 }, doc: "one past the last channel kept", aliases: ["stop", "to"], example: "8" },
  ],
  resolve(a, ctx) {
    const start = a.int("start");
    const end = a.int("end");
    if (start >= end) {
      ctx.report(
        diag("E0241", a.span("end"), `slice needs start < end, got start=${start} and end=${end}`, {
          notes: ["the slice keeps channels start, start + 1, …, end − 1: none here"],
          help: `slice(start=${start}, end=${start + 1}) keeps one channel`,
        }),
      );
      return undefined;
    }
    return { op: "slice", start, end };
  },
  infer(d, input, ctx) {
    const channels = input[0];
    if (d.end > channels) {
      ctx.report(
        diag("E0242", ctx.span, `${ctx.display} end=${d.end} is past the input's ${channels} channels`, {
          labels: [ctx.inputLabel(`${formatShape(input)} comes from here`)],
          notes: [`the input has channels 0 … ${channels - 1}`, ...ctx.contextNotes],
          help: `end=${channels} keeps channels ${d.start} … ${channels - 1}`,
        }),
      );
      return undefined;
    }
    return { args: d, output: [d.end - d.start, ...input.slice(1)] };
  },
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
