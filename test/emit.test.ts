// The generated module's contract (docs/generated-api.md):
// it type-checks strictly with erasable syntax only, is deterministic, imports
// nothing, allocates nothing per step, has the checker's shapes, throws
// RangeError on wrong sizes before any work, and initialises as documented.
// Numerical agreement with independent oracles is tested in test/oracle*.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import v8 from "node:v8";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { formatTs } from "../src/emit/format.ts";
import { emitModule } from "../src/emit/module.ts";
import type { Model } from "../src/ir.ts";
import { compile } from "../src/pipeline.ts";
import { emitDir, emitFormatted, type Generated, load, testRandom } from "./emit-harness.ts";
import { everyOp, handModels, lenet, noLoss, smooth, wide } from "./emit-models.ts";

/** The text of one top-level function of a generated module. */
function functionText(text: string, name: string): string {
  const start = text.indexOf(`function ${name}(`);
  if (start < 0) throw new Error(`no function ${name}`);
  const end = text.indexOf("\nfunction ", start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

const version = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version;
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Every model of examples/*.cnn, through the real front end. */
const examples: Model[] = readdirSync("examples")
  .filter((f) => f.endsWith(".cnn"))
  .sort()
  .flatMap((f) => {
    const r = compile(readFileSync(join("examples", f)), `examples/${f}`);
    if (r.models.length === 0) throw new Error(`examples/${f} did not compile`);
    return r.models;
  });
/** The examples small enough to run in a test. */
const runnable = new Set(["LeNet5", "ThreeLayerConvNet", "MnistMlp", "GroupNormNet", "DilatedFeatures", "VggBn"]);

const texts = new Map<string, string>();
/** unformatted emitModule output of every example (prettier would add nothing tsc cares about) */
const exampleTexts = new Map<string, string>();
const modules = new Map<string, Generated>();
const key = (m: Model, dtype: "f32" | "f64") => `${m.name}_${dtype}`;

beforeAll(async () => {
  rmSync(emitDir, { recursive: true, force: true });
  for (const m of handModels) {
    for (const dtype of ["f32", "f64"] as const) {
      // prettier is slow; the f64 twins are type-checked and run unformatted
      const text =
        dtype === "f32" ? await emitFormatted(m, { dtype }) : emitModule(m, { dtype, sourceName: `${m.name}.cnn` });
      texts.set(key(m, dtype), text);
      modules.set(key(m, dtype), await load(text, key(m, dtype)));
    }
  }
  for (const m of examples) {
    const text = emitModule(m, { dtype: "f32", sourceName: m.file.replace(/^.*\//, "") });
    exampleTexts.set(`example_${m.name}`, text);
    if (runnable.has(m.name)) modules.set(`example_${m.name}`, await load(text, `example_${m.name}`));
  }
}, 60_000);

describe("generated text", () => {
  it("type-checks with tsc --strict, erasable syntax only, without @types/node", () => {
    const dir = join(emitDir, "tsc");
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of [...texts, ...exampleTexts]) writeFileSync(join(dir, `${name}.ts`), text);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: "ES2022",
          module: "ESNext",
          moduleResolution: "Bundler",
          types: [],
          erasableSyntaxOnly: true,
          verbatimModuleSyntax: true,
          isolatedModules: true,
        },
        include: ["*.ts"],
      }),
    );
    let output = "";
    try {
      execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", dir], { encoding: "utf8" });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(output).toBe("");
  }, 180_000); // one tsc over every example's module: over a minute on a loaded 2-core machine

  it("is byte-identical when built twice", async () => {
    for (const m of handModels) expect(await emitFormatted(m, { dtype: "f32" })).toBe(texts.get(key(m, "f32")));
    for (const m of examples) {
      expect(emitModule(m, { dtype: "f32", sourceName: m.file.replace(/^.*\//, "") })).toBe(exampleTexts.get(`example_${m.name}`));
    }
  });

  it("keeps every example small: VGG16 formatted under 300 KB", async () => {
    expect(examples.map((m) => m.name)).toContain("VGG16");
    for (const m of examples) expect(exampleTexts.get(`example_${m.name}`)!.length, m.name).toBeLessThan(250_000);
    const formatted = await formatTs(exampleTexts.get("example_VGG16")!);
    expect(Buffer.byteLength(formatted)).toBeLessThan(300_000);
  }, 30_000);

  it("imports nothing and names its source, cnnc's version and every layer's line", () => {
    for (const m of handModels) {
      const text = texts.get(key(m, "f32"))!;
      expect(text).not.toMatch(/^\s*import\b|\bimport\s*\(|\brequire\s*\(/m);
      expect(text.split("\n")[0]).toBe(`// ${m.name}.ts — generated by cnnc ${version} from ${m.name}.cnn. Do not edit; rebuild with \`cnnc build\`.`);
      for (const layer of m.layers) {
        const call = layer.source.replace(/^\w+: /, "");
        expect(text).toContain(`// ${layer.name}: ${call} — ${m.name}.cnn:${layer.span.line}`);
      }
    }
  });

  it("window strategy: interior windows are straight-line code with literal offsets and no bounds test", () => {
    const text = emitModule(lenet, { dtype: "f32", sourceName: "lenet5.cnn", strategy: "window" });
    // c1: 5×5 over a 28-wide input: the last tap is 4·28 + 4 = 116 past the window origin
    expect(text).toContain("acc += inp[i + 116] * w[wf + 24];");
    // c3 is a valid conv (no padding): its forward has no border code at all
    const c3 = functionText(text, "forward_c3");
    expect(c3).toContain("acc += inp[i + 60] * w[k + 24];"); // 4·14 + 4 on the 14-wide input
    expect(c3).not.toMatch(/r < 0|q < 0|continue/);
    // with a budget of 4 multiply-adds, the same windows become loops
    const looped = emitModule(lenet, { dtype: "f32", sourceName: "lenet5.cnn", strategy: "window", unrollBudget: 4 });
    expect(looped).not.toContain("inp[i + 116]");
    expect(looped.length).toBeLessThan(text.length);
  });

  it("direct strategy (stride 1): a zero-bordered input copy, sliding rows of literal loads, no bounds test", () => {
    const text = emitModule(lenet, { dtype: "f32", sourceName: "lenet5.cnn" });
    const c1 = functionText(text, "forward_c1");
    expect(c1).toContain("const xp = buf_xpad;"); // pad 2: the 28×28 input copied into 32×32 …
    expect(c1).toContain("buf_xpad: FloatArray"); // … a workspace buffer the call binds
    expect(text).toContain("ws.l1_xpad");
    // kernel row 4 of a 4-column block loads 4 + 5 − 1 inputs at 4·32 + 0 … 4·32 + 7
    expect(c1).toMatch(/x0 = xp\[xo \+ 128\].*x7 = xp\[xo \+ 135\]/s);
    expect(c1).toContain("const v = W[wo + 24];");
    for (const name of ["forward_c1", "backwardWeight_c1", "backwardInput_c1", "forward_c3", "backwardWeight_c3", "backwardInput_c3"]) {
      expect(functionText(text, name)).not.toMatch(/< 0|continue|Math\.(min|max)/);
    }
    // OW = 10 for c3: two blocks of 4 columns and a literal tail of 2
    expect(functionText(text, "forward_c3")).toContain("const ox = 8;");
  });

  it("shares one function between layers of identical shape, under every layer's comment", () => {
    const vgg = exampleTexts.get("example_VGG16")!;
    const model = examples.find((m) => m.name === "VGG16")!;
    const repeated = model.layers.filter((l) => l.name.startsWith("conv5_"));
    expect(repeated.map((l) => l.name)).toEqual(["conv5_1", "conv5_2", "conv5_3"]);
    for (const l of repeated) expect(vgg).toContain(`// ${l.name}: conv(512, kernel=3, pad=1) — vgg16.cnn:${l.span.line}\n`);
    expect(vgg.match(/^function forward_conv5_\d\(/gm)).toEqual(["function forward_conv5_1("]);
    expect(vgg.match(/\bforward_conv5_1\(/g)!.length).toBe(4); // the definition and three calls
  });

  it("allocates nothing in forward, lossAndGrad, backward and the passes they call", () => {
    const hot = new Set(["forward", "lossAndGrad", "backward", "forwardPass", "backwardPass", "lossPass", "nextUniform", "mulberry32", "checkInput", "checkTensors", "checkLabels", "checkDout", "checkTraining"]);
    for (const m of handModels) {
      const source = ts.createSourceFile("m.ts", texts.get(key(m, "f32"))!, ts.ScriptTarget.ES2022, true);
      const found: string[] = [];
      const seen: string[] = [];
      const visit = (node: ts.Node, fn: string | undefined, inThrow: boolean): void => {
        if (ts.isFunctionDeclaration(node) && node.name !== undefined) {
          fn = hot.has(node.name.text) ? node.name.text : undefined;
          if (fn !== undefined) seen.push(fn);
        }
        if (fn !== undefined) {
          const bad =
            (ts.isNewExpression(node) && !inThrow) ||
            ts.isArrayLiteralExpression(node) ||
            ts.isObjectLiteralExpression(node) ||
            ts.isArrowFunction(node) ||
            ts.isFunctionExpression(node) ||
            ts.isTemplateExpression(node) && !inThrow;
          if (bad) found.push(`${fn}: ${node.getText().slice(0, 60)}`);
        }
        ts.forEachChild(node, (child) => visit(child, fn, inThrow || ts.isThrowStatement(node)));
      };
      visit(source, undefined, false);
      expect(found).toEqual([]);
      expect(seen).toContain("forwardPass");
      expect(seen).toContain("backwardPass");
    }
  });

  it("keeps accumulators in locals: conv weight gradients sum into locals, stored once", () => {
    const window = emitModule(lenet, { dtype: "f32", sourceName: "lenet5.cnn", strategy: "window" });
    expect(functionText(window, "backward_c1")).toMatch(/let g0 = 0, g1 = 0, g2 = 0/);
    const direct = functionText(emitModule(lenet, { dtype: "f32", sourceName: "lenet5.cnn" }), "backwardWeight_c3");
    // 4 filters × 3 kernel columns (5 = 3 + 2) of accumulators
    expect(direct).toContain("let a00 = 0, a01 = 0, a02 = 0, a10 = 0");
    expect(direct).not.toMatch(/gw\[[^\]]*\] \+=/);
  });
});

describe("generated module at run time", () => {
  it("allocates nothing per training step (the heap stays flat over 300 steps once optimised)", () => {
    const m = modules.get(key(everyOp, "f32"))!;
    const batch = 3;
    const p = m.initParams(1);
    const s = m.initState();
    const ws = m.createWorkspace(batch, 5);
    const rand = testRandom(3);
    const x = Float32Array.from({ length: batch * size(everyOp.input) }, () => rand() - 0.5);
    const y = Int32Array.from({ length: batch }, (_, i) => i % 5);
    const newSpace = () => v8.getHeapSpaceStatistics().find((sp) => sp.space_name === "new_space")!.space_used_size;
    // Until V8 has optimised the passes, interpreted code boxes doubles; so
    // measure windows of 300 steps until one is clean, for at most 15 s. A
    // window only counts when no scavenge ran in it (new space did not shrink).
    // An allocating step (≥ 16 bytes × 300) never gives a clean window.
    const start = performance.now();
    let best = Infinity;
    while (performance.now() - start < 15_000 && best >= 4000) {
      const before = newSpace();
      for (let i = 0; i < 300; i++) {
        m.lossAndGrad!(p, s, x, y, ws);
        m.forward(p, s, x, ws);
      }
      const after = newSpace();
      if (after >= before) best = Math.min(best, after - before);
    }
    expect(best).toBeLessThan(4000);
  });

  it("produces exactly the shapes the checker predicted, layer by layer, writing every element", () => {
    const cases: [Model, Generated][] = [
      ...handModels.map((model): [Model, Generated] => [model, modules.get(key(model, "f64"))!]),
      ...examples.filter((model) => runnable.has(model.name)).map((model): [Model, Generated] => [model, modules.get(`example_${model.name}`)!]),
    ];
    expect(cases.length).toBe(handModels.length + runnable.size);
    for (const [model, m] of cases) {
      const batch = 2;
      const ws = m.createWorkspace(batch);
      const rand = testRandom(5);
      const x = Float64Array.from({ length: batch * size(model.input) }, () => rand() - 0.5);
      const buffers = model.layers.map((layer, i) => ws[`a${i + 1}`] as Float64Array | Float32Array | undefined);
      for (const b of buffers) b?.fill(NaN); // every element must be overwritten
      const out = m.forward(m.initParams(2), m.initState(), x, ws, true);
      expect(out.length, model.name).toBe(batch * size(model.output));
      expect(m.info.output).toEqual(model.output);
      model.layers.forEach((layer, i) => {
        const buffer = buffers[i];
        if (layer.args.op === "flatten") return; // flatten's output is its input's buffer
        expect(buffer?.length, `${model.name} ${layer.name}`).toBe(batch * size(layer.output));
        expect(buffer!.every(Number.isFinite), `${model.name} ${layer.name} wrote every element`).toBe(true);
      });
    }
  });

  it("exports the names and info of docs/generated-api.md", () => {
    for (const model of handModels) {
      const m = modules.get(key(model, "f32"))!;
      expect(m.info.name).toBe(model.name);
      expect(m.info.input).toEqual(model.input);
      expect(m.info.params).toEqual(model.layers.flatMap((l) => l.params));
      expect(m.info.state).toEqual(model.layers.flatMap((l) => l.state));
      expect(typeof m.activationPattern).toBe("function");
      expect(typeof (model.loss === null ? m.backward : m.lossAndGrad)).toBe("function");
      const p = m.initParams();
      expect(Object.keys(p)).toEqual(model.layers.flatMap((l) => l.params.map((t) => t.name)));
      for (const t of m.info.params) expect(p[t.name]).toBeInstanceOf(Float32Array);
    }
  });

  it("throws RangeError naming the expected length before any work", () => {
    const m = modules.get(key(lenet, "f32"))!;
    const p = m.initParams();
    const s = m.initState();
    const ws = m.createWorkspace(4);
    const x = new Float32Array(4 * 784);
    const y = new Int32Array(4);
    const out = ws.a11 as Float32Array;
    out.fill(7);
    expect(() => m.forward(p, s, new Float32Array(3 * 784), ws)).toThrow(RangeError);
    expect(() => m.forward(p, s, new Float32Array(3 * 784), ws)).toThrow(/expected 3136/);
    expect(() => m.lossAndGrad!(p, s, new Float32Array(8 * 784), new Int32Array(8), ws)).toThrow(/expected 3136/);
    expect(() => m.lossAndGrad!(p, s, x, new Int32Array(3), ws)).toThrow(/expected 4/);
    expect(() => m.lossAndGrad!(p, s, x, Int32Array.of(0, 1, 10, 2), ws)).toThrow(/y\[2\] = 10 .*\[0, 10\)/);
    expect(() => m.lossAndGrad!(p, s, x, Int32Array.of(0, -1, 1, 2), ws)).toThrow(RangeError);
    expect(out.every((v) => v === 7)).toBe(true); // no work was done
    expect(() => m.lossAndGrad!(p, s, x, y, ws)).not.toThrow();
    expect(() => m.forward({ ...p, "c3.weight": new Float32Array(10) }, s, x, ws)).toThrow(/c3\.weight.*length 2400 = \[16, 6, 5, 5\]/);
    expect(() => m.forward({}, s, x, ws)).toThrow(RangeError);
    expect(() => m.createWorkspace(0)).toThrow(RangeError);
    expect(() => m.createWorkspace(1.5)).toThrow(RangeError);

    const n = modules.get(key(noLoss, "f64"))!;
    const nws = n.createWorkspace(2);
    const nx = new Float64Array(2 * 72);
    expect(() => n.backward!(n.initParams(), n.initState(), nx, new Float64Array(7), nws)).toThrow(/dout .*expected 8/);
  });

  it("throws RangeError for training-mode batchnorm with one value per channel, before any work", () => {
    const m = modules.get(key(everyOp, "f64"))!; // bn2 normalises [7] features: N·1·1 values per channel
    const p = m.initParams();
    const s = m.initState();
    const ws = m.createWorkspace(1);
    const x = new Float64Array(size(everyOp.input)).fill(1);
    const before = Float64Array.from(s["bn1.running_mean"]!);
    expect(() => m.lossAndGrad!(p, s, x, Int32Array.of(0), ws)).toThrow(/bn2.*training/);
    expect(() => m.forward(p, s, x, ws, true)).toThrow(RangeError);
    expect(s["bn1.running_mean"]).toEqual(before);
    expect(() => m.forward(p, s, x, ws)).not.toThrow(); // eval mode is fine
    const ws2 = m.createWorkspace(2);
    expect(() => m.lossAndGrad!(p, s, new Float64Array(2 * size(everyOp.input)), Int32Array.of(0, 1), ws2)).not.toThrow();
  });

  it("initialises He-normal weights, zero biases, γ = 1, β = 0, running_var = 1", () => {
    const m = modules.get(key(wide, "f64"))!;
    const p = m.initParams(42);
    for (const [name, fanIn] of [["c1.weight", 75], ["fc.weight", 64 * 8 * 8]] as const) {
      const w = Array.from(p[name]!);
      const mean = w.reduce((a, b) => a + b, 0) / w.length;
      const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
      const expected = Math.sqrt(2 / fanIn);
      expect(Math.abs(mean)).toBeLessThan((4 * expected) / Math.sqrt(w.length));
      expect(std / expected).toBeGreaterThan(0.97);
      expect(std / expected).toBeLessThan(1.03);
    }
    expect(p["c1.bias"]!.every((v) => v === 0)).toBe(true);
    const e = modules.get(key(everyOp, "f32"))!;
    const q = e.initParams();
    expect(q["bn1.weight"]!.every((v) => v === 1)).toBe(true);
    expect(q["gn.bias"]!.every((v) => v === 0)).toBe(true);
    const s = e.initState();
    expect(s["bn1.running_var"]!.every((v) => v === 1)).toBe(true);
    expect(s["bn2.running_mean"]!.every((v) => v === 0)).toBe(true);
  });

  it("is deterministic per seed: parameters and dropout masks", () => {
    const m = modules.get(key(everyOp, "f64"))!;
    expect(m.initParams(7)).toEqual(m.initParams(7));
    expect(m.initParams(7)["c1.weight"]).not.toEqual(m.initParams(8)["c1.weight"]);
    const x = new Float64Array(2 * size(everyOp.input)).map((_, i) => Math.sin(i));
    const run = (seed: number) => {
      const ws = m.createWorkspace(2, seed);
      return Float64Array.from(m.forward(m.initParams(1), m.initState(), x, ws, true));
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
    // eval mode ignores dropout altogether
    const ws = m.createWorkspace(2, 9);
    const a = Float64Array.from(m.forward(m.initParams(1), m.initState(), x, ws));
    expect(Float64Array.from(m.forward(m.initParams(1), m.initState(), x, ws))).toEqual(a);
  });

  it("freezeDropout reuses the last mask", () => {
    const m = modules.get(key(everyOp, "f64"))!;
    const ws = m.createWorkspace(2, 1);
    const p = m.initParams(1);
    const x = new Float64Array(2 * size(everyOp.input)).fill(0.3);
    m.forward(p, m.initState(), x, ws, true);
    const mask = Float64Array.from(ws.l15_mask as Float64Array);
    ws.freezeDropout = true;
    m.forward(p, m.initState(), x, ws, true);
    expect(ws.l15_mask).toEqual(mask);
    ws.freezeDropout = false;
    m.forward(p, m.initState(), x, ws, true);
    expect(ws.l15_mask).not.toEqual(mask);
  });

  it("agrees with centred finite differences on a smooth model (f64)", () => {
    const m = modules.get(key(smooth, "f64"))!;
    const batch = 2;
    const rand = testRandom(11);
    const p = m.initParams(5);
    for (const t of Object.values(p)) for (let i = 0; i < t.length; i++) t[i] += 0.2 * (rand() - 0.5);
    const x = Float64Array.from({ length: batch * size(smooth.input) }, () => rand() * 2 - 1);
    const y = Int32Array.of(1, 3);
    const ws = m.createWorkspace(batch);
    const lossAt = () => m.lossAndGrad!(p, m.initState(), x, y, ws).loss;
    const g = m.lossAndGrad!(p, m.initState(), x, y, ws);
    const analytic = new Map([...Object.entries(g.grads)].map(([k, v]) => [k, Float64Array.from(v)]));
    analytic.set("x", Float64Array.from(g.dx));
    const h = 1e-5;
    let worst = 0;
    for (const [name, a] of analytic) {
      const v = name === "x" ? x : p[name]!;
      for (let i = 0; i < v.length; i += Math.max(1, Math.floor(v.length / 7))) {
        const old = v[i]!;
        v[i] = old + h;
        const up = lossAt();
        v[i] = old - h;
        const down = lossAt();
        v[i] = old;
        const numeric = (up - down) / (2 * h);
        // CS231n's relative error; gradients below 1e-4 (c1.bias feeding batchnorm is exactly 0) compare absolutely
        const err = Math.abs(numeric - a[i]!) / Math.max(1e-4, Math.abs(numeric) + Math.abs(a[i]!));
        worst = Math.max(worst, err);
      }
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it("perturb: the test hook scales that op's gradients by 1.01 and leaves others alone", async () => {
    const batch = 2;
    const x = new Float64Array(batch * size(smooth.input)).map((_, i) => Math.sin(i));
    const y = Int32Array.of(0, 2);
    const run = async (perturb?: "tanh" | "conv") => {
      const m = await load(await emitFormatted(smooth, { perturb }), `Smooth_${perturb ?? "none"}`);
      const r = m.lossAndGrad!(m.initParams(3), m.initState(), x, y, m.createWorkspace(batch));
      return { dx: Float64Array.from(r.dx), fc: Float64Array.from(r.grads["fc.weight"]!), c1: Float64Array.from(r.grads["c1.weight"]!) };
    };
    const good = await run();
    const conv = await run("conv");
    expect(conv.fc).toEqual(good.fc);
    expect(conv.c1[0]! / good.c1[0]!).toBeCloseTo(1.01, 12);
    const tanh = await run("tanh");
    expect(tanh.dx).not.toEqual(good.dx);
  });
});
