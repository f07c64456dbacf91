// permute, linear and layernormlast against real PyTorch and torchvision (f64 autograd), all in one python
// process: each layer alone after the input, the generated f64 module's forward, dx and every parameter
// gradient against torch's modules (torchvision's Permute, nn.Linear, nn.LayerNorm), loaded by their own
// state_dict names; torchvision's CNBlock (ConvNeXt) inside an nn.Sequential, loaded by name strictly
// (features.0.0.block.3.weight …, layer_scale), its scale drawn wide so the branch matters; and the PyTorch
// export of a model using all three, which must load cnnc's weights strictly and compute cnnc's eval output.
// Without torch the test says so (and fails under CI=true): test/torch-python.ts.
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { readImport } from "../src/cli/sources.ts";
import { emitModule } from "../src/emit/module.ts";
import { exportPytorch } from "../src/export/pytorch.ts";
import type { Model } from "../src/ir.ts";
import { compile } from "../src/pipeline.ts";
import { prng } from "./reference/data.ts";
import { ModuleFolder } from "./reference/generated.ts";
import { torchMissing, torchPython } from "./torch-python.ts";

const BATCH = 2;

interface LayerCase {
  /** the layer statement, labelled `a` */
  layer: string;
  input: number[];
  /** torch's module, built from its PyTorch arguments */
  module: string;
  /** the parameters: state_dict name (under `a.`) → shape */
  params?: Record<string, number[]>;
}

const cases: LayerCase[] = [
  { layer: "a: permute((0, 2, 3, 1))", input: [3, 4, 5], module: "Permute([0, 2, 3, 1])" },
  { layer: "a: permute(dims=(0, 3, 1, 2))", input: [3, 4, 5], module: "Permute([0, 3, 1, 2])" },
  { layer: "a: permute((0, 3, 2, 1))", input: [2, 3, 4], module: "Permute([0, 3, 2, 1])" },
  { layer: "a: permute((0, 1, 3, 2))", input: [2, 3, 4], module: "Permute([0, 1, 3, 2])" },
  { layer: "a: linear(5)", input: [3, 4, 6], module: "nn.Linear(6, 5)", params: { "a.weight": [5, 6], "a.bias": [5] } },
  { layer: "a: linear(4, bias=false)", input: [7], module: "nn.Linear(7, 4, bias=False)", params: { "a.weight": [4, 7] } },
  { layer: "a: layernormlast", input: [3, 4, 5], module: "nn.LayerNorm(5)", params: { "a.weight": [5], "a.bias": [5] } },
  { layer: "a: layernormlast(eps=1e-6)", input: [6], module: "nn.LayerNorm(6, eps=1e-6)", params: { "a.weight": [6], "a.bias": [6] } },
];

const CNBLOCK_TEXT = `import "blocks/convnext.cnn"

model Stage {
  input [4, 5, 6]
  features: seq {
    seq { CNBlock(4, 0.0) }
  }
}
`;

const EXPORT_TEXT = `model ChannelsLast {
  input [3, 4, 5]
  conv(4, kernel=3, pad=1)
  permute((0, 2, 3, 1))
  norm: layernormlast(eps=1e-6)
  fc1: linear(8)
  gelu
  fc2: linear(4, bias=false)
  permute((0, 3, 2, 1))
  flatten
  fc: affine(3)
}
`;

