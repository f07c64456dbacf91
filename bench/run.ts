// `npm run bench [-- --quick] [-- --only W2]`: the benchmark. Builds each
// workload with cnnc's own API, runs every contender in a fresh child process,
// prints one markdown table and writes bench/RESULTS.md.
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import type { ChildResult, Contender, Job, Timing } from "./child.ts";
import { buildGenerated } from "./contenders/generated.ts";
import { fmt, fmtBytes, markdownTable, median, quantile } from "./stats.ts";
import { flopsOf, isChain, isMerge, layerModel, loadModel, type Mode, ROOT, WORKLOADS, type Workload } from "./workloads.ts";
import type { Layer, Model } from "../src/ir.ts";
import { moduleMemory } from "../src/emit/module.ts";

const quick = process.argv.includes("--quick");
const onlyIdx = process.argv.indexOf("--only");
const only = onlyIdx > 0 ? process.argv[onlyIdx + 1] : undefined;
const log = (s: string) => process.stderr.write(s + "\n");

function runChild(job: Job): ChildResult {
  const t0 = performance.now();
  try {
    const stdout = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", `${ROOT}bench/child.ts`, JSON.stringify(job)], {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 64 << 20,
      stdio: ["ignore", "pipe", "pipe"],
      // one TF.js-cpu training step of ResNet-18 may take most of an hour on a quiet machine
      timeout: (job.once ? 180 : 60) * 60_000,
    });
    const lines = stdout.trim().split("\n");
    log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    return JSON.parse(lines[lines.length - 1]) as ChildResult;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return { timings: [], peakRss: 0, error: (err.stderr ?? err.message).split("\n").slice(0, 3).join(" ") };
  }
}

interface Row {
  w: Workload;
  model: Model;
  mode: Mode;
  contender: Contender;
  t?: Timing;
  peakRss: number;
  note: string;
}

interface Plan {
  contender: Contender;
  modes: Mode[];
  /** why these modes are not run */
  skip?: string;
  /** one timed call, no warm-up (see Job.once) */
  once?: boolean;
  note?: string;
}

/**
 * Workloads whose TF.js-cpu training step takes tens of minutes: one step, in
 * the full bench only. Each says what one step took when measured alone
 * (bench/kernels/train-step-cpu.ts: one forward, then one trainStep, nice 10, load average 1–14).
 */
const SLOW_TF_TRAIN = new Map([
  ["W4", "one step took ≈ 22.5 min of CPU, 89 min wall (2026-12-02)"],
  ["W6", "one step took 6.0 min of CPU, 50 min wall (2026-12-02)"],
]);

/**
 * Which contenders run which modes. ConvNetJS has no batchnorm (W3) and no
 * graphs (W4–W6). TF.js-cpu's training step (its conv backprop alone is ~16×
 * its forward) takes minutes per step from W2 on: --quick runs it on W1 only.
 * ResNet-18's (W4) and MobileNet v2's (W6) take tens of minutes on this
 * machine (SLOW_TF_TRAIN gives the measured time): the full bench times one
 * step of each, without a warm-up.
 */
function plan(w: Workload, model: Model): Plan[] {
  const slow = SLOW_TF_TRAIN.get(w.id);
  const tfTrain: Plan[] = slow
    ? quick
      ? [{ contender: "tfjs-cpu", modes: ["train"], skip: `skipped in --quick (the full bench times one step): ${slow}` }]
      : [{ contender: "tfjs-cpu", modes: ["train"], once: true, note: `one step, no warm-up; alone, ${slow}` }]
    : quick && w.id !== "W1"
      ? [{ contender: "tfjs-cpu", modes: ["train"], skip: "skipped in --quick" }]
      : [];
  return [
    { contender: "cnnc", modes: ["forward", "train"] },
    { contender: "cnnc-wasm", modes: ["forward", "train"] },
    { contender: "tfjs-cpu", modes: tfTrain.length > 0 ? ["forward"] : ["forward", "train"] },
    ...tfTrain,
    { contender: "tfjs-wasm", modes: ["forward"] },
    !isChain(model)
      ? { contender: "convnetjs", modes: ["forward", "train"], skip: "no add or concat in ConvNetJS" }
      : w.id === "W3"
        ? { contender: "convnetjs", modes: ["train"], skip: "no batchnorm in ConvNetJS" }
        : { contender: "convnetjs", modes: ["forward", "train"] },
  ];
}

