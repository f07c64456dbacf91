// `exportPytorch`: goldens of the emitted Python (read by eye), py_compile on every
// emitted module, a structural check with Python's own `ast` (class per model,
// one submodule per layer with parameters, named like the layer), the padding and
// rounding rules on small cases, and — where torch is installed — outputs
// compared with the generated TypeScript (below; the numpy stand-in always).
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { emitModule } from "../src/emit/module.ts";
import { exportPytorch } from "../src/export/pytorch.ts";
import { compile } from "../src/pipeline.ts";
import type { LayerArgs, Model } from "../src/ir.ts";
import { affine, conv, handModel, lenetWithBatchnorm, maxpool } from "./interop-ir.ts";
import { torchMissing, torchPython } from "./torch-python.ts";

const outDir = resolve(".tmp/interop-export");

/** A model exercising the awkward cases: asymmetric pads, ceil pools, count_pad, reserved names. */
function tricky(): Model {
  return handModel(
    "Tricky",
    [3, 17, 17],
    [
      ["c1", conv(8, 3, { pad: [0, 1, 0, 1], stride: [2, 2] })],
      ["train", { op: "layernorm", eps: 1e-5 }],
      ["p1", { op: "avgpool", kernel: [3, 3], stride: [2, 2], pad: [1, 0, 1, 0], count_pad: false, rounding: "ceil" }],
      ["p2", maxpool(2, { pad: [0, 1, 0, 1], rounding: "ceil" })],
      ["bn", { op: "batchnorm", eps: 1e-3, momentum: 0.01 }],
      ["drop1", { op: "dropout", p: 0.25 }],
      ["class", affine(5)],
      ["bn2", { op: "batchnorm", eps: 1e-5, momentum: 0.1 }],
    ],
    "svm",
  );
}

function compilePython(name: string, text: string): string {
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, `${name}.py`);
  writeFileSync(path, text);
  execFileSync("python3", ["-m", "py_compile", path]);
  return path;
}

/** Per class: the names of the submodules __init__ registers, read by Python's ast module. */
function submodules(path: string): Record<string, string[]> {
  const script = `import ast, json, sys
tree = ast.parse(open(sys.argv[1]).read())
out = {}
for cls in [n for n in tree.body if isinstance(n, ast.ClassDef)]:
    init = next(f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "__init__")
    names = []
    for st in init.body:
        if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Attribute):
            names.append(st.targets[0].attr)
        elif isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Subscript):
            names.append(st.targets[0].slice.value)
        elif isinstance(st, ast.Expr) and isinstance(st.value, ast.Call) and getattr(st.value.func, "attr", "") == "add_module":
            names.append(st.value.args[0].value)
        elif isinstance(st, ast.Expr) and isinstance(st.value, ast.Call) and getattr(st.value.func, "id", "") == "_put":
            names.append(st.value.args[1].value)
    out[cls.name] = names
print(json.dumps(out))`;
  return JSON.parse(execFileSync("python3", ["-c", script, path], { encoding: "utf8" }));
}

