// The wasm target's own contract (docs/generated-api.md, "The wasm target"):
// the examples against the naive f64 reference, the memory views (never
// detached, zero-copy slots, nothing allocated per step), the missing-SIMD
// error, the CLI (--target wasm, --dtype f64 refused), and a run in a real
// browser engine (headless Chromium) when one is installed. The oracle tests
// (oracle-reference, oracle-tfjs, gradcheck) run the wasm target on random
// models and every op as well.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { planOf } from "../src/emit/module.ts";
import { emitWasmModule } from "../src/emit-wasm/module.ts";
import type { Model } from "../src/ir.ts";
import { compile } from "../src/pipeline.ts";
import { readImport } from "../src/cli/sources.ts";
import { cnnc } from "./cli-helpers.ts";
import { checkAgainstReference } from "./reference/compare.ts";
import { randomInputs, relError } from "./reference/data.ts";
import { type GeneratedModule, ModuleFolder } from "./reference/generated.ts";
import { GraphBuilder } from "./reference/graphs.ts";
import { refForward, refLossAndGrad } from "./reference/reference.ts";
import { WASM } from "./reference/targets.ts";

const folder = new ModuleFolder("cnnc-wasm-");
afterAll(() => folder.remove());

function modelsOf(file: string): Model[] {
  const r = compile(readFileSync(new URL(`../examples/${file}`, import.meta.url), "utf8"), file);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.models;
}

type WasmWorkspace = GeneratedModule extends { createWorkspace(b: number, s?: number): infer W } ? W & {
  params: Record<string, Float32Array>;
  state: Record<string, Float32Array>;
  x: Float32Array;
  grads: Record<string, Float32Array>;
} : never;

async function loadWasm(model: Model, suffix = ""): Promise<GeneratedModule> {
  return folder.load(`${model.name}${suffix}.ts`, emitWasmModule(model, { sourceName: `${model.name}.cnn` }));
}

/** The module bytes embedded in a generated file. */
function moduleBytes(text: string): Uint8Array {
  const block = /const WASM_BASE64 =\s*((?:"[A-Za-z0-9+/=]*"\s*\+?\s*)+);/.exec(text)![1]!;
  return Buffer.from([...block.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join(""), "base64");
}

const f32 = (t: Record<string, Float64Array>) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Float32Array.from(v)]));

/**
 * Gradients of the examples: 1e-2. The wasm kernels accumulate in f32 (the
 * TypeScript f32 target sums in f64 and stores f32); through VggBn's four
 * batchnorms, whose backward subtracts means, that leaves up to 3.9e-3 on the
 * first layers' gradients (every single layer agrees to ~1e-6; see oracle-reference).
 */
const GRAD_TOL = 1e-2;

describe("the examples against the naive f64 reference", () => {
  // AlexNet and VGG-16 (0.7 and 15.5 G multiply-adds per sample) are left
  // out: the naive reference needs a minute or more per sample. Their layer
  // kinds are covered by the oracle tests; VGG-16's build is checked below.
  const files = ["lenet5.cnn", "mlp-mnist.cnn", "cs231n-convnet.cnn", "norms-and-pools.cnn", "vgg-bn.cnn"];
  for (const file of files) {
    it(file, async () => {
      for (const model of modelsOf(file)) {
        const batch = 3;
        const gen = await loadWasm(model);
        const inp = randomInputs(model, batch, 11);
        const ws = gen.createWorkspace(batch, 2);
        const x = Float32Array.from(inp.x);
        const out = gen.forward(f32(inp.params), f32(inp.state), x, ws, false);
        const ref = refForward(model, inp.params, inp.state, inp.x, batch, false);
        expect(relError(out, ref.out, 1e-9), `${model.name} eval forward`).toBeLessThanOrEqual(1e-4);
        // dropout models: the oracle tests cover them with the module's own masks
        if (model.loss === null || model.layers.some((l) => l.args.op === "dropout")) continue;
        const res = gen.lossAndGrad!(f32(inp.params), f32(inp.state), x, inp.y, ws);
        const want = refLossAndGrad(model, inp.params, inp.state, inp.x, inp.y, batch);
        expect(Math.abs(res.loss - want.loss) / Math.abs(want.loss), `${model.name} loss`).toBeLessThanOrEqual(1e-5);
        let scale = 0;
        for (const v of [...Object.values(want.grads), want.dx]) for (const e of v) scale = Math.max(scale, Math.abs(e));
        for (const [k, v] of Object.entries(want.grads)) {
          expect(relError(res.grads[k]!, v, 1e-3 * scale), `${model.name} ${k}`).toBeLessThanOrEqual(GRAD_TOL);
        }
        expect(relError(res.dx, want.dx, 1e-3 * scale), `${model.name} dx`).toBeLessThanOrEqual(GRAD_TOL);
      }
    }, 120_000);
  }
});

