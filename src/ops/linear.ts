// linear(M, bias=true): PyTorch's nn.Linear as it is, over the last axis: [.., K] → [.., M] with weight
// [M, K] and bias [M], at every position of the other axes (no flattening, unlike `affine`). ConvNeXt
// applies it channels-last, after permute((0, 2, 3, 1)) (docs/language.md#permute-linear-layernormlast).
import type { ArgsOf } from "../ir.ts";
import { defineOp, noTensors, product } from "./op.ts";

const last = (shape: readonly number[]) => shape[shape.length - 1]!;

export const linear = defineOp<"linear", ArgsOf<"linear">>({
  name: "linear",
  primary: "features",
  aliases: ["pointwise_linear", "channels_last_linear"],
  args: [
    { name: "features", type: { kind: "int", min: 1 }, doc: "output features M (the new last axis)", aliases: ["out_features", "units", "outputs"], example: "384" },
    { name: "bias", type: { kind: "bool" }, default: true, doc: "learn a per-feature bias; default true", aliases: ["use_bias"] },
  ],
  resolve: (a) => ({ op: "linear", features: a.int("features"), bias: a.bool("bias") }),
  infer: (d, input) => ({ args: d, output: [...input.slice(0, -1), d.features] }),
  params(a, input) {
    const weight = { suffix: "weight", shape: [a.features, last(input)] };
    return a.bias ? [weight, { suffix: "bias", shape: [a.features] }] : [weight];
  },
  state: noTensors,
  macs: (a, input) => a.features * product(input),
});
