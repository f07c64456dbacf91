// One conv layer of each kind ResNet-18 and MobileNet v2 are made of (stem
// 7×7/2, 3×3 of stride 1 and 2, 1×1 of stride 1 and 2, depthwise 3×3 of
// stride 1 and 2), each built alone as a loss-less f32 model of the TS target
// and timed round by round with the JS GEMM limit (bench/gemm.ts), so load
// elsewhere on the machine hits both alike. backward = dWeight + dInput (the
// `backward` call minus a training-mode forward). With --ab, each layer is
// also built with the general window code (emitModule's strategy "window",
// what strided and depthwise convs got before their own kernels) and the two
// are timed in the same rounds.
//   node --import tsx bench/kernels/conv-kinds.ts [--rounds R] [--batch N] [--only SUBSTRING] [--ab]
import { compile } from "../../src/pipeline.ts";
import { mkdirSync, writeFileSync } from "node:fs";
import { emitModule, layerStrategies } from "../../src/emit/module.ts";
import { BUILD_DIR, type GeneratedModule } from "../contenders/generated.ts";
import { median, timeIt } from "../stats.ts";
import { rng } from "../workloads.ts";
import { gemmLimit } from "./pointwise.ts";

/** [C, H, W] and the conv's arguments as written in a .cnn file. */
export const KINDS: { name: string; input: [number, number, number]; conv: string }[] = [
  { name: "resnet18 conv1 7×7/2 3→64 @224", input: [3, 224, 224], conv: "conv(64, kernel=7, stride=2, pad=3, bias=false)" },
  { name: "resnet18 layer1 3×3/1 64→64 @56", input: [64, 56, 56], conv: "conv(64, kernel=3, pad=1, bias=false)" },
  { name: "resnet18 layer2.0.conv1 3×3/2 64→128 @56", input: [64, 56, 56], conv: "conv(128, kernel=3, stride=2, pad=1, bias=false)" },
  { name: "resnet18 layer2.0.downsample 1×1/2 64→128 @56", input: [64, 56, 56], conv: "conv(128, kernel=1, stride=2, bias=false)" },
  { name: "resnet18 layer3 3×3/1 256→256 @14", input: [256, 14, 14], conv: "conv(256, kernel=3, pad=1, bias=false)" },
  { name: "resnet18 layer4 3×3/1 512→512 @7", input: [512, 7, 7], conv: "conv(512, kernel=3, pad=1, bias=false)" },
  { name: "mobilenet_v2 dw 3×3/1 144 @56", input: [144, 56, 56], conv: "conv(144, kernel=3, pad=1, groups=144, bias=false)" },
  { name: "mobilenet_v2 dw 3×3/2 96 @112", input: [96, 112, 112], conv: "conv(96, kernel=3, stride=2, pad=1, groups=96, bias=false)" },
  { name: "mobilenet_v2 dw 3×3/1 960 @7", input: [960, 7, 7], conv: "conv(960, kernel=3, pad=1, groups=960, bias=false)" },
  { name: "mobilenet_v2 1×1 32→192 @56 (expand)", input: [32, 56, 56], conv: "conv(192, kernel=1, bias=false)" },
];

export interface KindRow {
  name: string;
  strategy: string;
  forward: { ms: number; gflops: number };
  backward: { ms: number; gflops: number };
}

type Strategy = "auto" | "window";

export async function measureKinds(
  rounds: number,
  N: number,
  only?: string,
  strategies: Strategy[] = ["auto"],
): Promise<{ limit: { name: string; gflops: number }; rows: KindRow[] }> {
  const limit = gemmLimit();
  const gemmMs: number[] = [];
  const rows: KindRow[] = [];
  mkdirSync(BUILD_DIR, { recursive: true });
  for (const [i, k] of KINDS.entries()) {
    if (only && !k.name.includes(only)) continue;
    const text = `model Kind${i} {\n  input [${k.input.join(", ")}]\n  c: ${k.conv}\n}\n`;
    const model = compile(text, "kind.cnn").models[0];
    const layer = model.layers[0];
    const r = rng(7);
    const x = new Float32Array(N * k.input.reduce((a, b) => a * b, 1)).map(() => r() - 0.5);
    const dout = new Float32Array(N * layer.output.reduce((a, b) => a * b, 1)).map(() => r() - 0.5);
    const runs: { label: string; fwd: () => unknown; step: () => unknown; f: number[]; b: number[] }[] = [];
    for (const strategy of strategies) {
      const path = `${BUILD_DIR}Kind${i}-${strategy}.ts`;
      writeFileSync(path, emitModule(model, { dtype: "f32", sourceName: "kind.cnn", strategy }));
      const mod = (await import(path + `?${Date.now()}`)) as GeneratedModule;
      const p = mod.initParams(1);
      const st = mod.initState();
      const ws = mod.createWorkspace(N, 1);
      const label = strategy === "auto" ? (layerStrategies(model, { dtype: "f32", sourceName: "kind.cnn" })[layer.name] ?? "?") : "window (general code)";
      runs.push({ label, fwd: () => mod.forward(p, st, x, ws, true), step: () => mod.backward!(p, st, x, dout, ws), f: [], b: [] });
    }
    for (let j = 0; j < 2; j++) for (const run of runs) (run.fwd(), run.step(), limit.run());
    for (let j = 0; j < rounds; j++) {
      gemmMs.push(...timeIt(limit.run, { warmup: 0, iters: 1 }));
      for (const run of runs) {
        run.f.push(...timeIt(run.fwd, { warmup: 0, iters: 1 }));
        run.b.push(...timeIt(run.step, { warmup: 0, iters: 1 }));
      }
    }
    const macs = N * layer.macs;
    for (const run of runs) {
      const fMs = median(run.f);
      const bMs = median(run.b) - fMs;
      rows.push({ name: k.name, strategy: run.label, forward: { ms: fMs, gflops: (2 * macs) / fMs / 1e6 }, backward: { ms: bMs, gflops: (4 * macs) / bMs / 1e6 } });
      console.error(`  ${k.name} [${run.label}]: forward ${fMs.toFixed(1)} ms, backward ${bMs.toFixed(1)} ms`);
    }
  }
  return { limit: { name: limit.name, gflops: limit.flops / median(gemmMs) / 1e6 }, rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const r = await measureKinds(Number(arg("--rounds") ?? 3), Number(arg("--batch") ?? 1), arg("--only"), process.argv.includes("--ab") ? ["window", "auto"] : ["auto"]);
  console.log(`JS GEMM limit (${r.limit.name}, 256³, interleaved with the layers): ${r.limit.gflops.toFixed(2)} GFLOP/s`);
  const pct = (g: number) => `${g.toFixed(3)} GFLOP/s (${((100 * g) / r.limit.gflops).toFixed(0)} %)`;
  for (const row of r.rows) {
    console.log(`${row.name} [${row.strategy}]: forward ${row.forward.ms.toFixed(1)} ms ${pct(row.forward.gflops)} | backward ${row.backward.ms.toFixed(1)} ms ${pct(row.backward.gflops)}`);
  }
}