describe("memory", () => {
  it("views stay attached, the slots skip copies, and a training step allocates no memory", async () => {
    const [model] = modelsOf("lenet5.cnn");
    const gen = await loadWasm(model!, "_mem");
    const ws = gen.createWorkspace(4, 1) as WasmWorkspace;
    const p = gen.initParams(3);
    const inp = randomInputs(model!, 4, 5);
    const x = Float32Array.from(inp.x);
    const first = gen.lossAndGrad!(p, gen.initState(), x, inp.y, ws);
    const grads = Object.fromEntries(Object.entries(first.grads).map(([k, v]) => [k, Float32Array.from(v)]));
    const loss = first.loss;
    const views = Object.values(ws.grads);
    // the zero-copy path: the workspace's own slots as p and x give the same numbers
    for (const [k, v] of Object.entries(p)) ws.params[k]!.set(v);
    ws.x.set(x);
    const again = gen.lossAndGrad!(ws.params, ws.state, ws.x, inp.y, ws);
    expect(again.loss).toBe(loss);
    for (const [k, v] of Object.entries(again.grads)) expect(Float32Array.from(v), k).toEqual(grads[k]);
    // same view objects, still attached, after many steps
    for (let i = 0; i < 20; i++) gen.lossAndGrad!(ws.params, ws.state, ws.x, inp.y, ws);
    Object.values(ws.grads).forEach((v, i) => {
      expect(v).toBe(views[i]);
      expect(v.buffer.byteLength).toBeGreaterThan(0);
    });
    // a training step grows no memory (the instance's memory is sized once)
    const memory = (ws as unknown as { wasm: { memory: { buffer: ArrayBuffer } } }).wasm.memory;
    const bytes = memory.buffer.byteLength;
    gen.lossAndGrad!(p, gen.initState(), x, inp.y, ws);
    expect(memory.buffer.byteLength).toBe(bytes);
  });

  it("workspaceBytes(batch) is the size of the memory createWorkspace(batch) allocates, and grows with the batch", async () => {
    const [model] = modelsOf("lenet5.cnn");
    const gen = (await loadWasm(model!, "_bytes")) as GeneratedModule & { workspaceBytes(batch: number): number };
    const sizes = [1, 7, 64].map((batch) => {
      const ws = gen.createWorkspace(batch) as unknown as { wasm: { memory: { buffer: ArrayBuffer } } };
      expect(gen.workspaceBytes(batch), `batch ${batch}`).toBe(ws.wasm.memory.buffer.byteLength);
      return gen.workspaceBytes(batch);
    });
    // LeNet-5 keeps well over 4 KB of activations and gradients per sample
    expect(sizes[2]! - sizes[0]!).toBeGreaterThan(63 * 4096);
  });

  it("a wrong-sized input is a RangeError before any work", async () => {
    const [model] = modelsOf("lenet5.cnn");
    const gen = await loadWasm(model!, "_range");
    const ws = gen.createWorkspace(2);
    expect(() => gen.forward(gen.initParams(), gen.initState(), new Float32Array(3), ws)).toThrow(/x has length 3; expected 1568/);
  });
});

