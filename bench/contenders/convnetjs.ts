// ConvNetJS peer: the same layers as ConvNetJS layer definitions, one sample
// at a time (its only mode). It has no batchnorm, so W3 is out of its reach.
// ConvNetJS stores a sample as a Vol in HWC order; filters likewise.
import { createRequire } from "node:module";
import type { Model } from "../../src/ir.ts";
import type { Data } from "../workloads.ts";

interface Vol {
  sx: number;
  sy: number;
  depth: number;
  w: Float64Array | number[];
  dw: Float64Array | number[];
}
interface Layer {
  layer_type: string;
  filters?: Vol[];
  biases?: Vol;
}
interface Net {
  layers: Layer[];
  makeLayers(defs: object[]): void;
  forward(v: Vol, training: boolean): Vol;
  backward(y: number): number;
}
interface ConvNetJS {
  Net: new () => Net;
  Vol: new (sx: number, sy: number, depth: number, c?: number) => Vol;
}

const convnetjs = createRequire(import.meta.url)("convnetjs") as ConvNetJS;

export interface CnjsNet {
  forward(): Float32Array;
  trainStep(): number;
}

/** Throws for a layer ConvNetJS cannot express (batchnorm, asymmetric pads, groups, …). */
export function buildConvnetjs(model: Model, data: Data, batch: number): CnjsNet {
  const [C, H, W] = model.input.length === 3 ? model.input : [model.input[0], 1, 1];
  const defs: object[] = [{ type: "input", out_sx: W, out_sy: H, out_depth: C }];
  const layers = model.layers;
  const last = layers.length - 1;
  const loss = model.loss;
  if (loss === null) throw new Error("ConvNetJS needs a loss layer");
  if (layers[last].args.op !== "affine") throw new Error("ConvNetJS's loss layers bring their own affine");
  // layers whose parameters go into a ConvNetJS layer, in order
  const paramLayers: { name: string; kind: "conv" | "fc"; input: number[] }[] = [];
  layers.forEach((l, i) => {
    const a = l.args;
    const symmetric = (p: number[]) => p.every((v) => v === p[0]);
    switch (a.op) {
      case "conv":
        if (a.groups !== 1 || a.dilation[0] !== 1 || a.dilation[1] !== 1) throw new Error("conv form not in ConvNetJS");
        if (!symmetric(a.pad) || a.stride[0] !== a.stride[1]) throw new Error("asymmetric conv not in ConvNetJS");
        defs.push({ type: "conv", sx: a.kernel[1], sy: a.kernel[0], filters: a.filters, stride: a.stride[0], pad: a.pad[0] });
        paramLayers.push({ name: l.name, kind: "conv", input: l.input });
        break;
      case "maxpool":
        if (!symmetric(a.pad) || a.stride[0] !== a.stride[1] || a.rounding === "ceil") throw new Error("pool form not in ConvNetJS");
        defs.push({ type: "pool", sx: a.kernel[1], sy: a.kernel[0], stride: a.stride[0], pad: a.pad[0] });
        break;
      case "relu":
      case "sigmoid":
      case "tanh":
        defs.push({ type: l.args.op });
        break;
      case "dropout":
        defs.push({ type: "dropout", drop_prob: a.p });
        break;
      case "flatten":
        break;
      case "affine":
        if (!a.bias) throw new Error("ConvNetJS fc always has a bias");
        if (i === last) defs.push({ type: loss.args.op === "softmax" ? "softmax" : "svm", num_classes: a.features });
        else defs.push({ type: "fc", num_neurons: a.features });
        paramLayers.push({ name: l.name, kind: "fc", input: l.input });
        break;
      default:
        throw new Error(`${a.op} not in ConvNetJS`);
    }
  });
  const net = new convnetjs.Net();
  net.makeLayers(defs);
  // copy parameters in order of appearance
  const targets = net.layers.filter((l) => l.layer_type === "conv" || l.layer_type === "fc");
  if (targets.length !== paramLayers.length) throw new Error("ConvNetJS layer mapping mismatch");
  paramLayers.forEach((pl, k) => {
    const t = targets[k];
    const w = data.params[`${pl.name}.weight`];
    const b = data.params[`${pl.name}.bias`];
    const filters = t.filters!;
    const [c, h, wd] = pl.input.length === 3 ? pl.input : [pl.input[0], 1, 1];
    filters.forEach((f, fi) => {
      if (pl.kind === "conv") {
        for (let ci = 0; ci < f.depth; ci++)
          for (let y = 0; y < f.sy; y++)
            for (let x = 0; x < f.sx; x++) f.w[(f.sx * y + x) * f.depth + ci] = w[((fi * f.depth + ci) * f.sy + y) * f.sx + x];
      } else {
        const D = c * h * wd;
        for (let ci = 0; ci < c; ci++)
          for (let y = 0; y < h; y++) for (let x = 0; x < wd; x++) f.w[(wd * y + x) * c + ci] = w[fi * D + (ci * h + y) * wd + x];
      }
      t.biases!.w[fi] = b[fi];
    });
  });
  // one Vol per sample, HWC
  const vols: Vol[] = [];
  for (let n = 0; n < batch; n++) {
    const v = new convnetjs.Vol(W, H, C, 0);
    for (let ci = 0; ci < C; ci++)
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) v.w[(W * y + x) * C + ci] = data.x[((n * C + ci) * H + y) * W + x];
    vols.push(v);
  }
  // the logits live in the layer before the loss layer (the auto-inserted fc)
  const fcOut = net.layers.length - 2;
  const K = model.output[0];
  return {
    forward() {
      const out = new Float32Array(batch * K);
      for (let n = 0; n < batch; n++) {
        net.forward(vols[n], false);
        const z = (net.layers[fcOut] as unknown as { out_act: Vol }).out_act.w;
        for (let k = 0; k < K; k++) out[n * K + k] = z[k];
      }
      return out;
    },
    trainStep() {
      let loss = 0;
      for (let n = 0; n < batch; n++) {
        net.forward(vols[n], true);
        loss += net.backward(data.y[n]);
      }
      return loss / batch;
    },
  };
}
