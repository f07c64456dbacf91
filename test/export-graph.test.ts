// `export --pytorch` for graphs, run on real PyTorch (/usr/bin/python3 with
// torch and torchvision; without them the tests say DID NOT RUN): the exported
// resnet18 has exactly torchvision's state_dict keys and shapes, which are the
// .cnn names; and exported graphs (resnet18, random graph models with skips,
// concats, values read twice) loaded with the generated module's weights
// (saveParams → safetensors) give the generated f64 module's eval outputs.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { readImport } from "../src/cli/sources.ts";
import { emitModule } from "../src/emit/module.ts";
import { exportPytorch } from "../src/export/pytorch.ts";
import type { Model } from "../src/ir.ts";
import { compile } from "../src/pipeline.ts";
import { randomGraphModel } from "./reference/graphs.ts";

const PYTHON = "/usr/bin/python3";
const hasTorch = (() => {
  try {
    execFileSync(PYTHON, ["-c", "import torch, torchvision"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
const outDir = resolve(".tmp/export-graph");
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** resnet18 from examples/zoo at 64×64 (the adaptive pool makes the weights size-independent). */
function resnet18(): Model {
  const path = "examples/zoo/resnet18.cnn";
  const r = compile(readFileSync(path, "utf8").replace("input [3, 224, 224]", "input [3, 64, 64]"), path, readImport);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.models[0]!;
}

type F64Net = {
  initParams(seed: number): Record<string, Float64Array>;
  initState(): Record<string, Float64Array>;
  createWorkspace(batch: number): object;
  forward(p: object, s: object, x: Float64Array, ws: object, train?: boolean): Float64Array;
  saveParams(p: object, s: object): Uint8Array;
};

/** Writes the exported module, the generated module's weights and an input for `model`; returns its folder and the generated module's eval output. */
async function prepare(model: Model): Promise<{ dir: string; want: Float64Array }> {
  const dir = join(outDir, model.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const ts = join(dir, `${model.name}.ts`);
  writeFileSync(ts, emitModule(model, { dtype: "f64", sourceName: `${model.name}.cnn` }));
  const net = (await import(pathToFileURL(ts).href)) as F64Net;
  const p = net.initParams(3);
  const s = net.initState();
  // non-trivial biases, γ, β and running statistics, so every tensor's wiring matters
  for (const [k, v] of Object.entries(p)) if (!k.endsWith("weight") || v.length < 5000) v.forEach((x, i) => (v[i] = x + 0.1 * Math.sin(i + 1)));
  for (const [k, v] of Object.entries(s)) v.forEach((x, i) => (v[i] = k.endsWith("running_var") ? 0.6 + 0.3 * Math.abs(Math.sin(i)) : 0.2 * Math.sin(i)));
  writeFileSync(join(dir, "weights.safetensors"), net.saveParams(p, s));
  const x = Float64Array.from({ length: BATCH * model.input.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(0.37 * i));
  writeFileSync(join(dir, "x.bin"), new Uint8Array(x.buffer));
  writeFileSync(join(dir, "module.py"), exportPytorch([model], { sourceName: `${model.name}.cnn` }));
  return { dir, want: net.forward(p, s, x, net.createWorkspace(BATCH), false) };
}
const BATCH = 2;

/** Each exported module's eval output on the generated module's weights, in one Python process: the max relative error per model. */
function agree(cases: { name: string; dir: string; want: Float64Array }[]): number[] {
  const outputs = JSON.parse(
    execFileSync(
      PYTHON,
      [
        "-c",
        `import json, struct, sys, importlib.util, numpy as np, torch
out = []
for d, name in zip(sys.argv[1::2], sys.argv[2::2]):
    spec = importlib.util.spec_from_file_location("module_" + name, d + "/module.py"); module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
    raw = open(d + "/weights.safetensors", "rb").read()
    (n,) = struct.unpack("<Q", raw[:8]); header = json.loads(raw[8:8 + n])
    sd = {k: torch.from_numpy(np.frombuffer(raw[8 + n + e["data_offsets"][0]:8 + n + e["data_offsets"][1]], dtype="<f8").reshape(e["shape"]).copy())
          for k, e in header.items() if k != "__metadata__"}
    m = module.MODELS[name]().double()
    missing, unexpected = m.load_state_dict(sd, strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (missing, unexpected)
    m.eval()
    x = torch.from_numpy(np.fromfile(d + "/x.bin", dtype="<f8")).reshape(${BATCH}, *m.input_shape)
    out.append(m(x).detach().reshape(-1).tolist())
print(json.dumps(out))`,
        ...cases.flatMap((c) => [c.dir, c.name]),
      ],
      { encoding: "utf8", maxBuffer: 1 << 26 },
    ),
  ) as number[][];
  return cases.map(({ want }, k) => {
    const got = outputs[k]!;
    expect(got.length).toBe(want.length);
    let scale = 1e-12;
    let diff = 0;
    got.forEach((g, i) => {
      scale = Math.max(scale, Math.abs(want[i]!));
      diff = Math.max(diff, Math.abs(g - want[i]!));
    });
    return diff / scale;
  });
}

describe("export --pytorch of graphs, on real PyTorch", () => {
  if (!hasTorch) {
    it("DID NOT RUN: /usr/bin/python3 cannot import torch and torchvision here", () => {
      console.log("NOTE: install Debian's python3-torch and python3-torchvision to run the exported graphs.");
      expect(hasTorch).toBe(false);
    });
    return;
  }

  it("resnet18: state_dict() keys and shapes are the .cnn names and torchvision's", () => {
    const model = resnet18();
    mkdirSync(outDir, { recursive: true });
    const path = join(outDir, "resnet18_keys.py");
    writeFileSync(path, exportPytorch([model], { sourceName: "resnet18.cnn" }));
    const keys = JSON.parse(
      execFileSync(
        PYTHON,
        [
          "-c",
          `import json, sys, importlib.util, torchvision
spec = importlib.util.spec_from_file_location("exported", sys.argv[1]); mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
shapes = lambda sd: {k: list(v.shape) for k, v in sd.items() if not k.endswith("num_batches_tracked")}
print(json.dumps({"exported": shapes(mod.MODELS["resnet18"]().state_dict()), "torchvision": shapes(torchvision.models.resnet18().state_dict())}))`,
          path,
        ],
        { encoding: "utf8", maxBuffer: 1 << 24 },
      ),
    ) as { exported: Record<string, number[]>; torchvision: Record<string, number[]> };
    const cnn = Object.fromEntries(model.layers.flatMap((l) => [...l.params, ...l.state]).map((t) => [t.name, t.shape]));
    expect(keys.exported).toEqual(cnn);
    expect(keys.torchvision).toEqual(cnn);
    expect(Object.keys(cnn)).toContain("layer2.0.downsample.0.weight");
  });

  it("resnet18 and random graph models: eval outputs equal the generated f64 module's to 1e-9", async () => {
    const errors: string[] = [];
    const models = [resnet18()];
    for (let seed = 1; models.length < 9; seed++) {
      const { model, features } = randomGraphModel(`ExportGraph${seed}`, seed);
      if (features.has("skip across layers") || features.has("concat") || features.has("input read twice") || models.length > 6) models.push(model);
    }
    const cases = [];
    for (const model of models) cases.push({ name: model.name, ...(await prepare(model)) });
    const worst = agree(cases);
    worst.forEach((e, k) => errors.push(`${models[k]!.name} ${e.toExponential(2)}`));
    console.log(`exported graphs agree with the generated TypeScript: ${errors.join(", ")}`);
    worst.forEach((e, k) => expect(e, models[k]!.name).toBeLessThanOrEqual(1e-9));
  }, 300_000);
});
