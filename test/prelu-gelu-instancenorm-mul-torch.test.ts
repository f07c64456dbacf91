// prelu, gelu, instancenorm and the mul gate against real PyTorch and torchvision (f64 autograd), all in
// one python process: each layer alone after the input on values wide enough to cross gelu's erf switch
// (|x| > 2.5·√2) and to reach far into its tails, the generated f64 module's forward, dx and every
// parameter gradient against torch's modules (nn.PReLU, nn.GELU, nn.InstanceNorm2d), loaded by their own
// state_dict names; torchvision's SqueezeExcitation inside EfficientNet's module path
// (features.1.0.block.1.fc1.weight …), loaded by name strictly; and the PyTorch export of a model using all
// four, which must load cnnc's weights strictly and compute cnnc's eval output.
// Without torch the test says so (and fails under CI=true): test/torch-python.ts.
import { afterAll, describe, expect, it } from "vitest";
import { emitModule } from "../src/emit/module.ts";
import { exportPytorch } from "../src/export/pytorch.ts";
import type { Model } from "../src/ir.ts";
import { compile } from "../src/pipeline.ts";
import { ModuleFolder } from "./reference/generated.ts";
import { runTorch, torchMissing, torchPython, torchTitle } from "./torch-python.ts";
import { closeness, f64, type ModuleCase, moduleLayers, paramShapes, randomTensors, TORCH_HELPERS, type TorchLayer } from "./torch-layers.ts";

const BATCH = 2;

const cases: ModuleCase[] = [
  { layer: "a: prelu", input: [3, 4, 5], module: "nn.PReLU()", params: { "a.weight": [1] } },
  { layer: "a: prelu(3, init=0.1)", input: [3, 4, 5], module: "nn.PReLU(3, init=0.1)", params: { "a.weight": [3] } },
  { layer: "a: prelu(num_parameters=6)", input: [6], module: "nn.PReLU(6)", params: { "a.weight": [6] } },
  { layer: "a: gelu", input: [3, 4, 5], module: "nn.GELU()" },
  { layer: "a: gelu(approximate=tanh)", input: [3, 4, 5], module: 'nn.GELU(approximate="tanh")' },
  { layer: "a: instancenorm", input: [3, 4, 5], module: "nn.InstanceNorm2d(3)" },
  { layer: "a: instancenorm(eps=0.001, affine=true)", input: [4, 2, 3], module: "nn.InstanceNorm2d(4, eps=1e-3, affine=True)", params: { "a.weight": [4], "a.bias": [4] } },
  { layer: "a: instancenorm(affine=true)", input: [2, 1, 2], module: "nn.InstanceNorm2d(2, affine=True)", params: { "a.weight": [2], "a.bias": [2] } },
];

/** EfficientNet's MBConv as far as the gate: features.1.0.block = [1x1 conv, SqueezeExcitation]. */
const SE_TEXT = `block MBConvHead(c, squeeze) {
  block: seq {
    conv(c, kernel=1)
    mul {
      {}
      {
        avgpool: adaptiveavgpool(1)
        fc1: conv(squeeze, kernel=1)
        activation: silu
        fc2: conv(c, kernel=1)
        scale_activation: sigmoid
      }
    }
  }
}

model SE {
  input [4, 3, 5]
  features: seq {
    conv(4, kernel=3, pad=1)
    seq { MBConvHead(4, 2) }
  }
}
`;

const EXPORT_TEXT = `model AllFour {
  input [4, 4, 4]
  conv(4, kernel=3, pad=1)
  pr: prelu(4)
  inorm: instancenorm(affine=true)
  gelu
  se: mul {
    {}
    { adaptiveavgpool(1); fc1: conv(2, kernel=1); prelu; fc2: conv(4, kernel=1); hardsigmoid }
  }
  gelu(tanh)
  instancenorm
  sq: mul { {}; {} }
  globalavgpool
  fc: affine(3)
}
`;

