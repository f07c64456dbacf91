// The gradient-check harness (src/emit/gradcheck.ts): it passes on every
// example (in-process, small batches and few entries so the file stays fast;
// AlexNet and VGG-16 at 224×224 take minutes per f64 pass and are checked by
// the CLI outside the test run, see the README), it FAILS on a deliberately
// wrong backward of every op kind (emitModule's `perturb` hook), it skips
// rather than passes kink crossings, and `cnnc gradcheck` / the harness run
// directly have the exit codes of docs/cli.md#exit-codes. The example and wrong-backward
// checks run for the TypeScript target (f64) and the wasm target (its f32
// backward against the f64 differences, batch ≥ 4, tol 1e-3).
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { emitGradcheck } from "../src/emit/gradcheck.ts";
import { emitWasmModule } from "../src/emit-wasm/module.ts";
import { OP_NAMES, type Model, type OpName } from "../src/ir.ts";
import { compile } from "../src/pipeline.ts";
import { cnnc } from "./cli-helpers.ts";
import { ModuleFolder } from "./reference/generated.ts";
import { GraphBuilder } from "./reference/graphs.ts";

interface Row {
  name: string;
  shape: number[];
  checked: number;
  skipped: number;
  maxRelError: number;
  pass: boolean;
}
interface Report {
  rows: Row[];
  pass: boolean;
  floor: number;
}
interface Harness {
  gradcheck(opts?: {
    batch?: number;
    seed?: number;
    tol?: number;
    samples?: number;
    h?: number;
    only?: string[];
  }): Report;
  formatGradcheck(r: Report): string;
}

const folder = new ModuleFolder("cnnc-gctest-");
afterAll(() => folder.remove());
let files = 0;

function modelsOf(text: string, file: string): Model[] {
  const r = compile(text, file);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.models;
}

type Target = "ts" | "wasm";

/**
 * The harness of a model; with target "wasm" its analytic side is the wasm
 * module (written as ./<Model>.ts beside it, in a folder of its own so every
 * import is fresh), built with the same perturbation.
 */
async function harness(model: Model, perturb?: OpName, target: Target = "ts"): Promise<Harness> {
  const sourceName = `${model.name}.cnn`;
  if (target === "ts") return folder.load<Harness>(`${model.name}_${files++}.gradcheck.ts`, emitGradcheck(model, { sourceName, perturb }));
  const own = new ModuleFolder("cnnc-gctest-wasm-");
  wasmFolders.push(own);
  own.write(`${model.name}.ts`, emitWasmModule(model, { sourceName, perturb }));
  return own.load<Harness>(`${model.name}.gradcheck.ts`, emitGradcheck(model, { sourceName, perturb, target: "wasm" }));
}
const wasmFolders: ModuleFolder[] = [];
afterAll(() => wasmFolders.forEach((f) => f.remove()));

