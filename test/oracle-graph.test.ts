// Graph models (residual adds, concats, skips, values read twice, nested
// merges, unread values) built as IR by test/reference/graphs.ts, emitted as
// f64 modules and compared with the naive f64 reference: outputs in eval and
// training mode, loss, every gradient, dx and running statistics, to 1e-10.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { checkAgainstReference } from "./reference/compare.ts";
import { ModuleFolder } from "./reference/generated.ts";
import { compile } from "../src/pipeline.ts";
import { type GraphFeature, GraphBuilder, graphText, randomGraphModel } from "./reference/graphs.ts";
import { WASM } from "./reference/targets.ts";
import type { Model } from "../src/ir.ts";

const folder = new ModuleFolder("cnnc-oracle-graph-");
afterAll(() => folder.remove());

const describeModel = (m: { layers: { name: string; args: { op: string }; from: number[]; output: number[] }[] }) =>
  m.layers.map((l, i) => `${i} ${l.name}: ${l.args.op} from [${l.from.join(", ")}] → [${l.output.join(", ")}]`).join("\n") + "\n";

describe("graph models: generated f64 code against the naive f64 reference", () => {
  it("a residual block whose input is x, read by the block and the shortcut (dx sums both)", async () => {
    const g = new GraphBuilder("Residual", [2, 5, 5]);
    const c1 = g.op("c1", "conv", -1, [["filters", 2], ["kernel", 3], ["pad", 1]]);
    const r1 = g.op("r1", "relu", c1);
    const c2 = g.op("c2", "conv", r1, [["filters", 2], ["kernel", 3], ["pad", 1]]);
    const sum = g.merge("sum", "add", [c2, -1]);
    const cat = g.merge("cat", "concat", [sum, r1, sum]);
    g.op("fc", "affine", cat, [["features", 3]]);
    const model = g.model({ op: "softmax" });
    for (const batch of [1, 3]) {
      const worst = await checkAgainstReference(folder, { ...model, name: `Residual${batch}` }, batch, 5, describeModel(model));
      expect(worst).toBeLessThanOrEqual(1e-10);
    }
  });

  const seen = new Set<GraphFeature | string>();
  let worst = 0;
  let count = 0;
  it("agrees on random graph models to 1e-10 (outputs, loss, gradients, dx, running statistics)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom(1, 2, 3), async (seed, batch) => {
        const { model, features } = randomGraphModel(`Graph${++count}`, seed);
        for (const f of features) seen.add(f);
        for (const l of model.layers) seen.add(l.args.op);
        // the 1×1 projections of stride 1 take the pointwise GEMM kernels (src/emit/ops/conv-pointwise.ts)
        const ones = (t: readonly number[]) => t.every((v) => v === 1);
        for (const { args: a } of model.layers)
          if (a.op === "conv" && ones(a.kernel) && ones(a.stride) && ones(a.dilation) && a.groups === 1 && a.pad.every((v) => v === 0)) seen.add("conv 1×1 (pointwise)");
        worst = Math.max(worst, await checkAgainstReference(folder, model, batch, seed, describeModel(model)));
      }),
      { numRuns: 120, seed: 20261201, endOnFailure: true },
    );
    const wanted: (GraphFeature | string)[] = [
      "add",
      "concat",
      "identity shortcut",
      "projection shortcut",
      "3-way merge",
      "skip across layers",
      "merge of a value with itself",
      "input read twice",
      "nested merge",
      "value read by no layer",
      "flatten of a value read elsewhere",
      "output read by layers",
      "gate",
      "mul of equal shapes",
      "conv",
      "conv 1×1 (pointwise)",
      "batchnorm",
      "dropout",
      "maxpool",
    ];
    for (const c of wanted) expect(seen, c).toContain(c);
    console.log(`oracle-graph: ${count} models, largest relative error ${worst.toExponential(2)}; cases: ${[...seen].sort().join(", ")}`);
  });

  it("random graph models written as .cnn text compile to the same IR (the syntax: labelled merges, @references, {} branches)", async () => {
    let written = 0;
    let run = 0;
    for (let seed = 1; written < 60; seed++) {
      const { model } = randomGraphModel(`Text${seed}`, seed);
      const text = graphText(model);
      if (text === undefined) continue;
      written++;
      const r = compile(text, `${model.name}.cnn`);
      expect(r.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`), text).toEqual([]);
      const theirs = r.models[0]!;
      const facts = (m: typeof model) =>
        m.layers.map((l) => {
          const { rounding: _r, ...args } = l.args as { rounding?: unknown };
          return { name: l.name, args, from: l.from, inputs: l.inputs, output: l.output, params: l.params, state: l.state };
        });
      expect(facts(theirs), text).toEqual(facts(model));
      expect(theirs.output).toEqual(model.output);
      // and the compiled model against the reference, for a third of them
      if (written % 3 === 0) {
        worst = Math.max(worst, await checkAgainstReference(folder, { ...theirs, name: `${model.name}c` }, 2, seed, text));
        run++;
      }
    }
    expect(run).toBeGreaterThan(15);
  });
});

describe("graph models: the wasm target (f32) against the naive f64 reference", () => {
  // a normalisation feeding another loses f32 digits to cancellation (see oracle-reference); those graphs are the f64 run's
  const norms = (m: Model) => m.layers.filter((l) => ["batchnorm", "layernorm", "groupnorm", "layernorm2d"].includes(l.args.op)).length;
  it(`agrees on random graph models to ${WASM.refTol} (outputs, loss, gradients, dx, running statistics)`, async () => {
    const seenWasm = new Set<string>();
    let worstWasm = 0;
    let checked = 0;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom(1, 2, 3), async (seed, batch) => {
        const { model, features } = randomGraphModel(`GraphW${++n}`, seed);
        if (norms(model) > 1) return;
        checked++;
        for (const f of features) seenWasm.add(f);
        worstWasm = Math.max(worstWasm, await checkAgainstReference(folder, model, batch, seed, describeModel(model), WASM));
      }),
      { numRuns: 60, seed: 20261202, endOnFailure: true },
    );
    for (const c of ["add", "concat", "3-way merge", "merge of a value with itself", "input read twice", "nested merge", "value read by no layer", "output read by layers"]) {
      expect(seenWasm, c).toContain(c);
    }
    console.log(`oracle-graph (wasm): ${checked} of ${n} models checked, largest relative error ${worstWasm.toExponential(2)}`);
  });
});
