// conv(F, kernel, stride=1, pad=0, dilation=1, groups=1, bias=true, rounding, padding_mode=zeros):
// 2-D convolution, PyTorch's Conv2d. [C, H, W] → [F, OH, OW].
import { diag } from "../diagnostics.ts";
import { channelsDivideIntoGroups } from "./group-channels.ts";
import { kernelArg, nearestDivisor, padArg, roundingArg, strideArg } from "./common-args.ts";
import { defineOp, requireImage, resolveRounding } from "./op.ts";
import { checkPadModeFits, padModeArg, padModeOf } from "./pad-mode.ts";
import { inferWindow, type WindowDraft } from "./window.ts";

interface ConvDraft extends WindowDraft, ReturnType<typeof padModeOf> {
  filters: number;
  groups: number;
  bias: boolean;
}

export const conv = defineOp<"conv", ConvDraft>({
  name: "conv",
  primary: "filters",
  aliases: ["conv2d", "convolution", "convolution2d"],
  args: [
    { name: "filters", type: { kind: "int", min: 1 }, doc: "number of filters F (output channels)", aliases: ["out_channels", "num_filters", "features", "channels"], example: "16" },
    kernelArg,
    strideArg("1", [1, 1]),
    padArg,
    { name: "dilation", type: { kind: "pair", min: 1 }, default: [1, 1], doc: "spacing between kernel taps, k or (h, w); default 1", aliases: ["dilation_rate"] },
    { name: "groups", type: { kind: "int", min: 1 }, default: 1, doc: "channel groups; C and F must be multiples of it; default 1" },
    { name: "bias", type: { kind: "bool" }, default: true, doc: "learn a per-filter bias; default true", aliases: ["use_bias"] },
    roundingArg,
    padModeArg("padding_mode", ["pad_mode", "mode"]),
  ],
  resolve(a, ctx) {
    let ok = true;
    if (a.enumValue("rounding") === "ceil") {
      ctx.report(
        diag("E0210", a.span("rounding"), "conv does not support rounding=ceil", {
          notes: ["ceil rounding (a last partial window) is defined for maxpool and avgpool only"],
          help: "pad the bottom/right so that the last window fits, or use rounding=floor",
        }),
      );
      ok = false;
    }
    const filters = a.int("filters");
    const groups = a.int("groups");
    if (filters % groups !== 0) {
      const multiple = Math.max(groups, Math.round(filters / groups) * groups);
      ctx.report(
        diag("E0211", a.span("groups"), `conv filters ${filters} are not divisible by groups=${groups}`, {
          labels: a.given("filters") ? [{ span: a.span("filters"), message: `${filters} filters` }] : [],
          notes: [`each of the ${groups} groups needs the same number of filters: ${filters} / ${groups} = ${(filters / groups).toFixed(2)}`],
          help: `filters=${multiple} is a multiple of ${groups}, or groups=${nearestDivisor(filters, groups)} divides ${filters}`,
        }),
      );
      ok = false;
    }
    if (!ok) return undefined;
    const r = resolveRounding(a, ctx, false);
    return {
      filters,
      groups,
      bias: a.bool("bias"),
      kernel: a.pair("kernel"),
      stride: a.pair("stride"),
      dilation: a.pair("dilation"),
      pad: a.pad("pad"),
      rounding: r.mode,
      roundingSource: r.source,
      isPool: false,
      ...padModeOf(a, "padding_mode"),
    };
  },
  infer(d, input, ctx) {
    if (!requireImage(input, ctx)) return undefined;
    if (!channelsDivideIntoGroups(d, input, ctx)) return undefined;
    const w = inferWindow(d, input, ctx);
    if (w === undefined || !checkPadModeFits(d.mode, d.modeSpan, w.pad, input, ctx)) return undefined;
    return {
      args: {
        op: "conv",
        filters: d.filters,
        kernel: d.kernel,
        stride: d.stride,
        pad: w.pad,
        dilation: d.dilation,
        groups: d.groups,
        bias: d.bias,
        rounding: d.rounding,
        ...(d.mode !== undefined ? { padding_mode: d.mode } : {}),
      },
      output: [d.filters, w.out[0], w.out[1]],
    };
  },
  params(a, input) {
    const weight = { suffix: "weight", shape: [a.filters, input[0] / a.groups, a.kernel[0], a.kernel[1]] };
    return a.bias ? [weight, { suffix: "bias", shape: [a.filters] }] : [weight];
  },
  state: () => [],
  macs(a, input, output) {
    return output[0] * output[1] * output[2] * (input[0] / a.groups) * a.kernel[0] * a.kernel[1];
  },
});