describe.each(["ts", "wasm"] as const)("gradcheck (%s) passes on every example", (target) => {
  // per model: batch, entries per tensor and (for the heavy ones) which tensors
  const plans: Record<string, { batch: number; samples: number; only?: string[] }> = {
    LeNet5: { batch: 3, samples: 4 },
    MnistMlp: { batch: 2, samples: 4 },
    ThreeLayerConvNet: { batch: 2, samples: 2 },
    GroupNormNet: { batch: 2, samples: 2 },
    DilatedFeatures: { batch: 2, samples: 2 },
    VggBn: {
      batch: 2,
      samples: 2,
      only: ["conv1.weight", "batchnorm1.weight", "batchnorm4.bias", "affine1.weight", "dx"],
    },
  };
  const heavy = new Set(["AlexNet", "VGG16"]);
  const examples = ["lenet5", "mlp-mnist", "cs231n-convnet", "norms-and-pools", "vgg-bn", "alexnet", "vgg16"];

  it("has a plan for every model of every example", () => {
    for (const ex of examples) {
      const text = readFileSync(new URL(`../examples/${ex}.cnn`, import.meta.url), "utf8");
      for (const m of modelsOf(text, `${ex}.cnn`)) expect(m.name in plans || heavy.has(m.name), m.name).toBe(true);
    }
  });

  for (const ex of examples.filter((e) => e !== "alexnet" && e !== "vgg16")) {
    it(ex, async () => {
      const text = readFileSync(new URL(`../examples/${ex}.cnn`, import.meta.url), "utf8");
      for (const model of modelsOf(text, `${ex}.cnn`)) {
        const plan = plans[model.name];
        const h = await harness(model, undefined, target);
        const report = h.gradcheck({ ...plan, seed: 3, batch: target === "wasm" ? Math.max(plan.batch, 4) : plan.batch });
        const table = h.formatGradcheck(report);
        expect(report.pass, table).toBe(true);
        const expected = plan.only ?? [...model.layers.flatMap((l) => l.params.map((p) => p.name)), "dx"];
        const names = report.rows.map((r) => r.name).filter((n) => n !== "loss");
        expect(names).toEqual(expected);
        for (const row of report.rows) expect(row.checked, `${model.name} ${row.name}`).toBeGreaterThan(0);
        if (model.loss !== null) expect(report.rows[0].name).toBe("loss");
      }
    });
  }
});

/** One small model per op kind, the op right after the input so its dx is checked too (a merge reads x twice). */
function opModel(op: OpName): Model {
  if (op === "add" || op === "concat") {
    const g = new GraphBuilder(`Op_${op}`, [4, 5, 5]);
    const m = g.merge("x", op, [-1, -1]);
    g.op("fc", "affine", g.op("t", "tanh", m), [["features", 3]]);
    return g.model({ op: "softmax" });
  }
  if (op === "mul") {
    // squeeze-and-excitation: x times a [C, 1, 1] gate computed from x, then x times itself (equal shapes)
    const g = new GraphBuilder("Op_mul", [4, 5, 5]);
    let s = g.op("avgpool", "adaptiveavgpool", -1, [["size", 1]]);
    s = g.op("fc1", "conv", s, [["filters", 2], ["kernel", 1]]);
    s = g.op("act", "silu", s);
    s = g.op("fc2", "conv", s, [["filters", 4], ["kernel", 1]]);
    s = g.op("scale", "sigmoid", s);
    const m = g.merge("x", "mul", [s, -1]);
    const sq = g.merge("sq", "mul", [m, m]);
    g.op("fc", "affine", g.op("t", "tanh", sq), [["features", 3]]);
    return g.model({ op: "softmax" });
  }
  const layer: Record<Exclude<OpName, "add" | "concat" | "mul">, string> = {
    conv: "conv(3, kernel=3, stride=(2, 1), pad=(1, 0, 1, 1), dilation=(1, 2), groups=1)",
    maxpool: "maxpool(2, stride=1)",
    avgpool: "avgpool(3, stride=2, pad=1, count_pad=false, rounding=ceil)",
    globalavgpool: "globalavgpool",
    pad: "pad((1, 0, 2, 1))",
    batchnorm: "batchnorm(momentum=0.2)",
    layernorm: "layernorm",
    groupnorm: "groupnorm(2)",
    affine: "affine(5)",
    flatten: "flatten",
    relu: "relu",
    leakyrelu: "leakyrelu(0.1)",
    sigmoid: "sigmoid",
    tanh: "tanh",
    dropout: "dropout(0.3)",
    convtranspose: "convtranspose(4, kernel=3, stride=2, pad=(1, 0, 1, 1), output_pad=1, groups=2)",
    upsample: "upsample((2, 3), mode=bilinear)",
    adaptiveavgpool: "adaptiveavgpool((3, 2))",
    globalmaxpool: "globalmaxpool",
    softmax: "softmax",
    relu6: "relu6",
    clamp: "clamp(min=0.25, max=1.5)",
    hardswish: "hardswish",
    hardsigmoid: "hardsigmoid",
    silu: "silu",
    elu: "elu(0.5)",
    selu: "selu",
    softplus: "softplus(2, threshold=1)",
    mish: "mish",
    layernorm2d: "layernorm2d",
    layerscale: "layerscale(0.5)",
    channelshuffle: "channelshuffle(2)",
    slice: "slice(start=1, end=3)",
    stochasticdepth: "stochasticdepth(0.2)",
    pixelshuffle: "pixelshuffle(2)",
    pixelunshuffle: "pixelunshuffle(1)",
    prelu: "prelu(4, init=0.3)",
    gelu: "gelu",
    instancenorm: "instancenorm(affine=true)",
    permute: "permute((0, 2, 3, 1))",
    linear: "linear(3)",
    layernormlast: "layernormlast",
  };
  const text = `model Op_${op} {
  input [4, 5, 5]
  x: ${layer[op]}
  t: tanh
  fc: affine(3)
  loss softmax
}
`;
  return modelsOf(text, `${op}.cnn`)[0];
}

