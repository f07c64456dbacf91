// pad(p): zero padding as a layer of its own. [C, H, W] → [C, H + top + bottom, W + left + right].
import { defineOp, noMacs, noTensors, requireImage, type Pad4 } from "./op.ts";

export const pad = defineOp<"pad", Pad4>({
  name: "pad",
  primary: "pad",
  aliases: ["zeropad2d", "zeropadding2d", "padding", "zeropad"],
  args: [
    {
      name: "pad",
      type: { kind: "pad", same: false },
      doc: "k, (h, w), (top, bottom, left, right) or valid (= 0)",
      aliases: ["padding", "p"],
      example: "1",
    },
  ],
  resolve(a) {
    const p = a.pad("pad");
    // `same` is rejected by the argument type (pad layer), so only explicit pads arrive here.
    return p.kind === "explicit" ? p.pad : [0, 0, 0, 0];
  },
  infer(p, input, ctx) {
    if (!requireImage(input, ctx)) return undefined;
    return { args: { op: "pad", pad: p }, output: [input[0], input[1] + p[0] + p[1], input[2] + p[2] + p[3]] };
  },
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
