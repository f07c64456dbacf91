// emit/gradcheck: checked IR Model → the text of `<Model>.gradcheck.ts`, the
// numerical gradient-check harness (docs/cli.md#cnnc-gradcheck): an f64 copy of the model (the
// module emitModule writes, embedded so the file imports nothing) plus a driver.
// Emits no diagnostics. The driver's method, in short:
// - centred differences (L(v+h) − L(v−h)) / 2h in f64 on the loss, computed
//   from the training-mode logits by the formula of docs/language.md#losses (and checked against
//   the module's own loss value); a model without a loss uses the scalar
//   Σ out·r for a fixed random projection r;
// - kinks: the activation pattern (ReLU signs, max-pool winners, hinge flags)
//   at v±h must equal the pattern at v; otherwise retry with h/10 and h/100,
//   and if it still changes the entry is reported as skipped, never passed;
// - dropout: one fixed mask (ws.freezeDropout after the first forward);
//   batchnorm running statistics: restored before every evaluation;
// - error per entry: CS231n's |a − n| / max(F, |a| + |n|), where F is 1e-8 or,
//   if larger, the smallest gradient the difference resolves to 1e-6 (the
//   default tol): 4 × the loss's measured rounding noise / h / 1e-6. Below F
//   the comparison is in effect absolute (|a − n| ≤ tol·F): an f64 difference
//   cannot tell a gradient of 1e-12 from 0 (a conv bias before batchnorm has
//   an exact gradient of 0). F does not depend on tol, so a tighter tol is
//   stricter everywhere and fails where the difference cannot deliver it.
// Default tol 1e-6: with h = 1e-5 the truncation error of a smooth loss is
// ~h² ≈ 1e-10 relative, so 1e-6 leaves room for curvature (norms over few
// values) yet is 3–4 orders below what any wrong backward gives.
import type { Model } from "../ir.ts";
import { type EmitOptions, emitModule, moduleMemory } from "./module.ts";
import { crossEntropyFormula, crossEntropyLabels, hasCrossEntropyOptions } from "./gradcheck-loss.ts";
import { MAX_TYPED_ARRAY_LENGTH, type WorkspaceSize } from "./workspace-size.ts";

export interface GradcheckEmitOptions {
  /** the source file as it should appear in comments, e.g. "lenet5.cnn" */
  sourceName: string;
  /** test-only: passed to emitModule (a deliberately wrong backward for this op) */
  perturb?: EmitOptions["perturb"];
  /**
   * "wasm": the analytic gradients come from the f32 WebAssembly module
   * `./<Model>.ts` (cnnc build --target wasm) written beside the harness; the
   * numeric side stays the embedded f64 module. Default tol 1e-3, and entries
   * below 1e-3 of their tensor's largest gradient, or 1e-5 of the model's, are
   * compared absolutely (f32 sums resolve no more). Default batch 4: a
   * batchnorm over two values has exactly-zero gradients upstream, which f32
   * computes as rounding noise.
   */
  target?: "wasm";
  /** where the harness imports the wasm module from; default `./<Model>.ts` (`cnnc gradcheck` writes `./<Model>.mjs`) */
  wasmImport?: string;
}

export function emitGradcheck(model: Model, opts: GradcheckEmitOptions): string {
  const module = emitModule(model, { dtype: "f64", sourceName: opts.sourceName, perturb: opts.perturb });
  const outSize = model.output.reduce((a, b) => a * b, 1);
  return `${module}

${emitDriver(model, outSize, opts)}`;
}

/** Copies of the activation pattern alive while one entry is checked: the base, v+h, v−h, and the two arrays an evaluation builds. */
const PATTERN_COPIES = 5;