describe("exportPytorch", () => {
  it("matches the golden for the hand-built models (read it by eye)", async () => {
    const text = exportPytorch([lenetWithBatchnorm(), tricky()], { sourceName: "hand.cnn" });
    await expect(text).toMatchFileSnapshot("fixtures/export/hand.py");
  });

  it("emits Python that compiles, with one class per model and one submodule per layer with parameters", () => {
    const path = compilePython("hand", exportPytorch([lenetWithBatchnorm(), tricky()], { sourceName: "hand.cnn" }));
    expect(submodules(path)).toEqual({
      LeNetBN: ["c1", "bn1", "maxpool1", "c3", "maxpool2", "f5", "out"],
      Tricky: ["c1", "train", "p1", "p2", "bn", "drop1", "class", "bn2"],
    });
  });

  it("registers a layer whose name is a keyword through add_module, and one named like an nn.Module attribute into _modules", () => {
    const text = exportPytorch([tricky()], { sourceName: "t.cnn" });
    expect(text).toContain('self._modules["train"] = nn.GroupNorm(1, 8, eps=0.00001)');
    expect(text).toContain('x = self._modules["class"](x)');
    expect(text).not.toContain("self.train");
  });

  it("pads asymmetric convs with zeros and asymmetric max-pools with -inf before the torch op", () => {
    const text = exportPytorch([tricky()], { sourceName: "t.cnn" });
    expect(text).toMatch(/x = F\.pad\(x, \(0, 1, 0, 1\)\)\n\s+x = self\.c1\(x\)/);
    expect(text).toContain("padding=(0, 0), dilation=(1, 1)");
    expect(text).toMatch(/x = F\.pad\(x, \(0, 1, 0, 1\), value=float\("-inf"\)\)\n\s+x = self\.p2\(x\)/);
  });

  it("crops a ceil-mode window that PyTorch keeps in explicit bottom/right padding", () => {
    // p2 sees [8, 4, 4]: cnnc's ceil((4 + 1 - 2) / 2) + 1 = 3, last window starts at 4 = in + top → dropped → 2;
    // PyTorch on the explicitly padded 5×5 keeps it (4 < 5) → 3, so the export crops to 2.
    const text = exportPytorch([tricky()], { sourceName: "t.cnn" });
    expect(text).toContain("x = x[:, :, :2, :2]");
  });

  it("divides count_pad=false asymmetric average pools by the real cells under each window", () => {
    const text = exportPytorch([tricky()], { sourceName: "t.cnn" });
    expect(text).toContain("divisor_override=1");
    expect(text).toContain("cells = self.p1(F.pad(torch.ones_like(x[:1, :1]), (1, 0, 1, 0)))");
    expect(text).toContain("x = self.p1(F.pad(x, (1, 0, 1, 0))) / cells");
  });

  it("uses the torch module's own padding when it is symmetric, with ceil_mode and count_include_pad", () => {
    const m = handModel("Sym", [2, 9, 9], [
      ["p", { op: "avgpool", kernel: [3, 3], stride: [2, 2], pad: [1, 1, 1, 1], count_pad: false, rounding: "ceil" } as LayerArgs],
      ["q", maxpool(3, { stride: [2, 2], pad: [1, 1, 0, 0] })],
    ], null);
    const text = exportPytorch([m], { sourceName: "s.cnn" });
    expect(text).toContain("self.p = nn.AvgPool2d((3, 3), stride=(2, 2), padding=(1, 1), ceil_mode=True, count_include_pad=False)");
    expect(text).toContain("self.q = nn.MaxPool2d((3, 3), stride=(2, 2), padding=(1, 0), ceil_mode=False)");
    expect(text).not.toContain("F.pad");
    expect(text).not.toContain("def loss");
    compilePython("sym", text);
  });

  it("maps batchnorm to 1d/2d, layernorm on [D] to LayerNorm, and the losses to functions", () => {
    const m = handModel("Mlp", [20], [
      ["fc1", affine(16)],
      ["bn", { op: "batchnorm", eps: 1e-5, momentum: 0.1 }],
      ["ln", { op: "layernorm", eps: 1e-6 }],
      ["act", { op: "leakyrelu", alpha: 0.2 }],
      ["fc2", affine(3)],
    ]);
    const text = exportPytorch([m], { sourceName: "m.cnn" });
    expect(text).toContain("self.bn = nn.BatchNorm1d(16, eps=0.00001, momentum=0.1)");
    expect(text).toContain("self.ln = nn.LayerNorm(16, eps=0.000001)");
    expect(text).toContain("x = F.leaky_relu(x, 0.2)");
    expect(text).not.toContain("torch.flatten");
    expect(text).toContain("return F.cross_entropy(logits, y)");
    const svm = exportPytorch([tricky()], { sourceName: "t.cnn" });
    expect(svm).toContain("return svm_loss(logits, y, margin=1)");
    expect(svm).toContain("self.bn = nn.BatchNorm2d(8, eps=0.001, momentum=0.01)");
    expect(svm).toContain("self.bn2 = nn.BatchNorm1d(5, eps=0.00001, momentum=0.1)");
    compilePython("mlp", text);
  });

  it("renames a class that would shadow a module-level name or a keyword", () => {
    const text = exportPytorch([handModel("F", [4], [["fc", affine(2)]]), handModel("None", [4], [["fc", affine(2)]])], { sourceName: "f.cnn" });
    expect(text).toContain("class F_(nn.Module):");
    expect(text).toContain("class None_(nn.Module):");
    expect(text).toContain('MODELS = {"F": F_, "None": None_}');
    const clash = exportPytorch([handModel("F", [4], [["fc", affine(2)]]), handModel("F_", [4], [["fc", affine(2)]])], { sourceName: "f.cnn" });
    expect(clash).toContain('MODELS = {"F": F__, "F_": F_}');
    compilePython("renamed", text);
  });
});

