// The generated f64 code against the naive f64 reference (test/reference) on
// many random small models: random stacks of compatible ops written as .cnn
// text (every argument form: asymmetric and `same` padding, dilation, groups,
// ceil rounding, count_pad, bias=false), compiled by compile() so the checker
// proves them, batch 1 and odd batches, eval and training mode, with and
// without a loss. Compared: outputs, loss, every gradient, dx and the running
// statistics, to a relative error of 1e-10 (relError in test/reference/data.ts).
// The same harness runs the WebAssembly target (f32) to 1e-4. f32 resolves only
// rounding noise where one normalisation feeds another (the gradient is a
// cancellation; see test/oracle-tfjs.test.ts): its runs skip the directed
// "Norms" stack and random models with two normalisations,
// which the f64 TypeScript target covers; the TypeScript f32 target computes
// the same numbers there.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { OP_NAMES, type Model } from "../src/ir.ts";
import { compile } from "../src/pipeline.ts";
import { randomInputs, relError } from "./reference/data.ts";
import { dropoutKeep, ModuleFolder } from "./reference/generated.ts";
import { directedSpecs, modelText, randomModelSpec, specToModel, type ModelSpec } from "./reference/models.ts";
import { refBackward, refForward, refLossAndGrad, type Tensors } from "./reference/reference.ts";
import { type OracleTarget, TS_F64, WASM } from "./reference/targets.ts";

const folder = new ModuleFolder("cnnc-oracle-ref-");
afterAll(() => folder.remove());

/** What the models exercised, per target, so the test can prove its generator reached every case. */
const seenBy = new Map<string, Set<string>>();
const worstBy = new Map<string, number>();

const NORMS = new Set(["batchnorm", "layernorm", "groupnorm"]);
/**
 * Two normalisations in one model: a gradient reaching the first through the
 * second can be an exact cancellation (a constant shift per feature that
 * batchnorm removes), which f32 computes as rounding noise.
 */
function stackedNorms(spec: ModelSpec): boolean {
  return spec.layers.filter((l) => NORMS.has(l.op)).length > 1;
}

function note(target: OracleTarget, spec: ModelSpec, model: Model, batch: number): void {
  const seen = seenBy.get(target.name) ?? new Set<string>();
  seenBy.set(target.name, seen);
  if (spec.layers.some((l) => l.args.some(([k, v]) => k === "pad" && v === "same"))) seen.add("same pad");
  if (spec.layers.some((l) => l.args.some(([k]) => k === "rounding"))) seen.add("layer rounding");
  if (model.loss) seen.add(`loss:${model.loss.args.op}`);
  else seen.add("no loss");
  seen.add(`batch:${batch}`);
  for (const l of model.layers) {
    const a = l.args;
    seen.add(a.op);
    if (a.op === "conv") {
      if (a.dilation[0] > 1 || a.dilation[1] > 1) seen.add("conv dilation");
      if (a.groups > 1) seen.add("conv groups");
      if (a.stride[0] > 1 || a.stride[1] > 1) seen.add("conv stride");
      if (!a.bias) seen.add("conv no bias");
    }
    if (a.op === "conv" || a.op === "maxpool" || a.op === "avgpool") {
      if (a.pad[0] !== a.pad[1] || a.pad[2] !== a.pad[3]) seen.add("asymmetric pad");
      if (a.op !== "conv" && (a.stride[0] !== a.kernel[0] || a.stride[1] !== a.kernel[1]))
        seen.add("pool stride≠kernel");
      if (a.op !== "conv" && a.rounding === "ceil") {
        const [, H, W] = l.input;
        const over =
          (l.output[1] - 1) * a.stride[0] + a.kernel[0] > H + a.pad[0] + a.pad[1] ||
          (l.output[2] - 1) * a.stride[1] + a.kernel[1] > W + a.pad[2] + a.pad[3];
        if (over) seen.add(`${a.op} ceil overhang`);
      }
      if (a.op === "avgpool" && !a.count_pad) seen.add("avgpool count_pad=false");
    }
    if ((a.op === "batchnorm" || a.op === "layernorm") && l.input.length === 1) seen.add(`${a.op} 2-D`);
  }
}