describe("gradcheck on graphs", () => {
  it("passes on a residual block (batchnorm, projection shortcut, x read by both branches) and fails on a wrong add", async () => {
    const g = new GraphBuilder("ResidualBlock", [3, 6, 6]);
    const conv = (filters: number, kernel: number, stride: number, pad: number): [string, number][] => [
      ["filters", filters],
      ["kernel", kernel],
      ["stride", stride],
      ["pad", pad],
    ];
    let y = g.op("conv1", "conv", -1, conv(4, 3, 2, 1));
    y = g.op("bn1", "batchnorm", y);
    y = g.op("relu1", "relu", y);
    y = g.op("conv2", "conv", y, conv(4, 3, 1, 1));
    const short = g.op("downsample", "conv", -1, conv(4, 1, 2, 0));
    const sum = g.merge("add", "add", [y, short]);
    const cat = g.merge("cat", "concat", [g.op("relu", "tanh", sum), sum]);
    g.op("fc", "affine", g.op("pool", "globalavgpool", cat), [["features", 3]]);
    const model = g.model({ op: "softmax" });
    const good = (await harness(model)).gradcheck({ batch: 3, samples: 6 });
    expect(good.pass, (await harness(model)).formatGradcheck(good)).toBe(true);
    const bad = (await harness(model, "add")).gradcheck({ batch: 3, samples: 6 });
    expect(bad.pass).toBe(false);
    for (const name of ["conv1.weight", "downsample.weight", "dx"]) expect(bad.rows.find((r) => r.name === name)?.pass, name).toBe(false);
    expect(bad.rows.find((r) => r.name === "fc.weight")?.pass).toBe(true);
  });
});

describe.each(["ts", "wasm"] as const)("gradcheck (%s) catches a wrong backward of every op kind", (target) => {
  for (const op of OP_NAMES) {
    it(op, async () => {
      const model = opModel(op);
      // globalmaxpool's dx is nonzero at 1 cell of 25 per plane: check every entry, so a wrong one is seen
      const samples = op === "globalmaxpool" ? 200 : 6;
      const good = (await harness(model, undefined, target)).gradcheck({ samples });
      expect(good.pass, `unperturbed ${op}`).toBe(true);
      const h = await harness(model, op, target);
      const bad = h.gradcheck({ samples });
      expect(bad.pass, h.formatGradcheck(bad)).toBe(false);
      // the wrong gradient shows where it is: dx (and this layer's parameters) fail
      expect(bad.rows.find((r) => r.name === "dx")?.pass).toBe(false);
      for (const p of model.layers[0].params) expect(bad.rows.find((r) => r.name === p.name)?.pass, p.name).toBe(false);
      // and no entry is skipped to hide it
      expect(bad.rows.every((r) => r.checked > 0)).toBe(true);
    });
  }
});

