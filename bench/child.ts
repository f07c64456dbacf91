// One contender on one workload in a fresh process (clean JIT state, its own
// heap: TF.js's memory does not leak into the next contender's peak RSS).
//   node --expose-gc --import tsx bench/child.ts '<Job as JSON>'
// Prints one JSON line (ChildResult) on stdout.
import { measureGemm } from "./gemm.ts";
import { measureWasmGemm } from "./wasm-gemm.ts";
import { inTurns, median, timeIt } from "./stats.ts";
import { loadGenerated } from "./contenders/generated.ts";
import { buildConvnetjs } from "./contenders/convnetjs.ts";
import { buildTfNet, tfOn } from "./contenders/tfjs.ts";
import { layerModel, loadModel, makeData, type Mode, WORKLOADS } from "./workloads.ts";
import { measurePointwise, type PointwiseResult } from "./kernels/pointwise.ts";

export type Contender = "cnnc" | "cnnc-wasm" | "tfjs-cpu" | "tfjs-wasm" | "convnetjs";

export interface Job {
  /** turns: the wasm target's forward and TF.js-wasm's in one process, called in turns */
  kind: "run" | "layers" | "gemm" | "pointwise" | "turns";
  contender?: Contender;
  workload?: string;
  modes?: Mode[];
  /** generated module path (cnnc) or one per timed layer (layers) */
  modules?: string[];
  /** layers: the index in the model of each module's layer */
  layers?: number[];
  /** one timed call and no warm-up: for a step that takes many minutes (TF.js-cpu training ResNet-18) */
  once?: boolean;
  quick: boolean;
}

export interface Timing {
  mode: Mode;
  samples: number[];
  ms: number;
  /** loss (train) or a slice of the logits (forward), to compare contenders */
  check: number[];
  /** heap bytes allocated per call, measured without GC in between (cnnc only) */
  heapPerCall?: number;
}

export interface ChildResult {
  timings: Timing[];
  layers?: { name: string; ms: number; samples: number }[];
  gemm?: { name: string; gflops: number }[];
  /** the wasm target's f32x4 kernels at 256³ (bench/wasm-gemm.ts) */
  wasmGemm?: { name: string; gflops: number }[];
  workspaceBytes?: number;
  /** turns: CPU ms of each forward call of the wasm target and of TF.js-wasm, taken in turns */
  turns?: { wasm: number[]; tfjs: number[] };
  /** ResNet-50's 1×1 convs against the GEMM limit of the same rounds (bench/kernels/pointwise.ts) */
  pointwise?: PointwiseResult;
  peakRss: number;
  error?: string;
}

/**
 * Adaptive timing after a first (warm-up) call that took `first` ms. Full
 * mode: ≥ 10 timed calls unless one call takes > 5 s (then 2, or 1 past a
 * minute). Quick mode: ≤ 5 calls within `quickBudget` ms, at least 1, after
 * one more untimed call when the first took under 2 s (two under 0.2 s). The
 * warm-up is never a sample, however long: on a loaded machine V8 compiles a
 * large generated module's functions late, and a first call can take several
 * times as long as the next (U-Net's forward: 19 s first, 2 s warm).
 */
function measure(fn: () => unknown, quick: boolean, first: number, quickBudget = 1000): number[] {
  if (quick) return timeIt(fn, { warmup: first < 200 ? 2 : first < 2000 ? 1 : 0, iters: 5, minIters: 1, budgetMs: quickBudget });
  if (first > 60_000) return timeIt(fn, { warmup: 0, iters: 1 });
  if (first > 5000) return timeIt(fn, { warmup: 0, iters: 2 });
  const warmup = first > 1000 ? 0 : first > 100 ? 2 : 5;
  return timeIt(fn, { warmup, iters: 15, minIters: 10, budgetMs: 20000 });
}

/** Calls fn once and returns its result and duration in ms. */
function timedOnce<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const r = fn();
  return [r, performance.now() - t0];
}

/**
 * Heap growth per call with no GC in between, the smallest of `reps`
 * measurements (the first ones include V8's JIT compiling the module, which
 * also allocates on the heap).
 */
function heapPerCall(fn: () => unknown, calls: number, reps: number): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return NaN;
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < calls; i++) fn();
    best = Math.min(best, Math.max(0, (process.memoryUsage().heapUsed - before) / calls));
  }
  return best;
}