const SCRIPT = `${TORCH_HELPERS}
from torchvision.ops import SqueezeExcitation

job = json.load(sys.stdin)
out = {"layers": module_results(job["layers"], ${BATCH})}
for c, r in zip(job["layers"], out["layers"]):
    # the normal CDF without cancellation in either tail, for an element-wise check of gelu's erf
    r["phi"] = (0.5 * torch.erfc(-torch.tensor(c["x"], dtype=torch.float64) / 2 ** 0.5)).tolist()

# torchvision's SqueezeExcitation where EfficientNet puts it: features.1.0.block.1
class MBConvHead(nn.Module):
    def __init__(self, c, squeeze):
        super().__init__()
        self.block = nn.Sequential(nn.Conv2d(c, c, 1), SqueezeExcitation(c, squeeze, activation=nn.SiLU, scale_activation=nn.Sigmoid))
    def forward(self, x):
        return self.block(x)
se = nn.Module()
se.features = nn.Sequential(nn.Conv2d(4, 4, 3, padding=1), nn.Sequential(MBConvHead(4, 2)))
se = load(se.double(), job["se"]["p"])
x = torch.tensor(job["se"]["x"], dtype=torch.float64).reshape(${BATCH}, 4, 3, 5).requires_grad_()
out["se"] = grads_of(se, x, se.features(x))
out["se"]["shapes"] = {k: list(v.shape) for k, v in se.state_dict().items()}

m = load(exported(job["export"]["py"], "AllFour"), job["export"]["p"])
m.eval()
x = torch.tensor(job["export"]["x"], dtype=torch.float64).reshape(${BATCH}, 4, 4, 4)
out["export"] = {"y": m(x).detach().reshape(-1).tolist()}
print(json.dumps(out))
`;

const folder = new ModuleFolder("cnnc-prelu-gelu-torch-");
afterAll(() => folder.remove());

const { worst, expectClose, expectLayer, report } = closeness();

function compiled(text: string, file: string): Model {
  const r = compile(text, file);
  expect(r.diagnostics, text).toEqual([]);
  return r.models[0];
}

describe("prelu, gelu, instancenorm and mul against real PyTorch and torchvision", () => {
  it(torchTitle("forward, dx and every parameter gradient equal torch's in f64; names and shapes are torch's; the export loads and agrees"), async () => {
    if (!torchPython) return void torchMissing("prelu-gelu-instancenorm-mul-torch");
    // our side first: the modules, their inputs and parameters
    // gelu's inputs reach ±12: both erf branches and the far tails
    const layers = moduleLayers(cases, compiled, BATCH, 4000, 12, 5000);
    const seModel = compiled(SE_TEXT, "se.cnn");
    const seP = randomTensors(paramShapes(seModel), 77);
    const seX = Array.from({ length: BATCH * 4 * 3 * 5 }, (_, i) => 2 * Math.sin(0.7 * i + 0.2));
    const exportModel = compiled(EXPORT_TEXT, "all-four.cnn");
    const py = folder.write("all_four.py", exportPytorch([exportModel], { sourceName: "all-four.cnn" }));
    const exportP = randomTensors(paramShapes(exportModel), 78);
    const exportX = Array.from({ length: BATCH * 4 * 4 * 4 }, (_, i) => 3 * Math.sin(0.37 * i));

    const job = {
      layers: layers.map((l) => ({ module: l.c.module, input: l.c.input, x: l.x, p: l.p })),
      se: { x: seX, p: seP },
      export: { py, x: exportX, p: exportP },
    };
    const torch = runTorch<{ layers: (TorchLayer & { phi: number[] })[]; se: TorchLayer & { shapes: Record<string, number[]> }; export: { y: number[] } }>(SCRIPT, job);

    for (const [i, l] of layers.entries()) {
      const gen = await folder.load(`M${i}.ts`, emitModule(l.model, { dtype: "f64", sourceName: `m${i}.cnn` }));
      const want = torch.layers[i];
      const y = expectLayer(l.c.layer, (what) => `${what}\n${l.text}`, gen, BATCH, l.p, l.x, want);
      if (l.c.layer === "a: gelu") {
        // element by element, deep into both tails: Φ(x) = y / x against torch's erfc (Φ(−12) ≈ 2e-33)
        let phiError = 0;
        for (let j = 0; j < y.length; j++) if (l.x[j] !== 0) phiError = Math.max(phiError, Math.abs(y[j] / l.x[j] - want.phi[j]) / want.phi[j]);
        worst["gelu Φ element-wise"] = phiError;
        expect(phiError).toBeLessThan(1e-13);
      }
    }

    // the gate inside EfficientNet's module path: torchvision's names and shapes, values and gradients
    expect(torch.se.shapes).toEqual(paramShapes(seModel));
    expect(Object.keys(torch.se.shapes)).toContain("features.1.0.block.1.fc1.weight");
    const gen = await folder.load("SE.ts", emitModule(seModel, { dtype: "f64", sourceName: "se.cnn" }));
    expectLayer("SqueezeExcitation", (what) => `SE ${what}`, gen, BATCH, seP, seX, torch.se);

    // the export: cnnc's weights by name, strict, and cnnc's eval output
    const all = await folder.load("AllFour.ts", emitModule(exportModel, { dtype: "f64", sourceName: "all-four.cnn" }));
    const want = all.forward(f64(exportP), {}, Float64Array.from(exportX), all.createWorkspace(BATCH), false);
    expectClose("export", "exported eval output", torch.export.y, Array.from(want));
    report("prelu-gelu-instancenorm-mul-torch: largest relative error");
  });
});
