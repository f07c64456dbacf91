// The second oracle: an IR Model run with TensorFlow.js (cpu backend, f32),
// forward and gradients by TF.js's own autodiff (tf.valueAndGrads). Activations
// are kept NCHW; conv and pools transpose to TF.js's NHWC around the op.
// Things TF.js cannot say directly are built from ops it can:
// - padding (asymmetric, `same`, ceil-mode overhang) is an explicit tf.pad
//   (-Infinity for max-pool, so padding never wins; zeros elsewhere);
// - grouped conv is one conv per channel group, concatenated;
// - dilation is a conv with the zero-spread kernel (TF.js's conv2d has no
//   gradient for dilation > 1, nor allows stride and dilation together);
// - the average-pool divisor is the sum-pool of a 0/1 mask of the cells that
//   count (real cells, plus the declared padding with count_pad), so PyTorch's
//   ceil-mode clipping falls out of the mask;
// - a transposed conv's crop and output_pad are a pad and a slice of
//   conv2dTranspose's uncropped output; bilinear upsampling is two products with
//   interpolation matrices that resizeBilinear (half-pixel centres) makes; an
//   adaptive pool is one mean per PyTorch window.
// Graphs: each layer reads the values its `from` names; add is tf.addN,
// concat tf.concat along axis 1 (channels in NCHW, features in [N, D]) and mul
// tf.mul, whose broadcasting spreads a [N, C, 1, 1] gate over H×W.
// gelu is x·(1 + erf(x/√2))/2 with TF.js's own erf. permute is tf.transpose, linear a tf.matMul over the
// rows of the last axis, layernormlast tf.moments over that axis.
import * as tf from "@tensorflow/tfjs";
import type { Layer, LossArgs, Model, PadMode } from "../../src/ir.ts";
import type { Tensors } from "./reference.ts";

export { tf };

export interface TfResult {
  out: Float32Array;
  /** the loss, or for a loss-less model sum(out · dout) */
  loss: number;
  grads: Record<string, Float32Array>;
  dx: Float32Array;
  state: Record<string, Float32Array>;
}

export async function tfReady(): Promise<void> {
  // silences the cpu backend's "install tfjs-node" banner (TF.js warns only outside tests)
  tf.env().set("IS_TEST", true);
  await tf.setBackend("cpu");
  await tf.ready();
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/**
 * Runs the model in TF.js. With `train`, batchnorm uses batch statistics and the
 * returned state holds the updated running statistics; dropout multiplies by the
 * given keep masks. The scalar differentiated is the loss (labels `y`) or, for a
 * loss-less model, sum(out · dout).
 */
export function tfRun(
  model: Model,
  params: Tensors,
  state: Tensors,
  x: ArrayLike<number>,
  batch: number,
  train: boolean,
  target: { y?: ArrayLike<number>; dout?: ArrayLike<number> },
  masks: Record<string, ArrayLike<number>> = {},
): TfResult {
  const names = Object.keys(params);
  const newState: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(state)) newState[k] = Float32Array.from(v);
  let result: TfResult | undefined;
  tf.tidy(() => {
    const xT = tf.tensor(Float32Array.from(x), [batch, ...model.input]);
    const pT = names.map((n) => tf.tensor(Float32Array.from(params[n]), shapeOf(model, n)));
    const forward = (xIn: tf.Tensor, ps: tf.Tensor[], recordState: boolean): tf.Tensor => {
      const pm: Record<string, tf.Tensor> = {};
      names.forEach((n, i) => (pm[n] = ps[i]));
      const values = [xIn];
      for (const layer of model.layers) {
        const ins = layer.from.map((f) => values[f + 1]);
        values.push(
          layer.args.op === "add"
            ? tf.addN(ins)
            : layer.args.op === "concat"
              ? tf.concat(ins, 1)
              : layer.args.op === "mul"
                ? ins.reduce((a, b) => tf.mul(a, b))
                : tfLayer(layer, ins[0], batch, pm, newState, train, masks, recordState),
        );
      }
      return values[values.length - 1];
    };
    const scalarOf = (out: tf.Tensor): tf.Scalar => {
      if (model.loss?.args.op === "softmax" && target.y !== undefined && (model.output.length > 1 || Object.keys(model.loss.args).length > 1)) {
        return tfCrossEntropy(model.loss.args, out, target.y, batch, model.output);
      }
      if (model.loss !== null && target.y !== undefined) {
        const K = model.output[0];
        const hot = new Float32Array(batch * K);
        for (let n = 0; n < batch; n++) hot[n * K + (target.y?.[n] ?? 0)] = 1;
        const onehot = tf.tensor(hot, [batch, K]);
        if (model.loss.args.op === "softmax") {
          return tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(out)))).div(batch) as tf.Scalar;
        }
        const zy = tf.sum(tf.mul(out, onehot), 1, true);
        const margins = tf.relu(tf.add(tf.sub(out, zy), model.loss.args.margin));
        return tf.sum(tf.mul(margins, tf.sub(1, onehot))).div(batch) as tf.Scalar;
      }
      const d = tf.tensor(Float32Array.from(target.dout ?? []), out.shape);
      return tf.sum(tf.mul(out, d)) as tf.Scalar;
    };
    const outT = forward(xT, pT, true);
    const f = (...args: tf.Tensor[]) => scalarOf(forward(args[0], args.slice(1), false));
    const { value, grads } = tf.valueAndGrads(f)([xT, ...pT]);
    result = {
      out: outT.dataSync() as Float32Array,
      loss: value.dataSync()[0],
      dx: grads[0].dataSync() as Float32Array,
      grads: {},
      state: newState,
    };
    const r = result;
    names.forEach((n, i) => (r.grads[n] = grads[i + 1].dataSync() as Float32Array));
  });
  if (result === undefined) throw new Error("tfRun: no result");
  return result;
}