function compareAll(
  target: OracleTarget,
  what: string,
  got: Record<string, ArrayLike<number>>,
  want: Record<string, ArrayLike<number>>,
  floor: number,
) {
  for (const k of Object.keys(want)) {
    const e = relError(got[k], want[k], floor);
    worstBy.set(target.name, Math.max(worstBy.get(target.name) ?? 0, e));
    expect(e, `${target.name}: ${what} ${k}`).toBeLessThanOrEqual(target.refTol);
  }
}

function scaleOf(...tensors: Record<string, ArrayLike<number>>[]): number {
  let m = 0;
  for (const t of tensors)
    for (const v of Object.values(t)) for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

/** Compiles, emits, runs and compares one random model; returns nothing, asserts everything. */
async function checkModel(target: OracleTarget, spec: ModelSpec, batch: number, seed: number): Promise<void> {
  const text = modelText(spec);
  const compiled = compile(text, `${spec.name}.cnn`);
  const errors = compiled.diagnostics.filter((d) => d.severity === "error");
  expect(
    errors.map((d) => `${d.code} ${d.message}`),
    text,
  ).toEqual([]);
  const model = compiled.models[0];
  // the checker's IR against this test's own resolution of the same text
  const mine = specToModel(spec);
  expect(model.output, text).toEqual(mine.output);
  model.layers.forEach((l, i) => {
    const { rounding: _a, ...theirs } = l.args as { rounding?: unknown };
    const { rounding: _b, ...ours } = mine.layers[i].args as { rounding?: unknown };
    expect({ args: theirs, out: l.output, params: l.params, state: l.state }, `${text}\nlayer ${l.name}`).toEqual({
      args: ours,
      out: mine.layers[i].output,
      params: mine.layers[i].params,
      state: mine.layers[i].state,
    });
  });

  const gen = await folder.load(`${spec.name}${target === TS_F64 ? "" : "_wasm"}.ts`, target.emit(model));
  note(target, spec, model, batch);
  const inp = randomInputs(model, batch, seed);
  const params = () => {
    const p: Record<string, Float32Array | Float64Array> = {};
    for (const [k, v] of Object.entries(inp.params)) p[k] = target.float(v);
    return p;
  };
  const state = () => {
    const s: Record<string, Float32Array | Float64Array> = {};
    for (const [k, v] of Object.entries(inp.state)) s[k] = target.float(v);
    return s;
  };
  const ws = gen.createWorkspace(batch, seed);
  const ctx = `${text}batch ${batch}, seed ${seed}`;

  // eval mode: running statistics, no dropout
  const sEval = state();
  const x = target.float(inp.x);
  const evalOut = Float64Array.from(gen.forward(params(), sEval, x, ws, false));
  const refEval = refForward(model, inp.params, inp.state, inp.x, batch, false);
  compareAll(target, `${ctx}\neval forward`, { out: evalOut }, { out: refEval.out }, 1e-9);
  expect(copy(sEval), `${ctx}\neval mode leaves the running statistics alone`).toEqual(inp.state);

  // training mode
  const single = model.layers.some(
    (l) => l.args.op === "batchnorm" && batch * (l.input[1] ?? 1) * (l.input[2] ?? 1) === 1,
  );
  const sGen = state();
  const train = () =>
    gen.lossAndGrad
      ? gen.lossAndGrad(params(), sGen, x, inp.y, ws)
      : gen.backward!(params(), sGen, x, target.float(inp.dout), ws);
  if (single) {
    // PyTorch refuses batch statistics of one value; so must both
    expect(train, ctx).toThrow(RangeError);
    expect(() => refForward(model, inp.params, inp.state, inp.x, batch, true, { masks: inp.masks }), ctx).toThrow(
      RangeError,
    );
    return;
  }
  const res = train();
  const got = {
    grads: copy(res.grads),
    dx: Float64Array.from(res.dx),
    loss: "loss" in res ? (res.loss as number) : NaN,
  };
  const masks: Record<string, Float64Array> = {};
  model.layers.forEach((l, i) => {
    if (l.args.op === "dropout") masks[l.name] = dropoutKeep(ws, i + 1);
  });
  const ref = model.loss
    ? refLossAndGrad(model, inp.params, inp.state, inp.x, inp.y, batch, { masks })
    : { ...refBackward(model, inp.params, inp.state, inp.x, inp.dout, batch, { masks }), loss: NaN };
  const floor = 1e-3 * scaleOf(ref.grads, { dx: ref.dx });
  compareAll(target, `${ctx}\ngradient`, got.grads, ref.grads, floor);
  compareAll(target, `${ctx}\ngradient`, { dx: got.dx }, { dx: ref.dx }, floor);
  compareAll(target, `${ctx}\nrunning statistics`, sGen, ref.state, 1e-9);
  if (model.loss) compareAll(target, `${ctx}\nloss`, { loss: [got.loss] }, { loss: [ref.loss] }, 1e-9);
  // a second call with the same masks gives the same gradients (nothing accumulates across calls)
  ws.freezeDropout = true;
  const again = train();
  for (const [k, v] of Object.entries(again.grads))
    expect(Float64Array.from(v), `${ctx}\nsecond call ${k}`).toEqual(got.grads[k]);
  expect(Float64Array.from(again.dx), `${ctx}\nsecond call dx`).toEqual(got.dx);
  // the training-mode output with the same masks
  const trainOut = Float64Array.from(gen.forward(params(), state(), x, ws, true));
  compareAll(target, `${ctx}\ntraining forward`, { out: trainOut }, { out: ref.out }, 1e-9);
}

function copy(t: Record<string, ArrayLike<number>>): Tensors {
  const out: Tensors = {};
  for (const [k, v] of Object.entries(t)) out[k] = Float64Array.from(v);
  return out;
}

describe.each([TS_F64, WASM])("generated code ($name) against the naive f64 reference", (target) => {
  const f64 = target === TS_F64;
  const directed = f64 ? directedSpecs : directedSpecs.filter((d) => d.name !== "Norms");
  it.each(directed.map((m) => [m.name, m] as const))("directed case %s, batches 1, 2 and 3", async (_name, m) => {
    for (const batch of [1, 2, 3]) await checkModel(target, { ...m, name: `${m.name}B${batch}` }, batch, 7 + batch);
  });

  let count = 0;
  let checked = 0;
  it(`agrees on random models to ${target.refTol} (outputs, loss, gradients, dx, running statistics)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom(1, 2, 3, 5), async (seed, batch) => {
        const spec = randomModelSpec(`Rand${++count}`, seed);
        if (!f64 && stackedNorms(spec)) return;
        await checkModel(target, spec, batch, seed);
        checked++;
      }),
      { numRuns: 150, seed: 20261122, endOnFailure: true },
    );
    // the generator must have reached every case the oracle is meant to cover
    const seen = seenBy.get(target.name)!;
    for (const c of [
      ...OP_NAMES,
      "loss:softmax",
      "loss:svm",
      "no loss",
      "conv dilation",
      "conv groups",
      "conv stride",
      "asymmetric pad",
      "pool stride≠kernel",
      "avgpool count_pad=false",
      "batch:1",
      "batch:3",
      "batch:5",
      "same pad",
      "batchnorm 2-D",
      "layernorm 2-D",
      "conv no bias",
    ]) {
      expect(seen, c).toContain(c);
    }
    console.log(
      `oracle-reference (${target.name}): ${checked} of ${count} models checked, largest relative error ${worstBy.get(target.name)!.toExponential(2)}; cases: ${[...seen].sort().join(", ")}`,
    );
  });
});
