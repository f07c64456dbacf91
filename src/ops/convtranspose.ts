// convtranspose(F, kernel, stride=1, pad=0, output_pad=0, dilation=1, groups=1, bias=true):
// transposed 2-D convolution, PyTorch's ConvTranspose2d. [C, H, W] → [F, OH, OW] with
// OH = (H − 1)·stride − pad_top − pad_bottom + dilation·(KH − 1) + output_pad + 1.
import { diag } from "../diagnostics.ts";
import { channelsDivideIntoGroups } from "./group-channels.ts";
import { kernelArg, nearestDivisor, ZERO_PAD } from "./common-args.ts";
import { defineOp, formatShape, type Pad4, type Pair, requireImage } from "./op.ts";
import { renderPair } from "./window.ts";

interface ConvTransposeDraft {
  filters: number;
  kernel: Pair;
  stride: Pair;
  pad: Pad4;
  output_pad: Pair;
  dilation: Pair;
  groups: number;
  bias: boolean;
}

const AXES = ["height", "width"] as const;

/** One axis of the output-size formula: the size and the arithmetic written out. */
function axisOut(d: ConvTransposeDraft, size: number, i: 0 | 1): { out: number; formula: string } {
  const before = d.pad[2 * i];
  const after = d.pad[2 * i + 1];
  const out = (size - 1) * d.stride[i] - before - after + d.dilation[i] * (d.kernel[i] - 1) + d.output_pad[i] + 1;
  const formula = `(${size} - 1) * ${d.stride[i]} - ${before} - ${after} + ${d.dilation[i]} * (${d.kernel[i]} - 1) + ${d.output_pad[i]} + 1 = ${out}`;
  return { out, formula };
}

export const convtranspose = defineOp<"convtranspose", ConvTransposeDraft>({
  name: "convtranspose",
  primary: "filters",
  aliases: ["convtranspose2d", "conv2dtranspose", "deconv", "deconvolution", "conv_transpose2d", "transposedconv"],
  args: [
    { name: "filters", type: { kind: "int", min: 1 }, doc: "output channels F", aliases: ["out_channels", "num_filters", "features", "channels"], example: "16" },
    kernelArg,
    { name: "stride", type: { kind: "pair", min: 1 }, default: [1, 1], doc: "upsampling step, k or (h, w); default 1", aliases: ["strides", "step"] },
    {
      name: "pad",
      type: { kind: "pad", same: false },
      default: ZERO_PAD,
      doc: "rows/columns cropped from the output's borders: k, (h, w), (top, bottom, left, right) or valid; default 0",
      aliases: ["padding", "pads"],
    },
    {
      name: "output_pad",
      type: { kind: "pair", min: 0 },
      default: [0, 0],
      doc: "rows/columns added at the bottom/right, k or (h, w), smaller than stride or dilation; default 0",
      aliases: ["output_padding", "outpad", "output_pads", "adj"],
    },
    { name: "dilation", type: { kind: "pair", min: 1 }, default: [1, 1], doc: "spacing between kernel taps, k or (h, w); default 1", aliases: ["dilation_rate"] },
    { name: "groups", type: { kind: "int", min: 1 }, default: 1, doc: "channel groups; C and F must be multiples of it; default 1" },
    { name: "bias", type: { kind: "bool" }, default: true, doc: "learn a per-filter bias; default true", aliases: ["use_bias"] },
  ],
  resolve(a, ctx) {
    let ok = true;
    const filters = a.int("filters");
    const groups = a.int("groups");
    if (filters % groups !== 0) {
      const multiple = Math.max(groups, Math.round(filters / groups) * groups);
      ctx.report(
        diag("E0211", a.span("groups"), `convtranspose filters ${filters} are not divisible by groups=${groups}`, {
          labels: a.given("filters") ? [{ span: a.span("filters"), message: `${filters} filters` }] : [],
          notes: [`each of the ${groups} groups needs the same number of filters: ${filters} / ${groups} = ${(filters / groups).toFixed(2)}`],
          help: `filters=${multiple} is a multiple of ${groups}, or groups=${nearestDivisor(filters, groups)} divides ${filters}`,
        }),
      );
      ok = false;
    }
    const stride = a.pair("stride");
    const dilation = a.pair("dilation");
    const outputPad = a.pair("output_pad");
    // PyTorch's rule: output_padding < stride or < dilation on each axis; beyond that
    // it would add rows that no input pixel reaches.
    const over = [0, 1].filter((i) => outputPad[i] >= Math.max(stride[i], dilation[i]));
    if (over.length > 0) {
      const fixed = outputPad.map((p, i) => Math.min(p, Math.max(stride[i], dilation[i]) - 1)) as Pair;
      ctx.report(
        diag("E0230", a.span("output_pad"), `convtranspose output_pad ${renderPair(outputPad)} must be smaller than the stride or the dilation`, {
          notes: over.map((i) => `${AXES[i]}: output_pad ${outputPad[i]} >= max(stride ${stride[i]}, dilation ${dilation[i]})`),
          help:
            fixed[0] === 0 && fixed[1] === 0
              ? "remove output_pad: with stride 1 and dilation 1 every output size is reached without it"
              : `output_pad=${renderPair(fixed)} is the most this stride and dilation allow`,
        }),
      );
      ok = false;
    }
    if (!ok) return undefined;
    const pad = a.pad("pad");
    return {
      filters,
      groups,
      bias: a.bool("bias"),
      kernel: a.pair("kernel"),
      stride,
      dilation,
      output_pad: outputPad,
      // `same` is refused by the argument type, so only explicit pads arrive here.
      pad: pad.kind === "explicit" ? pad.pad : [0, 0, 0, 0],
    };
  },
  infer(d, input, ctx) {
    if (!requireImage(input, ctx)) return undefined;
    if (!channelsDivideIntoGroups(d, input, ctx)) return undefined;
    const axes = [axisOut(d, input[1], 0), axisOut(d, input[2], 1)];
    const bad = [0, 1].filter((i) => axes[i].out < 1);
    if (bad.length > 0) {
      // the most padding that still leaves one row/column, per axis
      const most = bad.map((i) => `${axes[i].out - 1 + d.pad[2 * i] + d.pad[2 * i + 1]} in total along the ${AXES[i]}`);
      ctx.report(
        diag("E0302", ctx.span, `${ctx.display} output ${bad.map((i) => AXES[i]).join(" and ")} would be less than 1: the padding crops more than the output holds`, {
          labels: [ctx.inputLabel(`the input ${formatShape(input)} comes from here`)],
          notes: [...bad.map((i) => `${AXES[i]}: ${axes[i].formula}`), ...ctx.contextNotes],
          help: `pad at most ${most.join(" and ")}`,
        }),
      );
      return undefined;
    }
    return {
      args: {
        op: "convtranspose",
        filters: d.filters,
        kernel: d.kernel,
        stride: d.stride,
        pad: d.pad,
        output_pad: d.output_pad,
        dilation: d.dilation,
        groups: d.groups,
        bias: d.bias,
      },
      output: [d.filters, axes[0].out, axes[1].out],
    };
  },
  params(a, input) {
    const weight = { suffix: "weight", shape: [input[0], a.filters / a.groups, a.kernel[0], a.kernel[1]] };
    return a.bias ? [weight, { suffix: "bias", shape: [a.filters] }] : [weight];
  },
  state: () => [],
  // every input pixel meets every tap of its group's filters
  macs(a, input) {
    return input[0] * input[1] * input[2] * (a.filters / a.groups) * a.kernel[0] * a.kernel[1];
  },
});
