// Real PyTorch (f64) as the oracle for the layers whose semantics are PyTorch's by
// definition: convtranspose (ConvTranspose2d), upsample (nn.Upsample, bilinear with
// align_corners=False), adaptiveavgpool (AdaptiveAvgPool2d), globalmaxpool and the
// softmax layer. Each small model is exported with `export --pytorch`, loaded with
// the generated module's weights (safetensors), and run forward and backward in
// torch on the same input and output gradient; outputs, every parameter gradient
// and dx must agree with the generated f64 module to 1e-10 (relError). Runs where
// `import torch` works in python3 or /usr/bin/python3 (Debian: python3-torch);
// elsewhere the test says DID NOT RUN.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emitModule } from "../src/emit/module.ts";
import { exportPytorch } from "../src/export/pytorch.ts";
import type { Model, OpName } from "../src/ir.ts";
import { compile } from "../src/pipeline.ts";
import { randomInputs, relError } from "./reference/data.ts";
import { type GeneratedModule, ModuleFolder } from "./reference/generated.ts";
import { torchMissing, torchPython } from "./torch-python.ts";
import { directedSpecs, modelText, randomModelSpec, type ModelSpec } from "./reference/models.ts";

const TOL = 1e-10;
const NEW_OPS: OpName[] = ["convtranspose", "upsample", "adaptiveavgpool", "globalmaxpool", "softmax"];

const python = torchPython;
const hasTorch = python !== undefined;

const outDir = resolve(".tmp/oracle-torch");
const folder = new ModuleFolder("cnnc-oracle-torch-");
afterAll(() => {
  folder.remove();
  rmSync(outDir, { recursive: true, force: true });
});

/** Directed corners plus random stacks of the new ops (with relu and conv around them). */
function cases(): ModelSpec[] {
  // loss-less: torch differentiates sum(out · dout), as backward() does
  const out: ModelSpec[] = directedSpecs.filter((d) => d.layers.some((l) => NEW_OPS.includes(l.op))).map((d) => ({ ...d, loss: null }));
  const more: ModelSpec[] = [
    { name: "CtAsym", input: [2, 3, 3], layers: [{ label: "ct", op: "convtranspose", args: [["filters", 3], ["kernel", 3], ["stride", 2], ["pad", [2, 0, 1, 0]], ["output_pad", 1]] }], loss: null },
    { name: "CtDilated", input: [4, 4, 3], layers: [{ label: "ct", op: "convtranspose", args: [["filters", 2], ["kernel", [2, 3]], ["dilation", 3], ["output_pad", [2, 1]], ["groups", 2], ["bias", false]] }], loss: null },
    { name: "Bilinear", input: [2, 1, 4], layers: [{ label: "u", op: "upsample", args: [["scale", [3, 2]], ["mode", "bilinear"]] }], loss: null },
    { name: "AdaptUp", input: [2, 3, 5], layers: [{ label: "a", op: "adaptiveavgpool", args: [["size", [7, 2]]] }], loss: null },
    { name: "SoftmaxVec", input: [6], layers: [{ label: "fc", op: "affine", args: [["features", 5]] }, { label: "s", op: "softmax", args: [] }], loss: null },
  ];
  out.push(...more);
  for (let seed = 1; out.length < 40; seed++) {
    const spec = randomModelSpec(`Torch${seed}`, seed, { ops: [...NEW_OPS, ...NEW_OPS, "conv", "relu"], maxLayers: 3, loss: false });
    if (spec.layers.some((l) => NEW_OPS.includes(l.op))) out.push(spec);
  }
  return out;
}

function compiled(spec: ModelSpec): Model {
  const r = compile(modelText(spec), `${spec.name}.cnn`);
  expect(r.diagnostics.filter((d) => d.severity === "error"), modelText(spec)).toEqual([]);
  return r.models[0];
}

interface TorchResult {
  out: number[];
  dx: number[];
  grads: Record<string, number[]>;
}

