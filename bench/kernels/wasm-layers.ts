// Single layers built with the wasm target and timed alone, next to the same
// layer on TF.js's wasm backend (XNNPACK, SIMD, one thread) in the same
// process: where a wasm training step spends its time, per layer kind.
//
//   nice node --import tsx bench/kernels/wasm-layers.ts [--only NAME,...] [--iters 5] [--no-tfjs] [--baseline DIR]
//
// --baseline DIR: DIR holds another checkout's src/ (e.g. `git archive main src grammar | tar -x -C DIR`);
// its wasm target is timed too, interleaved run by run with this tree's, for a same-run before/after.
// Times are the process's CPU time (user + system) per call, not wall time: on
// the shared 2-core machine a wall clock mostly measures the other processes
// (JS is one thread here; TF.js-wasm runs with one thread too).
//
// Each case is a one-layer model (no loss). `fwd` is the eval-mode forward,
// `bwd` the generated backward (training-mode forward + backward) minus a
// training-mode forward, so dX and dW together. GFLOP/s counts 2·MACs forward
// and 4·MACs backward (dX and dW), as bench/workloads.ts's flopsOf does.
import { mkdirSync, writeFileSync } from "node:fs";
import { compile } from "../../src/pipeline.ts";
import { emitWasmModule } from "../../src/emit-wasm/module.ts";
import type { Model } from "../../src/ir.ts";
import { tfOn } from "../contenders/tfjs.ts";
import { median } from "../stats.ts";
import { ROOT } from "../workloads.ts";

interface Case {
  name: string;
  kind: string;
  batch: number;
  input: [number, number, number];
  /** the layer's .cnn text */
  layer: string;
}

const r18 = (name: string, kind: string, input: [number, number, number], layer: string): Case => ({ name, kind, batch: 4, input, layer });
export const CASES: Case[] = [
  r18("stem", "7×7/2 conv", [3, 224, 224], "conv(64, kernel=7, stride=2, pad=3, bias=false)"),
  r18("l1.conv", "3×3 conv", [64, 56, 56], "conv(64, kernel=3, pad=1, bias=false)"),
  r18("l2.conv1", "3×3/2 conv", [64, 56, 56], "conv(128, kernel=3, stride=2, pad=1, bias=false)"),
  r18("l2.conv2", "3×3 conv", [128, 28, 28], "conv(128, kernel=3, pad=1, bias=false)"),
  r18("l3.conv2", "3×3 conv", [256, 14, 14], "conv(256, kernel=3, pad=1, bias=false)"),
  r18("l4.conv2", "3×3 conv", [512, 7, 7], "conv(512, kernel=3, pad=1, bias=false)"),
  r18("l2.down", "1×1/2 conv", [64, 56, 56], "conv(128, kernel=1, stride=2, bias=false)"),
  r18("l1.bn", "batchnorm", [64, 56, 56], "batchnorm"),
  r18("l1.relu", "relu", [64, 56, 56], "relu"),
  r18("maxpool", "maxpool", [64, 112, 112], "maxpool(3, stride=2, pad=1)"),
  r18("maxpool.nopad", "maxpool", [64, 113, 113], "maxpool(3, stride=2)"),
  { name: "lenet.c1", kind: "5×5 conv", batch: 64, input: [1, 28, 28], layer: "conv(6, kernel=5, pad=2)" },
  { name: "lenet.c3", kind: "5×5 conv", batch: 64, input: [6, 14, 14], layer: "conv(16, kernel=5)" },
  { name: "mbv2.dw1", kind: "dw 3×3", batch: 4, input: [32, 112, 112], layer: "conv(32, kernel=3, pad=1, groups=32, bias=false)" },
  { name: "mbv2.dw2", kind: "dw 3×3/2", batch: 4, input: [96, 112, 112], layer: "conv(96, kernel=3, stride=2, pad=1, groups=96, bias=false)" },
  { name: "mbv2.dw4", kind: "dw 3×3", batch: 4, input: [192, 28, 28], layer: "conv(192, kernel=3, pad=1, groups=192, bias=false)" },
  { name: "mbv2.pw16", kind: "1×1 conv", batch: 4, input: [32, 112, 112], layer: "conv(16, kernel=1, bias=false)" },
  { name: "mbv2.ex96", kind: "1×1 conv", batch: 4, input: [16, 112, 112], layer: "conv(96, kernel=1, bias=false)" },
  { name: "mbv2.ex144", kind: "1×1 conv", batch: 4, input: [24, 56, 56], layer: "conv(144, kernel=1, bias=false)" },
  { name: "mbv2.pr24", kind: "1×1 conv", batch: 4, input: [144, 56, 56], layer: "conv(24, kernel=1, bias=false)" },
  { name: "mbv2.ex192", kind: "1×1 conv", batch: 4, input: [32, 28, 28], layer: "conv(192, kernel=1, bias=false)" },
  { name: "mbv2.ex576", kind: "1×1 conv", batch: 4, input: [96, 14, 14], layer: "conv(576, kernel=1, bias=false)" },
  { name: "mbv2.pr96", kind: "1×1 conv", batch: 4, input: [576, 14, 14], layer: "conv(96, kernel=1, bias=false)" },
  { name: "mbv2.ex960", kind: "1×1 conv", batch: 4, input: [160, 7, 7], layer: "conv(960, kernel=1, bias=false)" },
  { name: "mbv2.bn", kind: "batchnorm", batch: 4, input: [96, 112, 112], layer: "batchnorm" },
  { name: "mbv2.relu6", kind: "relu6", batch: 4, input: [96, 112, 112], layer: "relu6" },
  { name: "effb0.dw5", kind: "dw 5×5", batch: 4, input: [240, 28, 28], layer: "conv(240, kernel=5, pad=2, groups=240, bias=false)" },
  { name: "effb0.dw5s2", kind: "dw 5×5/2", batch: 4, input: [144, 56, 56], layer: "conv(144, kernel=5, stride=2, pad=2, groups=144, bias=false)" },
];

