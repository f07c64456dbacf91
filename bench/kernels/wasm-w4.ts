// One workload end to end on the wasm target against TF.js-wasm (XNNPACK, SIMD,
// one thread) in one process, calls taken in turns so load on the shared
// machine hits every contender alike: the eval forward of each, and the wasm
// target's training step (optionally a baseline checkout's too). GFLOP/s are
// from the process's CPU time per call (see wasm-layers.ts); wall time is shown too.
//
//   nice node --import tsx bench/kernels/wasm-w4.ts [--workload W4] [--iters 3] [--baseline DIR] [--no-tfjs]
//
// DIR as in wasm-layers.ts: another checkout's src/ (`git archive main src grammar | tar -x -C DIR`).
import { mkdirSync, writeFileSync } from "node:fs";
import { emitWasmModule } from "../../src/emit-wasm/module.ts";
import { loadGenerated } from "../contenders/generated.ts";
import { buildTfNet, tfOn } from "../contenders/tfjs.ts";
import { inTurns, median } from "../stats.ts";
import { flopsOf, loadModel, makeData, ROOT, WORKLOADS } from "../workloads.ts";

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const w = WORKLOADS.find((x) => x.id === (opt("--workload") ?? "W4"))!;
const iters = Number(opt("--iters") ?? 3);
const baseDir = opt("--baseline");

const model = loadModel(w);
const data = makeData(model, w.batch);
const outSize = model.output.reduce((a, b) => a * b, 1);
const dir = `${ROOT}.tmp/bench/wasm-w4/`;
mkdirSync(dir, { recursive: true });

type Emit = typeof emitWasmModule;
const emitters: [string, Emit][] = [["cnnc-wasm", emitWasmModule]];
if (baseDir !== undefined) emitters.unshift(["cnnc-wasm base", ((await import(`${baseDir}/src/emit-wasm/module.ts`)) as { emitWasmModule: Emit }).emitWasmModule]);

const forward: [string, () => unknown][] = [];
const train: [string, () => unknown][] = [];
for (const [tag, emit] of emitters) {
  const path = `${dir}${model.name}-${tag.replace(/\W/g, "_")}.ts`;
  writeFileSync(path, emit(model, { sourceName: w.file }));
  const net = await loadGenerated(path, data, w.batch, outSize);
  forward.push([tag, () => net.forward()]);
  train.push([tag, () => net.trainStep()]);
}
if (!args.includes("--no-tfjs")) {
  const tf = await tfOn("wasm");
  const net = buildTfNet(tf, model, data, w.batch, model.loss !== null);
  forward.push(["tfjs-wasm", () => net.forward()]);
}

/** median CPU and wall ms per call of each function, called in turns */
const turns = (fns: [string, () => unknown][]) => inTurns(fns.map(([, fn]) => fn), iters).map((t) => ({ cpu: median(t.cpu), wall: median(t.wall) }));

const fwd = turns(forward);
const step = turns(train);
const gf = (flops: number, ms: number) => (flops / (ms * 1e6)).toFixed(2);
const line = (what: string, tag: string, t: { cpu: number; wall: number }, flops: number) =>
  console.log(`${what.padEnd(11)} ${tag.padEnd(15)} cpu ${t.cpu.toFixed(0).padStart(6)} ms  ${gf(flops, t.cpu)} GFLOP/s   wall ${t.wall.toFixed(0).padStart(6)} ms`);
console.log(`${w.id} ${model.name} batch ${w.batch}, medians of ${iters} calls in turns`);
forward.forEach(([tag], k) => line("forward", tag, fwd[k]!, flopsOf(model, w.batch, "forward")));
train.forEach(([tag], k) => line("train step", tag, step[k]!, flopsOf(model, w.batch, "train")));