describe("gradcheck on ceil windows larger than the padded input (PyTorch's ceil_mode keeps them)", () => {
  // height: 2 + 1 + 1 = 4 padded rows under a 5-row window; width: two windows over 5 + 2 + 2 columns
  const pools: [string, string][] = [
    ["maxpool", "maxpool(kernel=(5, 6), stride=(2, 3), pad=(1, 2), rounding=ceil)"],
    ["avgpool", "avgpool(kernel=(5, 6), stride=(2, 3), pad=(1, 2), rounding=ceil)"],
    ["avgpool", "avgpool(kernel=(5, 6), stride=(2, 3), pad=(1, 2), count_pad=false, rounding=ceil)"],
  ];
  for (const [op, layer] of pools) {
    it(`${layer}: passes, and fails on a wrong backward`, async () => {
      const [model] = modelsOf(`model Huge {\n  input [2, 2, 5]\n  x: ${layer}\n  t: tanh\n  fc: affine(3)\n  loss softmax\n}\n`, "huge.cnn");
      expect(model.layers[0].output).toEqual([2, 1, 2]);
      const good = (await harness(model)).gradcheck({ samples: 6 });
      expect(good.pass).toBe(true);
      const bad = (await harness(model, op as OpName)).gradcheck({ samples: 6 });
      expect(bad.rows.find((r) => r.name === "dx")?.pass).toBe(false);
    });
  }
});

describe("gradcheck with other scalars", () => {
  const variants: [string, string][] = [
    ["no loss (a fixed random projection of the output)", ""],
    ["svm loss", "  loss svm(margin=0.5)\n"],
  ];
  for (const [what, loss] of variants) {
    it(`${what}: passes, and fails on a wrong backward`, async () => {
      const text = `model Other {\n  input [3, 5, 5]\n  c: conv(4, kernel=2, stride=2, pad=same)\n  r: leakyrelu(0.1)\n  fc: affine(4)\n${loss}}\n`;
      const [model] = modelsOf(text, "other.cnn");
      expect(model.loss === null).toBe(loss === "");
      const good = (await harness(model)).gradcheck({ samples: 5, batch: 3 });
      expect(good.pass).toBe(true);
      expect(good.rows.some((r) => r.name === "loss")).toBe(loss !== "");
      const bad = (await harness(model, "conv")).gradcheck({ samples: 5, batch: 3 });
      expect(bad.rows.find((r) => r.name === "c.weight")?.pass).toBe(false);
      expect(bad.pass).toBe(false);
    });
  }
});

describe("kinks", () => {
  const piecewiseLinear = `model Kinks {
  input [2, 6, 6]
  c: conv(4, kernel=3)
  relu
  m: maxpool(2)
  fc: affine(4)
  leakyrelu(0.1)
  out: affine(3)
  loss svm
}
`;
  it("an entry whose difference crosses a kink at every step is skipped and counted, never passed or failed", async () => {
    const [model] = modelsOf(piecewiseLinear, "kinks.cnn");
    const h = await harness(model);
    // with a huge step almost every difference crosses a ReLU, max-pool or hinge kink
    const coarse = h.gradcheck({ samples: 10, h: 3 });
    const skipped = coarse.rows.reduce((a, r) => a + r.skipped, 0);
    expect(skipped, h.formatGradcheck(coarse)).toBeGreaterThan(0);
    expect(h.formatGradcheck(coarse)).toMatch(/skipped/);
    // what it did check is exact (the model is piecewise linear), so nothing that crossed slipped through
    for (const r of coarse.rows) if (r.checked > 0) expect(r.maxRelError, r.name).toBeLessThanOrEqual(1e-6);
    // with the default step the same model passes with nothing skipped
    const fine = h.gradcheck({ samples: 10 });
    expect(fine.pass, h.formatGradcheck(fine)).toBe(true);
  });
});

