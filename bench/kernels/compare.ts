// Same-process, round-robin comparison of the conv layer cnnc emits today
// (the layer built alone; its `backward` = training-mode forward + backward)
// with the recommended kernels of KERNELS.md (pad → direct 1f×4px sliding
// forward; direct 4f×KB dWeight on the saved padded input; pad dy → direct
// 1c×4px sliding correlation with flipped weights read in place for dInput).
//   node --import tsx bench/kernels/compare.ts
import { buildGenerated, loadGenerated } from "../contenders/generated.ts";
import { median, timeIt } from "../stats.ts";
import { layerModel, loadModel, makeData, WORKLOADS } from "../workloads.ts";
import { genBiasGrad, genDirect, genDirectDW, genPad } from "./conv.ts";
import { maxAbsErr, naiveBackward, naiveForward } from "./naive.ts";
import { AFFINE_ARGS, genBlocked } from "./affine.ts";

interface Case {
  workload: string;
  layer: string;
}
const CASES: Case[] = [
  { workload: "W2", layer: "affine1" },
  { workload: "W1", layer: "f5" },
  { workload: "W2", layer: "conv1" },
  { workload: "W3", layer: "conv1" },
  { workload: "W3", layer: "conv2" },
  { workload: "W3", layer: "conv3" },
  { workload: "W3", layer: "conv4" },
];

/** The recommended training step of one stride-1 conv layer, as one generated function. */
function recommended(N: number, C: number, H: number, W: number, F: number, K: number, p: number): string {
  const HP = H + 2 * p, WP = W + 2 * p, OH = HP - K + 1, OW = WP - K + 1;
  const q = K - 1 - p;
  const KB = K <= 4 ? K : 4;
  return [
    "// forward",
    genPad(N, C, H, W, p, p, p, p),
    genDirect({ N, C, HP, WP, F, KH: K, KW: K, MB: 1, NB: 4, slide: true, bias: true, weights: "torch" }).replaceAll("wp[", "w[").replaceAll("bias[", "b["),
    "// dWeight, dBias (reads the padded input kept from the forward)",
    genDirectDW({ N, C, HP, WP, F, KH: K, KW: K, MB: 4, KB }),
    genBiasGrad(N, F, OH * OW),
    "// dInput: pad dy, correlate with the flipped weights",
    genPad(N, F, OH, OW, q, q, q, q).replaceAll("xp[", "dyp[").replaceAll("x[", "dy["),
    genDirect({ N, C: F, HP: OH + 2 * q, WP: OW + 2 * q, F: C, KH: K, KW: K, MB: 1, NB: 4, slide: true, bias: false, weights: "torch-flipped" })
      .replaceAll("xp[", "dyp[")
      .replaceAll("wp[", "w[")
      .replaceAll("y[", "dx["),
  ].join("\n");
}