/**
 * NCHW padding by a mode, from TF.js's slices: the rows (columns) next to the edge reversed for
 * reflect, the edge row (column) tiled for replicate, the far rows (columns) for circular.
 * (Not tf.mirrorPad: its gradient is the interior of dy alone, without the mirrored cells.)
 */
function tfPadMode(x: tf.Tensor, [pt, pb, pl, pr]: readonly number[], mode: PadMode): tf.Tensor {
  const along = (t: tf.Tensor, axis: 2 | 3, before: number, after: number): tf.Tensor => {
    const n = t.shape[axis]!;
    const take = (start: number, count: number) => {
      const begin = [0, 0, 0, 0];
      const sizes = [...t.shape];
      begin[axis] = start;
      sizes[axis] = count;
      return tf.slice(t, begin, sizes);
    };
    const reps = (k: number) => (axis === 2 ? [1, 1, k, 1] : [1, 1, 1, k]);
    const side = (count: number, atStart: boolean) =>
      mode === "reflect"
        ? tf.reverse(take(atStart ? 1 : n - 1 - count, count), axis)
        : mode === "replicate"
          ? tf.tile(take(atStart ? 0 : n - 1, 1), reps(count))
          : take(atStart ? n - count : 0, count);
    return tf.concat([...(before > 0 ? [side(before, true)] : []), t, ...(after > 0 ? [side(after, false)] : [])], axis);
  };
  return along(along(x, 2, pt, pb), 3, pl, pr);
}

/**
 * nn.CrossEntropyLoss by its definition: the scores of each position (NCHW's class axis last),
 * the target distribution (1 − ε)·w_t·onehot + ε·w/K built on the host (zero for an ignored
 * label), −Σ target·logSoftmax, divided by Σ w_t of the counted labels for a mean.
 */
function tfCrossEntropy(a: LossArgs & { op: "softmax" }, out: tf.Tensor, y: ArrayLike<number>, batch: number, output: readonly number[]): tf.Scalar {
  const K = output[0];
  const P = output.slice(1).reduce((u, v) => u * v, 1);
  const scores = tf.reshape(tf.transpose(tf.reshape(out, [batch, K, P]), [0, 2, 1]), [batch * P, K]);
  const eps = a.label_smoothing ?? 0;
  const w = (c: number) => a.weight?.[c] ?? 1;
  const q = new Float32Array(batch * P * K);
  let denominator = 0;
  for (let i = 0; i < batch * P; i++) {
    const t = y[i];
    if (t === a.ignore_index) continue;
    denominator += w(t);
    for (let c = 0; c < K; c++) q[i * K + c] = (c === t ? (1 - eps) * w(t) : 0) + (eps * w(c)) / K;
  }
  const total = tf.neg(tf.sum(tf.mul(tf.tensor(q, [batch * P, K]), tf.logSoftmax(scores))));
  return (a.reduction === "sum" ? total : tf.div(total, denominator)) as tf.Scalar;
}

