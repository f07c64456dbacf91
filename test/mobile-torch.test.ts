// The mobile-CNN layers against real PyTorch and torchvision (f64 autograd): each layer alone after
// the input, on random values wide enough to reach every piece (relu6 past 6, hardswish and
// hardsigmoid past ±3), the generated f64 module's forward, dx and every parameter gradient against
// torch's functional op or torchvision's own module (LayerNorm2d, channel_shuffle; CNBlock's
// layer_scale is a bare [C, 1, 1] parameter). Parameter names and shapes must be torch's too.
// Without torch the test says so (and fails under CI=true): test/torch-python.ts.
import { afterAll, describe, expect, it } from "vitest";
import { emitModule } from "../src/emit/module.ts";
import { exportPytorch } from "../src/export/pytorch.ts";
import { compile } from "../src/pipeline.ts";
import { prng } from "./reference/data.ts";
import { dropoutKeep, ModuleFolder } from "./reference/generated.ts";
import { runTorch, torchMissing, torchPython, torchTitle } from "./torch-python.ts";
import { closeness, doutAt, layerModel, paramShapes, randomTensors, TORCH_HELPERS, type TorchLayer } from "./torch-layers.ts";

interface LayerCase {
  /** the layer statement, labelled */
  layer: string;
  input: [number, number, number];
  /** torch's result from x (N, C, H, W, float64) and p (the parameters by state_dict name) */
  torch: string;
  /** the parameters torch's module holds: state_dict name → shape */
  params?: Record<string, number[]>;
}

const BATCH = 2;

const cases: LayerCase[] = [
  { layer: "a: relu6", input: [3, 4, 5], torch: "F.relu6(x)" },
  { layer: "a: clamp", input: [3, 4, 5], torch: "nn.Hardtanh()(x)" },
  { layer: "a: clamp(min=0.25, max=1.5)", input: [3, 4, 5], torch: "F.hardtanh(x, 0.25, 1.5)" },
  { layer: "a: hardswish", input: [3, 4, 5], torch: "F.hardswish(x)" },
  { layer: "a: hardsigmoid", input: [3, 4, 5], torch: "F.hardsigmoid(x)" },
  { layer: "a: silu", input: [3, 4, 5], torch: "F.silu(x)" },
  { layer: "a: elu", input: [3, 4, 5], torch: "F.elu(x)" },
  { layer: "a: elu(0.5)", input: [3, 4, 5], torch: "F.elu(x, 0.5)" },
  { layer: "a: selu", input: [3, 4, 5], torch: "F.selu(x)" },
  { layer: "a: softplus", input: [3, 4, 5], torch: "F.softplus(x)" },
  { layer: "a: softplus(2, threshold=3)", input: [3, 4, 5], torch: "F.softplus(x, 2, 3)" },
  { layer: "a: mish", input: [3, 4, 5], torch: "F.mish(x)" },
  {
    layer: "norm: layernorm2d",
    input: [5, 3, 4],
    torch: "mod(LayerNorm2d(5, eps=1e-6), p)(x)",
    params: { "norm.weight": [5], "norm.bias": [5] },
  },
  {
    layer: "norm: layernorm2d(eps=0.001)",
    input: [3, 2, 2],
    torch: "mod(LayerNorm2d(3, eps=1e-3), p)(x)",
    params: { "norm.weight": [3], "norm.bias": [3] },
  },
  { layer: "layer_scale: layerscale", input: [4, 3, 3], torch: 'p["layer_scale"] * x', params: { layer_scale: [4, 1, 1] } },
  { layer: "a: channelshuffle(2)", input: [6, 2, 3], torch: "channel_shuffle(x, 2)" },
  { layer: "a: channelshuffle(3)", input: [6, 2, 2], torch: "channel_shuffle(x, 3)" },
  { layer: "a: slice(end=3)", input: [6, 2, 3], torch: "x.chunk(2, dim=1)[0]" },
  { layer: "a: slice(start=3, end=6)", input: [6, 2, 3], torch: "x.chunk(2, dim=1)[1]" },
  { layer: "a: slice(start=1, end=4)", input: [5, 2, 2], torch: "x[:, 1:4]" },
  { layer: "a: pixelshuffle(2)", input: [8, 2, 3], torch: "F.pixel_shuffle(x, 2)" },
  { layer: "a: pixelshuffle(3)", input: [9, 2, 1], torch: "nn.PixelShuffle(3)(x)" },
  { layer: "a: pixelunshuffle(2)", input: [3, 4, 6], torch: "F.pixel_unshuffle(x, 2)" },
  { layer: "a: pixelunshuffle(3)", input: [1, 3, 6], torch: "nn.PixelUnshuffle(3)(x)" },
];

