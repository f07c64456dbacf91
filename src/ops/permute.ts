// permute(dims): PyTorch's x.permute(dims) on [N, C, H, W], written with the batch axis: dims = (0, a, b, c),
// a permutation of 1, 2, 3 after the 0 (anything else is E0207). Output axis k is input axis dims[k];
// ConvNeXt's Permute([0, 2, 3, 1]) makes [C, H, W] channels-last [H, W, C] for `linear` and
// `layernormlast`, and Permute([0, 3, 1, 2]) turns it back (docs/language.md#permute-linear-layernormlast).
import { diag } from "../diagnostics.ts";
import type { ArgsOf } from "../ir.ts";
import { defineOp, noMacs, noTensors, requireImage } from "./op.ts";

type Dims = ArgsOf<"permute">["dims"];

export const permute = defineOp<"permute", ArgsOf<"permute">>({
  name: "permute",
  primary: "dims",
  aliases: ["transpose", "permutation"],
  args: [
    {
      name: "dims",
      type: { kind: "numbers", min: 0 },
      doc: "the axes of [N, C, H, W] in their new order, batch first: (0, 2, 3, 1) is channels-last",
      aliases: ["perm", "axes", "order"],
      example: "0, 2, 3, 1",
    },
  ],
  resolve(a, ctx) {
    const dims = a.numbers("dims") ?? [];
    const isPermutation = dims.length === 4 && dims[0] === 0 && [1, 2, 3].every((d) => dims.includes(d)) && dims.every((d) => Number.isInteger(d));
    if (!isPermutation) {
      ctx.report(
        diag("E0207", a.span("dims"), `permute dims must be 0 followed by 1, 2 and 3 in some order, got (${dims.join(", ")})`, {
          notes: ["the axes are PyTorch's [N, C, H, W]; the batch axis 0 stays first"],
          help: "permute((0, 2, 3, 1)) moves the channels last; permute((0, 3, 1, 2)) moves them back",
        }),
      );
      return undefined;
    }
    return { op: "permute", dims: dims as Dims };
  },
  infer(d, input, ctx) {
    if (!requireImage(input, ctx)) return undefined;
    return { args: d, output: [input[d.dims[1] - 1]!, input[d.dims[2] - 1]!, input[d.dims[3] - 1]!] };
  },
  params: noTensors,
  state: noTensors,
  macs: noMacs,
});
