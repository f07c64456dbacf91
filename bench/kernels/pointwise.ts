// The 1×1 convolutions of ResNet-50 (most of its MACs) as the TS target emits
// them, against the JS GEMM limit (bench/gemm.ts) in the same process, rounds
// interleaved so that load elsewhere on the machine hits both alike. Each
// shape is one conv layer built alone as a loss-less f32 model; `backward` is
// the training-mode forward plus dWeight and dInput, so the backward passes
// alone take backward − forward(train). `npm run bench` runs it too.
//   node --import tsx bench/kernels/pointwise.ts [--rounds R] [--batch N]
import { compile } from "../../src/pipeline.ts";
import { buildGenerated, type GeneratedModule } from "../contenders/generated.ts";
import { gemmVariants } from "../gemm.ts";
import { median, timeIt } from "../stats.ts";
import { rng } from "../workloads.ts";

/** ResNet-50's stride-1 1×1 convs: [C, H, W] → filters. */
const SHAPES: { name: string; c: number; hw: number; f: number }[] = [
  { name: "layer1.0.conv1 (256→64 @56²)", c: 256, hw: 56, f: 64 },
  { name: "layer1.0.conv3 (64→256 @56²)", c: 64, hw: 56, f: 256 },
  { name: "layer3.1.conv1 (1024→256 @14²)", c: 1024, hw: 14, f: 256 },
];

/** The fastest GEMM variant at 256³ on this machine, picked once, then timed in every round. */
export function gemmLimit(): { name: string; run: () => void; flops: number } {
  const n = 256;
  const A = new Float32Array(n * n).map((_, i) => Math.sin(i * 0.37));
  const B = new Float32Array(n * n).map((_, i) => Math.cos(i * 0.11));
  const C = new Float32Array(n * n);
  let best = { name: "", ms: Infinity };
  for (const [name, g] of Object.entries(gemmVariants)) {
    const ms = median(timeIt(() => g(n, n, n, A, B, C), { warmup: 3, iters: 5 }));
    if (ms < best.ms) best = { name, ms };
  }
  const g = gemmVariants[best.name];
  return { name: best.name, run: () => g(n, n, n, A, B, C), flops: 2 * n ** 3 };
}

export interface PointwiseResult {
  /** the fastest GEMM variant, timed in the same rounds */
  limit: { name: string; gflops: number };
  rows: { name: string; batch: number; forward: { ms: number; gflops: number }; backward: { ms: number; gflops: number } }[];
}

/** Times every shape's forward and backward, interleaved round by round with the GEMM limit. */
export async function measurePointwise(rounds: number, N: number): Promise<PointwiseResult> {
  const limit = gemmLimit();
  const gemmMs: number[] = [];
  const rows: PointwiseResult["rows"] = [];
  for (const s of SHAPES) {
    const text = `model Pointwise {\n  input [${s.c}, ${s.hw}, ${s.hw}]\n  pw: conv(${s.f}, kernel=1, bias=false)\n}\n`;
    const model = compile(text, "pointwise.cnn").models[0];
    const mod = (await import(buildGenerated(model, "pointwise.cnn").path + `?${s.c}x${s.f}`)) as GeneratedModule;
    const p = mod.initParams(1);
    const st = mod.initState();
    const ws = mod.createWorkspace(N, 1);
    const r = rng(7);
    const x = new Float32Array(N * s.c * s.hw * s.hw).map(() => r() - 0.5);
    const dout = new Float32Array(N * s.f * s.hw * s.hw).map(() => r() - 0.5);
    const fwd = () => mod.forward(p, st, x, ws, true);
    const step = () => mod.backward!(p, st, x, dout, ws);
    const f: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 2; i++) (fwd(), step(), limit.run());
    for (let i = 0; i < rounds; i++) {
      gemmMs.push(...timeIt(limit.run, { warmup: 0, iters: 1 }));
      f.push(...timeIt(fwd, { warmup: 0, iters: 1 }));
      b.push(...timeIt(step, { warmup: 0, iters: 1 }));
    }
    const macs = N * s.c * s.f * s.hw * s.hw;
    const fMs = median(f);
    const bMs = median(b) - fMs;
    rows.push({ name: s.name, batch: N, forward: { ms: fMs, gflops: (2 * macs) / fMs / 1e6 }, backward: { ms: bMs, gflops: (4 * macs) / bMs / 1e6 } });
  }
  return { limit: { name: limit.name, gflops: limit.flops / median(gemmMs) / 1e6 }, rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const r = await measurePointwise(arg("--rounds", 5), arg("--batch", 2));
  console.log(`JS GEMM limit (${r.limit.name}, 256³, interleaved with the layers): ${r.limit.gflops.toFixed(2)} GFLOP/s`);
  const pct = (g: number) => `${g.toFixed(2)} GFLOP/s (${((100 * g) / r.limit.gflops).toFixed(0)} %)`;
  for (const row of r.rows) {
    console.log(`${row.name}  N=${row.batch}: forward ${row.forward.ms.toFixed(1)} ms ${pct(row.forward.gflops)} | backward ${row.backward.ms.toFixed(1)} ms ${pct(row.backward.gflops)}`);
  }
}
