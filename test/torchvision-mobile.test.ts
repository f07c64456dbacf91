// The mobile families of the zoo against real torchvision: each model with random weights (seeded,
// with random batchnorm affine parameters and running statistics so every tensor matters) is saved
// by Python as safetensors under torchvision's own state_dict names, loaded by name with the
// generated f64 module's loadParams, and run on the same input; eval-mode logits agree to 1e-9
// relative (tensor-wise, relError). For mobilenet_v3_small also training mode (batch 2, so batch
// norm mixes samples): the loss, every parameter gradient, dx and the updated running statistics.
// The images are 64×64 instead of 224×224: these classifiers end in an adaptive pool, so a smaller
// image runs the same weights through the same layers, and at 64 the last stage still has a 2×2
// map (every 3×3 or 5×5 window meets real pixels at a border and inside). The .cnn file's input
// line is rewritten before compiling, nothing else — except for training: there every
// `dropout(p)` in the model file and the block files it imports is rewritten to `dropout(0)`
// while reading them, and agree.py sets every nn.Dropout's p to 0, so both sides compute the
// same deterministic function. For training, agree.py also swaps torchvision's nn.Hardsigmoid for
// relu6(x + 3) / 6: torch's own hardsigmoid backward multiplies by the float constant 1.0f/6 even in
// float64, 2.98e-8 relative off 1/6, which shows in dx at ~3e-9 (docs/language.md, the mobile
// activations); the forward values are the same bit for bit. One Python process
// (test/torchvision/agree.py) prepares the models in order while the generated modules are
// compiled, loaded and run. Needs a python3 with
// torch and torchvision; without them the test says DID NOT RUN (and fails under CI=true).
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readImport } from "../src/cli/sources.ts";
import type { Model } from "../src/ir.ts";
import { compile, type ReadImport } from "../src/pipeline.ts";
import { torchMissing } from "./torch-python.ts";
import { type AgreeCase, expectAgrees, torchvisionRun } from "./torchvision/agree.ts";

const TOL = 1e-9;
const SIZE = 64;

/**
 * Gradients that are 0 in exact arithmetic, so both sides give round-off (~1e-17) that agrees to no
 * digit: the bias of each block's projection batch norm (`block.<last>.1`). Its output reaches the
 * loss only through linear layers (the identity, adds, the next 1x1 conv) into a training-mode batch
 * norm, which subtracts every per-channel constant, so the loss does not depend on it. Such a
 * tensor is compared on the scale of its module's weight gradient instead of its own, and torch's
 * value must be zero on that scale too.
 */
const MOBILENET_V3_SMALL_ZERO = [
  ...[1, 2, 3].map((k) => `features.${k}.block.2.1.bias`), // no expansion (1) or no gate (2, 3): dw, ..., projection at 2
  ...[4, 5, 6, 7, 8, 9, 10, 11].map((k) => `features.${k}.block.3.1.bias`), // expansion, dw, gate, projection at 3
];

// regnet_y_400mf when its zoo file exists
const CASES: AgreeCase[] = [
  { name: "mobilenet_v3_small", train: true, batch: 2, zeroGrads: MOBILENET_V3_SMALL_ZERO },
  { name: "mobilenet_v2", train: false, batch: 1 },
  { name: "efficientnet_b0", train: false, batch: 1 },
  { name: "shufflenet_v2_x1_0", train: false, batch: 1 },
  { name: "regnet_y_400mf", train: false, batch: 1 },
].filter((c) => existsSync(`examples/zoo/${c.name}.cnn`));

const run = torchvisionRun("torchvision-mobile", SIZE, CASES);

const DROPOUT = /\bdropout\(\s*[0-9.]+\s*\)/g;

/** The zoo file at SIZE×SIZE; with `noDropout`, every dropout of it and its imports at p = 0 (counted in `dropouts`). */
function zooModel(name: string, noDropout: boolean): { model: Model; dropouts: number } {
  const path = `examples/zoo/${name}.cnn`;
  let dropouts = 0;
  const zero = (text: string) => (noDropout ? text.replace(DROPOUT, () => (dropouts++, "dropout(0)")) : text);
  const read: ReadImport = (file) => {
    const r = readImport(file);
    return "bytes" in r ? { bytes: zero(typeof r.bytes === "string" ? r.bytes : new TextDecoder().decode(r.bytes)) } : r;
  };
  const text = readFileSync(path, "utf8");
  const resized = text.replace(/input \[3, 224, 224\]/, `input [3, ${SIZE}, ${SIZE}]`);
  expect(resized, `${path} declares a [3, 224, 224] input`).not.toBe(text);
  const r = compile(zero(resized), path, read);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return { model: r.models[0]!, dropouts };
}

describe("the mobile zoo's generated f64 modules against torchvision (random weights loaded by name from safetensors)", () => {
  if (run.python === undefined) {
    it("DID NOT RUN: no python3 with torch and torchvision here", () => void torchMissing("the comparison with torchvision"));
    return;
  }
  it("has the zoo models to compare", () => {
    expect(CASES.map((c) => c.name)).toEqual(expect.arrayContaining(["mobilenet_v3_small", "mobilenet_v2", "efficientnet_b0", "shufflenet_v2_x1_0"]));
  });
  for (const c of CASES) {
    it(`${c.name}: eval logits${c.train ? "; training loss, every gradient, dx and running statistics (dropout 0)" : ""} to ${TOL}`, async () => {
      const { model, dropouts } = zooModel(c.name, c.train);
      if (c.train) {
        expect(dropouts, "dropout layers rewritten to p = 0").toBeGreaterThan(0);
        const ps = model.layers.flatMap((l) => (l.args.op === "dropout" ? [l.args.p] : []));
        expect(ps.length).toBe(dropouts);
        expect(ps.every((p) => p === 0)).toBe(true);
      }
      await expectAgrees(run, c, model, TOL);
    }, 300_000);
  }
});
