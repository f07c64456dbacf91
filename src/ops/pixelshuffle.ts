// pixelshuffle(r) and pixelunshuffle(r): PyTorch's PixelShuffle (depth to space) and PixelUnshuffle
// (space to depth). pixelshuffle: [C·r², H, W] → [C, H·r, W·r], output (c, h·r + i, w·r + j) is input
// channel c·r² + i·r + j at (h, w); C·r² must be a multiple of r² (E0243). pixelunshuffle is its
// inverse: [C, H·r, W·r] → [C·r², H, W]; H and W must be multiples of r (E0244).
import { diag } from "../diagnostics.ts";
import type { ArgsOf } from "../ir.ts";
import { defineOp, formatShape, noMacs, noTensors, requireImage, type ArgSpec } from "./op.ts";

const factorArg: ArgSpec = { name: "factor", type: { kind: "int", min: 1 }, doc: "the upscale (downscale) factor r", aliases: ["upscale_factor", "downscale_factor", "r", "block_size"], example: "2" };

export const pixelshuffle = defineOp<"pixelshuffle", ArgsOf<"pixelshuffle">>({
  name: "pixelshuffle",
  primary: "factor",
  aliases: ["pixel_shuffle", "depthtospace", "depth_to_space"],
  args: [factorArg],
  resolve: (a) => ({ op: "pixelshuffle", factor: a.int("factor") }),
  infer(d, input, ctx) {
    if (!requireImage(input, ctx)) return undefined;
    const [c, h, w] = input;
    const r2 = d.factor * d.factor;
    if (c % r2 !== 0) {
      ctx.report(
        diag("E0243", ctx.span, `${ctx.display} input channels ${c} are not a multiple of factor² = ${r2}`, {
          labels: [ctx.inputLabel(`${formatShape(input)} comes from here`)],
          notes: [`each output channel gathers ${r2} input channels: ${c} / ${r2} = ${(c / r2).toFixed(2)}`, ...ctx.contextNotes],
          help: `give the layer before it ${Math.max(1, Math.round(c / r2)) * r2} channels`,
        }),
      );
      return undefined;
    }
    return { args: d, output: [c / r2, h * d.factor, w * d.factor] };
  },
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});

export const pixelunshuffle = defineOp<"pixelunshuffle", ArgsOf<"pixelunshuffle">>({
  name: "pixelunshuffle",
  primary: "factor",
  aliases: ["pixel_unshuffle", "spacetodepth", "space_to_depth"],
  args: [factorArg],
  resolve: (a) => ({ op: "pixelunshuffle", factor: a.int("factor") }),
  infer(d, input, ctx) {
    if (!requireImage(input, ctx)) return undefined;
    const [c, h, w] = input;
    const r = d.factor;
    if (h % r !== 0 || w % r !== 0) {
      ctx.report(
        diag("E0244", ctx.span, `${ctx.display} input ${h}×${w} is not a multiple of factor=${r} in both height and width`, {
          labels: [ctx.inputLabel(`${formatShape(input)} comes from here`)],
          notes: [`each output cell gathers a block of ${r}×${r} input cells: ${h} / ${r} = ${(h / r).toFixed(2)}, ${w} / ${r} = ${(w / r).toFixed(2)}`, ...ctx.contextNotes],
          help: `pad the input to ${Math.ceil(h / r) * r}×${Math.ceil(w / r) * r} first`,
        }),
      );
      return undefined;
    }
    return { args: d, output: [c * r * r, h / r, w / r] };
  },
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
