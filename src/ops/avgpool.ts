// avgpool(kernel, stride=kernel, pad=0, count_pad=true, rounding): mean over
// each window (PyTorch's AvgPool2d; count_pad = count_include_pad). [C, H, W] → [C, OH, OW].
import { defineOp, noMacs, noTensors, requireImage } from "./op.ts";
import { poolArgs, resolvePool } from "./pool.ts";
import { inferWindow, type WindowDraft } from "./window.ts";

interface AvgPoolDraft extends WindowDraft {
  countPad: boolean;
}

export const avgpool = defineOp<"avgpool", AvgPoolDraft>({
  name: "avgpool",
  primary: "kernel",
  aliases: ["avgpool2d", "averagepooling2d", "avg_pool", "averagepool", "meanpool"],
  args: [
    ...poolArgs,
    {
      name: "count_pad",
      type: { kind: "bool" },
      default: true,
      doc: "divide by the window's cells inside the padded input (true, PyTorch's default) or inside the real input (false)",
      aliases: ["count_include_pad"],
    },
  ],
  resolve(a, ctx) {
    const w = resolvePool(a, ctx);
    return w === undefined ? undefined : { ...w, countPad: a.bool("count_pad") };
  },
  infer(d, input, ctx) {
    if (!requireImage(input, ctx)) return undefined;
    const w = inferWindow(d, input, ctx);
    if (w === undefined) return undefined;
    return {
      args: { op: "avgpool", kernel: d.kernel, stride: d.stride, pad: w.pad, count_pad: d.countPad, rounding: d.rounding },
      output: [input[0], w.out[0], w.out[1]],
    };
  },
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
