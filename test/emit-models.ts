// Hand-written model specs for the emitter tests, resolved to IR by the test
// reference's own shape rules (test/reference/models.ts, independent of
// src/check), so the emitter is tested without the front end.
import { ModelSchema, type Model } from "../src/ir.ts";
import { type LayerSpec, type ModelSpec, specToModel } from "./reference/models.ts";

type ArgValue = number | boolean | string | number[];

function L(label: string, op: LayerSpec["op"], args: Record<string, ArgValue> = {}): LayerSpec {
  return { label, op, args: Object.entries(args) };
}

function model(spec: ModelSpec): Model {
  return ModelSchema.parse(specToModel(spec));
}

/** LeNet-5 as in docs/language.md#a-first-model. */
export const lenet = model({
  name: "LeNet5",
  input: [1, 28, 28],
  layers: [
    L("c1", "conv", { filters: 6, kernel: 5, pad: 2 }),
    L("relu1", "relu"),
    L("maxpool1", "maxpool", { kernel: 2 }),
    L("c3", "conv", { filters: 16, kernel: 5 }),
    L("relu2", "relu"),
    L("maxpool2", "maxpool", { kernel: 2 }),
    L("f5", "affine", { features: 120 }),
    L("relu3", "relu"),
    L("f6", "affine", { features: 84 }),
    L("relu4", "relu"),
    L("out", "affine", { features: 10 }),
  ],
  loss: { op: "softmax" },
});

/** Every op once, with stride ≠ kernel, asymmetric and same padding, dilation, groups, ceil rounding. */
export const everyOp = model({
  name: "EveryOp",
  input: [4, 9, 8],
  layers: [
    L("c1", "conv", { filters: 6, kernel: [3, 2], stride: [2, 1], pad: [1, 2, 0, 1], dilation: [1, 2], groups: 2 }),
    L("bn1", "batchnorm", { momentum: 0.2 }),
    L("lrelu", "leakyrelu", { alpha: 0.1 }),
    L("p1", "pad", { pad: [1, 0, 0, 2] }),
    L("mp", "maxpool", { kernel: 3, stride: 2, pad: 1, rounding: "ceil" }),
    L("c2", "conv", { filters: 4, kernel: 3, pad: "same", bias: false }),
    L("gn", "groupnorm", { groups: 2 }),
    L("sig", "sigmoid"),
    L("ap", "avgpool", { kernel: 2, stride: 1, pad: 1, count_pad: false }),
    L("ln", "layernorm"),
    L("th", "tanh"),
    L("gap", "globalavgpool"),
    L("fc", "affine", { features: 7 }),
    L("bn2", "batchnorm"),
    L("drop", "dropout", { p: 0.25 }),
    L("relu", "relu"),
    L("flat", "flatten"),
    L("out", "affine", { features: 5, bias: false }),
  ],
  loss: { op: "svm", margin: 1 },
});

/** No loss: the module exports backward(p, s, x, dout, ws). */
export const noLoss = model({
  name: "NoLoss",
  input: [2, 6, 6],
  layers: [
    L("c1", "conv", { filters: 3, kernel: 3, pad: 1 }),
    L("relu1", "relu"),
    L("ap", "avgpool", { kernel: 3, stride: 2, pad: 1, rounding: "ceil" }),
    L("flat", "flatten"),
    L("ln", "layernorm"),
    L("fc", "affine", { features: 4 }),
  ],
  loss: null,
});

/** A wide first layer for initialisation statistics: fan_in 3·5·5 = 75, 64 filters. */
export const wide = model({
  name: "Wide",
  input: [3, 12, 12],
  layers: [L("c1", "conv", { filters: 64, kernel: 5 }), L("flat", "flatten"), L("fc", "affine", { features: 100 })],
  loss: { op: "softmax" },
});

/** Only smooth ops (no kinks), for finite differences. */
export const smooth = model({
  name: "Smooth",
  input: [2, 7, 6],
  layers: [
    L("c1", "conv", { filters: 4, kernel: 3, stride: 2, pad: [1, 0, 1, 1] }),
    L("bn", "batchnorm"),
    L("th", "tanh"),
    L("ap", "avgpool", { kernel: 2, stride: 1, pad: 1 }),
    L("gn", "groupnorm", { groups: 2 }),
    L("sig", "sigmoid"),
    L("fc", "affine", { features: 4 }),
  ],
  loss: { op: "softmax" },
});

/** Degenerate but valid: no layers at all (the loss reads the input), and a lone flatten without a loss. */
export const empty = model({ name: "Empty", input: [10], layers: [], loss: { op: "softmax" } });
export const onlyFlatten = model({ name: "OnlyFlatten", input: [2, 3, 3], layers: [L("flat", "flatten")], loss: null });

/** Labels that look like the names of other layers' backward parts (c's weight part vs the layer c_weight). */
export const lookalikes = model({
  name: "Lookalikes",
  input: [2, 6, 6],
  layers: [L("c", "conv", { filters: 2, kernel: 3 }), L("c_weight", "relu"), L("c_input", "tanh"), L("fc", "affine", { features: 3 })],
  loss: { op: "softmax" },
});

export const handModels: Model[] = [lenet, everyOp, noLoss, wide, smooth, empty, onlyFlatten, lookalikes];