describe("graphs without merges", () => {
  it("a value read by two layers (one a dead branch) and the input read twice: the reference's gradients, on both targets alike", async () => {
    // x → c1 → t (read by nothing: its gradient is zero) and c1 → r → fc; x also read by p (dead)
    const g = new GraphBuilder("Forked", [2, 5, 5]);
    const c1 = g.op("c1", "conv", -1, [["filters", 3], ["kernel", 3], ["pad", 1]]);
    g.op("t", "tanh", c1);
    g.op("p", "maxpool", -1, [["kernel", 2]]);
    const r = g.op("r", "relu", c1);
    g.op("fc", "affine", g.op("f", "flatten", r), [["features", 4]]);
    const model = g.model({ op: "softmax" });
    const plan = planOf(model, { dtype: "f32", sourceName: "forked.cnn" });
    // the wiring this test is about is there: a dead branch zeroed, a second reader's share added
    expect(plan.wiring.some((w) => w.zeroOut)).toBe(true);
    expect(plan.wiring.some((w) => w.adds.length > 0)).toBe(true);
    for (const batch of [1, 3]) {
      const worst = await checkAgainstReference(folder, { ...model, name: `Forked${batch}` }, batch, 11, "forked graph\n", WASM);
      expect(worst).toBeLessThanOrEqual(WASM.refTol);
    }
  });
});

describe("clamps on f32x4 lanes", () => {
  it("relu6 and clamp give the scalar loop's values and gradients at and around their kinks, -0 included, bounds exact in f32 or not", async () => {
    // clamp(-1.5, 2.25) and relu6 take the f32x4 path; clamp(-0.1, 0.3) (bounds no f32 holds) the scalar loop
    for (const [name, op, lo, hi] of [["Relu6Kinks", "relu6", 0, 6], ["ClampKinks", "clamp(min=-1.5, max=2.25)", -1.5, 2.25], ["ClampInexact", "clamp(min=-0.1, max=0.3)", -0.1, 0.3]] as const) {
      const r = compile(`model ${name} {\n  input [16]\n  ${op}\n}\n`, `${name}.cnn`);
      expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const gen = await loadWasm(r.models[0]!);
      const [flo, fhi] = [Math.fround(lo), Math.fround(hi)];
      const up = (v: number) => v + Math.max(Math.abs(v), 1) * 2 ** -23;
      const down = (v: number) => v - Math.max(Math.abs(v), 1) * 2 ** -23;
      // 16 values, four vectors of four: each bound, just inside and outside it, -0, the middle, far outside
      const x = Float32Array.from([flo, up(flo), down(flo), fhi, up(fhi), down(fhi), -0, 0, (lo + hi) / 2, -100, 100, lo, hi, 1e-30, -1e-30, 6]);
      const ws = gen.createWorkspace(1);
      const out = gen.forward({}, {}, x, ws, true);
      // the f64 rule on the f32 values: x > lo ? (x < hi ? x : hi) : lo, derivative 1 strictly inside
      const want = Array.from(x, (v) => Math.fround(v > lo ? (v < hi ? v : hi) : lo));
      expect(Array.from(out), name).toEqual(want);
      const dout = Float32Array.from(x, (_, i) => i + 1);
      const { dx } = gen.backward!({}, {}, x, dout, ws);
      expect(Array.from(dx), name).toEqual(Array.from(x, (v, i) => (v > lo && v < hi ? i + 1 : 0)));
    }
  });
});