interface Gen {
  initParams(seed?: number): Record<string, Float32Array>;
  initState(): Record<string, Float32Array>;
  createWorkspace(batch: number, seed?: number): object;
  forward(p: object, s: object, x: Float32Array, ws: object, train?: boolean): Float32Array;
  backward(p: object, s: object, x: Float32Array, dout: Float32Array, ws: object): { dx: Float32Array };
}

function modelOf(c: Case): Model {
  const src = `model L {\n  input [${c.input.join(", ")}]\n  ${c.layer}\n}\n`;
  const r = compile(src, `${c.name}.cnn`);
  const m = r.models[0];
  if (m === undefined) throw new Error(`${c.name}: ${r.diagnostics.map((d) => d.message).join("; ")}`);
  return m;
}

/** median ms of each function, run in turns (so a load spike on the shared machine hits all of them alike) */
function timeMs(fns: (() => void)[], iters: number, budgetMs = 6000): number[] {
  for (const fn of fns) fn();
  const times: number[][] = fns.map(() => []);
  const start = performance.now();
  for (let i = 0; i < iters && (i < 3 || performance.now() - start < budgetMs); i++) {
    fns.forEach((fn, k) => {
      const t = process.cpuUsage();
      fn();
      const d = process.cpuUsage(t);
      times[k]!.push((d.user + d.system) / 1000);
    });
  }
  return times.map(median);
}