const SCRIPT = `
import importlib.util, json, sys, torch
import torch.nn as nn
from torchvision.ops.misc import Permute
from torchvision.models.convnext import CNBlock
from functools import partial

def grads_of(module, x, y):
    dout = torch.sin(1.3 * torch.arange(y.numel(), dtype=torch.float64) + 0.5).reshape(y.shape)
    (y * dout).sum().backward()
    return {"y": y.detach().reshape(-1).tolist(), "dx": x.grad.reshape(-1).tolist(),
            "grads": {k: t.grad.reshape(-1).tolist() for k, t in module.named_parameters()}}

def load(module, p):
    sd = module.state_dict()
    assert sorted(sd) == sorted(p), (sorted(sd), sorted(p))
    module.load_state_dict({k: torch.tensor(v, dtype=torch.float64).reshape(sd[k].shape) for k, v in p.items()}, strict=True)
    return module

job = json.load(sys.stdin)
out = {"layers": []}
for c in job["layers"]:
    m = load(eval(c["module"]).double(), {k.split(".", 1)[1]: v for k, v in c["p"].items()})
    x = torch.tensor(c["x"], dtype=torch.float64).reshape(${BATCH}, *c["input"]).requires_grad_()
    r = grads_of(m, x, m(x))
    r["grads"] = {"a." + k: v for k, v in r["grads"].items()}
    out["layers"].append(r)

# torchvision's CNBlock where ConvNeXt puts it: features.<stage>.<i>
cn = nn.Module()
cn.features = nn.Sequential(nn.Sequential(CNBlock(4, 1e-6, 0.0, partial(nn.LayerNorm, eps=1e-6))))
cn = load(cn.double(), job["cnblock"]["p"])
x = torch.tensor(job["cnblock"]["x"], dtype=torch.float64).reshape(${BATCH}, 4, 5, 6).requires_grad_()
out["cnblock"] = grads_of(cn, x, cn.features(x))
out["cnblock"]["shapes"] = {k: list(v.shape) for k, v in cn.state_dict().items()}

spec = importlib.util.spec_from_file_location("channels_last", job["export"]["py"])
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
m = load(module.MODELS["ChannelsLast"]().double(), job["export"]["p"])
m.eval()
x = torch.tensor(job["export"]["x"], dtype=torch.float64).reshape(${BATCH}, 3, 4, 5)
out["export"] = {"y": m(x).detach().reshape(-1).tolist()}
print(json.dumps(out))
`;

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const randomTensors = (shapes: Record<string, number[]>, seed: number): Record<string, number[]> => {
  const r = prng(seed);
  return Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, Array.from({ length: size(s) }, () => r.uniform(-1.5, 1.5))]));
};
const doutAt = (j: number) => Math.sin(1.3 * j + 0.5);
const f64 = (p: Record<string, number[]>) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Float64Array.from(v)]));
const paramShapes = (m: Model) => Object.fromEntries(m.layers.flatMap((l) => l.params.map((t) => [t.name, t.shape])));

const folder = new ModuleFolder("cnnc-channels-last-torch-");
afterAll(() => folder.remove());

const worst: Record<string, number> = {};
function expectClose(key: string, what: string, got: ArrayLike<number>, want: number[]) {
  expect(got.length, what).toBe(want.length);
  let scale = 1e-3;
  let diff = 0;
  for (let j = 0; j < want.length; j++) {
    scale = Math.max(scale, Math.abs(want[j]));
    diff = Math.max(diff, Math.abs(got[j] - want[j]));
  }
  worst[key] = Math.max(worst[key] ?? 0, diff / scale);
  expect(diff / scale, what).toBeLessThan(1e-12);
}

/** Compiled as if it sat in examples/zoo/, so `import "blocks/convnext.cnn"` reads the zoo's block file. */
function compiled(text: string, file: string): Model {
  const r = compile(text, `examples/zoo/${file}`, readImport);
  expect(r.diagnostics, text).toEqual([]);
  return r.models[0];
}

