// Padding modes and nn.CrossEntropyLoss's options against real PyTorch (f64 autograd), in one
// python process: pad(mode=…) and conv(padding_mode=…) forward, dx and every parameter gradient
// (torch's own modules where they exist: ReflectionPad2d, ReplicationPad2d, Conv2d(padding_mode=…));
// `loss softmax(…)` alone on [K] and per position on [K, H, W], each option and their
// combinations: the loss and its gradient w.r.t. the scores; and `export --pytorch` of models with
// both: state dict by name, eval output, loss and dx.
// Without torch the test says so (and fails under CI=true): test/torch-python.ts.
import { afterAll, describe, expect, it } from "vitest";
import { emitModule } from "../src/emit/module.ts";
import { exportPytorch } from "../src/export/pytorch.ts";
import { compile } from "../src/pipeline.ts";
import { prng } from "./reference/data.ts";
import { ModuleFolder } from "./reference/generated.ts";
import { runTorch, torchMissing, torchPython, torchTitle } from "./torch-python.ts";
import { closeness, layerModel, paramShapes, randomTensors, size, TORCH_HELPERS, type TorchLayer } from "./torch-layers.ts";

const BATCH = 2;

interface LayerCase {
  layer: string;
  input: [number, number, number];
  /** torch's result from x and p (the parameters by state_dict name) */
  torch: string;
  params?: Record<string, number[]>;
}

const layerCases: LayerCase[] = [
  { layer: "p: pad(1, mode=reflect)", input: [2, 3, 4], torch: "nn.ReflectionPad2d(1)(x)" },
  { layer: "p: pad((1, 2, 0, 3), mode=reflect)", input: [2, 4, 5], torch: "nn.ReflectionPad2d((0, 3, 1, 2))(x)" },
  { layer: "p: pad(2, mode=replicate)", input: [2, 3, 3], torch: "nn.ReplicationPad2d(2)(x)" },
  { layer: "p: pad((3, 0, 1, 4), mode=replicate)", input: [1, 2, 3], torch: 'F.pad(x, (1, 4, 3, 0), mode="replicate")' },
  { layer: "p: pad((1, 0, 2, 3), mode=circular)", input: [2, 3, 4], torch: 'F.pad(x, (2, 3, 1, 0), mode="circular")' },
  { layer: "p: pad((1, 1, 0, 1), mode=zeros)", input: [1, 2, 2], torch: "nn.ZeroPad2d((0, 1, 1, 1))(x)" },
  {
    layer: "c: conv(3, kernel=3, pad=1, padding_mode=reflect)",
    input: [2, 4, 5],
    torch: 'mod(nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"), p)(x)',
    params: { "c.weight": [3, 2, 3, 3], "c.bias": [3] },
  },
  {
    layer: "c: conv(4, kernel=(3, 2), stride=2, pad=(2, 1), groups=2, bias=false, padding_mode=replicate)",
    input: [2, 5, 4],
    torch: 'mod(nn.Conv2d(2, 4, (3, 2), stride=2, padding=(2, 1), groups=2, bias=False, padding_mode="replicate"), p)(x)',
    params: { "c.weight": [4, 1, 3, 2] },
  },
  {
    layer: "c: conv(2, kernel=3, dilation=2, pad=same, padding_mode=circular)",
    input: [3, 4, 5],
    torch: 'mod(nn.Conv2d(3, 2, 3, dilation=2, padding=2, padding_mode="circular"), p)(x)',
    params: { "c.weight": [2, 3, 3, 3], "c.bias": [2] },
  },
  {
    layer: "c: conv(1, kernel=(2, 1), stride=(2, 3), pad=2, padding_mode=reflect)",
    input: [1, 4, 8],
    torch: 'mod(nn.Conv2d(1, 1, (2, 1), stride=(2, 3), padding=2, padding_mode="reflect"), p)(x)',
    params: { "c.weight": [1, 1, 2, 1], "c.bias": [1] },
  },
  {
    layer: "c: conv(2, kernel=2, pad=(1, 0, 2, 1), padding_mode=reflect)",
    input: [1, 3, 4],
    torch: 'F.conv2d(F.pad(x, (2, 1, 1, 0), mode="reflect"), p["c.weight"], p["c.bias"])',
    params: { "c.weight": [2, 1, 2, 2], "c.bias": [2] },
  },
];

interface LossCase {
  /** the options written after `loss softmax` */
  options: string;
  /** scores per sample: [K] or [K, H, W] */
  input: number[];
  /** F.cross_entropy's keyword arguments */
  torch: string;
  /** the label value that is ignored, drawn for some positions */
  ignore?: number;
}

