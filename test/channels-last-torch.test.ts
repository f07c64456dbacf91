// permute, linear and layernormlast against real PyTorch and torchvision (f64 autograd), all in one python
// process: each layer alone after the input, the generated f64 module's forward, dx and every parameter
// gradient against torch's modules (torchvision's Permute, nn.Linear, nn.LayerNorm), loaded by their own
// state_dict names; torchvision's CNBlock (ConvNeXt) inside an nn.Sequential, loaded by name strictly
// (features.0.0.block.3.weight …, layer_scale), its scale drawn wide so the branch matters; and the PyTorch
// export of a model using all three, which must load cnnc's weights strictly and compute cnnc's eval output.
// Without torch the test says so (and fails under CI=true): test/torch-python.ts.
import { afterAll, describe, expect, it } from "vitest";
import { readImport } from "../src/cli/sources.ts";
import { emitModule } from "../src/emit/module.ts";
import { exportPytorch } from "../src/export/pytorch.ts";
import type { Model } from "../src/ir.ts";
import { compile } from "../src/pipeline.ts";
import { ModuleFolder } from "./reference/generated.ts";
import { runTorch, torchMissing, torchPython, torchTitle } from "./torch-python.ts";
import { closeness, f64, type ModuleCase, moduleLayers, paramShapes, randomTensors, TORCH_HELPERS, type TorchLayer } from "./torch-layers.ts";

const BATCH = 2;

const cases: ModuleCase[] = [
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

const SCRIPT = `${TORCH_HELPERS}
from torchvision.ops.misc import Permute
from torchvision.models.convnext import CNBlock
from functools import partial

job = json.load(sys.stdin)
out = {"layers": module_results(job["layers"], ${BATCH})}

# torchvision's CNBlock where ConvNeXt puts it: features.<stage>.<i>
cn = nn.Module()
cn.features = nn.Sequential(nn.Sequential(CNBlock(4, 1e-6, 0.0, partial(nn.LayerNorm, eps=1e-6))))
cn = load(cn.double(), job["cnblock"]["p"])
x = torch.tensor(job["cnblock"]["x"], dtype=torch.float64).reshape(${BATCH}, 4, 5, 6).requires_grad_()
out["cnblock"] = grads_of(cn, x, cn.features(x))
out["cnblock"]["shapes"] = {k: list(v.shape) for k, v in cn.state_dict().items()}

m = load(exported(job["export"]["py"], "ChannelsLast"), job["export"]["p"])
m.eval()
x = torch.tensor(job["export"]["x"], dtype=torch.float64).reshape(${BATCH}, 3, 4, 5)
out["export"] = {"y": m(x).detach().reshape(-1).tolist()}
print(json.dumps(out))
`;

const folder = new ModuleFolder("cnnc-channels-last-torch-");
afterAll(() => folder.remove());

const { expectClose, expectLayer, report } = closeness();

/** Compiled as if it sat in examples/zoo/, so `import "blocks/convnext.cnn"` reads the zoo's block file. */
function compiled(text: string, file: string): Model {
  const r = compile(text, `examples/zoo/${file}`, readImport);
  expect(r.diagnostics, text).toEqual([]);
  return r.models[0];
}

describe("permute, linear and layernormlast against real PyTorch and torchvision", () => {
  it(torchTitle("forward, dx and every parameter gradient equal torch's in f64; CNBlock's names and shapes are torchvision's; the export loads and agrees"), async () => {
    if (!torchPython) return void torchMissing("channels-last-torch");
    const layers = moduleLayers(cases, compiled, BATCH, 6000, 3, 7000);
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
    const torch = runTorch<{ layers: TorchLayer[]; cnblock: TorchLayer & { shapes: Record<string, number[]> }; export: { y: number[] } }>(SCRIPT, job);

    for (const [i, l] of layers.entries()) {
      const gen = await folder.load(`M${i}.ts`, emitModule(l.model, { dtype: "f64", sourceName: `m${i}.cnn` }));
      expectLayer(l.c.layer, (what) => `${what}\n${l.text}`, gen, BATCH, l.p, l.x, torch.layers[i]);
    }

    // torchvision's CNBlock: its names and shapes, values and gradients
    expect(torch.cnblock.shapes).toEqual(paramShapes(cnModel));
    expect(Object.keys(torch.cnblock.shapes)).toContain("features.0.0.block.3.weight");
    expect(torch.cnblock.shapes["features.0.0.layer_scale"]).toEqual([4, 1, 1]);
    const gen = await folder.load("Stage.ts", emitModule(cnModel, { dtype: "f64", sourceName: "stage.cnn" }));
    expectLayer("CNBlock", (what) => `CNBlock ${what}`, gen, BATCH, cnP, cnX, torch.cnblock);

    // the export: cnnc's weights by name, strict, and cnnc's eval output
    const all = await folder.load("ChannelsLast.ts", emitModule(exportModel, { dtype: "f64", sourceName: "channels-last.cnn" }));
    const want = all.forward(f64(exportP), {}, Float64Array.from(exportX), all.createWorkspace(BATCH), false);
    expectClose("export", "exported eval output", torch.export.y, Array.from(want));
    report("channels-last-torch: largest relative error");
  });
});
