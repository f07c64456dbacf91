// The generated f64 code against the naive f64 reference (test/reference) on
// many random small models: random stacks of compatible ops written as .cnn
// text (every argument form: asymmetric and `same` padding, dilation, groups,
// ceil rounding, count_pad, bias=false), compiled by compile() so the checker
// proves them, batch 1 and odd batches, eval and training mode, with and
// without a loss. Compared: outputs, loss, every gradient, dx and the running
// statistics, to a relative error of 1e-10 (relError in test/reference/data.ts).
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { emitModule } from "../src/emit/module.ts";
import { OP_NAMES, type Model } from "../src/ir.ts";
import { compile } from "../src/pipeline.ts";
import { randomInputs, relError } from "./reference/data.ts";
import { dropoutKeep, ModuleFolder } from "./reference/generated.ts";
import { directedSpecs, modelText, randomModelSpec, specToModel, type ModelSpec } from "./reference/models.ts";
import { refBackward, refForward, refLossAndGrad, type Tensors } from "./reference/reference.ts";

const TOL = 1e-10;
const folder = new ModuleFolder("cnnc-oracle-ref-");
afterAll(() => folder.remove());

/** What the models exercised, so the test can prove its generator reached every case. */
const seen = new Set<string>();
let worst = 0;

function note(spec: ModelSpec, model: Model, batch: number): void {
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
        if (a.kernel[0] > H + a.pad[0] + a.pad[1] || a.kernel[1] > W + a.pad[2] + a.pad[3]) seen.add(`${a.op} window > padded input`);
      }
      if (a.op === "avgpool" && !a.count_pad) seen.add("avgpool count_pad=false");
    }
    if ((a.op === "batchnorm" || a.op === "layernorm") && l.input.length === 1) seen.add(`${a.op} 2-D`);
    if (a.op === "stochasticdepth") seen.add(`stochasticdepth ${a.mode}`);
  }
}

function compareAll(
  what: string,
  got: Record<string, ArrayLike<number>>,
  want: Record<string, ArrayLike<number>>,
  floor: number,
) {
  for (const k of Object.keys(want)) {
    const e = relError(got[k], want[k], floor);
    worst = Math.max(worst, e);
    expect(e, `${what} ${k}`).toBeLessThanOrEqual(TOL);
  }
}

function scaleOf(...tensors: Record<string, ArrayLike<number>>[]): number {
  let m = 0;
  for (const t of tensors)
    for (const v of Object.values(t)) for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

/** Compiles, emits, runs and compares one random model; returns nothing, asserts everything. */
async function checkModel(spec: ModelSpec, batch: number, seed: number): Promise<void> {
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

  const gen = await folder.load(`${spec.name}.ts`, emitModule(model, { dtype: "f64", sourceName: `${spec.name}.cnn` }));
  note(spec, model, batch);
  const inp = randomInputs(model, batch, seed);
  const params = () => {
    const p: Tensors = {};
    for (const [k, v] of Object.entries(inp.params)) p[k] = Float64Array.from(v);
    return p;
  };
  const state = () => {
    const s: Tensors = {};
    for (const [k, v] of Object.entries(inp.state)) s[k] = Float64Array.from(v);
    return s;
  };
  const ws = gen.createWorkspace(batch, seed);
  const ctx = `${text}batch ${batch}, seed ${seed}`;

  // eval mode: running statistics, no dropout
  const sEval = state();
  const evalOut = Float64Array.from(gen.forward(params(), sEval, inp.x, ws, false));
  const refEval = refForward(model, inp.params, inp.state, inp.x, batch, false);
  compareAll(`${ctx}\neval forward`, { out: evalOut }, { out: refEval.out }, 1e-9);
  expect(sEval, `${ctx}\neval mode leaves the running statistics alone`).toEqual(inp.state);

  // training mode
  const single = model.layers.some(
    (l) => l.args.op === "batchnorm" && batch * (l.input[1] ?? 1) * (l.input[2] ?? 1) === 1,
  );
  const sGen = state();
  const train = () =>
    gen.lossAndGrad
      ? gen.lossAndGrad(params(), sGen, inp.x, inp.y, ws)
      : gen.backward!(params(), sGen, inp.x, inp.dout, ws);
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
    if (l.args.op === "dropout" || l.args.op === "stochasticdepth") masks[l.name] = dropoutKeep(ws, i + 1);
  });
  const ref = model.loss
    ? refLossAndGrad(model, inp.params, inp.state, inp.x, inp.y, batch, { masks })
    : { ...refBackward(model, inp.params, inp.state, inp.x, inp.dout, batch, { masks }), loss: NaN };
  const floor = 1e-3 * scaleOf(ref.grads, { dx: ref.dx });
  compareAll(`${ctx}\ngradient`, got.grads, ref.grads, floor);
  compareAll(`${ctx}\ngradient`, { dx: got.dx }, { dx: ref.dx }, floor);
  compareAll(`${ctx}\nrunning statistics`, sGen, ref.state, 1e-9);
  if (model.loss) compareAll(`${ctx}\nloss`, { loss: [got.loss] }, { loss: [ref.loss] }, 1e-9);
  // a second call with the same masks gives the same gradients (nothing accumulates across calls)
  ws.freezeDropout = true;
  const again = train();
  for (const [k, v] of Object.entries(again.grads))
    expect(Float64Array.from(v), `${ctx}\nsecond call ${k}`).toEqual(got.grads[k]);
  expect(Float64Array.from(again.dx), `${ctx}\nsecond call dx`).toEqual(got.dx);
  // the training-mode output with the same masks
  const trainOut = Float64Array.from(gen.forward(params(), state(), inp.x, ws, true));
  compareAll(`${ctx}\ntraining forward`, { out: trainOut }, { out: ref.out }, 1e-9);
}

function copy(t: Record<string, ArrayLike<number>>): Tensors {
  const out: Tensors = {};
  for (const [k, v] of Object.entries(t)) out[k] = Float64Array.from(v);
  return out;
}

describe("generated f64 code against the naive f64 reference", () => {
  it.each(directedSpecs.map((m) => [m.name, m] as const))("directed case %s, batches 1, 2 and 3", async (_name, m) => {
    for (const batch of [1, 2, 3]) await checkModel({ ...m, name: `${m.name}B${batch}` }, batch, 7 + batch);
  });

  let count = 0;
  it("agrees on random models to 1e-10 (outputs, loss, gradients, dx, running statistics)", async () => {
    seen.clear(); // what the random models reach on their own, not the directed cases
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom(1, 2, 3, 5), async (seed, batch) => {
        const spec = randomModelSpec(`Rand${++count}`, seed);
        await checkModel(spec, batch, seed);
      }),
      { numRuns: 150, seed: 20261122, endOnFailure: true },
    );
    // the generator must have reached every case the oracle is meant to cover
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
      "maxpool window > padded input",
      "avgpool window > padded input",
      "batch:1",
      "batch:3",
      "batch:5",
      "same pad",
      "batchnorm 2-D",
      "layernorm 2-D",
      "conv no bias",
      "stochasticdepth row",
      "stochasticdepth batch",
    ]) {
      expect(seen, c).toContain(c);
    }
    console.log(
      `oracle-reference: ${count} models, largest relative error ${worst.toExponential(2)}; cases: ${[...seen].sort().join(", ")}`,
    );
  });
});