// ---- The examples, through the real front end ----
const examples = readdirSync("examples").filter((f) => f.endsWith(".cnn")).sort();

/** A .cnn under examples/ (by file name) or any path, through the real front end. */
function compileExample(file: string): Model[] {
  const path = file.includes("/") ? file : `examples/${file}`;
  const result = compile(readFileSync(path), path);
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return result.models;
}

const trickyCnn = "test/fixtures/export/tricky.cnn";
const upsamplingCnn = "test/fixtures/export/upsampling.cnn";

describe("exportPytorch on examples/*.cnn", () => {
  it("tricky.cnn (padding and rounding edge cases): golden and py_compile", async () => {
    const text = exportPytorch(compileExample(trickyCnn), { sourceName: trickyCnn });
    await expect(text).toMatchFileSnapshot("fixtures/export/tricky.py");
    compilePython("tricky", text);
    expect(text).toContain("x = x[:, :, :2, :2]");
    expect(text).toContain("x = self.p1(F.pad(x, (0, 1, 1, 0))) / cells");
  });

  it("upsampling.cnn (convtranspose crops, upsample modes, adaptive pools, softmax): golden and py_compile", async () => {
    const text = exportPytorch(compileExample(upsamplingCnn), { sourceName: upsamplingCnn });
    await expect(text).toMatchFileSnapshot("fixtures/export/upsampling.py");
    compilePython("upsampling", text);
    expect(text).toContain("nn.ConvTranspose2d(4, 6, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1), groups=2, bias=True, dilation=(1, 1))");
    // the asymmetric crop: padding 0 in torch, then rows [1, 1 + OH) and columns [2, 2 + OW)
    expect(text).toMatch(/padding=\(0, 0\), output_padding=\(1, 0\).*\n(.*\n)*\s+x = x\[:, :, 1:\d+, 2:\d+\]/);
    expect(text).toContain('nn.Upsample(scale_factor=(2, 2), mode="bilinear", align_corners=False)');
    expect(text).toContain("x = x.amax(dim=(2, 3))");
    expect(text).toContain("x = F.softmax(x, dim=1)");
  });

  it("finds the examples", () => {
    expect(examples).toContain("lenet5.cnn");
    expect(examples).toContain("vgg16.cnn");
  });

  for (const file of examples) {
    it(`${file}: golden, py_compile, and one submodule per layer with parameters`, async () => {
      const models = compileExample(file);
      const text = exportPytorch(models, { sourceName: `examples/${file}` });
      await expect(text).toMatchFileSnapshot(`fixtures/export/${file.replace(/\.cnn$/, ".py")}`);
      const path = compilePython(file.replace(/\.cnn$/, ""), text);
      const expected = Object.fromEntries(
        models.map((m) => [m.name, m.layers.filter((l) => l.params.length > 0).map((l) => l.name)]),
      );
      const found = submodules(path);
      for (const [name, layers] of Object.entries(found)) {
        // parameter-free modules (pools, dropout, pad) are also registered; every parameterised layer must be, by name
        expect(layers.filter((l) => expected[name]!.includes(l)), name).toEqual(expected[name]);
      }
      expect(Object.keys(found)).toEqual(models.map((m) => m.name));
    });
  }
});

// ---- Running the exported modules: real PyTorch where installed, else a numpy stand-in ----
const shimDir = resolve("test/export-shim");

type F64Net = {
  initParams(seed: number): Record<string, Float64Array>;
  initState(): Record<string, Float64Array>;
  createWorkspace(batch: number): object;
  forward(p: object, s: object, x: Float64Array, ws: object, train?: boolean): Float64Array;
  saveParams(p: object, s: object): Uint8Array;
};

/**
 * Eval-mode outputs of every small example: exported Python (with the TS weights) against the generated TS, in f64.
 * One Python process runs every model (importing torch takes seconds).
 */
