// pad(p, mode=zeros): padding as a layer of its own, zeros or reflect/replicate/circular
// (PyTorch's ZeroPad2d, ReflectionPad2d, ReplicationPad2d, F.pad(mode='circular')).
// [C, H, W] → [C, H + top + bottom, W + left + right].
import { defineOp, noMacs, noTensors, requireImage } from "./op.ts";
import { checkPadModeFits, padModeArg, padModeOf } from "./pad-mode.ts";

export const pad = defineOp({
  name: "pad",
  primary: "pad",
  aliases: ["zeropad2d", "zeropadding2d", "padding", "zeropad", "reflectionpad2d", "replicationpad2d", "circularpad2d"],
  args: [
    {
      name: "pad",
      type: { kind: "pad", same: false },
      doc: "k, (h, w), (top, bottom, left, right) or valid (= 0)",
      aliases: ["padding", "p"],
      example: "1",
    },
    padModeArg("mode", ["padding_mode"]),
  ],
  resolve(a) {
    const p = a.pad("pad");
    // `same` is rejected by the argument type (pad layer), so only explicit pads arrive here.
    return { pad: p.kind === "explicit" ? p.pad : ([0, 0, 0, 0] as const), ...padModeOf(a, "mode") };
  },
  infer(d, input, ctx) {
    if (!requireImage(input, ctx)) return undefined;
    const p = [...d.pad] as [number, number, number, number];
    if (!checkPadModeFits(d.mode, d.modeSpan, p, input, ctx)) return undefined;
    return {
      args: { op: "pad", pad: p, ...(d.mode !== undefined ? { mode: d.mode } : {}) },
      output: [input[0], input[1] + p[0] + p[1], input[2] + p[2] + p[3]],
    };
  },
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
