// ConvNeXt-Tiny against real torchvision: torchvision's convnext_tiny with random weights (seeded; the layer
// scales, norms and biases drawn wide so every block's residual branch matters — torchvision starts the layer
// scales at 1e-6) is saved by Python as safetensors under its own state_dict names, loaded by name with the
// generated f64 module's loadParams, and run on the same input. Eval-mode logits agree to 1e-9 relative
// (tensor-wise, relError). Built with stochastic_depth_prob=0 on both sides (the .cnn file's 0.1 is rewritten
// to 0.0, so every block's stochasticdepth has p = 0 and drops nothing), torchvision's training mode computes
// the same deterministic function (ConvNeXt has no batchnorm or dropout), so the training loss, dx and the gradients of the stem, the first stage
// and downsampling, the last block and the classifier — every op of the model, the channels-last permute,
// linear and layernormlast included — are compared too (all 182 gradients would be 230 MB of f64 to pass).
// The image is 64×64 instead of 224×224: ConvNeXt ends in an adaptive pool, so a smaller image runs the same
// weights through the same layers (the last stage sees 2×2); the .cnn file's input line is rewritten before
// compiling, nothing else. Batch 1. Needs a python3 with torch and torchvision; without them the test says
// DID NOT RUN (and fails under CI=true).
import { execFile } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { readImport } from "../src/cli/sources.ts";
import { emitModule } from "../src/emit/module.ts";
import { compile } from "../src/pipeline.ts";
import { relError } from "./reference/data.ts";
import { ModuleFolder } from "./reference/generated.ts";
import { torchMissing, torchPython } from "./torch-python.ts";
import { type Net, readSafetensors } from "./torchvision/agree.ts";

const TOL = 1e-9;
const SIZE = 64;
const GRADS = ["features.0.", "features.1.", "features.2.", "features.7.2.", "classifier."];

const dir = resolve(".tmp/torchvision-convnext");
const folder = new ModuleFolder("cnnc-torchvision-convnext-");
// the weights are 115 MB: removed after the run
afterAll(() => {
  folder.remove();
  rmSync(dir, { recursive: true, force: true });
});

const script = `import json, os, struct, sys, torch
try:
    import torchvision
except ImportError:
    print("no torchvision"); sys.exit(0)
import torch.nn.functional as F
out, size, prefixes = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])

sys.path.insert(0, "test/torchvision")
from safetensors_write import save

torch.manual_seed(0)
m = torchvision.models.convnext_tiny(stochastic_depth_prob=0.0)
with torch.no_grad():
    for k, p in m.named_parameters():
        if k.endswith("layer_scale"): p.uniform_(0.2, 1.0)
        elif p.dim() == 1 and k.endswith("weight"): p.uniform_(0.5, 1.5)
        elif k.endswith("bias"): p.uniform_(-0.2, 0.2)
os.makedirs(out, exist_ok=True)
# drawn in f32, so the F32 file holds the f64 model's weights exactly, in half the bytes
save(os.path.join(out, "weights.safetensors"), m.state_dict())
m = m.double()
x = torch.randn(1, 3, size, size, dtype=torch.float64)
y = torch.randint(0, 1000, (1,))
m.eval()
with torch.no_grad():
    logits = m(x)
m.train()
xg = x.clone().requires_grad_(True)
loss = F.cross_entropy(m(xg), y)
loss.backward()
result = {"x": x, "y": y, "logits": logits, "loss": loss.detach().reshape(1), "dx": xg.grad}
for k, p in m.named_parameters():
    if any(k.startswith(q) for q in prefixes): result["grad." + k] = p.grad
save(os.path.join(out, "result.safetensors"), result)
print("done")
`;


describe("convnext_tiny against torchvision (random weights loaded by name from safetensors, f64)", () => {
  const title = (what: string) => (torchPython ? what : `${what}: DID NOT RUN, no python3 with torch here`);
  it(title(`eval logits, training loss, dx and the gradients of ${GRADS.join(", ")} to ${TOL}`), async () => {
    if (!torchPython) return void torchMissing("the convnext_tiny comparison with torchvision");
    const python = promisify(execFile)(torchPython, ["-c", script, dir, String(SIZE), JSON.stringify(GRADS)], { encoding: "utf8" });
    python.catch(() => {});
    const path = "examples/zoo/convnext_tiny.cnn";
    const text = readFileSync(path, "utf8");
    const resized = text.replace("input [3, 224, 224]", `input [3, ${SIZE}, ${SIZE}]`);
    expect(resized, `${path} declares a [3, 224, 224] input`).not.toBe(text);
    const noDrop = resized.replace("stochastic_depth_prob=0.1", "stochastic_depth_prob=0.0");
    expect(noDrop, `${path} passes stochastic_depth_prob=0.1`).not.toBe(resized);
    const r = compile(noDrop, path, readImport);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const model = r.models[0]!;
    const depths = model.layers.flatMap((l) => (l.args.op === "stochasticdepth" ? [l.args.p] : []));
    expect(depths).toEqual(Array<number>(18).fill(0));
    const net = await folder.load<Net>("convnext_tiny.ts", emitModule(model, { dtype: "f64", sourceName: "convnext_tiny.cnn" }));
    const { stdout } = await python;
    if (stdout.trim() === "no torchvision") return void torchMissing("the convnext_tiny comparison (torch is there, torchvision is not)");
    expect(stdout.trim()).toBe("done");

    const { params, state } = net.loadParams(readFileSync(join(dir, "weights.safetensors")));
    expect(Object.keys(params).length).toBe(182);
    const want = readSafetensors(readFileSync(join(dir, "result.safetensors")));
    const x = want.x!;
    expect(x.length).toBe(3 * SIZE * SIZE);
    const ws = net.createWorkspace(1);
    let worst = 0;
    const check = (what: string, got: ArrayLike<number>, exp: Float64Array) => {
      const e = relError(got, exp, 1e-12);
      worst = Math.max(worst, e);
      expect(e, what).toBeLessThanOrEqual(TOL);
    };
    check("eval logits", net.forward(params, state, x, ws, false), want.logits!);
    const res = net.lossAndGrad(params, state, x, Int32Array.from(want.y!), ws);
    check("loss", [res.loss], want.loss!);
    check("dx", res.dx, want.dx!);
    const gradNames = Object.keys(want).filter((k) => k.startsWith("grad."));
    // stem 4 + stage one 3·9 (layer_scale and block.0, 2, 3, 5) + downsampling 4 + last block 9 + classifier 4
    expect(gradNames.length).toBe(48);
    for (const k of gradNames) check(k, res.grads[k.slice(5)]!, want[k]!);
    console.log(`torchvision convnext_tiny: ${model.params} parameters, max relative error ${worst.toExponential(2)} (logits, loss, dx, ${gradNames.length} gradients)`);
  }, 300_000);
});