describe("graphs with merges", () => {
  it("a residual stack: the reference's numbers, with the workspace packed by the lifetimes the wasm kernels need", async () => {
    // four residual blocks: values read twice (the block input by the conv and the add), in-place adds and relus
    const g = new GraphBuilder("Residual4", [4, 6, 6]);
    let v = g.op("stem", "conv", -1, [["filters", 4], ["kernel", 3], ["pad", 1]]);
    for (let b = 0; b < 4; b++) {
      const c1 = g.op(`b${b}c1`, "conv", v, [["filters", 4], ["kernel", 3], ["pad", 1]]);
      const r = g.op(`b${b}r`, "relu", c1);
      const c2 = g.op(`b${b}c2`, "conv", r, [["filters", 4], ["kernel", 3], ["pad", 1]]);
      v = g.op(`b${b}out`, "relu", g.merge(`b${b}add`, "add", [c2, v]));
    }
    g.op("fc", "affine", g.op("f", "flatten", g.op("gap", "globalavgpool", v)), [["features", 3]]);
    const model = g.model({ op: "softmax" });
    const worst = await checkAgainstReference(folder, model, 3, 5, "residual stack\n", WASM);
    expect(worst).toBeLessThanOrEqual(WASM.refTol);
    const gen = (await loadWasm(model, "_packed")) as GeneratedModule & { workspaceBytes(batch: number): number };
    // every activation and gradient in its own allocation would take at least this many bytes
    const plan = planOf(model, { dtype: "f32", sourceName: "residual.cnn" });
    const unshared = plan.buffers.reduce((sum, b) => sum + 4 * Number(/^batch \* (\d+)$/.exec(b.length)?.[1] ?? 0), 0) * 64;
    expect(gen.workspaceBytes(64)).toBeLessThan(unshared * 0.7);
  });

  it("the zoo's graph models build for the wasm target, and their modules validate", () => {
    const api = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    for (const name of ["resnet18", "densenet121", "googlenet", "squeezenet1_1"]) {
      const path = `examples/zoo/${name}.cnn`;
      const r = compile(readFileSync(path, "utf8"), path, readImport);
      expect(r.diagnostics.filter((d) => d.severity === "error"), name).toEqual([]);
      const text = emitWasmModule(r.models[0]!, { sourceName: `${name}.cnn` });
      expect(api.validate(moduleBytes(text)), name).toBe(true);
      // buffers whose lifetimes do not overlap are laid over one another
      expect(text, name).toMatch(/at\["\w+"\] = at\["mem\d+"\]!;/);
    }
  }, 60_000);
});

/** A zoo model at a 32×32 input (every one downsamples by 32, so its last stage is 1×1): its layers, at 1/49 of the work. */
function zooAt32(name: string, text = readFileSync(`examples/zoo/${name}.cnn`, "utf8")): Model {
  const path = `examples/zoo/${name}.cnn`;
  const r = compile(text.replace("input [3, 224, 224]", "input [3, 32, 32]"), path, readImport);
  expect(r.diagnostics.filter((d) => d.severity === "error"), name).toEqual([]);
  return r.models[0]!;
}

describe("the zoo's models with gelu, permute, linear, layernormlast and mul", () => {
  const api = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;

  // MobileNet v3 small is built (and run) below
  it("ConvNeXt-Tiny, EfficientNet-B0 and RegNet-Y 400MF build for the wasm target, and their modules validate", () => {
    for (const name of ["convnext_tiny", "efficientnet_b0", "regnet_y_400mf"]) {
      const text = emitWasmModule(zooAt32(name), { sourceName: `${name}.cnn` });
      expect(api.validate(moduleBytes(text)), name).toBe(true);
    }
  }, 60_000);

  it("MobileNet v3 small (squeeze-and-excitation gates: mul) at 32×32, batch 2: the reference's eval output", async () => {
    const model = zooAt32("mobilenet_v3_small");
    const gen = await loadWasm(model, "_zoo");
    const inp = randomInputs(model, 2, 13);
    const out = gen.forward(f32(inp.params), f32(inp.state), Float32Array.from(inp.x), gen.createWorkspace(2), false);
    expect(relError(out, refForward(model, inp.params, inp.state, inp.x, 2, false).out, 1e-9)).toBeLessThanOrEqual(1e-4);
  }, 60_000);

  it("ConvNeXt from the zoo's blocks at widths 8, 16, 24 and 32, batch 2: the reference's loss, every gradient and dx", async () => {
    const text = 'import "blocks/convnext.cnn"\nmodel ConvNeXtNarrow {\n  input [3, 224, 224]\n  features: Features(8, 16, 24, 32, 1, stochastic_depth_prob=0.0)\n  Head\n  loss softmax\n}\n';
    const model = zooAt32("narrow", text);
    expect(new Set(model.layers.map((l) => l.args.op))).toEqual(new Set(["conv", "layernorm2d", "permute", "layernormlast", "linear", "gelu", "layerscale", "stochasticdepth", "add", "adaptiveavgpool", "flatten", "affine"]));
    const gen = await loadWasm(model);
    const inp = randomInputs(model, 2, 17);
    const res = gen.lossAndGrad!(f32(inp.params), f32(inp.state), Float32Array.from(inp.x), inp.y, gen.createWorkspace(2));
    // stochastic depth at p = 0 keeps every sample: the reference is told so, one flag per sample
    const keep = model.layers.filter((l) => l.args.op === "stochasticdepth");
    expect(keep.every((l) => l.args.op === "stochasticdepth" && l.args.p === 0)).toBe(true);
    const want = refLossAndGrad(model, inp.params, inp.state, inp.x, inp.y, 2, { masks: Object.fromEntries(keep.map((l) => [l.name, [1, 1]])) });
    expect(Math.abs(res.loss - want.loss) / Math.abs(want.loss)).toBeLessThanOrEqual(1e-5);
    let scale = 0;
    for (const v of [...Object.values(want.grads), want.dx]) for (const e of v) scale = Math.max(scale, Math.abs(e));
    for (const [k, v] of Object.entries(want.grads)) expect(relError(res.grads[k]!, v, 1e-3 * scale), k).toBeLessThanOrEqual(GRAD_TOL);
    expect(relError(res.dx, want.dx, 1e-3 * scale), "dx").toBeLessThanOrEqual(GRAD_TOL);
  }, 60_000);
});