/** One Python process for every case: load the exported module and the weights, forward, backward. */
function runTorch(dirs: string[]): TorchResult[] {
  const script = `import importlib.util, json, struct, sys, numpy as np, torch
results = []
for d in sys.argv[1:]:
    spec = importlib.util.spec_from_file_location("m_" + str(len(results)), d + "/module.py")
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    raw = open(d + "/weights.safetensors", "rb").read()
    (n,) = struct.unpack("<Q", raw[:8]); header = json.loads(raw[8:8 + n])
    sd = {k: torch.from_numpy(np.frombuffer(raw[8 + n + e["data_offsets"][0]:8 + n + e["data_offsets"][1]], dtype="<f8").reshape(e["shape"]).copy())
          for k, e in header.items() if k != "__metadata__"}
    io = json.load(open(d + "/io.json"))
    m = list(mod.MODELS.values())[0]().double()
    missing, unexpected = m.load_state_dict(sd, strict=False)
    assert not missing and not unexpected, (missing, unexpected)
    m.train()
    x = torch.tensor(io["x"], dtype=torch.float64).reshape(io["batch"], *m.input_shape).requires_grad_(True)
    out = m(x)
    (out * torch.tensor(io["dout"], dtype=torch.float64).reshape(out.shape)).sum().backward()
    results.append({"out": out.detach().reshape(-1).tolist(), "dx": x.grad.reshape(-1).tolist(),
                    "grads": {k: p.grad.reshape(-1).tolist() for k, p in m.named_parameters()}})
print(json.dumps(results))`;
  return JSON.parse(execFileSync(python!, ["-c", script, ...dirs], { encoding: "utf8", maxBuffer: 1 << 28 })) as TorchResult[];
}

describe("the generated f64 module against real PyTorch (f64)", () => {
  it(`${hasTorch ? "convtranspose, upsample, adaptiveavgpool, globalmaxpool, softmax: outputs, gradients and dx agree to 1e-10" : "DID NOT RUN: no python3 with torch here (install python3-torch)"}`, async () => {
    if (!hasTorch) return void torchMissing("oracle-torch");
    const runs: { spec: ModelSpec; model: Model; want: { out: Float64Array; dx: Float64Array; grads: Record<string, Float64Array> } }[] = [];
    const dirs: string[] = [];
    for (const [i, spec] of cases().entries()) {
      const model = compiled(spec);
      const gen = await folder.load<GeneratedModule & { saveParams(p: object, s: object): Uint8Array }>(
        `${spec.name}.ts`,
        emitModule(model, { dtype: "f64", sourceName: `${spec.name}.cnn` }),
      );
      const batch = 1 + (i % 3);
      const inp = randomInputs(model, batch, 7 * i + 1);
      const ws = gen.createWorkspace(batch);
      const res = gen.backward!(inp.params, inp.state, inp.x, inp.dout, ws);
      const out = Float64Array.from(gen.forward(inp.params, inp.state, inp.x, ws, true));
      const grads = Object.fromEntries(Object.entries(res.grads).map(([k, v]) => [k, Float64Array.from(v)]));
      runs.push({ spec, model, want: { out, dx: Float64Array.from(res.dx), grads } });
      const dir = join(outDir, spec.name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "module.py"), exportPytorch([model], { sourceName: `${spec.name}.cnn` }));
      writeFileSync(join(dir, "weights.safetensors"), gen.saveParams(inp.params, inp.state));
      writeFileSync(join(dir, "io.json"), JSON.stringify({ batch, x: Array.from(inp.x), dout: Array.from(inp.dout) }));
      dirs.push(dir);
    }
    const got = runTorch(dirs);
    const worst: Record<string, number> = {};
    runs.forEach(({ spec, model, want }, i) => {
      const where = modelText(spec);
      const check = (what: string, a: ArrayLike<number>, b: ArrayLike<number>) => {
        const e = relError(a, b, 1e-6);
        for (const op of new Set(model.layers.map((l) => l.args.op))) if (NEW_OPS.includes(op)) worst[op] = Math.max(worst[op] ?? 0, e);
        expect(e, `${where}${what}`).toBeLessThanOrEqual(TOL);
      };
      check("out", got[i].out, want.out);
      check("dx", got[i].dx, want.dx);
      expect(Object.keys(got[i].grads).sort()).toEqual(Object.keys(want.grads).sort());
      for (const k of Object.keys(want.grads)) check(k, got[i].grads[k], want.grads[k]);
    });
    for (const op of NEW_OPS) expect(worst[op], `${op} was compared`).toBeDefined();
    console.log(`oracle-torch: ${runs.length} models; largest relative error per op: ${NEW_OPS.map((op) => `${op} ${worst[op].toExponential(2)}`).join(", ")}`);
  });
});
