// Random inputs for oracle comparisons, and the error measure they use.
import type { Model } from "../../src/ir.ts";
import type { Tensors } from "./reference.ts";

/** A seeded generator (mulberry32) with uniform and Gaussian draws. */
export function prng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    uniform: (lo: number, hi: number) => lo + (hi - lo) * next(),
    gauss: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    int: (n: number) => Math.floor(next() * n),
  };
}

export interface OracleInputs {
  batch: number;
  params: Tensors;
  state: Tensors;
  x: Float64Array;
  /** class labels (when the model has a loss) */
  y: Int32Array;
  /** output gradient (for a loss-less model) */
  dout: Float64Array;
  /** dropout keep flags per dropout layer */
  masks: Record<string, Float64Array>;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/**
 * Random parameters scaled like He init (so activations stay O(1) through a
 * stack), non-trivial biases, γ near 1, β near 0, running statistics away from
 * their initial values, and every value representable in f32 so an f32 oracle
 * sees exactly the same numbers.
 */
export function randomInputs(model: Model, batch: number, seed: number): OracleInputs {
  const r = prng(seed);
  const f32 = (v: number) => Math.fround(v);
  const params: Tensors = {};
  const state: Tensors = {};
  for (const layer of model.layers) {
    for (const t of layer.params) {
      const n = size(t.shape);
      const isWeight = t.name.endsWith(".weight");
      const norm = ["batchnorm", "layernorm", "groupnorm"].includes(layer.args.op);
      const fanIn = t.shape.length > 1 ? size(t.shape.slice(1)) : 1;
      params[t.name] = Float64Array.from({ length: n }, () =>
        f32(
          norm
            ? isWeight
              ? r.uniform(0.5, 1.5)
              : r.uniform(-0.5, 0.5)
            : isWeight
              ? r.gauss() * Math.sqrt(2 / fanIn)
              : r.uniform(-0.3, 0.3),
        ),
      );
    }
    for (const t of layer.state) {
      const n = size(t.shape);
      const variance = t.name.endsWith("running_var");
      state[t.name] = Float64Array.from({ length: n }, () => f32(variance ? r.uniform(0.5, 2) : r.uniform(-0.5, 0.5)));
    }
  }
  // relu6's top kink (6) and hardswish's and hardsigmoid's corners (±3) need inputs past ±3
  const wide = model.layers.some((l) => ["relu6", "hardswish", "hardsigmoid"].includes(l.args.op)) ? 4 : 1;
  const x = Float64Array.from({ length: batch * size(model.input) }, () => f32(wide * r.gauss()));
  const K = model.output[0];
  // a class per position of a [K, H, W] output; with an ignore_index, every third label past the first is it
  const positions = size(model.output) / K;
  const ignore = model.loss?.args.op === "softmax" ? model.loss.args.ignore_index : undefined;
  const y = Int32Array.from({ length: batch * (model.loss?.args.op === "softmax" ? positions : 1) }, () => r.int(K));
  if (ignore !== undefined) {
    y.forEach((v, i) => (y[i] = i % 3 === 2 ? ignore : v));
    if (y[0] === ignore) y[0] = (ignore + 1) % K;
  }
  const dout = Float64Array.from({ length: batch * size(model.output) }, () => f32(r.gauss()));
  const masks: Record<string, Float64Array> = {};
  for (const layer of model.layers) {
    if (layer.args.op === "stochasticdepth") {
      const p = layer.args.p;
      masks[layer.name] = Float64Array.from({ length: layer.args.mode === "row" ? batch : 1 }, () => (r.next() < p ? 0 : 1));
      continue;
    }
    if (layer.args.op !== "dropout") continue;
    const p = layer.args.p;
    masks[layer.name] = Float64Array.from({ length: batch * size(layer.input) }, () => (r.next() < p ? 0 : 1));
  }
  return { batch, params, state, x, y, dout, masks };
}

/**
 * Tensor-wise relative error: max|a − b| / max(max|b|, floor). Element-wise
 * ratios are meaningless where a gradient is a cancellation of large terms (a
 * conv bias feeding batchnorm has an exact gradient of 0, computed as ±1e-8 in
 * f32); the tensor's own scale is the yardstick, with `floor` for tensors that
 * are zero altogether.
 */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>, floor: number): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff === 0 ? 0 : diff / scale;
}
