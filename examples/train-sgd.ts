// The smallest end-to-end use of a generated module: build LeNet-5 from
// examples/lenet5.cnn, initialise its parameters, and run plain-SGD steps on
// one fixed batch of random images and labels; the printed loss falls as the
// network memorises the batch.
//
//   npx tsx examples/train-sgd.ts            # 40 steps, batch 32, lr 0.05
//   npx tsx examples/train-sgd.ts 100 0.02   # steps, learning rate
//
// It does in-process what `npx cnnc build examples/lenet5.cnn -o out` does
// (compile, emit, prettier), writes .tmp/train-sgd/LeNet5.ts and imports it.
// In your own program you would run `cnnc build` once and import the file
// statically, with full types: `import * as net from "./out/LeNet5.ts"`
// (see docs/generated-api.md).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { formatTs } from "../src/emit/format.ts";
import { emitModule } from "../src/emit/module.ts";
import { compile } from "../src/pipeline.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The part of the generated module's API (docs/generated-api.md) this example uses. */
type Params = Record<string, Float32Array>;
interface GeneratedNet {
  info: { name: string; input: number[]; output: number[] };
  initParams(seed?: number): Params;
  initState(): Params;
  createWorkspace(batch: number, seed?: number): object;
  lossAndGrad(p: Params, s: Params, x: Float32Array, y: Int32Array, ws: object): { loss: number; grads: Params; dx: Float32Array };
}

/** Compiles examples/lenet5.cnn and imports the generated module. */
export async function buildLeNet5(dir = join(root, ".tmp/train-sgd")): Promise<GeneratedNet> {
  const file = join(root, "examples/lenet5.cnn");
  const { models, diagnostics } = compile(readFileSync(file), "examples/lenet5.cnn");
  const model = models.find((m) => m.name === "LeNet5");
  if (model === undefined) throw new Error(`examples/lenet5.cnn did not compile: ${diagnostics.map((d) => d.message).join("; ")}`);
  mkdirSync(dir, { recursive: true });
  const target = join(dir, "LeNet5.ts");
  writeFileSync(target, await formatTs(emitModule(model, { dtype: "f32", sourceName: "lenet5.cnn" })));
  return (await import(pathToFileURL(target).href)) as GeneratedNet;
}

export interface SgdRun {
  losses: number[];
  /** milliseconds per lossAndGrad + update step, median */
  stepMs: number;
}

/** Plain SGD, p ← p − lr·∇p, on one fixed random batch. */
export async function trainSgd(opts: { steps: number; batch: number; lr: number; log?: (line: string) => void }): Promise<SgdRun> {
  const net = await buildLeNet5();
  const { steps, batch, lr } = opts;
  const inputSize = net.info.input.reduce((a, b) => a * b, 1);
  const classes = net.info.output[0]!;

  const p = net.initParams(1); // He-normal weights, zero biases; deterministic per seed
  const s = net.initState();
  const ws = net.createWorkspace(batch); // every buffer, allocated once

  // one fixed batch of random "images" and labels (a seeded LCG, so runs repeat)
  let seed = 12345;
  const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const x = Float32Array.from({ length: batch * inputSize }, () => random());
  const y = Int32Array.from({ length: batch }, () => Math.floor(random() * classes));

  const losses: number[] = [];
  const times: number[] = [];
  for (let step = 1; step <= steps; step++) {
    const start = performance.now();
    const { loss, grads } = net.lossAndGrad(p, s, x, y, ws); // grads are views into ws
    for (const name in p) {
      const w = p[name]!;
      const g = grads[name]!;
      for (let i = 0; i < w.length; i++) w[i]! -= lr * g[i]!;
    }
    times.push(performance.now() - start);
    losses.push(loss);
    if (step === 1 || step % 5 === 0 || step === steps) opts.log?.(`step ${String(step).padStart(3)}  loss ${loss.toFixed(4)}`);
  }
  times.sort((a, b) => a - b);
  return { losses, stepMs: times[Math.floor(times.length / 2)]! };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const steps = Number(process.argv[2] ?? 40);
  const lr = Number(process.argv[3] ?? 0.05);
  const batch = 32;
  console.log(`LeNet-5, plain SGD, lr ${lr}, one random batch of ${batch}`);
  const run = await trainSgd({ steps, batch, lr, log: (line) => console.log(line) });
  console.log(`loss ${run.losses[0]!.toFixed(4)} → ${run.losses.at(-1)!.toFixed(4)}; ${run.stepMs.toFixed(1)} ms per step (median)`);
}