/** What a gradient check allocates: the f64 workspace plus the harness's own arrays (see gradcheck() below). */
export function gradcheckMemory(model: Model): WorkspaceSize {
  const { workspace, patternPerSample } = moduleMemory(model, { dtype: "f64", sourceName: "" });
  const count = (shapes: number[][]) => shapes.reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);
  const inSize = count([model.input]);
  const outSize = count([model.output]);
  const svm = model.loss?.args.op === "svm";
  // the activation pattern, with the svm hinge flags appended
  const pattern = patternPerSample + (svm ? outSize : 0);
  const perSample =
    workspace.perSample +
    inSize * (8 + 8 + 4) + // x, the analytic dx, the sampled entries of dx
    (model.loss === null ? 8 * outSize : 4 * (outSize / model.output[0]!)) + // the projection, or the labels (one per position)
    (svm ? 4 * outSize : 0) + // hinge flags
    4 * pattern * PATTERN_COPIES;
  const params = count(model.layers.flatMap((l) => l.params.map((t) => t.shape)));
  const state = count(model.layers.flatMap((l) => l.state.map((t) => t.shape)));
  // parameters, their analytic gradients and sampled entries; the state and its saved copy
  const fixed = workspace.fixed + params * (8 + 8 + 4) + state * 8 * 2;
  const candidates = [workspace.largest, { name: "input x", perSample: inSize }, { name: "activation pattern", perSample: pattern }];
  const largest = candidates.reduce((a, b) => (b.perSample > a.perSample ? b : a));
  return { perSample, fixed, largest, maxBatch: Math.floor(MAX_TYPED_ARRAY_LENGTH / largest.perSample) };
}

