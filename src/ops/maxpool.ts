// maxpool(kernel, stride=kernel, pad=0, rounding): max over each window, padding
// never wins (PyTorch's MaxPool2d). [C, H, W] → [C, OH, OW].
import { defineOp, noMacs, noTensors, requireImage } from "./op.ts";
import { poolArgs, resolvePool } from "./pool.ts";
import { inferWindow, type WindowDraft } from "./window.ts";

export const maxpool = defineOp<"maxpool", WindowDraft>({
  name: "maxpool",
  primary: "kernel",
  aliases: ["maxpool2d", "maxpooling2d", "max_pool", "pool", "maxpooling"],
  args: poolArgs,
  resolve: resolvePool,
  infer(d, input, ctx) {
    if (!requireImage(input, ctx)) return undefined;
    const w = inferWindow(d, input, ctx);
    if (w === undefined) return undefined;
    return {
      args: { op: "maxpool", kernel: d.kernel, stride: d.stride, pad: w.pad, rounding: d.rounding },
      output: [input[0], w.out[0], w.out[1]],
    };
  },
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