/** Workloads whose TS-target layers are timed one by one. */
const PER_LAYER_JS = new Set(["W2", "W3", "W4", "W6"]);

/**
 * The layers timed alone: every single-input layer, except that a layer with
 * the same arguments and input shape as an earlier one (ResNet's repeated
 * blocks) takes that one's time. Returns the timed indices and, per layer,
 * the index whose time it takes (undefined for merges).
 */
function timedLayers(model: Model): { timed: number[]; source: (number | undefined)[] } {
  const first = new Map<string, number>();
  const source = model.layers.map((l, i) => {
    if (isMerge(model, i)) return undefined;
    const key = JSON.stringify([l.args, l.input]);
    if (!first.has(key)) first.set(key, i);
    return first.get(key);
  });
  return { timed: [...first.values()], source };
}

function main() {
  const started = Date.now();
  log(`cnnc bench${quick ? " (quick)" : ""}: GEMM limit…`);
  // The limit is measured before and after the contenders; the faster run
  // counts (a burst of load elsewhere on the machine only ever slows it down).
  const gemm = runChild({ kind: "gemm", quick });
  let limit = Math.max(...(gemm.gemm ?? []).map((g) => g.gflops));
  let wasmLimit = Math.max(...(gemm.wasmGemm ?? []).map((g) => g.gflops));
  const rows: Row[] = [];
  // formatted at the end, once the limit is final
  const layerTables: (() => string)[] = [];
  const sizes: string[][] = [];
  const turns: Turns[] = [];
  for (const w of WORKLOADS) {
    if (only && w.id !== only) continue;
    let model: Model;
    try {
      model = loadModel(w);
    } catch (e) {
      log(`${w.id}: ${(e as Error).message}`);
      continue;
    }
    let modulePath: string | undefined;
    let wasmPath: string | undefined;
    let buildNote = "";
    const plans = plan(w, model);
    try {
      const b = buildGenerated(model, w.file.replace(/^.*\//, ""));
      modulePath = b.path;
      sizes.push([w.id, model.name, fmtBytes(b.bytes), String(allocationsInHotPath(readFileSync(b.path, "utf8")))]);
      if (plans.some((p) => p.contender === "cnnc-wasm" && p.skip === undefined)) {
        const bw = buildGenerated(model, w.file.replace(/^.*\//, ""), "wasm");
        wasmPath = bw.path;
        sizes.push([w.id, `${model.name} (--target wasm)`, fmtBytes(bw.bytes), String(allocationsInHotPath(readFileSync(bw.path, "utf8")))]);
      }
    } catch (e) {
      buildNote = `build failed: ${(e as Error).message}`;
    }
    for (const p of plans) {
      if (p.skip) {
        for (const mode of p.modes) rows.push({ w, model, mode, contender: p.contender, peakRss: 0, note: p.skip });
        continue;
      }
      const path = p.contender === "cnnc-wasm" ? wasmPath : modulePath;
      if ((p.contender === "cnnc" || p.contender === "cnnc-wasm") && !path) {
        for (const mode of p.modes) rows.push({ w, model, mode, contender: p.contender, peakRss: 0, note: buildNote });
        continue;
      }
      log(`${w.id} ${p.contender} ${p.modes.join("+")}…`);
      const r = runChild({ kind: "run", contender: p.contender, workload: w.id, modes: p.modes, modules: path ? [path] : [], quick, once: p.once });
      if (r.workspaceBytes !== undefined) sizes[sizes.length - (p.contender === "cnnc" && wasmPath !== undefined ? 2 : 1)]!.splice(3, 0, fmtBytes(r.workspaceBytes));
      for (const mode of p.modes) {
        const t = r.timings.find((x) => x.mode === mode);
        rows.push({ w, model, mode, contender: p.contender, t, peakRss: r.peakRss, note: [p.note, r.error].filter((x) => x !== undefined).join("; ") });
      }
    }
    if (wasmPath) {
      log(`${w.id} cnnc-wasm and tfjs-wasm forward in turns…`);
      const r = runChild({ kind: "turns", workload: w.id, modules: [wasmPath], quick });
      turns.push(r.turns ? [w, model, r.turns] : [w, model, r.error ?? "no result"]);
    }
    // per-layer timing builds each single-input layer alone (a merge reads several values)
    const perLayer = (target: "ts" | "wasm") => {
      const label = target === "ts" ? w.id : `${w.id} (wasm)`;
      log(`${w.id} ${target === "ts" ? "cnnc" : "cnnc-wasm"} per-layer training step…`);
      try {
        const { timed, source } = timedLayers(model);
        const modules = timed.map((i) => buildGenerated(layerModel(model, i), w.file, target).path);
        const r = runChild({ kind: "layers", workload: w.id, modules, layers: timed, quick });
        const layers = r.layers;
        if (layers) layerTables.push(() => layerTable(w, model, byLayer(layers, timed, source), target === "ts" ? limit : wasmLimit, target === "ts" ? "JS" : "wasm"));
        else layerTables.push(() => `${label}: per-layer timing failed: ${r.error}`);
      } catch (e) {
        layerTables.push(() => `${label}: per-layer build failed: ${(e as Error).message}`);
      }
    };
    if (PER_LAYER_JS.has(w.id) && modulePath) perLayer("ts");
    if (wasmPath && (isChain(model) || PER_LAYER_JS.has(w.id))) perLayer("wasm");
  }
  log("1×1 convs against the GEMM limit…");
  const pointwise = runChild({ kind: "pointwise", quick });
  log("GEMM limit again…");
  const gemmAfter = runChild({ kind: "gemm", quick });
  const limitAfter = Math.max(...(gemmAfter.gemm ?? []).map((g) => g.gflops));
  const best = limitAfter > limit ? gemmAfter : gemm;
  const limitNote = `before the contenders ${fmt(limit)}, after ${fmt(limitAfter)} GFLOP/s`;
  limit = Math.max(limit, limitAfter);
  const wasmAfter = Math.max(...(gemmAfter.wasmGemm ?? []).map((g) => g.gflops));
  const wasmBest = wasmAfter > wasmLimit ? gemmAfter : gemm;
  const wasmNote = `before the contenders ${fmt(wasmLimit)}, after ${fmt(wasmAfter)} GFLOP/s`;
  wasmLimit = Math.max(wasmLimit, wasmAfter);
  const table = mainTable(rows, limit, wasmLimit);
  const build = quick ? "(not timed in --quick)" : buildTiming();
  const gemmLine = `JS limit (register-blocked f32 GEMM in plain JS, 256³, best variant, faster of two runs: ${limitNote}): **${fmt(limit)} GFLOP/s** (${(best.gemm ?? []).map((g) => `${g.name} ${fmt(g.gflops)}`).join(", ")})`;
  const cmd = `npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;
  const machine = `${cpus()[0]?.model ?? "unknown CPU"} (${cpus().length} cores), Node ${process.version}, ${process.platform}-${process.arch}`;
  const md = [
    "# cnnc benchmark results",
    "",
    `- date: ${new Date().toISOString()}`,
    `- machine: ${machine}`,
    `- command: \`${cmd}\` (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    `- ${gemmLine}`,
    `- wasm limit (the wasm target's own f32x4 kernels alone, bench/wasm-gemm.ts, 256³, faster of two runs: ${wasmNote}): **${fmt(wasmLimit)} GFLOP/s** (${(wasmBest.wasmGemm ?? []).map((g) => `${g.name} ${fmt(g.gflops)}`).join(", ")})`,
    "",
    "All f32, one thread, NCHW, batch per workload; each contender in a fresh child process.",
    "ms = median over n timed iterations after warm-up; GFLOP/s counts 2 × MACs of conv and affine, backward = 2 × forward.",
    "`cnnc ×` = the peer's time / cnnc's time in the same run (> 1: cnnc is faster); `cnnc` is the TypeScript target, `cnnc-wasm` the same model built with `--target wasm`. `% limit` is against the JS limit for cnnc and the wasm limit for cnnc-wasm. The machine is a shared 2-core VM: compare ratios within one run, not across runs.",
    "",
    table,
    "",
    "## The wasm target's forward against TF.js-wasm, in turns",
    "",
    "Both forwards in one child process, called alternately after two untimed calls each (at least 7 turns, more for short forwards: about 2 s of calls in `--quick`, 6 s in the full run), so a change in the shared machine's speed during the run hits both alike (the main table times each contender in its own process, one after the other). ms = median process CPU time (user + system) per call; `per turn` is the middle half (quartiles) of the ratios within each turn's pair of calls.",
    "",
    turnsTable(turns),
    "",
    "## Generated module size and workspace",
    "",
    markdownTable(
      ["workload", "model", "generated .ts", "workspace", "allocating expressions in forward/backward"],
      sizes.map((r) => (r.length === 5 ? r : [r[0], r[1], r[2], "—", r[3]])),
    ),
    "",
    workspaceTable(),
    "",
    "The last column counts `new …`, `.slice(`, `.map(`, `Array.from(`, array/object literals and spreads in the emitted forward, loss and backward passes (thrown errors excluded): 0 means a training step allocates nothing. The `heap` note in the main table is the heap growth per call with no GC between calls (smallest of 3 runs of 5 calls after the timing): a few hundred bytes is the measurement's own noise (the same loop around an empty function shows it); it also includes any V8 JIT work still going on, so it is an upper bound.",
    "",
    "## 1×1 convolutions",
    "",
    pointwiseTable(pointwise),
    "",
    "## Build",
    "",
    build,
    "",
    "## Per-layer time of the generated training step",
    "",
    "Each single-input layer built alone as a loss-less model reading its input shape, and its `backward` (training-mode forward + backward) timed; the sum differs from the whole step by the loss, the merges (add, concat: not timed alone) and call overhead. A layer with the same arguments and input shape as an earlier one takes that one's time (n says which). TS target: W2, W3, W4 and W6; wasm target: W1–W4 and W6. Each table ends with the time per kind of layer.",
    "",
    ...layerTables.map((f) => f()),
  ].join("\n");
  console.log(md);
  writeFileSync(`${ROOT}bench/RESULTS.md`, md + "\n");
  log(`wrote bench/RESULTS.md in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

type Turns = [Workload, Model, { wasm: number[]; tfjs: number[] } | string];

function turnsTable(turns: Turns[]): string {
  const rows = turns.map(([w, model, t]) => {
    if (typeof t === "string") return [w.id, model.name, String(w.batch), "—", "—", "—", "—", "0", t];
    const pairs = t.wasm.map((ms, i) => t.tfjs[i]! / ms);
    const ours = median(t.wasm), theirs = median(t.tfjs);
    const gf = (ms: number) => fmt(flopsOf(model, w.batch, "forward") / (ms * 1e6));
    return [w.id, model.name, String(w.batch), `${fmt(ours)} (${gf(ours)} GFLOP/s)`, `${fmt(theirs)} (${gf(theirs)} GFLOP/s)`, `**${fmt(theirs / ours)}×**`, `${fmt(quantile(pairs, 0.25))}–${fmt(quantile(pairs, 0.75))}×`, String(pairs.length), ""];
  });
  return markdownTable(["workload", "model", "batch", "cnnc-wasm ms", "TF.js-wasm ms", "TF.js-wasm / cnnc-wasm", "per turn", "n", "note"], rows);
}

function mainTable(rows: Row[], limit: number, wasmLimit: number): string {
  const out: string[][] = [];
  for (const r of rows) {
    const n = r.w.batch;
    const cnnc = rows.find((x) => x.w === r.w && x.mode === r.mode && x.contender === "cnnc")?.t;
    const t = r.t;
    const flops = flopsOf(r.model, n, r.mode);
    const gf = t ? flops / (t.ms * 1e6) : undefined;
    const ratio = t && cnnc && r.contender !== "cnnc" ? `${fmt(t.ms / cnnc.ms)}×` : "—";
    const own = r.contender === "cnnc" ? limit : r.contender === "cnnc-wasm" ? wasmLimit : undefined;
    const pct = t && own !== undefined ? `${fmt((100 * gf!) / own)}%` : "—";
    const note = [r.note];
    if (t && t.samples.length < 10) note.push(`only ${t.samples.length} timed iteration${t.samples.length > 1 ? "s" : ""}`);
    if (t && cnnc && r.contender !== "cnnc") note.push(agreement(r.mode, t, cnnc, r.model.loss === null));
    if (t && cnnc && r.contender === "cnnc-wasm") note.push(`**${fmt(cnnc.ms / t.ms)}× the TS target**`);
    if (t?.heapPerCall !== undefined && Number.isFinite(t.heapPerCall)) note.push(`heap +${fmtBytes(Math.round(t.heapPerCall))}/call`);
    out.push([
      r.w.id,
      r.mode === "forward" ? "forward" : "train step",
      r.contender,
      t ? fmt(t.ms) : "—",
      t ? fmt((1000 * n) / t.ms) : "—",
      gf !== undefined ? fmt(gf) : "—",
      ratio,
      pct,
      t ? String(t.samples.length) : "—",
      r.peakRss ? fmtBytes(r.peakRss) : "—",
      note.filter((s) => s !== "").join("; "),
    ]);
  }
  return markdownTable(["workload", "mode", "contender", "ms/batch", "images/s", "GFLOP/s", "cnnc ×", "% limit", "n", "peak RSS", "notes"], out);
}

/** ResNet-50's stride-1 1×1 convs (its bottlenecks' conv1 and conv3) against the JS GEMM limit timed in the same rounds. */
function pointwiseTable(r: ChildResult): string {
  const p = r.pointwise;
  if (!p) return `1×1 convs: measurement failed: ${r.error}`;
  const pct = (g: number) => `${fmt((100 * g) / p.limit.gflops)}%`;
  const rows = p.rows.map((row) => [row.name, String(row.batch), fmt(row.forward.ms), fmt(row.forward.gflops), pct(row.forward.gflops), fmt(row.backward.ms), fmt(row.backward.gflops), pct(row.backward.gflops)]);
  return [
    `Each conv built alone (TS target, f32) and timed round by round with the fastest GEMM variant (${p.limit.name}, 256³: **${fmt(p.limit.gflops)} GFLOP/s** in these rounds), \`bench/kernels/pointwise.ts\`; backward = dWeight + dInput (the \`backward\` call minus a training forward), 4 × MACs FLOPs.`,
    "",
    markdownTable(["layer of ResNet-50", "batch", "forward ms", "GFLOP/s", "% limit", "backward ms", "GFLOP/s", "% limit"], rows),
  ].join("\n");
}

/**
 * What createWorkspace(8) allocates for the TS target (f32) of ResNet-18 and
 * ResNet-50, from the emitter's own buffer plan (the generated
 * workspaceBytes), against the sum of every layer's output at batch 8: the
 * workspace holds activations, gradients, scratch and parameter gradients, and
 * reuses buffers whose lifetimes do not overlap.
 */
function workspaceTable(): string {
  const batch = 8;
  const rows = ["examples/zoo/resnet18.cnn", "examples/zoo/resnet50.cnn"].map((file) => {
    const model = loadModel({ file });
    const { workspace } = moduleMemory(model, { dtype: "f32", sourceName: file });
    const bytes = batch * workspace.perSample + workspace.fixed;
    const activations = 4 * batch * model.layers.reduce((a, l) => a + l.output.reduce((x, y) => x * y, 1), 0);
    return [model.name, String(batch), fmtBytes(bytes), `${bytes}`, fmtBytes(activations), `${fmt(bytes / activations)}×`];
  });
  return [
    `Workspace of the TypeScript target at batch ${batch} (\`workspaceBytes(${batch})\` of the generated module: activations, their gradients, scratch and parameter gradients, buffers with disjoint lifetimes sharing memory), against the sum of every layer's forward output alone:`,
    "",
    markdownTable(["model", "batch", "workspace", "bytes", "sum of all activations", "workspace / activations"], rows),
  ].join("\n");
}

/** `cnnc build examples/vgg16.cnn` as a user runs it (wall time includes Node and tsx start-up), and its output size. */
function buildTiming(): string {
  const out = `${ROOT}.tmp/bench/vgg16/`;
  try {
    const t0 = performance.now();
    execFileSync(`${ROOT}bin/cnnc`, ["build", "examples/vgg16.cnn", "-o", out], { cwd: ROOT, stdio: "ignore" });
    const ms = performance.now() - t0;
    const t1 = performance.now();
    execFileSync(`${ROOT}bin/cnnc`, ["explain", "E0301"], { cwd: ROOT, stdio: "ignore" });
    const startup = performance.now() - t1;
    const bytes = readFileSync(`${out}VGG16.ts`).length;
    const t2 = performance.now();
    execFileSync(`${ROOT}bin/cnnc`, ["build", "examples/vgg16.cnn", "--target", "wasm", "-o", `${out}wasm/`], { cwd: ROOT, stdio: "ignore" });
    const wasmMs = performance.now() - t2;
    const wasmBytes = readFileSync(`${out}wasm/VGG16.ts`).length;
    return `\`cnnc build examples/vgg16.cnn\`: ${fmt(ms)} ms wall (of which ~${fmt(startup)} ms is Node + tsx start-up, timed as \`cnnc explain E0301\`); VGG16.ts ${fmtBytes(bytes)} (${bytes} bytes). Targets: < 1 s, < 300 KB.\n\n\`cnnc build --target wasm examples/vgg16.cnn\`: ${fmt(wasmMs)} ms wall; VGG16.ts ${fmtBytes(wasmBytes)} (${wasmBytes} bytes, the module embedded as base64). Targets: < 2 s, < 1 MB.`;
  } catch (e) {
    return `cnnc build examples/vgg16.cnn failed: ${(e as Error).message.split("\n")[0]}`;
  }
}

/**
 * Allocation sites in the emitted hot path: the text from `function forwardPass`
 * up to `export function activationPattern` (forward, loss, backward and their
 * exported wrappers), thrown errors excluded.
 */
function allocationsInHotPath(text: string): number {
  const start = text.indexOf("function forwardPass");
  const end = text.indexOf("export function activationPattern");
  if (start < 0) return NaN;
  const hot = text.slice(start, end < 0 ? undefined : end).replace(/throw new \w+\([^;]*;/g, "");
  return (hot.match(/\bnew \w+|\.slice\(|\.map\(|Array\.from\(|=\s*\[|=\s*\{\s*\w+\s*:|\.\.\.\w/g) ?? []).length;
}

/**
 * How far a peer's logits (forward) or loss (train) are from cnnc's: a sanity
 * check that they computed the same thing. A loss-less model's training step
 * is compared by the sum of dx², relative.
 */
function agreement(mode: Mode, t: Timing, cnnc: Timing, lossLess: boolean): string {
  let d = 0;
  for (let i = 0; i < Math.min(t.check.length, cnnc.check.length); i++) d = Math.max(d, Math.abs(t.check[i] - cnnc.check[i]));
  if (mode === "train" && lossLess) return `Σdx² vs cnnc: relative difference ${(d / Math.max(Math.abs(cnnc.check[0] ?? 0), 1e-30)).toExponential(1)}`;
  return `${mode === "forward" ? "max |Δlogit|" : "|Δloss|"} vs cnnc ${d.toExponential(1)}`;
}

interface LayerTime {
  ms: number;
  /** timed samples, or the name of the identical layer whose time this is */
  n: string;
}

/** Each layer's time (undefined for a merge) from the timed layers'. */
function byLayer(layers: { name: string; ms: number; samples: number }[], timed: number[], source: (number | undefined)[]): (LayerTime | undefined)[] {
  return source.map((j, i) => {
    if (j === undefined) return undefined;
    const t = layers[timed.indexOf(j)];
    if (t === undefined) return undefined;
    return { ms: t.ms, n: j === i ? String(t.samples) : `= ${t.name}` };
  });
}

const isDepthwise = (l: Layer) => l.args.op === "conv" && l.args.groups > 1 && l.args.groups === l.input[0] && l.args.filters === l.args.groups;

/** A conv's shape in a few words (a graph's layer source names its block's parameters, not their values). */
function describe(l: Layer): string {
  const a = l.args;
  if (a.op !== "conv") return l.from.length > 1 ? a.op : l.source.replace(/^\s*[\w.]+\s*:\s*/, "").replace(/\s+/g, " ");
  const parts = [`${a.filters}`, `${a.kernel[0]}×${a.kernel[1]}`];
  if (a.stride[0] > 1 || a.stride[1] > 1) parts.push(`stride ${a.stride[0]}`);
  if (a.dilation[0] > 1 || a.dilation[1] > 1) parts.push(`dilation ${a.dilation[0]}`);
  if (isDepthwise(l)) parts.push("depthwise");
  else if (a.groups > 1) parts.push(`groups ${a.groups}`);
  return `conv(${parts.join(", ")})`;
}

/** The kind a layer's time is summed under: convs by window, stride and grouping, other layers by op. */
function kindOf(l: Layer): string {
  const a = l.args;
  if (a.op !== "conv") return a.op;
  const strided = a.stride[0] > 1 || a.stride[1] > 1 ? " strided" : "";
  if (isDepthwise(l)) return `conv depthwise ${a.kernel[0]}×${a.kernel[1]}${strided}`;
  return `conv ${a.kernel[0]}×${a.kernel[1]}${strided}${a.groups > 1 ? " grouped" : ""}`;
}

function layerTable(w: Workload, model: Model, times: (LayerTime | undefined)[], limit: number, target: "JS" | "wasm"): string {
  const total = times.reduce((a, t) => a + (t?.ms ?? 0), 0);
  const gflopsOf = (layer: Layer, ms: number) => (layer.macs > 0 ? (3 * 2 * layer.macs * w.batch) / (ms * 1e6) : undefined);
  const rows = model.layers.map((layer, i) => {
    const t = times[i];
    const gf = t ? gflopsOf(layer, t.ms) : undefined;
    return [
      layer.name,
      describe(layer),
      `[${layer.output.join(", ")}]`,
      t ? fmt(t.ms) : "—",
      t ? `${fmt((100 * t.ms) / total)}%` : "—",
      gf !== undefined ? fmt(gf) : "—",
      gf !== undefined ? `${fmt((100 * gf) / limit)}%` : "—",
      t ? t.n : "merge: not timed alone",
    ];
  });
  rows.push(["total", "", "", fmt(total), "100%", "", "", ""]);
  const kinds = new Map<string, { count: number; ms: number; macs: number }>();
  model.layers.forEach((layer, i) => {
    const t = times[i];
    if (!t) return;
    const k = kinds.get(kindOf(layer)) ?? { count: 0, ms: 0, macs: 0 };
    kinds.set(kindOf(layer), { count: k.count + 1, ms: k.ms + t.ms, macs: k.macs + layer.macs });
  });
  const kindRows = [...kinds.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([kind, k]) => {
      const gf = k.macs > 0 ? (3 * 2 * k.macs * w.batch) / (k.ms * 1e6) : undefined;
      return [kind, String(k.count), fmt(k.ms), `${fmt((100 * k.ms) / total)}%`, gf !== undefined ? fmt(gf) : "—", gf !== undefined ? `${fmt((100 * gf) / limit)}%` : "—"];
    });
  const title = `### ${w.id} ${model.name}, batch ${w.batch}${target === "wasm" ? ", --target wasm" : ""}`;
  return [
    title,
    "",
    markdownTable(["layer", "op", "output", "ms", "share", "GFLOP/s", `% ${target} limit`, "n"], rows),
    "",
    markdownTable(["kind", "layers", "ms", "share", "GFLOP/s", `% ${target} limit`], kindRows),
    "",
  ].join("\n");
}

main();
