// The generated f64 code against the naive f64 reference (test/reference) on
// many random small models: random stacks of compatible ops written as .cnn
// text (every argument form: asymmetric and `same` padding, dilation, groups,
// ceil rounding, count_pad, bias=false), compiled by compile() so the checker
// proves them, batch 1 and odd batches, eval and training mode, with and
// without a loss. Compared: outputs, loss, every gradient, dx and the running
// statistics, to a relative error of 1e-10 (relError in test/reference/data.ts).
// The same harness runs the WebAssembly target (f32) to 5e-4 on the same models
// (padding modes and cross-entropy options included). f32 resolves only
// rounding noise where one normalisation feeds another (the gradient is a
// cancellation; see test/oracle-tfjs.test.ts): its runs skip the directed
// "Norms" stack, random models with two normalisations and those with a
// normalisation over two values,
// which the f64 TypeScript target covers; the TypeScript f32 target computes
// the same numbers there.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { Model } from "../src/ir.ts";
import { compile } from "../src/pipeline.ts";
import { checkAgainstReference } from "./reference/compare.ts";
import { ModuleFolder } from "./reference/generated.ts";
import { directedSpecs, modelText, randomModelSpec, specToModel, STACK_OPS, type ModelSpec } from "./reference/models.ts";
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

/**
 * A normalisation over two values: x̂ = ±1 and the exact gradient before it is
 * about 0, which f32 computes as rounding noise (the TypeScript f32 target's
 * error is the same, to the last digit).
 */
function normOverTwo(model: Model, batch: number): boolean {
  const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
  return model.layers.some((l) => {
    const a = l.args;
    if (a.op === "layernorm") return size(l.input) <= 2;
    if (a.op === "groupnorm") return size(l.input) / a.groups <= 2;
    // over one value batchnorm refuses to train (a RangeError the test checks)
    if (a.op === "batchnorm") return batch * size(l.input.slice(1)) === 2;
    return false;
  });
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
        if (a.kernel[0] > H + a.pad[0] + a.pad[1] || a.kernel[1] > W + a.pad[2] + a.pad[3]) seen.add(`${a.op} window > padded input`);
      }
      if (a.op === "avgpool" && !a.count_pad) seen.add("avgpool count_pad=false");
    }
    if ((a.op === "batchnorm" || a.op === "layernorm") && l.input.length === 1) seen.add(`${a.op} 2-D`);
    if (a.op === "convtranspose") {
      if (a.output_pad[0] > 0 || a.output_pad[1] > 0) seen.add("convtranspose output_pad");
      if (a.groups > 1) seen.add("convtranspose groups");
      if (a.dilation[0] > 1 || a.dilation[1] > 1) seen.add("convtranspose dilation");
      if (a.pad.some((p) => p > 0)) seen.add("convtranspose pad");
    }
    if (a.op === "upsample") seen.add(`upsample ${a.mode}`);
    if (a.op === "adaptiveavgpool" && (l.input[1] % a.size[0] !== 0 || l.input[2] % a.size[1] !== 0)) seen.add("adaptiveavgpool uneven");
    if (a.op === "adaptiveavgpool" && l.input[1] % a.size[0] === 0 && l.input[2] % a.size[1] === 0) seen.add("adaptiveavgpool even");
    if (a.op === "stochasticdepth") seen.add(`stochasticdepth ${a.mode}`);
    if (a.op === "pad" && a.mode !== undefined) seen.add(`pad mode=${a.mode}`);
    if (a.op === "conv" && a.padding_mode !== undefined) seen.add(`conv padding_mode=${a.padding_mode}`);
  }
  if (model.loss?.args.op === "softmax") {
    for (const option of Object.keys(model.loss.args)) if (option !== "op") seen.add(`loss:softmax ${option}`);
    if (model.output.length > 1) seen.add("loss:softmax per position");
  }
}

/** Compiles, emits, runs and compares one random model, asserting everything; false when the target does not compile the model or f32 cannot resolve its gradient. */
async function checkModel(target: OracleTarget, spec: ModelSpec, batch: number, seed: number): Promise<boolean> {
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

  if (target !== TS_F64 && normOverTwo(model, batch)) return false;
  note(target, spec, model, batch);
  worstBy.set(target.name, Math.max(worstBy.get(target.name) ?? 0, await checkAgainstReference(folder, model, batch, seed, text, target)));
  return true;
}

describe.each([TS_F64, WASM])("generated code ($name) against the naive f64 reference", (target) => {
  const f64 = target === TS_F64;
  const directed = f64 ? directedSpecs : directedSpecs.filter((d) => d.name !== "Norms");
  it.each(directed.map((m) => [m.name, m] as const))("directed case %s, batches 1, 2 and 3", async (_name, m) => {
    for (const batch of [1, 2, 3]) expect(await checkModel(target, { ...m, name: `${m.name}B${batch}` }, batch, 7 + batch)).toBe(true);
  });

  let count = 0;
  let checked = 0;
  it(`agrees on random models to ${target.refTol} (outputs, loss, gradients, dx, running statistics)`, async () => {
    seenBy.get(target.name)?.clear(); // what the random models reach on their own, not the directed cases
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom(1, 2, 3, 5), async (seed, batch) => {
        const spec = randomModelSpec(`Rand${++count}`, seed);
        if (!f64 && stackedNorms(spec)) return;
        if (await checkModel(target, spec, batch, seed)) checked++;
      }),
      { numRuns: 250, seed: 20261122, endOnFailure: true },
    );
    // the generator must have reached every case the oracle is meant to cover
    const seen = seenBy.get(target.name)!;
    const cases = [
      ...STACK_OPS,
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
      "convtranspose output_pad",
      "convtranspose groups",
      "convtranspose dilation",
      "convtranspose pad",
      "upsample nearest",
      "upsample bilinear",
      "adaptiveavgpool uneven",
      "adaptiveavgpool even",
      "stochasticdepth row",
      "stochasticdepth batch",
      ...["reflect", "replicate", "circular"].flatMap((m) => [`pad mode=${m}`, `conv padding_mode=${m}`]),
      ...["label_smoothing", "weight", "ignore_index", "reduction", "per position"].map((o) => `loss:softmax ${o}`),
    ];
    for (const c of cases) expect(seen, c).toContain(c);
    console.log(
      `oracle-reference (${target.name}): ${checked} of ${count} models checked, largest relative error ${worstBy.get(target.name)!.toExponential(2)}; cases: ${[...seen].sort().join(", ")}`,
    );
  });
});