async function main(): Promise<ChildResult> {
  const job = JSON.parse(process.argv[2]) as Job;
  const out: ChildResult = { timings: [], peakRss: 0 };
  if (job.kind === "gemm") {
    out.gemm = measureGemm(256, job.quick ? 7 : 15).map((g) => ({ name: g.name, gflops: g.gflops }));
    out.wasmGemm = measureWasmGemm(256, job.quick ? 7 : 15).map((g) => ({ name: g.name, gflops: g.gflops }));
    return out;
  }
  if (job.kind === "pointwise") {
    out.pointwise = await measurePointwise(job.quick ? 3 : 7, 2);
    return out;
  }
  const w = WORKLOADS.find((x) => x.id === job.workload)!;
  const model = loadModel(w);
  const N = w.batch;
  if (job.kind === "layers") {
    out.layers = [];
    for (const [k, i] of job.layers!.entries()) {
      const sub = layerModel(model, i);
      const data = makeData(sub, N, 2);
      const net = await loadGenerated(job.modules![k], data, N, sub.output.reduce((a, b) => a * b, 1));
      const [, first] = timedOnce(() => net.trainStep());
      const samples = measure(() => net.trainStep(), job.quick, first, 300);
      out.layers.push({ name: model.layers[i].name, ms: median(samples), samples: samples.length });
    }
    return out;
  }
  const data = makeData(model, N);
  if (job.kind === "turns") {
    const ours = await loadGenerated(job.modules![0], data, N, model.output.reduce((a, b) => a * b, 1));
    const theirs = buildTfNet(await tfOn("wasm"), model, data, N, model.loss !== null);
    // a second untimed call each (V8 compiles a wasm function's optimised code after its first calls),
    // timed to choose how many turns fill the budget: at least 7, so short forwards get many more
    ours.forward();
    theirs.forward();
    const [, pair] = timedOnce(() => (ours.forward(), theirs.forward()));
    const iters = Math.min(101, Math.max(7, Math.round((job.quick ? 2000 : 6000) / pair)));
    const [a, b] = inTurns([() => ours.forward(), () => theirs.forward()], iters);
    out.turns = { wasm: a!.cpu, tfjs: b!.cpu };
    return out;
  }
  let net: { forward(): Float32Array; trainStep(): number };
  const c = job.contender!;
  if (c === "cnnc" || c === "cnnc-wasm") {
    const g = await loadGenerated(job.modules![0], data, N, model.output.reduce((a, b) => a * b, 1));
    out.workspaceBytes = g.workspaceBytes;
    net = g;
  } else if (c === "convnetjs") {
    net = buildConvnetjs(model, data, N);
  } else net = buildTfNet(await tfOn(c === "tfjs-wasm" ? "wasm" : "cpu"), model, data, N, model.loss !== null);
  for (const mode of job.modes!) {
    const fn = mode === "forward" ? () => net.forward() : () => net.trainStep();
    // the first call is the warm-up and gives the values compared across contenders
    const [check, first] = timedOnce(() => (mode === "forward" ? Array.from(net.forward().slice(0, 20)) : [net.trainStep()]));
    // the wasm forwards get 3 s in --quick (ResNet-18's take ~0.4 s a call): their ratio is a goal of the target
    const samples = job.once ? [first] : measure(fn, job.quick, first, mode === "forward" && (c === "cnnc-wasm" || c === "tfjs-wasm") ? 3000 : 1000);
    const t: Timing = { mode, samples, ms: median(samples), check };
    // (not after a --quick call over 10 s: one more call, and one call's heap is mostly JIT noise)
    if ((c === "cnnc" || c === "cnnc-wasm") && !(job.quick && first > 10_000)) t.heapPerCall = job.quick ? heapPerCall(fn, 1, 1) : heapPerCall(fn, 5, 3);
    out.timings.push(t);
  }
  return out;
}

main()
  .then((r) => {
    r.peakRss = process.resourceUsage().maxRSS * 1024;
    console.log(JSON.stringify(r));
  })
  .catch((e: unknown) => {
    console.log(JSON.stringify({ timings: [], peakRss: process.resourceUsage().maxRSS * 1024, error: String(e instanceof Error ? e.message : e) }));
  });
