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
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readImport } from "../src/cli/sources.ts";
import { emitModule } from "../src/emit/module.ts";
import type { Model } from "../src/ir.ts";
import { compile, type ReadImport } from "../src/pipeline.ts";
import { relError } from "./reference/data.ts";
import { ModuleFolder } from "./reference/generated.ts";
import { torchMissing, torchPython } from "./torch-python.ts";
import { type AgreeCase, type Net, readSafetensors, startTorchvision } from "./torchvision/agree.ts";

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
const CASES: (AgreeCase & { zeroGrads?: string[] })[] = [
  { name: "mobilenet_v3_small", train: true, batch: 2, zeroGrads: MOBILENET_V3_SMALL_ZERO },
  { name: "mobilenet_v2", train: false, batch: 1 },
  { name: "efficientnet_b0", train: false, batch: 1 },
  { name: "shufflenet_v2_x1_0", train: false, batch: 1 },
  { name: "regnet_y_400mf", train: false, batch: 1 },
].filter((c) => existsSync(`examples/zoo/${c.name}.cnn`));

const dir = resolve(".tmp/torchvision-mobile");
const folder = new ModuleFolder("cnnc-torchvision-mobile-");
// the weights and results are tens of MB: removed after the run
afterAll(() => {
  folder.remove();
  rmSync(dir, { recursive: true, force: true });
});

const python = torchPython ? startTorchvision(torchPython, dir, SIZE, CASES) : undefined;
afterAll(() => python?.stop());


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

const maxAbs = (a: Float64Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

const rows: string[] = [];

describe("the mobile zoo's generated f64 modules against torchvision (random weights loaded by name from safetensors)", () => {
  if (python === undefined) {
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
      const net = await folder.load<Net>(`${c.name}.ts`, emitModule(model, { dtype: "f64", sourceName: `${c.name}.cnn` }));
      const status = await python.ready.get(c.name)!;
      if (status === "no torchvision") return void torchMissing("the comparison with torchvision (torch is there, torchvision is not)");
      const out = join(dir, c.name);
      const { params, state } = net.loadParams(readFileSync(join(out, "weights.safetensors")));
      const want = readSafetensors(readFileSync(join(out, "result.safetensors")));
      const x = want.x!;
      expect(x.length).toBe(c.batch * 3 * SIZE * SIZE);
      const ws = net.createWorkspace(c.batch);
      let worst = relError(net.forward(params, state, x, ws, false), want.logits!, 0);
      expect(worst, "eval logits").toBeLessThanOrEqual(TOL);
      if (c.train) {
        const res = net.lossAndGrad(params, state, x, Int32Array.from(want.y!), ws);
        const check = (what: string, got: ArrayLike<number>, exp: Float64Array) => {
          const e = relError(got, exp, 1e-12);
          worst = Math.max(worst, e);
          expect(e, what).toBeLessThanOrEqual(TOL);
        };
        check("loss", [res.loss], want.loss!);
        check("dx", res.dx, want.dx!);
        const gradNames = Object.keys(want).filter((k) => k.startsWith("grad."));
        expect(gradNames.map((k) => k.slice(5)).sort()).toEqual(Object.keys(res.grads).sort());
        const zero = new Set(c.zeroGrads ?? []);
        for (const name of zero) expect(gradNames, "a zero gradient's tensor").toContain(`grad.${name}`);
        for (const k of gradNames) {
          const name = k.slice(5);
          if (!zero.has(name)) {
            check(k, res.grads[name]!, want[k]!);
            continue;
          }
          const scale = maxAbs(want[k.replace(/bias$/, "weight")]!);
          expect(maxAbs(want[k]!), `${k}: torch's is 0 up to round-off`).toBeLessThanOrEqual(TOL * scale);
          const e = relError(res.grads[name]!, want[k]!, scale);
          worst = Math.max(worst, e);
          expect(e, `${k}, on the scale of its weight's gradient`).toBeLessThanOrEqual(TOL);
        }
        const stateNames = Object.keys(want).filter((k) => k.startsWith("state."));
        expect(stateNames.length).toBeGreaterThan(0);
        for (const k of stateNames) check(k, state[k.slice(6)]!, want[k]!);
      }
      rows.push(`${c.name}: ${model.params} parameters, max relative error ${worst.toExponential(2)}${c.train ? " (logits, loss, gradients, dx, running stats)" : " (logits)"}`);
      console.log(`torchvision ${rows[rows.length - 1]}`);
    }, 300_000);
  }
});
