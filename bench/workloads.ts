// The workloads, their shared parameters and inputs. Every contender is
// handed the same PyTorch-layout parameters (keyed by the IR's names) and the
// same batch, so their outputs can be compared as a sanity check.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compile } from "../src/pipeline.ts";
import type { Model } from "../src/ir.ts";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface Workload {
  id: "W1" | "W2" | "W3" | "W4" | "W5" | "W6";
  file: string;
  batch: number;
}

export const WORKLOADS: Workload[] = [
  { id: "W1", file: "examples/lenet5.cnn", batch: 64 },
  { id: "W2", file: "examples/cs231n-convnet.cnn", batch: 50 },
  { id: "W3", file: "examples/vgg-bn.cnn", batch: 32 },
  { id: "W4", file: "examples/zoo/resnet18.cnn", batch: 4 },
  { id: "W5", file: "examples/unet.cnn", batch: 4 },
  { id: "W6", file: "examples/zoo/mobilenet_v2.cnn", batch: 4 },
];

/** A chain: every layer reads the one before it (graphs have merges and skips). */
export function isChain(model: Model): boolean {
  return model.layers.every((l, i) => l.from.length === 1 && l.from[0] === i - 1);
}

/** The workload's (first) model, checked by cnnc's own front end. */
export function loadModel(w: Pick<Workload, "file">): Model {
  const text = readFileSync(ROOT + w.file, "utf8");
  // imports resolve relative to the importing file's path, which is relative to the repository root
  const r = compile(text, w.file, (path) => {
    try {
      return { bytes: readFileSync(ROOT + path) };
    } catch (e) {
      return { error: (e as Error).message };
    }
  });
  if (r.models.length === 0) {
    const first = r.diagnostics[0];
    throw new Error(`${w.file} did not check${first ? `: ${first.code} ${first.message}` : ""}`);
  }
  return r.models[0];
}

/** FLOPs of one batch: 2 × MACs (conv and affine) forward; a training step adds 2 × that for backward. */
export function flopsOf(model: Model, batch: number, mode: Mode): number {
  const fwd = 2 * model.macs * batch;
  return mode === "forward" ? fwd : 3 * fwd;
}

export type Mode = "forward" | "train";

/** A small deterministic PRNG (mulberry32), so every child process builds identical data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(r: () => number): number {
  const u = Math.max(r(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

export interface Data {
  /** parameters in PyTorch layout, keyed "c1.weight" */
  params: Record<string, Float32Array>;
  /** batchnorm running statistics */
  state: Record<string, Float32Array>;
  /** N·C·H·W, NCHW */
  x: Float32Array;
  y: Int32Array;
}

/**
 * He-normal weights (fan-in = product of all but the first dimension, which is
 * PyTorch's fan-in for a transposed conv's [C, F/groups, KH, KW] too), zero
 * biases, γ = 1, β = 0.
 */
export function makeData(model: Model, batch: number, seed = 1): Data {
  const r = rng(seed);
  const params: Record<string, Float32Array> = {};
  for (const t of model.layers.flatMap((l) => l.params.map((p) => ({ p, op: l.args.op })))) {
    const n = t.p.shape.reduce((a, b) => a * b, 1);
    const a = new Float32Array(n);
    if (t.p.name.endsWith(".weight") && (t.op === "conv" || t.op === "convtranspose" || t.op === "affine")) {
      const std = Math.sqrt(2 / (n / t.p.shape[0]));
      for (let i = 0; i < n; i++) a[i] = std * gaussian(r);
    } else if (t.p.name.endsWith(".weight")) a.fill(1);
    params[t.p.name] = a;
  }
  const state: Record<string, Float32Array> = {};
  for (const l of model.layers)
    for (const s of l.state) {
      const n = s.shape.reduce((a, b) => a * b, 1);
      state[s.name] = new Float32Array(n).fill(s.name.endsWith("running_var") ? 1 : 0);
    }
  const size = model.input.reduce((a, b) => a * b, 1);
  const x = new Float32Array(batch * size);
  for (let i = 0; i < x.length; i++) x[i] = gaussian(r);
  const classes = model.output[0];
  const y = new Int32Array(batch);
  for (let i = 0; i < batch; i++) y[i] = Math.floor(r() * classes);
  return { params, state, x, y };
}

/** A layer that reads two or more values (add, concat): it cannot be built alone. */
export const isMerge = (model: Model, index: number): boolean => model.layers[index].from.length > 1;

/**
 * A model made of one single-input layer of `model` (no loss), reading the
 * model's input: its generated `backward` times that layer alone.
 */
export function layerModel(model: Model, index: number): Model {
  const l = model.layers[index];
  return {
    ...model,
    // graph layers have dotted names (layer1.0.conv1)
    name: `${model.name}_${l.name.replace(/\W/g, "_")}`,
    input: l.input,
    output: l.output,
    layers: [{ ...l, from: [-1], inputs: [l.input] }],
    loss: null,
    params: l.params.reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0),
    macs: l.macs,
  };
}