function seeded(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

async function main() {
  const args = process.argv.slice(2);
  const only = args.includes("--only") ? args[args.indexOf("--only") + 1]!.split(",") : undefined;
  const iters = args.includes("--iters") ? Number(args[args.indexOf("--iters") + 1]) : 5;
  const withTf = !args.includes("--no-tfjs");
  const baseDir = args.includes("--baseline") ? args[args.indexOf("--baseline") + 1] : undefined;
  type Emit = typeof emitWasmModule;
  const emitters: [string, Emit][] = [["now", emitWasmModule]];
  if (baseDir !== undefined) emitters.unshift(["base", ((await import(`${baseDir}/src/emit-wasm/module.ts`)) as { emitWasmModule: Emit }).emitWasmModule]);
  const dir = `${ROOT}.tmp/bench/wasm-layers/`;
  mkdirSync(dir, { recursive: true });
  let tf: typeof import("@tensorflow/tfjs") | undefined;
  if (withTf) tf = await tfOn("wasm");
  const head = emitters.length === 2 ? ["fwd ms base", "fwd GFLOP/s base", "bwd ms base", "bwd GFLOP/s base"] : [];
  const cols = ["layer", "kind", "input", ...head, "fwd ms", "fwd GFLOP/s", "bwd ms", "bwd GFLOP/s", "tfjs-wasm fwd ms", "tfjs fwd GFLOP/s", "tfjs/cnnc fwd time"];
  const rows: string[] = [`| ${cols.join(" | ")} |`, `|${cols.map((_, i) => (i < 3 ? "---" : "--:")).join("|")}|`];
  for (const c of CASES) {
    if (only !== undefined && !only.some((o) => c.name.startsWith(o) || c.kind === o)) continue;
    const model = modelOf(c);
    const inSize = c.input[0] * c.input[1] * c.input[2];
    const outSize = model.output.reduce((a, b) => a * b, 1);
    const x = seeded(c.batch * inSize, 7), dout = seeded(c.batch * outSize, 11);
    const nets = [];
    for (const [tag, emit] of emitters) {
      const path = `${dir}${c.name.replace(/\W/g, "_")}-${tag}.ts`;
      writeFileSync(path, emit(model, { sourceName: `${c.name}.cnn` }));
      const g = (await import(path)) as Gen;
      const p = g.initParams(1), s = g.initState();
      const ws = g.createWorkspace(c.batch, 1);
      nets.push({
        fwd: () => void g.forward(p, s, x, ws, false),
        fwdTrain: () => void g.forward(p, s, x, ws, true),
        step: () => void g.backward(p, s, x, dout, ws),
      });
    }
    const fwd = timeMs(nets.map((n) => n.fwd), iters);
    const fwdTrain = timeMs(nets.map((n) => n.fwdTrain), iters);
    const step = timeMs(nets.map((n) => n.step), iters);
    const macs = model.macs * c.batch;
    const gf = (flops: number, ms: number) => (macs === 0 ? "—" : (flops / (ms * 1e6)).toFixed(2));
    const cells = nets.flatMap((_, k) => {
      const bwd = Math.max(1e-6, step[k]! - fwdTrain[k]!);
      return [fwd[k]!.toFixed(2), gf(2 * macs, fwd[k]!), bwd.toFixed(2), gf(4 * macs, bwd)];
    });
    let tfCells = ["—", "—", "—"];
    if (tf !== undefined && model.layers[0]!.args.op === "conv") {
      const a = model.layers[0]!.args as { filters: number; kernel: [number, number]; stride: [number, number]; pad: [number, number, number, number]; groups: number };
      const [C, H, W] = c.input;
      const xt = tf.randomNormal([c.batch, H, W, C]);
      const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [a.pad[0], a.pad[1]], [a.pad[2], a.pad[3]], [0, 0]];
      const depthwise = a.groups === C && a.groups > 1;
      const w = depthwise ? tf.randomNormal([a.kernel[0], a.kernel[1], C, 1]) : tf.randomNormal([a.kernel[0], a.kernel[1], C, a.filters]);
      const run = () => {
        const x4 = xt as import("@tensorflow/tfjs").Tensor4D, w4 = w as import("@tensorflow/tfjs").Tensor4D;
        const y = depthwise ? tf!.depthwiseConv2d(x4, w4, a.stride, pad) : tf!.conv2d(x4, w4, a.stride, pad);
        y.dataSync();
        y.dispose();
      };
      // interleaved with this tree's forward, so both see the same load
      const [tms, mine] = timeMs([run, nets[nets.length - 1]!.fwd], iters);
      tfCells = [tms!.toFixed(2), gf(2 * macs, tms!), (tms! / mine!).toFixed(2)];
      xt.dispose();
      w.dispose();
    }
    const row = [c.name, c.kind, `${c.batch}×[${c.input.join(",")}]`, ...cells, ...tfCells];
    rows.push(`| ${row.join(" | ")} |`);
    console.error(row.join("  "));
  }
  console.log(rows.join("\n"));
}

await main();