const inputOf = (c: LayerCase, i: number) => {
  const r = prng(4000 + i);
  return Array.from({ length: BATCH * c.input[0] * c.input[1] * c.input[2] }, () => r.uniform(-8, 8));
};
const paramsOf = (c: LayerCase, i: number) => randomTensors(c.params ?? {}, 5000 + i);

/** Stochastic depth in training: torch draws with bernoulli_, which the script replaces by cnnc's draws. */
interface DepthCase {
  layer: string;
  input: [number, number, number];
  p: number;
  mode: "row" | "batch";
}
const depthCases: DepthCase[] = [
  { layer: "sd: stochasticdepth(0.5)", input: [2, 2, 3], p: 0.5, mode: "row" },
  { layer: "sd: stochasticdepth(0.25, mode=batch)", input: [2, 2, 3], p: 0.25, mode: "batch" },
  { layer: "sd: stochasticdepth(0)", input: [2, 2, 3], p: 0, mode: "row" },
  { layer: "sd: stochasticdepth(1)", input: [2, 2, 3], p: 1, mode: "row" },
];
const DEPTH_BATCH = 6;

const DEPTH_SCRIPT = `${TORCH_HELPERS}
from torchvision.ops import stochastic_depth
out = []
for c in json.load(sys.stdin):
    keep = torch.tensor(c["keep"], dtype=torch.float64)
    # torchvision draws noise.bernoulli_(1 - p) of shape [N, 1, 1, 1] (row) or [1, 1, 1, 1] (batch): use cnnc's draws
    torch.Tensor.bernoulli_ = lambda self, q: self.copy_(keep.reshape(self.shape))
    x = torch.tensor(c["x"], dtype=torch.float64).reshape(${DEPTH_BATCH}, *c["input"]).requires_grad_()
    y = stochastic_depth(x, c["p"], c["mode"], True)
    (y * dout_for(y)).sum().backward()
    ev = stochastic_depth(x, c["p"], c["mode"], False)
    out.append({"y": y.detach().reshape(-1).tolist(), "dx": x.grad.reshape(-1).tolist(), "eval": ev.detach().reshape(-1).tolist()})
print(json.dumps(out))
`;

const SCRIPT = `${TORCH_HELPERS}
from torchvision.models.convnext import LayerNorm2d
from torchvision.models.shufflenetv2 import channel_shuffle

print(json.dumps(expr_results(json.load(sys.stdin), ${BATCH})))
`;

const folder = new ModuleFolder("cnnc-mobile-torch-");
afterAll(() => folder.remove());

/** Largest relative error per layer statement, for the report. */
const { worst, expectClose, expectLayer, report } = closeness();