const lossCases: LossCase[] = [
  { options: "", input: [5], torch: "" },
  { options: "(label_smoothing=0.1)", input: [5], torch: "label_smoothing=0.1" },
  { options: "(weight=(0.5, 2, 1, 0, 3))", input: [5], torch: "weight=W(0.5, 2, 1, 0, 3)" },
  { options: "(ignore_index=2)", input: [4], torch: "ignore_index=2", ignore: 2 },
  { options: "(reduction=sum)", input: [3], torch: 'reduction="sum"' },
  { options: "(reduction=mean)", input: [3], torch: 'reduction="mean"' },
  { options: "(label_smoothing=0.25, weight=(1, 2, 3))", input: [3], torch: "label_smoothing=0.25, weight=W(1, 2, 3)" },
  { options: "(label_smoothing=0.2, ignore_index=0)", input: [4], torch: "label_smoothing=0.2, ignore_index=0", ignore: 0 },
  { options: "(weight=(2, 1, 0.5, 1), ignore_index=3)", input: [4], torch: "weight=W(2, 1, 0.5, 1), ignore_index=3", ignore: 3 },
  {
    options: "(label_smoothing=0.3, weight=(1, 0.25, 4), ignore_index=9, reduction=sum)",
    input: [3],
    torch: 'label_smoothing=0.3, weight=W(1, 0.25, 4), ignore_index=9, reduction="sum"',
    ignore: 9,
  },
  { options: "", input: [4, 2, 3], torch: "" },
  { options: "(label_smoothing=0.1, reduction=sum)", input: [3, 3, 2], torch: 'label_smoothing=0.1, reduction="sum"' },
  {
    options: "(label_smoothing=0.15, weight=(1, 3, 0.5), ignore_index=255)",
    input: [3, 2, 4],
    torch: "label_smoothing=0.15, weight=W(1, 3, 0.5), ignore_index=255",
    ignore: 255,
  },
  { options: "(weight=(0.2, 1, 2, 1), ignore_index=1)", input: [4, 3, 1], torch: "weight=W(0.2, 1, 2, 1), ignore_index=1", ignore: 1 },
];
const LOSS_BATCH = 4;

/** Labels: a class per position, every third one the ignored value (never the first, so a mean has a label). */
function labelsOf(c: LossCase, i: number): number[] {
  const r = prng(7000 + i);
  const positions = LOSS_BATCH * c.input.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: positions }, (_, j) => (c.ignore !== undefined && j % 3 === 2 ? c.ignore : Math.floor(r.uniform(0, 1) * c.input[0]) % c.input[0]));
}

const exportText = `model PadLoss {
  input [2, 5, 6]
  p: pad((1, 0, 2, 1), mode=reflect)
  c1: conv(4, kernel=3, pad=1, padding_mode=replicate)
  q: pad(1, mode=circular)
  c2: conv(3, kernel=3, stride=2, pad=(0, 1, 1, 0), padding_mode=reflect)
  r: pad(1, mode=replicate)
  c3: conv(3, kernel=2, padding_mode=circular, pad=1)
  loss softmax(label_smoothing=0.1, weight=(1, 2, 0.5), ignore_index=7)
}
`;

const SCRIPT = `${TORCH_HELPERS}
def W(*w):
    return torch.tensor(w, dtype=torch.float64)

job = json.load(sys.stdin)
layers = expr_results(job["layers"], ${BATCH})
losses = []
for c in job["losses"]:
    z = torch.tensor(c["z"], dtype=torch.float64).reshape(${LOSS_BATCH}, *c["input"]).requires_grad_()
    y = torch.tensor(c["y"], dtype=torch.long).reshape(${LOSS_BATCH}, *c["input"][1:])
    loss = eval("F.cross_entropy(z, y, " + c["torch"] + ")")
    loss.backward()
    losses.append({"loss": loss.item(), "dz": z.grad.reshape(-1).tolist()})
e = job["export"]
m = load(exported(e["py"], "PadLoss"), e["p"])
sd = m.state_dict()
x = torch.tensor(e["x"], dtype=torch.float64).reshape(${BATCH}, *e["input"]).requires_grad_()
out = m(x)
loss = m.loss(out, torch.tensor(e["y"], dtype=torch.long).reshape(${BATCH}, *out.shape[2:]))
loss.backward()
exported = {"keys": sorted(sd), "y": out.detach().reshape(-1).tolist(), "loss": loss.item(), "dx": x.grad.reshape(-1).tolist()}
print(json.dumps({"layers": layers, "losses": losses, "export": exported}))
`;