describe("engines without SIMD128", () => {
  it("creating a workspace throws a clear error naming SIMD128", async () => {
    const [model] = modelsOf("mlp-mnist.cnn");
    const gen = await loadWasm(model!, "_nosimd");
    const host = globalThis as unknown as { WebAssembly: Record<string, unknown> };
    const real = host.WebAssembly;
    // an engine whose validator rejects SIMD instructions rejects this module
    host.WebAssembly = { validate: () => false, Module: real.Module, Memory: real.Memory, Instance: real.Instance };
    try {
      expect(() => gen.createWorkspace(1)).toThrow(/needs SIMD128/);
    } finally {
      host.WebAssembly = real;
    }
    expect(gen.createWorkspace(1).batch).toBe(1);
  });
});

describe("generated text", () => {
  it("type-checks with tsc --strict, erasable syntax only, without @types/node or the DOM lib; the same bytes twice", () => {
    const dir = join(folder.dir, "tsc");
    mkdirSync(dir, { recursive: true });
    for (const file of ["lenet5.cnn", "norms-and-pools.cnn", "mlp-mnist.cnn", "vgg-bn.cnn"]) {
      for (const m of modelsOf(file)) {
        const text = emitWasmModule(m, { sourceName: file });
        expect(emitWasmModule(m, { sourceName: file }), m.name).toBe(text);
        writeFileSync(join(dir, `${m.name}.ts`), text);
      }
    }
    // lib without DOM: the safetensors section's TextEncoder/TextDecoder are declared by hand here, as a host would
    writeFileSync(join(dir, "host.d.ts"), "declare class TextEncoder { encode(s: string): Uint8Array; }\ndeclare class TextDecoder { constructor(label?: string, options?: { fatal?: boolean }); decode(b: Uint8Array): string; }\n");
    const options = { strict: true, noEmit: true, target: "ES2022", lib: ["ES2022"], module: "ESNext", moduleResolution: "Bundler", types: [], erasableSyntaxOnly: true, verbatimModuleSyntax: true, isolatedModules: true };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: options, include: ["*.ts"] }));
    const r = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", dir], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
  }, 120_000);
});

describe("cnnc build --target wasm", () => {
  it("refuses --dtype f64 with a clear message and writes nothing", async () => {
    const out = join(folder.dir, "f64");
    const r = await cnnc("build", "examples/lenet5.cnn", "--target", "wasm", "--dtype", "f64", "-o", out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--target wasm computes in f32 only/);
    expect(existsSync(out)).toBe(false);
  });

  it("VGG-16: under 1 MB, and the module validates", async () => {
    const out = join(folder.dir, "vgg");
    const r = await cnnc("build", "examples/vgg16.cnn", "--target", "wasm", "-o", out);
    expect(r.code, r.stderr).toBe(0);
    const file = join(out, "VGG16.ts");
    expect(statSync(file).size).toBeLessThan(1_000_000);
    const api = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    expect(api.validate(moduleBytes(readFileSync(file, "utf8")))).toBe(true);
  });
});

