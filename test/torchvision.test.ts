// Against real torchvision: a zoo model with random weights (seeded, and random
// batchnorm statistics so every tensor matters) is saved by Python as
// safetensors under torchvision's own state_dict names, loaded by name with the
// generated f64 module's loadParams, and run on the same input. Eval-mode
// logits agree to 1e-9 relative (tensor-wise, relError); for resnet18 also the
// training-mode loss, every parameter gradient, dx and the updated running
// statistics. The images are 64×64 instead of 224×224: torchvision's
// classifiers end in an adaptive pool, so a smaller image runs the same weights
// through the same layers (every 3×3 conv still sees at least a 2×2 map, so
// its border taps meet real pixels); the .cnn file's input line is rewritten
// before compiling, nothing else. One Python process prepares every model
// while the generated modules are compiled, loaded and run. Needs a python3 with
// torch and torchvision (Debian's python3-torch and python3-torchvision);
// without them the test says DID NOT RUN (and fails under CI=true).
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readImport } from "../src/cli/sources.ts";
import type { Model } from "../src/ir.ts";
import { compile } from "../src/pipeline.ts";
import { torchMissing } from "./torch-python.ts";
import { type AgreeCase, expectAgrees, torchvisionRun } from "./torchvision/agree.ts";

const TOL = 1e-9;
const SIZE = 64;

/** Zoo models compared (eval logits); `train`: also loss, gradients, dx and running statistics (batch 2, so batchnorm mixes samples). */
const CASES: AgreeCase[] = [
  { name: "resnet18", train: true, batch: 2 },
  { name: "resnet50", train: false, batch: 1 },
  { name: "densenet121", train: false, batch: 1 },
  { name: "googlenet", train: false, batch: 1 },
  { name: "squeezenet1_1", train: false, batch: 1 },
].filter((c) => existsSync(`examples/zoo/${c.name}.cnn`));

// one Python process (test/torchvision/agree.py) prepares the models in CASES order
const run = torchvisionRun("torchvision", SIZE, CASES);

function zooModel(name: string): Model {
  const path = `examples/zoo/${name}.cnn`;
  const text = readFileSync(path, "utf8");
  const resized = text.replace(/input \[3, (224|299), \1\]/, `input [3, ${SIZE}, ${SIZE}]`);
  expect(resized, `${path} declares a [3, 224, 224] input`).not.toBe(text);
  const r = compile(resized, path, readImport);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.models[0]!;
}

describe("the generated f64 module against torchvision (random weights loaded by name from safetensors)", () => {
  if (run.python === undefined) {
    it("DID NOT RUN: no python3 with torch and torchvision here", () => void torchMissing("the comparison with torchvision"));
    return;
  }
  it("has the zoo models to compare", () => {
    expect(CASES.map((c) => c.name)).toContain("resnet18");
  });
  for (const c of CASES) {
    it(`${c.name}: eval logits${c.train ? "; training loss, every gradient, dx and running statistics" : ""} to ${TOL}`, () => expectAgrees(run, c, zooModel(c.name), TOL), 300_000);
  }
});