function shapeOf(model: Model, name: string): number[] {
  for (const l of model.layers) for (const t of [...l.params, ...l.state]) if (t.name === name) return t.shape;
  throw new Error(`no tensor ${name}`);
}

const toNHWC = (t: tf.Tensor) => tf.transpose(t, [0, 2, 3, 1]);
const toNCHW = (t: tf.Tensor) => tf.transpose(t, [0, 3, 1, 2]);

/**
 * The dilated kernel with zeros between the taps, [KH, KW, C, F] → [DH·(KH−1)+1, DW·(KW−1)+1, C, F],
 * built from pad/reshape/slice so TF.js can differentiate it (its conv2d gradient refuses dilation > 1).
 */
function dilateKernel(w: tf.Tensor, [dh, dw]: [number, number]): tf.Tensor4D {
  if (dh === 1 && dw === 1) return w as tf.Tensor4D;
  const [kh, kw, c, f] = w.shape;
  const spread = tf.pad(tf.reshape(w, [kh, 1, kw, 1, c, f]), [
    [0, 0],
    [0, dh - 1],
    [0, 0],
    [0, dw - 1],
    [0, 0],
    [0, 0],
  ]);
  const full = tf.reshape(spread, [kh * dh, kw * dw, c, f]);
  return tf.slice(full, [0, 0, 0, 0], [dh * (kh - 1) + 1, dw * (kw - 1) + 1, c, f]) as tf.Tensor4D;
}

