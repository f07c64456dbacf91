// E024x: arguments and shapes of the mobile/modern-CNN layers (clamp, slice, pixelshuffle, pixelunshuffle);
// E025x: prelu and instancenorm.
import type { CodeInfo } from "./index.ts";

export const layerCodes = {
  E0240: {
    title: "clamp bounds out of order",
    explanation:
      "`clamp(min, max)` (PyTorch's Hardtanh) limits every value to [min, max]. With min at or " +
      "above max the output would be one constant and the gradient zero everywhere, so PyTorch " +
      "refuses it and so does cnnc. The defaults are min=-1 and max=1; relu6 is clamp(min=0, max=6).",
    example: "model Net {\n  input [16]\n  clamp(min=2, max=2)  # ~ E0240\n}",
    fix: "Give a max above min:\n\nmodel Net {\n  input [16]\n  clamp(min=0, max=2)\n}",
  },
  E0241: {
    title: "empty channel slice",
    explanation:
      "`slice(start, end)` keeps channels start, start + 1, …, end − 1 of its input (PyTorch's " +
      "x[:, start:end]). With start at or above end it would keep none. To split C channels in two " +
      "halves as x.chunk(2, dim=1) does, write slice(end=C/2) and slice(start=C/2, end=C).",
    example: "model Net {\n  input [8, 4, 4]\n  slice(start=4, end=4)  # ~ E0241\n}",
    fix: "Keep at least one channel:\n\nmodel Net {\n  input [8, 4, 4]\n  slice(start=4, end=8)\n}",
  },
  E0242: {
    title: "channel slice past the input",
    explanation:
      "`slice(start, end)` reads channels up to end − 1, but its input has fewer channels. PyTorch " +
      "would silently clip the range; cnnc refuses it, since the layers after it were written for " +
      "end − start channels. The label shows where the input's shape comes from.",
    example: "model Net {\n  input [8, 4, 4]\n  slice(start=4, end=12)  # ~ E0242\n}",
    fix: "End at the input's channel count:\n\nmodel Net {\n  input [8, 4, 4]\n  slice(start=4, end=8)\n}",
  },
  E0243: {
    title: "pixelshuffle channels not a multiple of factor²",
    explanation:
      "`pixelshuffle(r)` (PyTorch's PixelShuffle, depth to space) turns each group of r² channels " +
      "into an r×r block of one output channel: [C·r², H, W] becomes [C, H·r, W·r]. Its input's " +
      "channel count must therefore be a multiple of r². The label shows where the input's shape " +
      "comes from.",
    example: "model Net {\n  input [6, 4, 4]\n  pixelshuffle(2)  # ~ E0243\n}",
    fix: "Give it a multiple of 4 channels:\n\nmodel Net {\n  input [8, 4, 4]\n  pixelshuffle(2)\n}",
  },
  E0244: {
    title: "pixelunshuffle size not a multiple of the factor",
    explanation:
      "`pixelunshuffle(r)` (PyTorch's PixelUnshuffle, space to depth) turns each r×r block of a " +
      "channel into r² channels: [C, H·r, W·r] becomes [C·r², H, W]. Its input's height and width " +
      "must both be multiples of r; pad the input first otherwise.",
    example: "model Net {\n  input [3, 5, 4]\n  pixelunshuffle(2)  # ~ E0244\n}",
    fix: "Pad the height to a multiple of 2:\n\nmodel Net {\n  input [3, 5, 4]\n  pad((0, 1, 0, 0))\n  pixelunshuffle(2)\n}",
  },
  E0250: {
    title: "prelu slopes neither 1 nor the channel count",
    explanation:
      "`prelu(num_parameters)` (PyTorch's PReLU) learns the slope of its negative side: one slope " +
      "shared by every channel (num_parameters=1, the default) or one per channel (num_parameters " +
      "equal to the input's channel count, or a vector's feature count). Any other count has no " +
      "channel to belong to; PyTorch fails at run time, cnnc at check time. The label shows where " +
      "the input's shape comes from.",
    example: "model Net {\n  input [8, 4, 4]\n  prelu(4)  # ~ E0250\n}",
    fix: "One slope per channel:\n\nmodel Net {\n  input [8, 4, 4]\n  prelu(8)\n}",
  },
  E0251: {
    title: "instancenorm over a single position",
    explanation:
      "`instancenorm` (PyTorch's InstanceNorm2d) normalises each sample's channel over its H×W " +
      "positions. At 1×1 that is one value, x − mean is 0 and the output is the bias whatever the " +
      "input, so PyTorch refuses it (\"Expected more than 1 spatial element\") and so does cnnc. " +
      "The label shows where the 1×1 shape comes from.",
    example: "model Net {\n  input [8, 4, 4]\n  adaptiveavgpool(1)\n  instancenorm  # ~ E0251\n}",
    fix: "Normalise before pooling:\n\nmodel Net {\n  input [8, 4, 4]\n  instancenorm\n  adaptiveavgpool(1)\n}",
  },
} as const satisfies Record<string, CodeInfo>;