/** Debian's chromium, if installed (CI installs it; see the README). */
const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

describe("in a browser engine", () => {
  // Skipped (and says so in its name) where no chromium is installed.
  it.skipIf(chromium === undefined)(
    `runs a generated wasm module in headless Chromium${chromium === undefined ? " (SKIPPED: no chromium installed)" : ""}, sync and after ready()`,
    async () => {
      const [model] = modelsOf("lenet5.cnn");
      folder.write("LeNet5_browser.ts", emitWasmModule(model!, { sourceName: "lenet5.cnn" }));
      const page = join(folder.dir, "page.ts");
      // the page: deterministic data, the sync path at load and the async path after ready()
      writeFileSync(
        page,
        `import * as net from "./LeNet5_browser.ts";
const N = 3;
const x = Float32Array.from({ length: N * 784 }, (_, i) => Math.sin(i * 0.37));
const y = Int32Array.from({ length: N }, (_, i) => (i * 7) % 10);
function run(id: string): void {
  const ws = net.createWorkspace(N, 1);
  const p = net.initParams(5);
  const out = Array.from(net.forward(p, net.initState(), x, ws));
  const r = net.lossAndGrad(p, net.initState(), x, y, ws);
  const el = document.createElement("pre");
  el.id = id;
  el.textContent = JSON.stringify({ out, loss: r.loss, c1: Array.from(r.grads["c1.weight"]), dx: Array.from(r.dx.slice(0, 50)) });
  document.body.appendChild(el);
}
run("sync");
net.ready().then(() => run("async"));
`,
      );
      const bundle = await build({ entryPoints: [page], bundle: true, format: "iife", write: false, target: "es2020" });
      writeFileSync(join(folder.dir, "page.html"), `<html><body><script>${bundle.outputFiles[0]!.text}</script></body></html>`);
      const r = spawnSync(
        chromium!,
        ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=10000", "--dump-dom", `file://${join(folder.dir, "page.html")}`],
        { encoding: "utf8", timeout: 110_000 },
      );
      const grab = (id: string) => {
        const m = new RegExp(`<pre id="${id}">([^<]*)</pre>`).exec(r.stdout);
        expect(m, `${id} result in the page (chromium stderr: ${r.stderr.slice(0, 500)})`).not.toBeNull();
        return JSON.parse(m![1]!.replace(/&quot;/g, '"')) as { out: number[]; loss: number; c1: number[]; dx: number[] };
      };
      const sync = grab("sync");
      const later = grab("async");
      expect(later).toEqual(sync);
      // the same numbers in Node, and both against the naive reference
      const node = await loadWasm(model!, "_browser_node");
      const N = 3;
      const x = Float32Array.from({ length: N * 784 }, (_, i) => Math.sin(i * 0.37));
      const y = Int32Array.from({ length: N }, (_, i) => (i * 7) % 10);
      const p = node.initParams(5);
      const ws = node.createWorkspace(N, 1);
      expect(sync.out).toEqual(Array.from(node.forward(p, node.initState(), x, ws)));
      const res = node.lossAndGrad!(p, node.initState(), x, y, ws);
      expect(sync.loss).toBe(res.loss);
      expect(sync.c1).toEqual(Array.from(res.grads["c1.weight"]!));
      const p64 = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Float64Array.from(v)]));
      const want = refLossAndGrad(model!, p64, {}, Float64Array.from(x), y, N);
      expect(Math.abs(sync.loss - want.loss) / want.loss).toBeLessThan(1e-5);
      expect(relError(sync.c1, want.grads["c1.weight"]!, 1e-6)).toBeLessThan(1e-4);
    },
    120_000,
  );
});
