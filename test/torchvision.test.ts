// Against real torchvision: a zoo model with random weights (seeded, and random
// batchnorm statistics so every tensor matters) is saved by Python as
// safetensors under torchvision's own state_dict names, loaded by name with the
// generated f64 module's loadParams, and run on the same input. Eval-mode
// logits agree to 1e-9 relative (tensor-wise, relError); for resnet18 also the
// training-mode loss, every parameter gradient, dx and the updated running
// statistics. The images are 112×112 instead of 224×224 (torchvision's
// classifiers end in an adaptive pool, so any size ≥ 32 runs the same weights
// through the same layers) to keep the test fast; the .cnn file's input line is
// rewritten before compiling, nothing else. Needs /usr/bin/python3 with torch and torchvision (Debian's
// python3-torch and python3-torchvision); without them the test says DID NOT RUN.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readImport } from "../src/cli/sources.ts";
import { emitModule } from "../src/emit/module.ts";
import type { Model } from "../src/ir.ts";
import { compile } from "../src/pipeline.ts";
import { relError } from "./reference/data.ts";
import { ModuleFolder } from "./reference/generated.ts";

const PYTHON = "/usr/bin/python3";
const TOL = 1e-9;
const BATCH = 2;
const SIZE = 112;
const hasTorchvision = (() => {
  try {
    execFileSync(PYTHON, ["-c", "import torch, torchvision"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** Zoo models compared (eval logits); `train`: also loss, gradients, dx and running statistics. */
const CASES: { name: string; train: boolean }[] = [
  { name: "resnet18", train: true },
  { name: "resnet50", train: false },
  { name: "densenet121", train: false },
  { name: "googlenet", train: false },
  { name: "squeezenet1_1", train: false },
].filter((c) => existsSync(`examples/zoo/${c.name}.cnn`));

const dir = resolve(".tmp/torchvision");
const folder = new ModuleFolder("cnnc-torchvision-");
// the weights and results are hundreds of MB: removed after the run
afterAll(() => {
  folder.remove();
  rmSync(dir, { recursive: true, force: true });
});

// torchvision's model with random weights, run in f64; everything written as
// safetensors by a tiny writer (the `safetensors` package is not needed).
const script = `import json, struct, sys, torch, torchvision
import torch.nn.functional as F
name, out, batch, train, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1", int(sys.argv[5])
torch.manual_seed(0)
kwargs = {"aux_logits": False, "init_weights": True} if name in ("googlenet", "inception_v3") else {}
m = getattr(torchvision.models, name)(**kwargs).double()
with torch.no_grad():
    for mod in m.modules():
        if isinstance(mod, (torch.nn.BatchNorm2d, torch.nn.BatchNorm1d)):
            mod.weight.uniform_(0.5, 1.5); mod.bias.uniform_(-0.5, 0.5)
            mod.running_mean.uniform_(-0.5, 0.5); mod.running_var.uniform_(0.5, 2.0)

def save(path, tensors):
    header, blobs, offset = {}, [], 0
    for k, t in tensors.items():
        t = t.detach().contiguous().cpu()
        data = t.numpy().tobytes()
        dtype = {torch.float64: "F64", torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        header[k] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data); offset += len(data)
    text = json.dumps(header).encode(); text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text))); f.write(text)
        for b in blobs: f.write(b)

save(out + "/weights.safetensors", m.state_dict())
x = torch.randn(batch, 3, size, size, dtype=torch.float64)
y = torch.randint(0, 1000, (batch,))
m.eval()
with torch.no_grad():
    logits = m(x)
result = {"x": x, "y": y, "logits": logits}
if train:
    m.train()
    xg = x.clone().requires_grad_(True)
    loss = F.cross_entropy(m(xg), y)
    loss.backward()
    result["loss"] = loss.detach().reshape(1)
    result["dx"] = xg.grad
    for k, p in m.named_parameters(): result["grad." + k] = p.grad
    for k, b in m.named_buffers():
        if not k.endswith("num_batches_tracked"): result["state." + k] = b
save(out + "/result.safetensors", result)
`;

/** The tensors of a safetensors file (F64 and I64 only, as the script writes them). */
function readSafetensors(bytes: Uint8Array): Record<string, Float64Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; data_offsets: [number, number] }>;
  const out: Record<string, Float64Array> = {};
  for (const [k, e] of Object.entries(header)) {
    if (k === "__metadata__") continue;
    const data = new Uint8Array(bytes.subarray(8 + n + e.data_offsets[0], 8 + n + e.data_offsets[1]));
    out[k] = e.dtype === "F64" ? new Float64Array(data.buffer) : Float64Array.from(new BigInt64Array(data.buffer), Number);
  }
  return out;
}

interface Net {
  createWorkspace(batch: number): object;
  forward(p: object, s: object, x: Float64Array, ws: object, train?: boolean): Float64Array;
  lossAndGrad(p: object, s: object, x: Float64Array, y: Int32Array, ws: object): { loss: number; grads: Record<string, Float64Array>; dx: Float64Array };
  loadParams(bytes: Uint8Array): { params: Record<string, Float64Array>; state: Record<string, Float64Array> };
}

function zooModel(name: string): Model {
  const path = `examples/zoo/${name}.cnn`;
  const text = readFileSync(path, "utf8");
  const resized = text.replace(/input \[3, (224|299), \1\]/, `input [3, ${SIZE}, ${SIZE}]`);
  expect(resized, `${path} declares a [3, 224, 224] input`).not.toBe(text);
  const r = compile(resized, path, readImport);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.models[0]!;
}

const rows: string[] = [];

describe("the generated f64 module against torchvision (random weights loaded by name from safetensors)", () => {
  if (!hasTorchvision) {
    it("DID NOT RUN: /usr/bin/python3 cannot import torch and torchvision here", () => {
      console.log("NOTE: install Debian's python3-torch and python3-torchvision to compare with torchvision.");
      expect(hasTorchvision).toBe(false);
    });
    return;
  }
  it("has the zoo models to compare", () => {
    expect(CASES.map((c) => c.name)).toContain("resnet18");
  });
  for (const c of CASES) {
    it(`${c.name}: eval logits${c.train ? "; training loss, every gradient, dx and running statistics" : ""} to ${TOL}`, async () => {
      const model = zooModel(c.name);
      const out = join(dir, c.name);
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out, { recursive: true });
      execFileSync(PYTHON, ["-c", script, c.name, out, String(BATCH), c.train ? "1" : "0", String(SIZE)], { stdio: "inherit" });
      const net = await folder.load<Net>(`${c.name}.ts`, emitModule(model, { dtype: "f64", sourceName: `${c.name}.cnn` }));
      const { params, state } = net.loadParams(readFileSync(join(out, "weights.safetensors")));
      const want = readSafetensors(readFileSync(join(out, "result.safetensors")));
      const x = want.x!;
      const ws = net.createWorkspace(BATCH);
      let worst = relError(net.forward(params, state, x, ws, false), want.logits!, 0);
      expect(worst, "eval logits").toBeLessThanOrEqual(TOL);
      if (c.train) {
        const res = net.lossAndGrad(params, state, x, Int32Array.from(want.y!), ws);
        const check = (what: string, got: ArrayLike<number>, exp: Float64Array) => {
          const e = relError(got, exp, 1e-12);
          worst = Math.max(worst, e);
          expect(e, what).toBeLessThanOrEqual(TOL);
        };
        check("loss", [res.loss], want.loss!);
        check("dx", res.dx, want.dx!);
        const gradNames = Object.keys(want).filter((k) => k.startsWith("grad."));
        expect(gradNames.map((k) => k.slice(5)).sort()).toEqual(Object.keys(res.grads).sort());
        for (const k of gradNames) check(k, res.grads[k.slice(5)]!, want[k]!);
        for (const k of Object.keys(want).filter((k) => k.startsWith("state."))) check(k, state[k.slice(6)]!, want[k]!);
      }
      rows.push(`${c.name}: ${model.params} parameters, max relative error ${worst.toExponential(2)}${c.train ? " (logits, loss, gradients, dx, running stats)" : " (logits)"}`);
      console.log(`torchvision ${rows[rows.length - 1]}`);
    }, 300_000);
  }
});