async function compareWithTypeScript(python: string, pythonPath: string[]): Promise<number> {
  const runs: { dir: string; name: string; want: number[] }[] = [];
  for (const file of [...examples, trickyCnn, upsamplingCnn]) {
    for (const model of compileExample(file)) {
      const perSample = model.input.reduce((a, b) => a * b, 1);
      if (model.macs > 5e7) continue; // vgg16/alexnet-sized: too slow for a unit test
      const dir = join(outDir, "run", model.name);
      mkdirSync(dir, { recursive: true });
      const ts = join(dir, `${model.name}.ts`);
      writeFileSync(ts, emitModule(model, { dtype: "f64", sourceName: file }));
      const net = (await import(pathToFileURL(ts).href)) as F64Net;
      const p = net.initParams(3);
      const s = net.initState();
      // non-trivial biases, γ, β and running statistics, so every tensor's wiring matters
      const norms = new Set(model.layers.filter((l) => /norm$/.test(l.args.op)).map((l) => l.name));
      const wiggle = (v: Float64Array, base: (x: number) => number) => v.forEach((x, i) => (v[i] = base(x) + 0.1 * Math.sin(i + 1)));
      for (const [k, v] of Object.entries(p)) if (k.endsWith(".bias") || norms.has(k.slice(0, k.lastIndexOf(".")))) wiggle(v, (x) => x);
      for (const [k, v] of Object.entries(s)) wiggle(v, (x) => (k.endsWith("running_var") ? 0.6 + Math.abs(x - 1) : x));
      writeFileSync(join(dir, "weights.safetensors"), net.saveParams(p, s));
      const batch = 2;
      const x = Float64Array.from({ length: batch * perSample }, (_, i) => Math.sin(0.37 * i));
      writeFileSync(join(dir, "x.json"), JSON.stringify(Array.from(x)));
      writeFileSync(join(dir, "module.py"), exportPytorch([model], { sourceName: file }));
      runs.push({ dir, name: model.name, want: Array.from(net.forward(p, s, x, net.createWorkspace(batch), false)) });
    }
  }
  const results = JSON.parse(
    execFileSync(
      python,
      [
        "-c",
        `import importlib.util, json, struct, sys, numpy as np, torch
out = []
for d, name in json.load(sys.stdin):
    spec = importlib.util.spec_from_file_location("module_" + name, d + "/module.py")
    module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
    raw = open(d + "/weights.safetensors", "rb").read()
    (n,) = struct.unpack("<Q", raw[:8]); header = json.loads(raw[8:8 + n])
    sd = {k: torch.from_numpy(np.frombuffer(raw[8 + n + e["data_offsets"][0]:8 + n + e["data_offsets"][1]], dtype="<f8").reshape(e["shape"]).copy())
          for k, e in header.items() if k != "__metadata__"}
    m = module.MODELS[name]().double()
    missing, unexpected = m.load_state_dict(sd, strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (missing, unexpected)
    m.eval()
    x = torch.tensor(json.load(open(d + "/x.json")), dtype=torch.float64).reshape(2, *m.input_shape)
    out.append(m(x).detach().reshape(-1).tolist())
print(json.dumps(out))`,
      ],
      {
        encoding: "utf8",
        maxBuffer: 1 << 26,
        input: JSON.stringify(runs.map((r) => [r.dir, r.name])),
        env: { ...process.env, PYTHONPATH: pythonPath.join(":") },
      },
    ),
  ) as number[][];
  runs.forEach(({ name, want }, r) => {
    const got = results[r]!;
    expect(got.length, name).toBe(want.length);
    got.forEach((g, i) => expect(Math.abs(g - want[i]!), `${name}[${i}]`).toBeLessThan(1e-8 * (1 + Math.abs(want[i]!))));
  });
  console.log(`exported ${runs.map((r) => r.name).join(", ")} agree with the generated TypeScript`);
  return runs.length;
}

describe("exported modules run and agree with the generated TypeScript", () => {
  it(`with real torch: ${torchPython ? "compares eval-mode outputs of every small example" : "DID NOT RUN, no python3 with torch here"}`, async () => {
    // without torch the exported modules are still compiled (py_compile), inspected (ast) and run on the numpy stand-in below
    if (!torchPython) return void torchMissing("export on real torch");
    expect(await compareWithTypeScript(torchPython, [])).toBeGreaterThan(3);
  });

  it("on the numpy stand-in for torch (test/export-shim: PyTorch's pooling, padding and norm rules in numpy)", async () => {
    expect(await compareWithTypeScript("python3", [shimDir])).toBeGreaterThan(3);
  });
});