describe("permute, linear and layernormlast against real PyTorch and torchvision", () => {
  const title = (what: string) => (torchPython ? what : `${what}: DID NOT RUN, no python3 with torch here`);

  it(title("forward, dx and every parameter gradient equal torch's in f64; CNBlock's names and shapes are torchvision's; the export loads and agrees"), async () => {
    if (!torchPython) return void torchMissing("channels-last-torch");
    const layers = cases.map((c, i) => {
      const text = `model M {\n  input [${c.input.join(", ")}]\n  ${c.layer}\n}\n`;
      const model = compiled(text, `m${i}.cnn`);
      expect(paramShapes(model), text).toEqual(c.params ?? {});
      const r = prng(6000 + i);
      const x = Array.from({ length: BATCH * size(c.input) }, () => r.uniform(-3, 3));
      return { c, text, model, x, p: randomTensors(c.params ?? {}, 7000 + i) };
    });
    const cnModel = compiled(CNBLOCK_TEXT, "stage.cnn");
    const cnP = randomTensors(paramShapes(cnModel), 81);
    const cnX = Array.from({ length: BATCH * 4 * 5 * 6 }, (_, i) => 2 * Math.sin(0.7 * i + 0.2));
    const exportModel = compiled(EXPORT_TEXT, "channels-last.cnn");
    const py = folder.write("channels_last.py", exportPytorch([exportModel], { sourceName: "channels-last.cnn" }));
    const exportP = randomTensors(paramShapes(exportModel), 82);
    const exportX = Array.from({ length: BATCH * 3 * 4 * 5 }, (_, i) => 3 * Math.sin(0.37 * i));

    const job = {
      layers: layers.map((l) => ({ module: l.c.module, input: l.c.input, x: l.x, p: l.p })),
      cnblock: { x: cnX, p: cnP },
      export: { py, x: exportX, p: exportP },
    };
    const torch = JSON.parse(execFileSync(torchPython, ["-c", SCRIPT], { input: JSON.stringify(job), encoding: "utf8", maxBuffer: 1 << 26 })) as {
      layers: { y: number[]; dx: number[]; grads: Record<string, number[]> }[];
      cnblock: { y: number[]; dx: number[]; grads: Record<string, number[]>; shapes: Record<string, number[]> };
      export: { y: number[] };
    };

    for (const [i, l] of layers.entries()) {
      const gen = await folder.load(`M${i}.ts`, emitModule(l.model, { dtype: "f64", sourceName: `m${i}.cnn` }));
      const ws = gen.createWorkspace(BATCH);
      const x = Float64Array.from(l.x);
      const y = gen.forward(f64(l.p), {}, x, ws, false);
      const back = gen.backward!(f64(l.p), {}, x, Float64Array.from({ length: y.length }, (_, j) => doutAt(j)), ws);
      const want = torch.layers[i];
      expectClose(l.c.layer, `forward\n${l.text}`, y, want.y);
      expectClose(l.c.layer, `dx\n${l.text}`, back.dx, want.dx);
      expect(Object.keys(want.grads).sort(), l.text).toEqual(Object.keys(l.c.params ?? {}).sort());
      for (const k of Object.keys(want.grads)) expectClose(l.c.layer, `${k}\n${l.text}`, back.grads[k], want.grads[k]);
    }

    // torchvision's CNBlock: its names and shapes, values and gradients
    expect(torch.cnblock.shapes).toEqual(paramShapes(cnModel));
    expect(Object.keys(torch.cnblock.shapes)).toContain("features.0.0.block.3.weight");
    expect(torch.cnblock.shapes["features.0.0.layer_scale"]).toEqual([4, 1, 1]);
    const gen = await folder.load("Stage.ts", emitModule(cnModel, { dtype: "f64", sourceName: "stage.cnn" }));
    const ws = gen.createWorkspace(BATCH);
    const y = gen.forward(f64(cnP), {}, Float64Array.from(cnX), ws, false);
    const back = gen.backward!(f64(cnP), {}, Float64Array.from(cnX), Float64Array.from({ length: y.length }, (_, j) => doutAt(j)), ws);
    expectClose("CNBlock", "CNBlock forward", y, torch.cnblock.y);
    expectClose("CNBlock", "CNBlock dx", back.dx, torch.cnblock.dx);
    expect(Object.keys(torch.cnblock.grads).sort()).toEqual(Object.keys(paramShapes(cnModel)).sort());
    for (const k of Object.keys(torch.cnblock.grads)) expectClose("CNBlock", `CNBlock ${k}`, back.grads[k], torch.cnblock.grads[k]);

    // the export: cnnc's weights by name, strict, and cnnc's eval output
    const all = await folder.load("ChannelsLast.ts", emitModule(exportModel, { dtype: "f64", sourceName: "channels-last.cnn" }));
    const want = all.forward(f64(exportP), {}, Float64Array.from(exportX), all.createWorkspace(BATCH), false);
    expectClose("export", "exported eval output", torch.export.y, Array.from(want));
    console.log(
      "channels-last-torch: largest relative error\n" +
        Object.entries(worst)
          .map(([k, e]) => `  ${k}: ${e.toExponential(2)}`)
          .join("\n"),
    );
  });
});
