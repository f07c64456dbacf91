// affine(M, bias=true): fully connected (PyTorch Linear); a [C, H, W] input is
// flattened in NCHW order to D = C·H·W first. [D] or [C, H, W] → [M].
import type { ArgsOf } from "../ir.ts";
import { defineOp, noTensors, product } from "./op.ts";

export const affine = defineOp<"affine", ArgsOf<"affine">>({
  name: "affine",
  primary: "features",
  aliases: ["dense", "fc", "fullyconnected", "fully_connected", "innerproduct"],
  args: [
    { name: "features", type: { kind: "int", min: 1 }, doc: "output features M", aliases: ["out_features", "units", "outputs", "filters", "size"], example: "10" },
    { name: "bias", type: { kind: "bool" }, default: true, doc: "learn a per-feature bias; default true", aliases: ["use_bias"] },
  ],
  resolve: (a) => ({ op: "affine", features: a.int("features"), bias: a.bool("bias") }),
  infer: (d) => ({ args: d, output: [d.features] }),
  params(a, input) {
    const weight = { suffix: "weight", shape: [a.features, product(input)] };
    return a.bias ? [weight, { suffix: "bias", shape: [a.features] }] : [weight];
  },
  state: noTensors,
  macs: (a, input) => a.features * product(input),
});