const inputOf = (c: LayerCase, i: number) => {
  const r = prng(8000 + i);
  return Array.from({ length: BATCH * size(c.input) }, () => r.uniform(-2, 2));
};
const paramsOf = (c: LayerCase, i: number) => randomTensors(c.params ?? {}, 9000 + i, 1);
const scoresOf = (c: LossCase, i: number) => {
  const r = prng(10000 + i);
  return Array.from({ length: LOSS_BATCH * size(c.input) }, () => r.uniform(-3, 3));
};

const folder = new ModuleFolder("cnnc-padding-loss-torch-");
afterAll(() => folder.remove());

const { expectClose, expectLayer, report } = closeness();

function build(text: string, file: string) {
  const r = compile(text, file);
  expect(r.diagnostics.filter((d) => d.severity === "error"), text).toEqual([]);
  return r.models[0];
}

describe("padding modes and cross-entropy options against real PyTorch", () => {
  it(torchTitle("pad and conv padding modes, every loss option, and the PyTorch export agree with torch in f64"), async () => {
    if (!torchPython) return void torchMissing("padding-loss-torch");
    const exportModel = build(exportText, "pad-loss.cnn");
    const exportGen = await folder.load("PadLoss.ts", emitModule(exportModel, { dtype: "f64", sourceName: "pad-loss.cnn" }));
    const ep = exportGen.initParams(5);
    for (const v of Object.values(ep)) v.forEach((x, i) => (v[i] = x + 0.2 * Math.sin(i + 1)));
    const ex = Float64Array.from({ length: BATCH * size(exportModel.input) }, (_, i) => 2 * Math.sin(0.41 * i));
    const positions = size(exportModel.output.slice(1));
    const ey = Int32Array.from({ length: BATCH * positions }, (_, i) => (i % 5 === 4 ? 7 : (i * 7) % 3));
    const job = {
      layers: layerCases.map((c, i) => ({ input: c.input, torch: c.torch, x: inputOf(c, i), p: paramsOf(c, i), shapes: c.params ?? {} })),
      losses: lossCases.map((c, i) => ({ input: c.input, torch: c.torch, z: scoresOf(c, i), y: labelsOf(c, i) })),
      export: {
        py: folder.write("pad_loss.py", exportPytorch([exportModel], { sourceName: "pad-loss.cnn" })),
        input: exportModel.input,
        p: Object.fromEntries(Object.entries(ep).map(([k, v]) => [k, Array.from(v)])),
        x: Array.from(ex),
        y: Array.from(ey),
      },
    };
    const torch = runTorch<{
      layers: TorchLayer[];
      losses: { loss: number; dz: number[] }[];
      export: { keys: string[]; y: number[]; loss: number; dx: number[] };
    }>(SCRIPT, job);

    for (const [i, c] of layerCases.entries()) {
      const text = layerModel(c.layer, c.input);
      const model = build(text, `l${i}.cnn`);
      expect(paramShapes(model), text).toEqual(c.params ?? {});
      const gen = await folder.load(`L${i}.ts`, emitModule(model, { dtype: "f64", sourceName: `l${i}.cnn` }));
      expectLayer(c.layer, (what) => `${what}\n${text}`, gen, BATCH, paramsOf(c, i), inputOf(c, i), torch.layers[i]);
    }

    for (const [i, c] of lossCases.entries()) {
      const text = `model L {\n  input [${c.input.join(", ")}]\n  loss softmax${c.options}\n}\n`;
      const gen = await folder.load(`S${i}.ts`, emitModule(build(text, `s${i}.cnn`), { dtype: "f64", sourceName: `s${i}.cnn` }));
      const res = gen.lossAndGrad!({}, {}, Float64Array.from(scoresOf(c, i)), Int32Array.from(labelsOf(c, i)), gen.createWorkspace(LOSS_BATCH));
      const key = `loss softmax${c.options} on [${c.input.join(", ")}]`;
      if (c.ignore !== undefined) expect(labelsOf(c, i).filter((v) => v === c.ignore).length, key).toBeGreaterThan(0);
      expectClose(key, `loss\n${text}`, [res.loss], [torch.losses[i].loss]);
      expectClose(key, `dz\n${text}`, res.dx, torch.losses[i].dz);
    }

    expect(torch.export.keys).toEqual(Object.keys(ep).sort());
    expectClose("export", "exported eval output", Array.from(exportGen.forward(ep, {}, ex, exportGen.createWorkspace(BATCH), false)), torch.export.y);
    const res = exportGen.lossAndGrad!(ep, {}, ex, ey, exportGen.createWorkspace(BATCH));
    expectClose("export", "exported loss", [res.loss], [torch.export.loss]);
    expectClose("export", "exported dx", res.dx, torch.export.dx);
    report("padding-loss-torch: largest relative error");
  });
});
