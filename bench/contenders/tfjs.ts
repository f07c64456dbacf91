// TensorFlow.js peer (cpu or wasm backend): the workload's layers as TF.js ops
// in NHWC (TF.js's native layout) with the harness's parameters transposed
// once: conv weights to [KH, KW, C, F], transposed-conv weights to
// [KH, KW, F, C], affine weights permuted so that the NHWC flatten gives the
// same products as cnnc's NCHW flatten. Graphs: each layer reads the values
// its `from` names; add is tf.addN, concat joins the last (channel) axis.
// Depthwise convs (groups = channels = filters) are tf.depthwiseConv2d.
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type * as TF from "@tensorflow/tfjs";
import type { Model } from "../../src/ir.ts";
import type { Data } from "../workloads.ts";

type Tensor = TF.Tensor;

export interface TfNet {
  forward(): Float32Array;
  /**
   * loss, with gradients for every parameter and for x computed (and
   * discarded); a loss-less model backpropagates dout = 1/batch everywhere
   * (the scalar sum(out)/batch) and returns the sum of dx² (layout-free, no cancellation)
   */
  trainStep(): number;
  dispose(): void;
}

/** TF.js on its cpu backend or its wasm one (XNNPACK, SIMD, one thread, the binaries read from node_modules: no network) */
export async function tfOn(backend: "cpu" | "wasm"): Promise<typeof TF> {
  const tf = await import("@tensorflow/tfjs");
  if (backend === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    wasm.setWasmPaths(dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm")) + "/");
    wasm.setThreadsCount(1);
  }
  await tf.setBackend(backend);
  await tf.ready();
  return tf;
}

export function buildTfNet(tf: typeof TF, model: Model, data: Data, batch: number, withLoss: boolean): TfNet {
  const vars: Record<string, TF.Variable> = {};
  const consts: Record<string, Tensor> = {};
  const [C, H, W] = model.input.length === 3 ? model.input : [model.input[0], 1, 1];
  const nchw = tf.tensor4d(data.x, [batch, C, H, W]);
  const xNhwc = model.input.length === 3 ? tf.transpose(nchw, [0, 2, 3, 1]) : tf.reshape(nchw, [batch, C]);
  nchw.dispose();
  const xVar = tf.variable(xNhwc, true, "x");
  xNhwc.dispose();
  const classes = model.output[0];
  const onehot = tf.oneHot(tf.tensor1d(Array.from(data.y), "int32"), classes).toFloat();

  for (const l of model.layers) {
    const a = l.args;
    if (a.op === "conv") {
      const depthwise = a.groups === l.input[0] && a.filters === a.groups;
      if (a.groups !== 1 && !depthwise) throw new Error("grouped conv not mapped to TF.js");
      const [F, Cg, KH, KW] = [a.filters, l.input[0] / a.groups, a.kernel[0], a.kernel[1]];
      const w = tf.tensor4d(data.params[`${l.name}.weight`], [F, Cg, KH, KW]);
      // depthwiseConv2d's filter is [KH, KW, C, multiplier 1]; conv2d's [KH, KW, C, F]
      vars[`${l.name}.weight`] = tf.variable(tf.transpose(w, depthwise ? [2, 3, 0, 1] : [2, 3, 1, 0]), true, `${l.name}.weight`);
      w.dispose();
      if (a.bias) vars[`${l.name}.bias`] = tf.variable(tf.tensor1d(data.params[`${l.name}.bias`]), true, `${l.name}.bias`);
    } else if (a.op === "convtranspose") {
      if (a.groups !== 1 || a.dilation[0] !== 1 || a.dilation[1] !== 1) throw new Error("grouped or dilated convtranspose not mapped to TF.js");
      const [C, F, KH, KW] = [l.input[0], a.filters, a.kernel[0], a.kernel[1]];
      const w = tf.tensor4d(data.params[`${l.name}.weight`], [C, F, KH, KW]);
      vars[`${l.name}.weight`] = tf.variable(tf.transpose(w, [2, 3, 1, 0]), true, `${l.name}.weight`);
      w.dispose();
      if (a.bias) vars[`${l.name}.bias`] = tf.variable(tf.tensor1d(data.params[`${l.name}.bias`]), true, `${l.name}.bias`);
    } else if (a.op === "affine") {
      const M = a.features;
      const src = data.params[`${l.name}.weight`];
      const D = src.length / M;
      // W'[d'][m] with d' the NHWC flatten index of NCHW index d
      const dst = new Float32Array(D * M);
      const [c, h, w] = l.input.length === 3 ? l.input : [l.input[0], 1, 1];
      for (let m = 0; m < M; m++)
        for (let ci = 0; ci < c; ci++)
          for (let y = 0; y < h; y++)
            for (let x = 0; x < w; x++) dst[((y * w + x) * c + ci) * M + m] = src[m * D + (ci * h + y) * w + x];
      vars[`${l.name}.weight`] = tf.variable(tf.tensor2d(dst, [D, M]), true, `${l.name}.weight`);
      if (a.bias) vars[`${l.name}.bias`] = tf.variable(tf.tensor1d(data.params[`${l.name}.bias`]), true, `${l.name}.bias`);
    } else if (a.op === "batchnorm") {
      vars[`${l.name}.weight`] = tf.variable(tf.tensor1d(data.params[`${l.name}.weight`]), true, `${l.name}.weight`);
      vars[`${l.name}.bias`] = tf.variable(tf.tensor1d(data.params[`${l.name}.bias`]), true, `${l.name}.bias`);
      consts[`${l.name}.running_mean`] = tf.tensor1d(data.state[`${l.name}.running_mean`]);
      consts[`${l.name}.running_var`] = tf.tensor1d(data.state[`${l.name}.running_var`]);
    }
  }

  const pads = (p: [number, number, number, number]): [[number, number], [number, number], [number, number], [number, number]] => [
    [0, 0],
    [p[0], p[1]],
    [p[2], p[3]],
    [0, 0],
  ];

  const run = (x: Tensor, train: boolean): Tensor => {
    const values: Tensor[] = [x];
    for (const l of model.layers) {
      const a = l.args;
      const ins = l.from.map((f) => values[f + 1]);
      let h = ins[0];
      switch (a.op) {
        case "conv":
          h =
            a.groups === 1
              ? tf.conv2d(h as TF.Tensor4D, vars[`${l.name}.weight`] as TF.Tensor4D, a.stride, pads(a.pad), "NHWC", a.dilation)
              : tf.depthwiseConv2d(h as TF.Tensor4D, vars[`${l.name}.weight`] as TF.Tensor4D, a.stride, pads(a.pad), "NHWC", a.dilation);
          if (a.bias) h = tf.add(h, vars[`${l.name}.bias`]);
          break;
        case "maxpool":
        case "avgpool": {
          if (a.rounding === "ceil") throw new Error("ceil pooling not mapped to TF.js");
          const p = a.pad;
          if (p.some((v) => v > 0)) h = tf.pad(h, pads(p), a.op === "maxpool" ? -3.4e38 : 0);
          h = a.op === "maxpool" ? tf.maxPool(h as TF.Tensor4D, a.kernel, a.stride, "valid") : tf.avgPool(h as TF.Tensor4D, a.kernel, a.stride, "valid");
          break;
        }
        case "globalavgpool":
          h = tf.mean(h, [1, 2]);
          break;
        case "pad":
          h = tf.pad(h, pads(a.pad));
          break;
        case "relu":
          h = tf.relu(h);
          break;
        case "relu6":
          h = tf.relu6(h);
          break;
        case "leakyrelu":
          h = tf.leakyRelu(h, a.alpha);
          break;
        case "sigmoid":
          h = tf.sigmoid(h);
          break;
        case "tanh":
          h = tf.tanh(h);
          break;
        case "dropout":
          if (train && a.p > 0) h = tf.dropout(h, a.p);
          break;
        case "flatten":
          h = tf.reshape(h, [batch, -1]);
          break;
        case "affine":
          if (h.rank !== 2) h = tf.reshape(h, [batch, -1]);
          h = tf.matMul(h as TF.Tensor2D, vars[`${l.name}.weight`] as TF.Tensor2D);
          if (a.bias) h = tf.add(h, vars[`${l.name}.bias`]);
          break;
        case "batchnorm": {
          const axes = h.rank === 4 ? [0, 1, 2] : [0];
          let mean: Tensor, variance: Tensor;
          if (train) {
            const mv = tf.moments(h, axes);
            mean = mv.mean;
            variance = mv.variance;
          } else {
            mean = consts[`${l.name}.running_mean`];
            variance = consts[`${l.name}.running_var`];
          }
          h = tf.batchNorm(h, mean, variance, vars[`${l.name}.bias`], vars[`${l.name}.weight`], a.eps);
          break;
        }
        case "add":
          h = tf.addN(ins);
          break;
        case "concat":
          h = tf.concat(ins, ins[0].rank - 1);
          break;
        case "convtranspose": {
          // conv2dTranspose gives the uncropped output; zero rows for output_pad past it, then the crop
          const [H, W] = [l.input[1], l.input[2]];
          const [F, OH, OW] = l.output;
          const full = [(H - 1) * a.stride[0] + a.kernel[0], (W - 1) * a.stride[1] + a.kernel[1]];
          h = tf.conv2dTranspose(h as TF.Tensor4D, vars[`${l.name}.weight`] as TF.Tensor4D, [batch, full[0], full[1], F], a.stride, "valid");
          if (OH + a.pad[0] > full[0] || OW + a.pad[2] > full[1]) h = tf.pad(h, pads([0, Math.max(0, OH + a.pad[0] - full[0]), 0, Math.max(0, OW + a.pad[2] - full[1])]));
          if (OH !== full[0] || OW !== full[1]) h = tf.slice(h, [0, a.pad[0], a.pad[2], 0], [batch, OH, OW, F]);
          if (a.bias) h = tf.add(h, vars[`${l.name}.bias`]);
          break;
        }
        default:
          throw new Error(`${a.op} not mapped to TF.js`);
      }
      values.push(h);
    }
    return values[values.length - 1];
  };

  const lossOf = (logits: Tensor): TF.Scalar => {
    const loss = model.loss;
    if (loss === null) return tf.div(tf.sum(logits), batch) as TF.Scalar;
    if (loss.args.op === "softmax") return tf.losses.softmaxCrossEntropy(onehot, logits) as TF.Scalar;
    // CS231n hinge: mean over the batch of Σ_{j≠y} max(0, s_j − s_y + margin)
    const sy = tf.sum(tf.mul(logits, onehot), 1, true);
    const m = tf.relu(tf.add(tf.sub(logits, sy), loss.args.margin));
    return tf.div(tf.sum(tf.mul(m, tf.sub(1, onehot))), batch) as TF.Scalar;
  };

  const varList = [...Object.values(vars), xVar];
  return {
    forward() {
      // a [C, H, W] output back to NCHW, so its values line up with cnnc's
      const t = tf.tidy(() => {
        const y = run(xVar, false);
        return y.rank === 4 ? tf.transpose(y, [0, 3, 1, 2]) : y;
      });
      const out = t.dataSync() as Float32Array;
      t.dispose();
      return out;
    },
    trainStep() {
      let loss = 0;
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => lossOf(run(xVar, true)), varList);
        // force the computation of every gradient, as cnnc's lossAndGrad does
        for (const g of Object.values(grads)) g.dataSync();
        loss = withLoss ? value.dataSync()[0] : tf.sum(tf.square(grads["x"])).dataSync()[0];
      });
      return loss;
    },
    dispose() {
      for (const v of varList) v.dispose();
      for (const c of Object.values(consts)) c.dispose();
      onehot.dispose();
    },
  };
}