function tfLayer(
  layer: Layer,
  x: tf.Tensor,
  N: number,
  p: Record<string, tf.Tensor>,
  state: Record<string, Float32Array>,
  train: boolean,
  masks: Record<string, ArrayLike<number>>,
  recordState: boolean,
): tf.Tensor {
  const a = layer.args;
  const C = layer.input[0];
  const spatial = layer.input.length === 3;
  const [OC, OH, OW] = layer.output.length === 3 ? layer.output : [layer.output[0], 1, 1];
  const chan = (t: tf.Tensor) => (spatial ? tf.reshape(t, [1, C, 1, 1]) : tf.reshape(t, [1, C]));
  switch (a.op) {
    case "conv": {
      // a padding mode: that padding first, then the conv with none
      const [pt, pb, pl, pr] = a.padding_mode !== undefined ? [0, 0, 0, 0] : a.pad;
      if (a.padding_mode !== undefined) x = tfPadMode(x, a.pad, a.padding_mode);
      const xp = tf.pad(toNHWC(x), [
        [0, 0],
        [pt, pb],
        [pl, pr],
        [0, 0],
      ]) as tf.Tensor4D;
      const w = dilateKernel(tf.transpose(p[`${layer.name}.weight`], [2, 3, 1, 0]), a.dilation); // [KH, KW, C/g, F]
      const xs = a.groups === 1 ? [xp] : tf.split(xp, a.groups, 3);
      const ws = a.groups === 1 ? [w] : tf.split(w, a.groups, 3);
      const parts = xs.map((xg, g) => tf.conv2d(xg as tf.Tensor4D, ws[g] as tf.Tensor4D, a.stride, "valid"));
      let y: tf.Tensor = parts.length === 1 ? parts[0] : tf.concat(parts, 3);
      y = tf.slice(y, [0, 0, 0, 0], [N, OH, OW, OC]);
      if (a.bias) y = tf.add(y, tf.reshape(p[`${layer.name}.bias`], [1, 1, 1, OC]));
      return toNCHW(y);
    }
    case "maxpool":
    case "avgpool": {
      const [H, W] = [layer.input[1], layer.input[2]];
      const [pt, pb, pl, pr] = a.pad;
      const [kh, kw] = a.kernel;
      const [sh, sw] = a.stride;
      // ceil mode: the last window may run past the declared padding
      const eb = Math.max(0, (OH - 1) * sh + kh - (H + pt + pb));
      const er = Math.max(0, (OW - 1) * sw + kw - (W + pl + pr));
      const xn = toNHWC(x);
      if (a.op === "maxpool") {
        const xp = tf.pad(
          xn,
          [
            [0, 0],
            [pt, pb + eb],
            [pl, pr + er],
            [0, 0],
          ],
          -Infinity,
        ) as tf.Tensor4D;
        const y = tf.slice(tf.maxPool(xp, a.kernel, a.stride, "valid"), [0, 0, 0, 0], [N, OH, OW, C]);
        return toNCHW(y);
      }
      const xp = tf.pad(xn, [
        [0, 0],
        [pt, pb + eb],
        [pl, pr + er],
        [0, 0],
      ]) as tf.Tensor4D;
      const sum = tf.mul(tf.avgPool(xp, a.kernel, a.stride, "valid"), kh * kw);
      const maskHW = a.count_pad
        ? tf.pad(tf.ones([1, H + pt + pb, W + pl + pr, 1]), [
            [0, 0],
            [0, eb],
            [0, er],
            [0, 0],
          ])
        : tf.pad(tf.ones([1, H, W, 1]), [
            [0, 0],
            [pt, pb + eb],
            [pl, pr + er],
            [0, 0],
          ]);
      const divisor = tf.mul(tf.avgPool(maskHW as tf.Tensor4D, a.kernel, a.stride, "valid"), kh * kw);
      const y = tf.slice(tf.div(sum, divisor), [0, 0, 0, 0], [N, OH, OW, C]);
      return toNCHW(y);
    }
    case "globalavgpool":
      return tf.mean(x, [2, 3]);
    case "pad": {
      const [pt, pb, pl, pr] = a.pad;
      if (a.mode !== undefined) return tfPadMode(x, a.pad, a.mode);
      return tf.pad(x, [
        [0, 0],
        [0, 0],
        [pt, pb],
        [pl, pr],
      ]);
    }
    case "batchnorm": {
      const axes = spatial ? [0, 2, 3] : [0];
      const gamma = chan(p[`${layer.name}.weight`]);
      const beta = chan(p[`${layer.name}.bias`]);
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      if (train) {
        const m = tf.moments(x, axes, true);
        mean = m.mean;
        variance = m.variance;
        if (recordState) {
          const M = size(x.shape) / C;
          const bm = mean.dataSync();
          const bv = variance.dataSync();
          const rm = state[`${layer.name}.running_mean`];
          const rv = state[`${layer.name}.running_var`];
          for (let c = 0; c < C; c++) {
            rm[c] = (1 - a.momentum) * rm[c] + a.momentum * bm[c];
            rv[c] = (1 - a.momentum) * rv[c] + a.momentum * ((bv[c] * M) / (M - 1));
          }
        }
      } else {
        mean = chan(tf.tensor(state[`${layer.name}.running_mean`]));
        variance = chan(tf.tensor(state[`${layer.name}.running_var`]));
      }
      const xhat = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, a.eps)));
      return tf.add(tf.mul(xhat, gamma), beta);
    }
    case "layernorm":
    case "groupnorm": {
      const G = a.op === "groupnorm" ? a.groups : 1;
      const grouped = spatial
        ? tf.reshape(x, [N, G, C / G, layer.input[1] * layer.input[2]])
        : tf.reshape(x, [N, 1, 1, C]);
      const m = tf.moments(grouped, [2, 3], true);
      const xhat = tf.reshape(tf.div(tf.sub(grouped, m.mean), tf.sqrt(tf.add(m.variance, a.eps))), x.shape);
      return tf.add(tf.mul(xhat, chan(p[`${layer.name}.weight`])), chan(p[`${layer.name}.bias`]));
    }
    case "affine": {
      const flat = tf.reshape(x, [N, size(layer.input)]) as tf.Tensor2D;
      const y = tf.matMul(flat, p[`${layer.name}.weight`] as tf.Tensor2D, false, true);
      return a.bias ? tf.add(y, tf.reshape(p[`${layer.name}.bias`], [1, a.features])) : y;
    }
    case "flatten":
      return tf.reshape(x, [N, size(layer.input)]);
    case "relu":
      return tf.relu(x);
    case "leakyrelu":
      return tf.leakyRelu(x, a.alpha);
    case "sigmoid":
      return tf.sigmoid(x);
    case "tanh":
      return tf.tanh(x);
    case "dropout": {
      if (!train) return x;
      const keep = masks[layer.name];
      if (keep === undefined) throw new Error(`no dropout mask for ${layer.name}`);
      return tf.mul(
        x,
        tf.tensor(
          Float32Array.from(keep, (k) => k / (1 - a.p)),
          x.shape,
        ),
      );
    }
    case "convtranspose": {
      // conv2dTranspose gives the uncropped output ((H − 1)·s + the dilated kernel); zero rows
      // for output_pad past it, then the crop [pad_top, pad_top + OH) (likewise columns).
      const [H, W] = [layer.input[1], layer.input[2]];
      const w = dilateKernel(tf.transpose(p[`${layer.name}.weight`], [2, 3, 1, 0]), a.dilation); // [KH', KW', F/g, C]
      const [kh, kw] = [w.shape[0], w.shape[1]];
      const full = [(H - 1) * a.stride[0] + kh, (W - 1) * a.stride[1] + kw];
      const Fg = OC / a.groups;
      const xs = a.groups === 1 ? [toNHWC(x)] : tf.split(toNHWC(x), a.groups, 3);
      const ws = a.groups === 1 ? [w] : tf.split(w, a.groups, 3);
      const parts = xs.map((xg, g) =>
        tf.conv2dTranspose(xg as tf.Tensor4D, ws[g] as tf.Tensor4D, [N, full[0], full[1], Fg], a.stride, "valid"),
      );
      let y: tf.Tensor = parts.length === 1 ? parts[0] : tf.concat(parts, 3);
      y = tf.pad(y, [
        [0, 0],
        [0, Math.max(0, a.pad[0] + OH - full[0])],
        [0, Math.max(0, a.pad[2] + OW - full[1])],
        [0, 0],
      ]);
      y = tf.slice(y, [0, a.pad[0], a.pad[2], 0], [N, OH, OW, OC]);
      if (a.bias) y = tf.add(y, tf.reshape(p[`${layer.name}.bias`], [1, 1, 1, OC]));
      return toNCHW(y);
    }
    case "upsample": {
      // TF.js's resize gradients are wrong for non-square images and batches > 1, so the
      // resize is applied as two matrix products, y = A_h · x · A_wᵀ, each interpolation
      // matrix made by TF.js's own resize (nearest, or bilinear with half-pixel centres)
      // of the identity's columns.
      const [H, W] = [layer.input[1], layer.input[2]];
      const interp = (size: number, out: number) => {
        const eye = tf.reshape(tf.eye(size), [1, size, 1, size]) as tf.Tensor4D;
        const resized =
          a.mode === "nearest" ? tf.image.resizeNearestNeighbor(eye, [out, 1], false, false) : tf.image.resizeBilinear(eye, [out, 1], false, true);
        return tf.reshape(resized, [out, size]) as tf.Tensor2D;
      };
      const rows = tf.matMul(tf.reshape(x, [N * C * H, W]) as tf.Tensor2D, interp(W, OW), false, true); // [N·C·H, OW]
      const cols = tf.reshape(tf.transpose(tf.reshape(rows, [N * C, H, OW]), [0, 2, 1]), [N * C * OW, H]) as tf.Tensor2D;
      const y = tf.matMul(cols, interp(H, OH), false, true); // [N·C·OW, OH]
      return tf.transpose(tf.reshape(y, [N, C, OW, OH]), [0, 1, 3, 2]);
    }
    case "adaptiveavgpool": {
      // one mean per PyTorch window [floor(i·H/OH), ceil((i+1)·H/OH))
      const [H, W] = [layer.input[1], layer.input[2]];
      const cells: tf.Tensor[] = [];
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const h0 = Math.floor((oh * H) / OH);
          const w0 = Math.floor((ow * W) / OW);
          const size = [N, C, Math.ceil(((oh + 1) * H) / OH) - h0, Math.ceil(((ow + 1) * W) / OW) - w0];
          cells.push(tf.mean(tf.slice(x, [0, 0, h0, w0], size), [2, 3]));
        }
      return tf.reshape(tf.stack(cells, 2), [N, C, OH, OW]);
    }
    case "globalmaxpool":
      return tf.max(x, [2, 3]);
    case "softmax":
      return spatial ? toNCHW(tf.softmax(toNHWC(x))) : tf.softmax(x);
    case "add":
    case "concat":
    case "mul":
      throw new Error("merges are evaluated by tfRun's forward");
    case "relu6":
      return tf.relu6(x);
    case "clamp":
      return tf.clipByValue(x, a.min, a.max);
    case "hardswish":
      return tf.div(tf.mul(x, tf.relu6(tf.add(x, 3))), 6);
    case "hardsigmoid":
      return tf.div(tf.relu6(tf.add(x, 3)), 6);
    case "silu":
      return tf.mul(x, tf.sigmoid(x));
    case "elu":
      return tf.add(tf.relu(x), tf.mul(a.alpha, tf.sub(tf.exp(tf.minimum(x, 0)), 1)));
    case "selu":
      return tf.selu(x);
    case "softplus": {
      // which side of the threshold, as a constant (TF.js has no gradient for comparisons)
      const z = tf.mul(x, a.beta);
      const past = tf.tensor(Float32Array.from(z.dataSync(), (v) => (v > a.threshold ? 1 : 0)), z.shape);
      return tf.add(tf.mul(past, x), tf.mul(tf.sub(1, past), tf.div(tf.softplus(tf.minimum(z, a.threshold)), a.beta)));
    }
    case "mish":
      return tf.mul(x, tf.tanh(tf.softplus(x)));
    case "layernorm2d": {
      const m = tf.moments(x, [1], true);
      const xhat = tf.div(tf.sub(x, m.mean), tf.sqrt(tf.add(m.variance, a.eps)));
      return tf.add(tf.mul(xhat, chan(p[`${layer.name}.weight`])), chan(p[`${layer.name}.bias`]));
    }
    case "layerscale":
      return tf.mul(x, p[layer.name]);
    case "channelshuffle": {
      const [, H, W] = layer.input;
      const split = tf.reshape(x, [N, a.groups, C / a.groups, H, W]);
      return tf.reshape(tf.transpose(split, [0, 2, 1, 3, 4]), [N, C, H, W]);
    }
    case "slice": {
      const begin = layer.input.map((_, i) => (i === 0 ? a.start : 0));
      return tf.slice(x, [0, ...begin], [N, ...layer.output]);
    }
    case "pixelshuffle": {
      // PyTorch's channel order: input channel c·r² + i·r + j → output (c, h·r + i, w·r + j)
      const r = a.factor;
      const [, H, W] = layer.input;
      const split = tf.reshape(x, [N, OC, r, r, H, W]);
      return tf.reshape(tf.transpose(split, [0, 1, 4, 2, 5, 3]), [N, OC, OH, OW]);
    }
    case "pixelunshuffle": {
      const r = a.factor;
      const split = tf.reshape(x, [N, C, OH, r, OW, r]);
      return tf.reshape(tf.transpose(split, [0, 1, 3, 5, 2, 4]), [N, OC, OH, OW]);
    }
    case "stochasticdepth": {
      if (!train) return x;
      const keep = masks[layer.name];
      if (keep === undefined) throw new Error(`no stochastic depth draws for ${layer.name}`);
      const scale = Float32Array.from({ length: N }, (_, n) => (a.p < 1 ? keep[a.mode === "row" ? n : 0] / (1 - a.p) : 0));
      return tf.mul(x, tf.tensor(scale, [N, ...layer.input.map(() => 1)]));
    }
    case "prelu": {
      const w = p[`${layer.name}.weight`];
      return tf.prelu(x, a.num_parameters === 1 ? tf.reshape(w, spatial ? [1, 1, 1, 1] : [1, 1]) : chan(w));
    }
    case "gelu":
      return a.approximate === "tanh"
        ? tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))))
        : tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
    case "instancenorm": {
      const m = tf.moments(x, [2, 3], true);
      const xhat = tf.div(tf.sub(x, m.mean), tf.sqrt(tf.add(m.variance, a.eps)));
      return a.affine ? tf.add(tf.mul(xhat, chan(p[`${layer.name}.weight`])), chan(p[`${layer.name}.bias`])) : xhat;
    }
    case "permute":
      return tf.transpose(x, a.dims);
    case "linear": {
      // tf.matMul on the rows of the last axis, W transposed: [rows, K] · [M, K]ᵀ
      const K = layer.input[layer.input.length - 1];
      const y = tf.matMul(tf.reshape(x, [-1, K]), p[`${layer.name}.weight`], false, true);
      return tf.reshape(a.bias ? tf.add(y, p[`${layer.name}.bias`]) : y, [N, ...layer.output]);
    }
    case "layernormlast": {
      const last = layer.input.length;
      const m = tf.moments(x, [last], true);
      const xhat = tf.div(tf.sub(x, m.mean), tf.sqrt(tf.add(m.variance, a.eps)));
      return tf.add(tf.mul(xhat, p[`${layer.name}.weight`]), p[`${layer.name}.bias`]);
    }
  }
}