function emitDriver(model: Model, outSize: number, opts: GradcheckEmitOptions): string {
  const target = opts.target;
  const memory = gradcheckMemory(model);
  const hasLoss = model.loss !== null;
  // The numeric side evaluates the loss from the training-mode logits with the
  // formula of docs/language.md#losses (cheaper than lossAndGrad, and independent of lossPass);
  // the svm hinge flags join the activation pattern as kinks.
  const loss = model.loss;
  const evaluate =
    loss === null
      ? `const out = forward(p, s, x, ws, true);
    let sum = 0;
    for (let i = 0; i < out.length; i++) sum += out[i] * proj[i];
    return sum;`
      : loss.args.op === "softmax" && hasCrossEntropyOptions(loss.args, model.output)
        ? crossEntropyFormula(loss.args, model.output)
        : loss.args.op === "softmax"
        ? `const z = forward(p, s, x, ws, true);
    let total = 0;
    for (let n = 0; n < batch; n++) {
      const o = n * ${outSize};
      let m = -Infinity;
      for (let j = 0; j < ${outSize}; j++) m = Math.max(m, z[o + j]);
      let sum = 0;
      for (let j = 0; j < ${outSize}; j++) sum += Math.exp(z[o + j] - m);
      total += m + Math.log(sum) - z[o + y[n]];
    }
    return total / batch;`
        : `const z = forward(p, s, x, ws, true);
    let total = 0;
    for (let n = 0; n < batch; n++) {
      const o = n * ${outSize};
      for (let j = 0; j < ${outSize}; j++) {
        const margin = z[o + j] - z[o + y[n]] + ${loss.args.margin};
        hinge[o + j] = j !== y[n] && margin > 0 ? 1 : 0;
        if (hinge[o + j] === 1) total += margin;
      }
    }
    return total / batch;`;
  const analytic =
    target === "wasm"
      ? `wasmAnalytic(p, ${hasLoss ? "y" : "proj"}, x, batch, seed)`
      : hasLoss
        ? "lossAndGrad(p, s, x, y, ws)"
        : "backward(p, s, x, proj, ws)";
  const wasmSide =
    target === "wasm"
      ? `import * as wasmTarget from "${opts.wasmImport ?? `./${model.name}.ts`}";

/** The WebAssembly module's gradients at the same parameters, input and dropout masks (its generator draws the same ones). */
function wasmAnalytic(p: Params, target: ${hasLoss ? "Int32Array" : "Float64Array"}, x: Float64Array, batch: number, seed: number) {
  const pw = wasmTarget.initParams(seed);
  for (const t of info.params) pw[t.name as keyof wasmTarget.Params].set(p[t.name as keyof Params]);
  const ws = wasmTarget.createWorkspace(batch, seed);
  const xw = Float32Array.from(x);
  ${hasLoss ? "return wasmTarget.lossAndGrad(pw, wasmTarget.initState(), xw, target, ws);" : "return wasmTarget.backward(pw, wasmTarget.initState(), xw, Float32Array.from(target), ws);"}
}

`
      : "";
  return `// ---------------------------------------------------------------- gradient check
${wasmSide}// The harness for ${model.name} (cnnc gradcheck${target === "wasm" ? " --target wasm" : ""}). Centred differences in f64;
// see the options and the report below. Run directly: tsx ${model.name}.gradcheck.ts [--batch N] [--seed S] [--tol T] [--samples K] [--only NAME,...]

export type GradcheckOptions = {
  /** batch size (default 2) */
  batch?: number;
  /** seeds parameters, input, labels, projection, dropout and the sampled entries (default 1) */
  seed?: number;
  /** the largest relative error that passes (default 1e-6) */
  tol?: number;
  /** entries checked per tensor, at random (default 20; all when the tensor is smaller) */
  samples?: number;
  /** the first finite-difference step (default 1e-5; h/10 and h/100 on a kink) */
  h?: number;
  /** check only these tensors ("dx" for the input) */
  only?: string[];
  /** called after each tensor is checked */
  onRow?: (row: GradcheckRow) => void;
};

export type GradcheckRow = {
  name: string;
  shape: number[];
  /** entries compared */
  checked: number;
  /** entries whose finite difference crossed a kink at every step tried */
  skipped: number;
  /** the largest error over the checked entries */
  maxRelError: number;
  pass: boolean;
};

export type GradcheckReport = {
  model: string;
  batch: number;
  seed: number;
  tol: number;
  h: number;
  /** the error floor F at step h (see the top of this section) */
  floor: number;
  rows: GradcheckRow[];
  pass: boolean;
};

/** Deterministic uniforms in [0, 1) (mulberry32), independent of the model's own generators. */
function gcRandom(seed: number): () => number {
  let state = (seed ^ 0x5bd1e995) | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    return mulberry32(state);
  };
}

function gcGauss(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

${
  loss?.args.op === "softmax" && hasCrossEntropyOptions(loss.args, model.output)
    ? crossEntropyLabels(loss.args, model.output)
    : hasLoss
    ? `function gcLabels(batch: number, rand: () => number): Int32Array {
  return Int32Array.from({ length: batch }, () => Math.floor(rand() * ${outSize}));
}
`
    : ""
}
/** \`count\` distinct indices of [0, n), or all of them (a typed array: n can be a whole batch's input). */
function gcSample(n: number, count: number, rand: () => number): Uint32Array {
  const all = new Uint32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  if (count >= n) return all;
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const t = all[i];
    all[i] = all[j];
    all[j] = t;
  }
  return all.slice(0, count).sort();
}

function gcSamePattern(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The bytes a gradient check of a batch allocates, at least: ${memory.perSample} per sample plus ${memory.fixed}. */
export function gradcheckBytes(batch: number): number {
  return batch * ${memory.perSample} + ${memory.fixed};
}

export function gradcheck(opts: GradcheckOptions = {}): GradcheckReport {
  const batch = opts.batch ?? ${target === "wasm" ? 4 : 2};
  if (batch > ${memory.maxBatch}) {
    throw new RangeError(
      "${model.name}: a gradient check of batch " + batch + " would need " + gradcheckBytes(batch) + " bytes; its ${memory.largest.name} would hold " +
        batch * ${memory.largest.perSample} + " elements, more than the ${MAX_TYPED_ARRAY_LENGTH} a typed array holds (the largest batch is ${memory.maxBatch})",
    );
  }
  const seed = opts.seed ?? 1;
  const tol = opts.tol ?? ${target === "wasm" ? "1e-3" : "1e-6"};
  const samples = opts.samples ?? 20;
  const h0 = opts.h ?? 1e-5;
  const rand = gcRandom(seed);

  // Parameters: He-normal weights, then non-zero biases and γ ≠ 1, β ≠ 0 so
  // that no term of the backward pass is multiplied away.
  const p = initParams(seed);
  for (const t of info.params) {
    const v = p[t.name as keyof Params];
    const isBias = t.name.endsWith(".bias");
    const isScale = t.name.endsWith(".weight") && t.shape.length === 1;
    if (isBias) for (let i = 0; i < v.length; i++) v[i] = 0.2 * (rand() - 0.5);
    if (isScale) for (let i = 0; i < v.length; i++) v[i] = 0.75 + 0.5 * rand();
  }
  const s = initState();
  const s0: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(s) as [string, Float64Array][]) s0[k] = Float64Array.from(v);
  const restoreState = (): void => {
    for (const [k, v] of Object.entries(s) as [string, Float64Array][]) v.set(s0[k]);
  };
  const ws = createWorkspace(batch, seed);
  const x = Float64Array.from({ length: batch * ${model.input.reduce((a, b) => a * b, 1)} }, () => gcGauss(rand));
  ${hasLoss ? "const y = gcLabels(batch, rand);" : `const proj = Float64Array.from({ length: batch * ${outSize} }, () => gcGauss(rand));`}
  const hinge = new Int32Array(${loss?.args.op === "svm" ? `batch * ${outSize}` : "0"});
  const pattern = (): Int32Array => {
    const a = activationPattern(ws);
    const all = new Int32Array(a.length + hinge.length);
    all.set(a);
    all.set(hinge, a.length);
    return all;
  };
  const scalar = (): number => {
    restoreState();
    ${evaluate}
  };

  // One forward draws the dropout masks; from then on they are fixed.
  scalar();
  ws.freezeDropout = true;
  restoreState();
  const res = ${analytic};
  const analytic: Record<string, Float64Array> = {};
  for (const t of info.params) analytic[t.name] = Float64Array.from(res.grads[t.name as keyof Params]);
  analytic.dx = Float64Array.from(res.dx);
  const base = scalar();
  const basePattern = pattern();

  // The loss's rounding noise: its change under perturbations of a few ulps,
  // minus the first-order change the analytic gradient predicts.
  let noise = 0;
  for (const j of gcSample(x.length, 2, rand)) {
    const v = x[j];
    const d = Math.max(Math.abs(v), 1) * 64 * Number.EPSILON;
    x[j] = v + d;
    noise = Math.max(noise, Math.abs(scalar() - base - analytic.dx[j] * d));
    x[j] = v;
  }
  noise = Math.max(noise, Number.EPSILON * Math.max(Math.abs(base), 1));
  const floorAt = (h: number): number => Math.max(1e-8, (4 * noise) / h / 1e-6);${
    target === "wasm"
      ? `
  const largest = (a: Float64Array): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const modelScale = Math.max(...Object.values(analytic).map(largest));
  const tensorFloor = (name: string): number => Math.max(1e-3 * largest(analytic[name]), 1e-5 * modelScale);`
      : ""
  }

  const tensors: { name: string; shape: number[]; values: Float64Array }[] = info.params.map((t) => ({
    name: t.name,
    shape: t.shape,
    values: p[t.name as keyof Params],
  }));
  tensors.push({ name: "dx", shape: [batch, ...info.input], values: x });
  const unknown = (opts.only ?? []).filter((n) => !tensors.some((t) => t.name === n));
  if (unknown.length > 0) {
    throw new RangeError(
      "no tensor named " + unknown.join(", ") + "; the tensors are " + tensors.map((t) => t.name).join(", "),
    );
  }
  const rows: GradcheckRow[] = [];
  ${
    hasLoss
      ? `// the module's loss value against the formula's
  const lossError = Math.abs(res.loss - base) / Math.max(1e-8, Math.abs(res.loss) + Math.abs(base));
  rows.push({ name: "loss", shape: [], checked: 1, skipped: 0, maxRelError: lossError, pass: lossError <= tol });
  opts.onRow?.(rows[0]);`
      : ""
  }
  for (const t of tensors) {
    if (opts.only !== undefined && !opts.only.includes(t.name)) continue;
    const entries = gcSample(t.values.length, samples, rand);
    let checked = 0;
    let skipped = 0;
    let maxRelError = 0;
    for (const j of entries) {
      const v = t.values[j];
      let numeric: number | undefined;
      let h = h0;
      for (let attempt = 0; attempt < 3; attempt++, h /= 10) {
        t.values[j] = v + h;
        const plus = scalar();
        const patPlus = pattern();
        t.values[j] = v - h;
        const minus = scalar();
        const patMinus = pattern();
        t.values[j] = v;
        if (gcSamePattern(patPlus, basePattern) && gcSamePattern(patMinus, basePattern)) {
          numeric = (plus - minus) / (2 * h);
          break;
        }
      }
      if (numeric === undefined) {
        skipped++;
        continue;
      }
      const a = analytic[t.name][j];
      const err = Math.abs(a - numeric) / Math.max(floorAt(h), ${target === "wasm" ? "tensorFloor(t.name), " : ""}Math.abs(a) + Math.abs(numeric));
      maxRelError = Math.max(maxRelError, Number.isNaN(err) ? Infinity : err);
      checked++;
    }
    const row: GradcheckRow = {
      name: t.name,
      shape: t.shape,
      checked,
      skipped,
      maxRelError,
      pass: maxRelError <= tol && checked > 0,
    };
    rows.push(row);
    opts.onRow?.(row);
  }
  restoreState();
  return { model: info.name, batch, seed, tol, h: h0, floor: floorAt(h0), rows, pass: rows.every((r) => r.pass) };
}

/** The report as a table, one line per tensor, and a verdict. */
export function formatGradcheck(r: GradcheckReport): string {
  const head = ["tensor", "shape", "checked", "skipped", "max rel error", "result"];
  const body = r.rows.map((row) => [
    row.name,
    "[" + row.shape.join(", ") + "]",
    String(row.checked),
    String(row.skipped),
    row.maxRelError.toExponential(2),
    row.pass ? "pass" : row.checked === 0 ? "FAIL (every entry crossed a kink; try another --seed)" : "FAIL",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  const checked = r.rows.reduce((a, b) => a + b.checked, 0);
  const skipped = r.rows.reduce((a, b) => a + b.skipped, 0);
  const failed = r.rows.filter((row) => !row.pass).length;
  return [
    "gradcheck " + r.model + ": batch " + r.batch + ", seed " + r.seed + ", tol " + r.tol.toExponential() + ", h " + r.h.toExponential() +
      ", error floor " + r.floor.toExponential(1),
    line(head),
    ...body.map(line),
    (r.pass ? "PASS" : "FAIL") + ": " + r.rows.length + " tensors, " + checked + " entries checked, " + skipped +
      " skipped" + (failed > 0 ? ", " + failed + " failed" : ""),
  ].join("\\n");
}

type GcProcess = { argv: string[]; exitCode?: number };
const gcProcess = (globalThis as unknown as { process?: GcProcess }).process;
const gcConsole = (globalThis as unknown as { console: { log(s: string): void; error(s: string): void } }).console;

/** \`tsx ${model.name}.gradcheck.ts [--batch N] [--seed S] [--tol T] [--samples K] [--only NAME,...]\`: prints the table, exit 1 on failure. */
function gcMain(proc: GcProcess): void {
  const opts: GradcheckOptions = {};
  const args = proc.argv.slice(2);
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i];
    const value = Number(args[i + 1]);
    const ok = args[i + 1] !== undefined && Number.isFinite(value) && value > 0;
    const int = ok && Number.isInteger(value);
    if (flag === "--batch" && int) opts.batch = value;
    else if (flag === "--seed" && (int || value === 0)) opts.seed = value;
    else if (flag === "--tol" && ok) opts.tol = value;
    else if (flag === "--samples" && int) opts.samples = value;
    else if (flag === "--only" && args[i + 1] !== undefined) opts.only = args[i + 1].split(",");
    else {
      gcConsole.error("usage: ${model.name}.gradcheck.ts [--batch N] [--seed S] [--tol T] [--samples K] [--only NAME,...]; bad argument " + JSON.stringify(flag));
      proc.exitCode = 2;
      return;
    }
  }
  opts.onRow = (row) =>
    gcConsole.log("checked " + row.name + ": " + row.checked + " entries, " + row.skipped + " skipped, max rel error " +
      row.maxRelError.toExponential(2) + (row.pass ? "" : " FAIL"));
  let report: GradcheckReport;
  try {
    report = gradcheck(opts);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    gcConsole.error("gradcheck: " + e.message);
    proc.exitCode = 2;
    return;
  }
  gcConsole.log(formatGradcheck(report));
  proc.exitCode = report.pass ? 0 : 1;
}

// Run directly (the script node was given is this file, by the name cnnc build
// gives it): check and exit. Imported, it only exports. (No import.meta, which
// a plain ES2022 lib without DOM or Node types does not declare.)
if (gcProcess !== undefined && /(^|[\\\\/])${model.name}\\.gradcheck\\.[cm]?[jt]s$/.test(gcProcess.argv[1] ?? "")) {
  gcMain(gcProcess);
}
`;
}
