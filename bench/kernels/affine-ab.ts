// Same-process A/B of the emitted affine layer: the emitter before the
// register-blocked loops (read from git at BEFORE) against today's, on W2's
// affine1, W1's f5 and the MLP example; round-robin, medians. First checks
// today's emitter against naive f64 loops on shapes with every remainder
// (M % 5, D % 4, odd batches, bias or not).
//   node --import tsx bench/kernels/affine-ab.ts
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { emitModule } from "../../src/emit/module.ts";
import { opEmitters } from "../../src/emit/ops/index.ts";
import { compile } from "../../src/pipeline.ts";
import type { Model } from "../../src/ir.ts";
import { loadGenerated } from "../contenders/generated.ts";
import { median, timeIt } from "../stats.ts";
import { layerModel, loadModel, makeData, ROOT, WORKLOADS } from "../workloads.ts";

/** The last commit with the 4-sample-block affine emitter. */
const BEFORE = "0e076e3";
const DIR = `${ROOT}.tmp/affine-ab/`;
mkdirSync(DIR, { recursive: true });
writeFileSync(
  `${DIR}affine-before.ts`,
  execFileSync("git", ["show", `${BEFORE}:src/emit/ops/affine.ts`], { cwd: ROOT, encoding: "utf8" }).replace(
    'from "../context.ts"',
    `from ${JSON.stringify(`${ROOT}src/emit/context.ts`)}`,
  ),
);
const { affine: oldAffine } = (await import(`${DIR}affine-before.ts`)) as { affine: typeof opEmitters.affine };
const newAffine = opEmitters.affine;

function emit(model: Model, which: "old" | "new", dtype: "f32" | "f64" = "f32"): string {
  opEmitters.affine = which === "old" ? oldAffine : newAffine;
  const text = emitModule(model, { dtype, sourceName: "ab" });
  opEmitters.affine = newAffine;
  const path = `${DIR}${model.name}_${which}_${dtype}.ts`;
  writeFileSync(path, text);
  return path;
}

// 1. remainders: new f64 module vs naive f64 loops
async function checkShapes() {
  let worst = 0, count = 0;
  for (const M of [1, 3, 4, 5, 7, 10, 13]) for (const D of [1, 3, 4, 5, 9]) for (const bias of [true, false]) {
    const src = `model A${M}x${D}${bias ? "b" : "n"} {\n  input [${D}]\n  fc: affine(${M}${bias ? "" : ", bias=false"})\n}\n`;
    const r = compile(src, "t.cnn");
    if (!r.models[0]) throw new Error(JSON.stringify(r.diagnostics[0]));
    const mod = await import(emit(r.models[0], "new", "f64"));
    for (const N of [1, 2, 3, 5]) {
      const p = mod.initParams(M + D);
      const w = p["fc.weight"], b = p["fc.bias"];
      if (b) for (let j = 0; j < M; j++) b[j] = Math.sin(j + 1);
      const ws = mod.createWorkspace(N);
      const x = Float64Array.from({ length: N * D }, (_, i) => Math.cos(i * 1.3 + M));
      const dout = Float64Array.from({ length: N * M }, (_, i) => Math.sin(i * 0.7 + D));
      const y = mod.forward(p, mod.initState(), x, ws).slice();
      const g = mod.backward(p, mod.initState(), x, dout, ws);
      for (let n = 0; n < N; n++) for (let j = 0; j < M; j++) {
        let t = b ? b[j] : 0;
        for (let i = 0; i < D; i++) t += w[j * D + i] * x[n * D + i];
        worst = Math.max(worst, Math.abs(t - y[n * M + j]));
      }
      for (let j = 0; j < M; j++) for (let i = 0; i < D; i++) {
        let t = 0; for (let n = 0; n < N; n++) t += dout[n * M + j] * x[n * D + i];
        worst = Math.max(worst, Math.abs(t - g.grads["fc.weight"][j * D + i]));
      }
      if (b) for (let j = 0; j < M; j++) { let t = 0; for (let n = 0; n < N; n++) t += dout[n * M + j]; worst = Math.max(worst, Math.abs(t - g.grads["fc.bias"][j])); }
      for (let n = 0; n < N; n++) for (let i = 0; i < D; i++) {
        let t = 0; for (let j = 0; j < M; j++) t += dout[n * M + j] * w[j * D + i];
        worst = Math.max(worst, Math.abs(t - g.dx[n * D + i]));
      }
      count++;
    }
  }
  console.log(`remainder check: ${count} (M, D, bias, N) cases, max abs error vs naive f64 ${worst.toExponential(2)}`);
  if (!(worst < 1e-12)) throw new Error("mismatch");
}

async function ab(name: string, model: Model, N: number, rounds: number) {
  const data = makeData(model, N, 3);
  const outSize = model.output.reduce((a, b) => a * b, 1);
  const A = await loadGenerated(emit(model, "old"), data, N, outSize);
  const B = await loadGenerated(emit(model, "new"), data, N, outSize);
  const la = A.trainStep(), lb = B.trainStep();
  const fa = A.forward().slice(), fb = B.forward();
  let e = 0; for (let i = 0; i < fa.length; i++) e = Math.max(e, Math.abs(fa[i] - fb[i]));
  for (let i = 0; i < 3; i++) { A.trainStep(); B.trainStep(); }
  const a: number[] = [], b: number[] = [], af: number[] = [], bf: number[] = [];
  for (let r = 0; r < rounds; r++) {
    a.push(...timeIt(() => A.trainStep(), { warmup: 0, iters: 1 }));
    b.push(...timeIt(() => B.trainStep(), { warmup: 0, iters: 1 }));
    af.push(...timeIt(() => A.forward(), { warmup: 0, iters: 1 }));
    bf.push(...timeIt(() => B.forward(), { warmup: 0, iters: 1 }));
  }
  const f = (v: number[]) => `${median(v).toFixed(2)} ms (best ${Math.min(...v).toFixed(2)})`;
  console.log(`${name} N${N}: train step old ${f(a)} | new ${f(b)} | ${(median(a) / median(b)).toFixed(2)}×;  forward old ${f(af)} | new ${f(bf)} | ${(median(af) / median(bf)).toFixed(2)}×  [loss old ${la.toFixed(6)} new ${lb.toFixed(6)}, fwd max diff ${e.toExponential(1)}]`);
}

await checkShapes();
const rounds = Number(process.env.ROUNDS ?? 15);
const w2 = WORKLOADS.find((w) => w.id === "W2")!;
const m2 = loadModel(w2);
const sub = layerModel(m2, m2.layers.findIndex((l) => l.name === "affine1"));
const mlp = compile(readFileSync(`${ROOT}examples/mlp-mnist.cnn`, "utf8"), "examples/mlp-mnist.cnn").models[0]!;
const w1 = WORKLOADS.find((w) => w.id === "W1")!;
const m1 = loadModel(w1);
const f5 = layerModel(m1, m1.layers.findIndex((l) => l.name === "f5"));
for (let rep = 0; rep < 2; rep++) {
  await ab("W2 affine1 (D=8192, M=100)", sub, 50, rounds);
  await ab("MLP mlp-mnist.cnn", mlp, 64, rounds);
  await ab("W1 f5 (D=400, M=120)", f5, 64, rounds);
}