async function main() {
  const rounds = Number(process.env.ROUNDS ?? 7);
  for (const c of CASES) {
    const w = WORKLOADS.find((x) => x.id === c.workload)!;
    const model = loadModel(w);
    const idx = model.layers.findIndex((l) => l.name === c.layer);
    const sub = layerModel(model, idx);
    const l = model.layers[idx];
    if (l.args.op === "affine") {
      await compareAffine(c, w.batch, sub, l, rounds);
      continue;
    }
    if (l.args.op !== "conv") throw new Error("not a conv");
    const N = w.batch, [C, H, W] = l.input, F = l.args.filters, K = l.args.kernel[0], p = l.args.pad[0];
    const data = makeData(sub, N, 3);
    const gen = await loadGenerated(buildGenerated(sub, w.file).path, data, N, l.output.reduce((a, b) => a * b, 1));
    const HP = H + 2 * p, WP = W + 2 * p, OH = l.output[1], OW = l.output[2], q = K - 1 - p;
    const buf = {
      x: data.x,
      xp: new Float32Array(N * C * HP * WP),
      w: data.params[`${l.name}.weight`],
      b: data.params[`${l.name}.bias`],
      y: new Float32Array(N * F * OH * OW),
      dy: new Float32Array(N * F * OH * OW).fill(1 / N),
      dyp: new Float32Array(N * F * (OH + 2 * q) * (OW + 2 * q)),
      dw: new Float32Array(F * C * K * K),
      db: new Float32Array(F),
      dx: new Float32Array(N * C * H * W),
    };
    const names = Object.keys(buf) as (keyof typeof buf)[];
    const fn = new Function(...names, `"use strict";\n${recommended(N, C, H, W, F, K, p)}`) as (...a: Float32Array[]) => void;
    const rec = () => fn(...names.map((k) => buf[k]));
    // verify the assembled step at batch 2 against the naive f64 loops
    {
      const n2 = 2;
      const s2 = { name: "", N: n2, C, H, W, F, KH: K, KW: K, pt: p, pb: p, pl: p, pr: p };
      const small = { ...buf, x: buf.x.subarray(0, n2 * C * H * W), dy: buf.dy.map((_, i) => Math.sin(i)).subarray(0, n2 * F * OH * OW) };
      small.xp = new Float32Array(n2 * C * HP * WP);
      small.y = new Float32Array(n2 * F * OH * OW);
      small.dyp = new Float32Array(n2 * F * (OH + 2 * q) * (OW + 2 * q));
      small.dx = new Float32Array(n2 * C * H * W);
      small.dw = new Float32Array(buf.dw.length);
      small.db = new Float32Array(F);
      const f2 = new Function(...names, `"use strict";\n${recommended(n2, C, H, W, F, K, p)}`) as (...a: Float32Array[]) => void;
      f2(...names.map((k) => small[k]));
      const ry = naiveForward(s2, small.x, small.w, small.b);
      const rb = naiveBackward(s2, small.x, small.w, small.dy);
      const err = Math.max(maxAbsErr(small.y, ry), maxAbsErr(small.dx, rb.dx), maxAbsErr(small.dw, rb.dw), maxAbsErr(small.db, rb.db));
      if (err > 1e-3) throw new Error(`recommended kernels disagree with the naive loops: ${err}`);
      console.log(`  (verified at batch 2: max abs error ${err.toExponential(1)})`);
    }
    const emitted = () => gen.trainStep();
    rec();
    emitted();
    const a: number[] = [], b: number[] = [];
    for (let r = 0; r < rounds; r++) {
      a.push(...timeIt(emitted, { warmup: 0, iters: 1 }));
      b.push(...timeIt(rec, { warmup: 0, iters: 1 }));
    }
    const flops = 6 * l.macs * N;
    const ma = median(a), mb = median(b);
    console.log(
      `${c.workload} ${l.name} ${l.source.replace(/\s+/g, " ")} [${l.input}]→[${l.output}] N${N}: emitted ${ma.toFixed(1)} ms (${(flops / ma / 1e6).toFixed(2)} GFLOP/s, best ${Math.min(...a).toFixed(1)}) | recommended ${mb.toFixed(1)} ms (${(flops / mb / 1e6).toFixed(2)} GFLOP/s, best ${Math.min(...b).toFixed(1)}) | ${(ma / mb).toFixed(1)}× faster`,
    );
  }
}

/** Affine: the emitted layer against `genBlocked` (verified in affine.ts), both forward + backward. */
async function compareAffine(c: Case, N: number, sub: ReturnType<typeof layerModel>, l: ReturnType<typeof layerModel>["layers"][number], rounds: number) {
  if (l.args.op !== "affine") return;
  const M = l.args.features, D = l.input.reduce((a, b) => a * b, 1);
  const data = makeData(sub, N, 3);
  const gen = await loadGenerated(buildGenerated(sub, "bench").path, data, N, M);
  const RM = M % 5 === 0 ? 5 : M % 4 === 0 ? 4 : M % 2 === 0 ? 2 : 1;
  const fn = new Function(...AFFINE_ARGS, `"use strict";${genBlocked({ name: "", N, D, M }, 2, RM, 4)}`) as (...a: unknown[]) => void;
  const o = { y: new Float32Array(N * M), dy: new Float32Array(N * M).fill(1 / N), gw: new Float32Array(M * D), gb: new Float32Array(M), dx: new Float32Array(N * D) };
  const rec = () => fn(N, data.x, data.params[`${l.name}.weight`], data.params[`${l.name}.bias`], o.y, o.dy, o.gw, o.gb, o.dx);
  const emitted = () => gen.trainStep();
  rec();
  emitted();
  const a: number[] = [], b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    a.push(...timeIt(emitted, { warmup: 0, iters: 1 }));
    b.push(...timeIt(rec, { warmup: 0, iters: 1 }));
  }
  const flops = 6 * l.macs * N;
  const ma = median(a), mb = median(b);
  console.log(
    `${c.workload} ${l.name} ${l.source.replace(/\s+/g, " ")} D=${D} M=${M} N${N}: emitted ${ma.toFixed(1)} ms (${(flops / ma / 1e6).toFixed(2)} GFLOP/s) | blocked 2n×${RM}m/${RM}m×4i/2n×4i ${mb.toFixed(1)} ms (${(flops / mb / 1e6).toFixed(2)} GFLOP/s) | ${(ma / mb).toFixed(1)}× faster`,
  );
}

main();
