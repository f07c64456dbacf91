// E03xx: shape errors — constraints that depend on the input shape, found by
// inferring shapes layer by layer (the first one stops its model). W04xx: warnings.
import type { CodeInfo } from "./index.ts";

export const shapeCodes = {
  E0301: {
    title: "output size is not a whole number",
    explanation:
      "Under `rounding exact`, the output-size formula of a conv or pool, " +
      "(in + pad_before + pad_after - dilation*(kernel - 1) - 1) / stride + 1, must divide " +
      "exactly: the windows must tile the padded input with nothing left over. The note shows " +
      "the formula with your numbers; the help gives the nearest padding (or stride) that makes " +
      "it whole. `rounding floor` (the default, PyTorch's and TensorFlow's behaviour) would floor " +
      "it instead, and `rounding ceil` (pools only) would round it up.",
    example:
      "model Net {\n  input [3, 20, 20]\n  rounding exact\n  c1: conv(7, kernel=6, stride=(3, 6), pad=(2, 3))  # ~ E0301\n}",
    fix:
      "Width: (20 + 3 + 3 - 6) / 6 + 1 = 4.33. With pad=(2, 2) it is (20 + 2 + 2 - 6) / 6 + 1 = 4:\n\n" +
      "model Net {\n  input [3, 20, 20]\n  rounding exact\n  c1: conv(7, kernel=6, stride=(3, 6), pad=(2, 2))\n}",
  },
  E0302: {
    title: "output size less than 1",
    explanation:
      "The output-size formula of a conv or pool gives less than 1 along an axis, so the output " +
      "would be empty. Under `rounding floor` and `exact` (a conv has no ceil) that means the window " +
      "(dilation*(kernel - 1) + 1 rows or columns) is larger than its padded input. Under " +
      "`rounding ceil` a pool keeps a window that runs past the padded input by less than the " +
      "stride, even one larger than the whole input, as PyTorch's ceil_mode does; only a window " +
      "that overhangs by the stride or more is this error (PyTorch: \"Output size is too small\"). " +
      "Usually earlier layers have already shrunk the input too far; the label shows where the " +
      "input shape comes from. Pad the input, use a smaller kernel, remove a downsampling layer, " +
      "or give a pool `rounding=ceil`. " +
      "For a `convtranspose`, whose output is (in - 1)*stride - pad_top - pad_bottom + dilation*(kernel - 1) " +
      "+ output_pad + 1, it means the padding crops away more rows or columns than it produces: pad less.",
    example: "model Net {\n  input [1, 4, 4]\n  maxpool(2)\n  maxpool(2)\n  maxpool(2)  # ~ E0302\n}",
    fix:
      "Stop downsampling once the input is 1x1, or let the last pool keep its window past the input " +
      "(PyTorch's ceil_mode; the output stays 1x1):\n\nmodel Net {\n  input [1, 4, 4]\n  maxpool(2)\n  maxpool(2)\n  maxpool(2, rounding=ceil)\n}",
  },
  E0303: {
    title: "input of the wrong rank",
    explanation:
      "conv, convtranspose, maxpool, avgpool, globalavgpool, globalmaxpool, adaptiveavgpool, upsample, " +
      "pad and groupnorm need a [C, H, W] input, and the loss " +
      "needs a vector (see E0307); after `affine`, `flatten` or `globalavgpool` the tensor is a " +
      "vector [D] and has no spatial axes left. Spatial layers go before the first of those.",
    example: "model Net {\n  input [1, 28, 28]\n  affine(100)\n  conv(8, kernel=3)  # ~ E0303\n}",
    fix: "Convolve first, then flatten:\n\nmodel Net {\n  input [1, 28, 28]\n  conv(8, kernel=3)\n  affine(100)\n}",
  },
  E0304: {
    title: "channels not divisible by groups",
    explanation:
      "A grouped conv gives each of its `groups` groups C/groups input channels, and groupnorm " +
      "normalises groups of C/G channels, so the input channel count C must be a multiple of the " +
      "groups. The help names the nearest group count that divides it.",
    example: "model Net {\n  input [6, 8, 8]\n  groupnorm(4)  # ~ E0304\n}",
    fix: "Use a group count that divides the channels:\n\nmodel Net {\n  input [6, 8, 8]\n  groupnorm(3)\n}",
  },
  E0305: {
    title: "tensor too large",
    explanation:
      "Every tensor — the input, each layer's output and each parameter — may hold at most " +
      "2^31 - 1 (2,147,483,647) elements per sample, the largest length a typed array can be indexed " +
      "with in the generated code. The shape is computed without allocating anything.",
    example: "model Net {\n  input [100000]\n  affine(100000)  # ~ E0305\n}",
    fix: "Use fewer features (or downsample before a large affine):\n\nmodel Net {\n  input [100000]\n  affine(1000)\n}",
  },
  E0306: {
    title: "count beyond the safe-integer range",
    explanation:
      "The number of parameters and of multiply-accumulates per sample, of one layer and of the " +
      "whole model, must stay within 2^53 - 1, the largest integer JavaScript represents exactly. " +
      "A model this large could not run anyway.",
    example:
      "model Net {\n  input [1, 1, 1]\n  conv(1, kernel=40000, pad=40000)  # ~ E0306\n}",
    fix: "Use a kernel and padding of sensible size:\n\nmodel Net {\n  input [1, 1, 1]\n  conv(1, kernel=3, pad=1)\n}",
  },
  E0307: {
    title: "loss input is not a vector",
    explanation:
      "`loss svm` takes class scores: one vector [K] per sample. A [C, H, W] tensor must first " +
      "become a vector, with `affine(K)` (K classes), `flatten` or `globalavgpool`. (`loss softmax` " +
      "also reads [K, H, W] as K class scores per position, PyTorch's cross-entropy on [N, K, H, W].)",
    example: "model Net {\n  input [1, 28, 28]\n  conv(10, kernel=28)\n  loss svm  # ~ E0307\n}",
    fix: "Flatten the [10, 1, 1] output to [10]:\n\nmodel Net {\n  input [1, 28, 28]\n  conv(10, kernel=28)\n  flatten\n  loss svm\n}",
  },
  E0308: {
    title: "add of different shapes",
    explanation:
      "`add { … }` sums its branches elementwise (a residual connection), so every branch must give " +
      "the same shape. The message names the first branch and the one that differs, each label " +
      "points at the statement that produced that value, and the note says which axes differ. " +
      "The usual fix is a projection on the shortcut: a 1x1 conv with the main branch's channel " +
      "count and stride (for vectors, an affine); the help gives the one that fits.",
    example:
      "model Net {\n  input [64, 56, 56]\n  add {  # ~ E0308\n    conv(128, kernel=3, stride=2, pad=1)\n    {}\n  }\n}",
    fix:
      "Project the shortcut to [128, 28, 28]:\n\n" +
      "model Net {\n  input [64, 56, 56]\n  add {\n    conv(128, kernel=3, stride=2, pad=1)\n    conv(128, kernel=1, stride=2, bias=false)\n  }\n}",
  },
  E0309: {
    title: "concat of mismatched shapes",
    explanation:
      "`concat { … }` joins its branches along channels ([C, H, W]) or features ([D]), like " +
      "torch.cat along dim 1: the channel counts may differ, but every branch must have the same " +
      "rank and the same height and width. The labels point at each branch's producer; the help " +
      "proposes a pool that brings the larger branch down to the size of the first.",
    example:
      "model Net {\n  input [16, 32, 32]\n  concat {  # ~ E0309\n    conv(8, kernel=3, stride=2, pad=1)\n    conv(8, kernel=1)\n  }\n}",
    fix:
      "Downsample both branches alike:\n\n" +
      "model Net {\n  input [16, 32, 32]\n  concat {\n    conv(8, kernel=3, stride=2, pad=1)\n    conv(8, kernel=1, stride=2)\n  }\n}",
  },
  E0315: {
    title: "mul of shapes that do not broadcast",
    explanation:
      "`mul { … }` multiplies its branches elementwise. Each branch must give the output's shape, " +
      "or, for images, a per-channel [C, 1, 1] gate with the same channel count, which is " +
      "broadcast over height and width as PyTorch's `*` does (squeeze-and-excitation: " +
      "`x * sigmoid(fc2(relu(fc1(avgpool(x)))))`). The message names the largest branch and the one " +
      "that does not fit, each label points at the statement that produced that value, and the " +
      "note says which axes differ. Usually the gate lacks its pooling (`adaptiveavgpool(1)`) or " +
      "its last 1x1 conv has the wrong channel count.",
    example:
      "model Net {\n  input [16, 8, 8]\n  mul {  # ~ E0315\n    {}\n    { adaptiveavgpool(1); conv(4, kernel=1); relu; conv(8, kernel=1); sigmoid }\n  }\n}",
    fix:
      "Give the gate the value's 16 channels:\n\n" +
      "model Net {\n  input [16, 8, 8]\n  mul {\n    {}\n    { adaptiveavgpool(1); conv(4, kernel=1); relu; conv(16, kernel=1); sigmoid }\n  }\n}",
  },
  W0401: {
    title: "input rows or columns never read",
    explanation:
      "Under `rounding floor` (the default) or `pad=same`, when the windows of a conv or pool do not tile the " +
      "padded input exactly, the last real rows or columns of the input are read by no window and " +
      "silently ignored. That is what PyTorch and TensorFlow do, but it is rarely intended. The " +
      "warning names how many are lost; the help gives a padding that reads them (or, for pools, " +
      "`rounding=ceil`, which adds a last partial window). With `pad=same` rows are lost only when the stride is larger than the " +
      "kernel; the help then gives a kernel that reads them.",
    example: "model Net {\n  input [1, 5, 5]\n  maxpool(2)  # ~ W0401\n}",
    fix: "Pad the bottom/right so the windows tile the input:\n\nmodel Net {\n  input [1, 5, 5]\n  maxpool(2, pad=(0, 1, 0, 1))\n}",
  },
  W0402: {
    title: "softmax layer before `loss softmax`",
    explanation:
      "`loss softmax` is softmax cross-entropy on class scores: it applies the softmax itself " +
      "(PyTorch's CrossEntropyLoss takes logits the same way). A `softmax` layer right before it " +
      "makes the loss see probabilities in [0, 1] and apply softmax a second time, which squashes " +
      "the scores and slows training. Train on the scores; keep the softmax layer for a model that " +
      "only runs inference.",
    example: "model Net {\n  input [100]\n  affine(10)\n  softmax  # ~ W0402\n  loss softmax\n}",
    fix: "Remove the softmax layer; the loss includes it:\n\nmodel Net {\n  input [100]\n  affine(10)\n  loss softmax\n}",
  },
} as const satisfies Record<string, CodeInfo>;