describe("globalmaxpool winners are kinks", () => {
  it("a difference that changes a channel's winner is skipped, what is checked is exact, the default step passes", async () => {
    const text = `model GlobalMax {\n  input [3, 3, 3]\n  g: globalmaxpool\n  out: affine(3)\n}\n`;
    const [model] = modelsOf(text, "globalmax.cnn");
    const h = await harness(model);
    // steps of 300, 30 and 3 move almost any cell past its channel's maximum, or the winner below the runner-up
    const coarse = h.gradcheck({ samples: 100, h: 300, only: ["dx"] });
    expect(coarse.rows[0].skipped, h.formatGradcheck(coarse)).toBeGreaterThan(0);
    expect(coarse.rows[0].maxRelError, h.formatGradcheck(coarse)).toBeLessThanOrEqual(1e-6);
    const fine = h.gradcheck({ samples: 100 });
    expect(fine.pass, h.formatGradcheck(fine)).toBe(true);
    expect(fine.rows.every((r) => r.skipped === 0)).toBe(true);
  });
});

describe("kinks of the piecewise activations", () => {
  // No loss (the scalar is a fixed projection of the output), so the activation is the only kink-bearing
  // layer; layerscale(8) spreads its inputs over every piece (relu6's 6, hardswish's ±3).
  const piecewise: [string, boolean][] = [
    ["relu6", true],
    ["clamp(min=0.25, max=1.5)", true],
    ["hardswish", true],
    ["hardsigmoid", true],
    ["elu(0.5)", false],
    ["selu", false],
    ["softplus(threshold=1)", false],
    ["prelu(3, init=0.3)", true],
  ];
  for (const [act, polynomial] of piecewise) {
    it(`${act}: a step that crosses a corner is skipped and counted${polynomial ? "; what is checked is exact" : ""}`, async () => {
      const text = `model Corners {\n  input [2, 5, 5]\n  c: conv(3, kernel=2)\n  s: layerscale(8)\n  a: ${act}\n  fc: affine(3)\n}\n`;
      const [model] = modelsOf(text, "corners.cnn");
      const h = await harness(model);
      const coarse = h.gradcheck({ samples: 12, h: 2 });
      const skipped = coarse.rows.reduce((a, r) => a + r.skipped, 0);
      expect(skipped, h.formatGradcheck(coarse)).toBeGreaterThan(0);
      // between corners each piece is of degree ≤ 2 in the perturbed entry, where a centred difference is exact:
      // a crossing the pattern missed would show here as an error
      if (polynomial) for (const r of coarse.rows) if (r.checked > 0) expect(r.maxRelError, `${r.name}\n${h.formatGradcheck(coarse)}`).toBeLessThanOrEqual(1e-6);
      const fine = h.gradcheck({ samples: 12 });
      expect(fine.pass, h.formatGradcheck(fine)).toBe(true);
    });
  }
});