describe("mobile layers against real PyTorch and torchvision", () => {
  it(torchTitle("forward, dx and every parameter gradient equal torch's in f64; parameter names and shapes are torch's"), async () => {
    if (!torchPython) return void torchMissing("mobile-torch");
    const torch = runTorch<TorchLayer[]>(
      SCRIPT,
      cases.map((c, i) => ({ input: c.input, torch: c.torch, x: inputOf(c, i), p: paramsOf(c, i), shapes: c.params ?? {} })),
    );
    for (const [i, c] of cases.entries()) {
      const text = layerModel(c.layer, c.input);
      const r = compile(text, `m${i}.cnn`);
      expect(r.diagnostics.filter((d) => d.severity === "error"), text).toEqual([]);
      const model = r.models[0];
      expect(paramShapes(model), text).toEqual(c.params ?? {});
      const gen = await folder.load(`M${i}.ts`, emitModule(model, { dtype: "f64", sourceName: `m${i}.cnn` }));
      const want = torch[i];
      // ATen's hardsigmoid_backward multiplies by 1.0f / 6.0f, a float constant even in f64; cnnc uses 1/6
      const dx = c.layer.includes("hardsigmoid") ? want.dx.map((v) => (v / Math.fround(1 / 6)) * (1 / 6)) : want.dx;
      expectLayer(c.layer, (what) => `${what}\n${text}`, gen, BATCH, paramsOf(c, i), inputOf(c, i), want, dx);
    }
    // stochastic depth: cnnc draws, torchvision (with those draws) computes
    const ours = [];
    for (const [i, c] of depthCases.entries()) {
      const text = layerModel(c.layer, c.input, "S");
      const r = compile(text, `s${i}.cnn`);
      expect(r.diagnostics, text).toEqual([]);
      const gen = await folder.load(`S${i}.ts`, emitModule(r.models[0], { dtype: "f64", sourceName: `s${i}.cnn` }));
      const r0 = prng(6000 + i);
      const x = Float64Array.from({ length: DEPTH_BATCH * c.input[0] * c.input[1] * c.input[2] }, () => r0.uniform(-2, 2));
      const ws = gen.createWorkspace(DEPTH_BATCH, 11 + i);
      const evalOut = Array.from(gen.forward({}, {}, x, ws, false));
      const dout = Float64Array.from({ length: x.length }, (_, j) => doutAt(j));
      const dx = Array.from(gen.backward!({}, {}, x, dout, ws).dx);
      ws.freezeDropout = true;
      const y = Array.from(gen.forward({}, {}, x, ws, true));
      const keep = Array.from(dropoutKeep(ws, 1));
      expect(keep.length, text).toBe(c.mode === "row" ? DEPTH_BATCH : 1);
      ours.push({ text, c, x: Array.from(x), keep, y, dx, evalOut });
    }
    const depth = runTorch<{ y: number[]; dx: number[]; eval: number[] }[]>(
      DEPTH_SCRIPT,
      ours.map((o) => ({ input: o.c.input, p: o.c.p, mode: o.c.mode, x: o.x, keep: o.keep })),
    );
    const kept = ours.flatMap((o) => o.keep).filter((k) => k === 1).length;
    expect(kept, "some rows kept").toBeGreaterThan(0);
    expect(kept, "some rows dropped").toBeLessThan(ours.reduce((a, o) => a + o.keep.length, 0));
    for (const [i, o] of ours.entries()) {
      expectClose(o.c.layer, `train forward\n${o.text}`, o.y, depth[i].y);
      expectClose(o.c.layer, `dx\n${o.text}`, o.dx, depth[i].dx);
      expectClose(o.c.layer, `eval forward\n${o.text}`, o.evalOut, depth[i].eval);
    }
    report("mobile-torch: largest relative error per layer");
  });

  it(torchTitle("export --pytorch: every new layer in one model loads cnnc's weights by name (strict) and computes cnnc's eval output"), async () => {
    if (!torchPython) return void torchMissing("mobile-torch export");
    const text = `model MobileAll {
  input [8, 4, 4]
  conv(8, kernel=3, pad=1)
  relu6
  n: layernorm2d
  hardswish
  layer_scale: layerscale(0.7)
  hardsigmoid
  cs: channelshuffle(2)
  silu
  elu(0.5)
  selu
  softplus(2, threshold=3)
  mish
  clamp(min=0.25, max=1.5)
  sd: stochasticdepth(0.3)
  sl: slice(start=2, end=6)
  ps: pixelshuffle(2)
  pu: pixelunshuffle(2)
  fc: affine(5)
}
`;
    const r = compile(text, "mobile-all.cnn");
    expect(r.diagnostics).toEqual([]);
    const model = r.models[0];
    const gen = await folder.load("MobileAll.ts", emitModule(model, { dtype: "f64", sourceName: "mobile-all.cnn" }));
    const p = gen.initParams(3);
    // every tensor away from its initial constant, so each one's wiring matters
    for (const v of Object.values(p)) v.forEach((x, i) => (v[i] = x + 0.3 * Math.sin(i + 1)));
    const x = Float64Array.from({ length: 2 * 8 * 4 * 4 }, (_, i) => 3 * Math.sin(0.37 * i));
    const want = Array.from(gen.forward(p, {}, x, gen.createWorkspace(2), false));
    const py = folder.write("mobile_all.py", exportPytorch([model], { sourceName: "mobile-all.cnn" }));
    const weights = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Array.from(v)]));
    const script = `${TORCH_HELPERS}
m = load(exported(${JSON.stringify(py)}, "MobileAll"), json.load(sys.stdin))
m.eval()
x = torch.tensor(json.loads(sys.argv[1]), dtype=torch.float64).reshape(2, 8, 4, 4)
print(json.dumps({"y": m(x).detach().reshape(-1).tolist(), "shapes": {k: list(v.shape) for k, v in m.state_dict().items()}}))`;
    const got = runTorch<{ y: number[]; shapes: Record<string, number[]> }>(script, weights, [JSON.stringify(Array.from(x))]);
    expect(got.shapes).toEqual(paramShapes(model));
    expect(got.shapes["layer_scale"]).toEqual([8, 1, 1]);
    expectClose("export", "exported eval output", got.y, want);
    console.log(`mobile-torch: exported MobileAll agrees with the generated TypeScript to ${worst["export"]!.toExponential(2)}`);
  });
});
