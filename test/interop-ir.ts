// Hand-built checked IR for the interop tests (safetensors, export, draw), so they
// do not depend on the front end: shapes are computed here from docs/language.md's
// formulas, and every model is validated by ModelSchema.
import { ModelSchema, type LayerArgs, type Model, type Tensor } from "../src/ir.ts";

type Shape = number[];
const span = (line: number) => ({ file: "hand.cnn", line, column: 3, endLine: line, endColumn: 20, start: 0, end: 1 });

function convOut(input: number, k: number, s: number, pt: number, pb: number, d = 1, ceil = false): number {
  const v = (input + pt + pb - d * (k - 1) - 1) / s;
  return (ceil ? Math.ceil(v) : Math.floor(v)) + 1;
}

/** One layer's output shape, params and state for the ops the tests use. */
function layerFacts(name: string, args: LayerArgs, input: Shape): { output: Shape; params: Tensor[]; state: Tensor[]; macs: number } {
  const [c, h, w] = input as [number, number, number];
  switch (args.op) {
    case "conv": {
      const oh = convOut(h, args.kernel[0], args.stride[0], args.pad[0], args.pad[1], args.dilation[0]);
      const ow = convOut(w, args.kernel[1], args.stride[1], args.pad[2], args.pad[3], args.dilation[1]);
      const weight = [args.filters, c / args.groups, args.kernel[0], args.kernel[1]];
      const params = [{ name: `${name}.weight`, shape: weight }];
      if (args.bias) params.push({ name: `${name}.bias`, shape: [args.filters] });
      return { output: [args.filters, oh, ow], params, state: [], macs: args.filters * oh * ow * (c / args.groups) * args.kernel[0] * args.kernel[1] };
    }
    case "maxpool":
    case "avgpool": {
      const ceil = args.rounding === "ceil";
      let oh = convOut(h, args.kernel[0], args.stride[0], args.pad[0], args.pad[1], 1, ceil);
      let ow = convOut(w, args.kernel[1], args.stride[1], args.pad[2], args.pad[3], 1, ceil);
      if (ceil && (oh - 1) * args.stride[0] >= h + args.pad[0]) oh--;
      if (ceil && (ow - 1) * args.stride[1] >= w + args.pad[2]) ow--;
      return { output: [c, oh, ow], params: [], state: [], macs: 0 };
    }
    case "globalavgpool":
      return { output: [c], params: [], state: [], macs: 0 };
    case "pad":
      return { output: [c, h + args.pad[0] + args.pad[1], w + args.pad[2] + args.pad[3]], params: [], state: [], macs: 0 };
    case "batchnorm":
      return {
        output: input,
        params: [{ name: `${name}.weight`, shape: [c] }, { name: `${name}.bias`, shape: [c] }],
        state: [{ name: `${name}.running_mean`, shape: [c] }, { name: `${name}.running_var`, shape: [c] }],
        macs: 0,
      };
    case "layernorm":
    case "groupnorm":
      return { output: input, params: [{ name: `${name}.weight`, shape: [c] }, { name: `${name}.bias`, shape: [c] }], state: [], macs: 0 };
    case "affine": {
      const d = input.reduce((a, b) => a * b, 1);
      const params = [{ name: `${name}.weight`, shape: [args.features, d] }];
      if (args.bias) params.push({ name: `${name}.bias`, shape: [args.features] });
      return { output: [args.features], params, state: [], macs: args.features * d };
    }
    case "flatten":
      return { output: [input.reduce((a, b) => a * b, 1)], params: [], state: [], macs: 0 };
    default:
      return { output: input, params: [], state: [], macs: 0 };
  }
}

export const conv = (filters: number, kernel: number, more: Partial<Extract<LayerArgs, { op: "conv" }>> = {}): LayerArgs => ({
  op: "conv", filters, kernel: [kernel, kernel], stride: [1, 1], pad: [0, 0, 0, 0], dilation: [1, 1], groups: 1, bias: true, rounding: "floor", ...more,
});
export const maxpool = (kernel: number, more: Partial<Extract<LayerArgs, { op: "maxpool" }>> = {}): LayerArgs => ({
  op: "maxpool", kernel: [kernel, kernel], stride: [kernel, kernel], pad: [0, 0, 0, 0], rounding: "floor", ...more,
});
export const affine = (features: number): LayerArgs => ({ op: "affine", features, bias: true });

/** A checked Model from (name, args) pairs; the source text is reconstructed for comments. */
export function handModel(
  name: string,
  input: Shape,
  layers: [string, LayerArgs][],
  loss: "softmax" | "svm" | null = "softmax",
): Model {
  let shape = input;
  const built = layers.map(([label, args], i) => {
    const facts = layerFacts(label, args, shape);
    const layer = { name: label, args, from: [i - 1], inputs: [shape], input: shape, ...facts, span: span(i + 3), source: `${label}: ${args.op}` };
    shape = facts.output;
    return layer;
  });
  return ModelSchema.parse({
    name,
    file: "hand.cnn",
    span: span(1),
    input,
    output: shape,
    layers: built,
    loss:
      loss === null
        ? null
        : { args: loss === "svm" ? { op: "svm", margin: 1 } : { op: "softmax" }, span: span(layers.length + 3), source: `loss ${loss}` },
    params: built.reduce((n, l) => n + l.params.reduce((m, t) => m + t.shape.reduce((a, b) => a * b, 1), 0), 0),
    macs: built.reduce((n, l) => n + l.macs, 0),
  });
}

/** LeNet-5 with a batchnorm after c1 so the model has state tensors too. */
export function lenetWithBatchnorm(): Model {
  return handModel("LeNetBN", [1, 28, 28], [
    ["c1", conv(6, 5, { pad: [2, 2, 2, 2] })],
    ["bn1", { op: "batchnorm", eps: 1e-5, momentum: 0.1 }],
    ["relu1", { op: "relu" }],
    ["maxpool1", maxpool(2)],
    ["c3", conv(16, 5)],
    ["relu2", { op: "relu" }],
    ["maxpool2", maxpool(2)],
    ["f5", affine(120)],
    ["relu3", { op: "relu" }],
    ["out", affine(10)],
  ]);
}