describe("the harness and the CLI", () => {
  const tsx = fileURLToPath(import.meta.resolve("tsx"));

  it("run directly, a wrong backward prints FAIL and exits 1; a right one exits 0", async () => {
    const model = opModel("conv");
    // the harness runs itself only under the name cnnc build gives it
    const bad = folder.write("Op_conv.gradcheck.ts", emitGradcheck(model, { sourceName: "conv.cnn", perturb: "conv" }));
    const r = spawnSync(process.execPath, ["--import", tsx, bad, "--samples", "3"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^x\.weight\s+\[3, 4, 3, 3\]\s+3\s+0\s+\S+\s+FAIL$/m);
    expect(r.stdout).toMatch(/^FAIL: /m);
    const good = folder.write("Op_conv.gradcheck.ts", emitGradcheck(model, { sourceName: "conv.cnn" }));
    const g = spawnSync(process.execPath, ["--import", tsx, good, "--samples", "3", "--batch", "3"], {
      encoding: "utf8",
    });
    expect(g.status, g.stderr).toBe(0);
    expect(g.stdout).toMatch(/batch 3/);
    expect(g.stdout).toMatch(/^PASS: /m);
  });

  it("the harness type-checks under tsc --strict on its own (imports nothing)", () => {
    const model = opModel("dropout");
    const text = emitGradcheck(model, { sourceName: "dropout.cnn" });
    expect(text).not.toMatch(/^\s*import\s/m);
    const file = folder.write("Strict.gradcheck.ts", text);
    // plain ES2022 (no DOM, no Node types: the harness must not need them); the
    // module's safetensors helpers use TextEncoder/TextDecoder, declared here
    const globals = folder.write(
      "text-codec.d.ts",
      "declare class TextEncoder { encode(s: string): Uint8Array; }\n" +
        "declare class TextDecoder { constructor(label?: string, opts?: { fatal?: boolean }); decode(b: Uint8Array): string; }\n",
    );
    const tsc = fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url));
    const flags = ["--strict", "--noEmit", "--target", "ES2022", "--module", "ESNext", "--moduleResolution", "bundler"];
    // run in the temporary folder, so no @types of this package are picked up
    const r = spawnSync(process.execPath, [tsc, ...flags, "--lib", "ES2022", globals, file], {
      encoding: "utf8",
      cwd: folder.dir,
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it("cnnc gradcheck --target wasm runs the stripped wasm module and harness with plain node: batch 4, the f32 backward passes, cleans up", async () => {
    const temps = () => readdirSync(tmpdir()).filter((d) => d.startsWith("cnnc-gradcheck-"));
    const before = temps();
    const r = await cnnc("gradcheck", "--target", "wasm", "examples/mlp-mnist.cnn", "--samples", "2");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(temps()).toEqual(before);
    expect(r.stdout).toContain("gradcheck MnistMlp (mlp-mnist.cnn), f32 WebAssembly backward against the f64 harness");
    expect(r.stdout).toMatch(/^dx\s+\[4, 784\]\s+2\s+0\s+\S+\s+pass$/m);
    expect(r.stdout).toMatch(/^PASS: /m);
  });

  it("cnnc gradcheck builds, runs and cleans up; exit 0 with the table", async () => {
    const temps = () => readdirSync(tmpdir()).filter((d) => d.startsWith("cnnc-gradcheck-"));
    const before = temps();
    const r = await cnnc("gradcheck", "examples/lenet5.cnn", "--samples", "2", "--seed", "5");
    expect(r.code, r.stderr).toBe(0);
    expect(temps()).toEqual(before);
    expect(r.stdout).toMatch(/^checked c1\.weight: 2 entries/m);
    expect(r.stdout).toMatch(/^c1\.weight\s+\[6, 1, 5, 5\]\s+2\s+0\s+\S+\s+pass$/m);
    expect(r.stdout).toMatch(/^dx\s+\[2, 1, 28, 28\]\s+2\s+0\s+\S+\s+pass$/m);
    expect(r.stdout).toMatch(/^PASS: /m);
  });

  it("usage errors exit 2, a file with an error exits 1, never a stack trace", async () => {
    expect((await cnnc("gradcheck", "examples/lenet5.cnn", "--batch", "0")).code).toBe(2);
    expect((await cnnc("gradcheck", "examples/lenet5.cnn", "--tol", "-1")).code).toBe(2);
    expect((await cnnc("gradcheck", "examples/lenet5.cnn", "--model", "LeNet")).code).toBe(2);
    expect((await cnnc("gradcheck", "examples/no-such-file.cnn")).code).toBe(2);
    const unknownTensor = await cnnc("gradcheck", "examples/lenet5.cnn", "--tensors", "c9.weight");
    expect(unknownTensor.code).toBe(2);
    expect(unknownTensor.stderr).toMatch(/no tensor named c9\.weight/);
    expect(unknownTensor.stderr).not.toMatch(/^\s+at /m);
    // batch statistics of one value (PyTorch refuses them too): the harness says why, exit 2
    const single = await cnnc(
      "gradcheck",
      "examples/norms-and-pools.cnn",
      "--model",
      "DilatedFeatures",
      "--batch",
      "1",
    );
    expect(single.code).toBe(2);
    expect(single.stderr).toMatch(/batchnorm 'batchnorm1' in training mode needs more than one value per channel/);
    expect(single.stderr).not.toMatch(/^\s+at /m);
    const bad = folder.write("bad.cnn", "model Bad {\n  input [1, 4, 4]\n  conv(2, kernel=9)\n}\n");
    const r = await cnnc("gradcheck", bad);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/E03\d\d/);
  });
});
