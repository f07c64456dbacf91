// What the layer-by-layer PyTorch tests share (channels-last, prelu-gelu-instancenorm-mul, mobile,
// padding-loss): the Python helpers their one script starts with, the upstream gradient both sides
// use, and the relative-error check that keeps the largest error per key for the report. Starting
// Python is test/torch-python.ts's.
import { expect } from "vitest";
import type { Model } from "../src/ir.ts";
import { prng } from "./reference/data.ts";
import type { GeneratedModule } from "./reference/generated.ts";

/**
 * The start of each script: `dout_for` (doutAt below); `grads_of` (y, dx and the module's parameter
 * gradients under dout); `load` (a module's state dict from JSON lists by its own names, strictly);
 * `exported` (a model class of a `export --pytorch` file, in f64); `module_results` (each case's
 * module, built from torch's arguments in c["module"] and loaded from c["p"] under "a."); and
 * `expr_results` (each case's expression c["torch"] of x and p, where `mod(m, p)` loads p into
 * module m and makes m's own parameters the ones whose gradients are reported).
 */
export const TORCH_HELPERS = `
import importlib.util, json, sys, torch
import torch.nn as nn
import torch.nn.functional as F

def dout_for(y):
    return torch.sin(1.3 * torch.arange(y.numel(), dtype=torch.float64) + 0.5).reshape(y.shape)

def grads_of(module, x, y):
    (y * dout_for(y)).sum().backward()
    return {"y": y.detach().reshape(-1).tolist(), "dx": x.grad.reshape(-1).tolist(),
            "grads": {k: t.grad.reshape(-1).tolist() for k, t in module.named_parameters()}}

def load(module, p):
    sd = module.state_dict()
    assert sorted(sd) == sorted(p), (sorted(sd), sorted(p))
    module.load_state_dict({k: torch.tensor(v, dtype=torch.float64).reshape(sd[k].shape) for k, v in p.items()}, strict=True)
    return module

def exported(py, name):
    spec = importlib.util.spec_from_file_location(name, py)
    module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
    return module.MODELS[name]().double()

def module_results(layers, batch):
    out = []
    for c in layers:
        m = load(eval(c["module"]).double(), {k.split(".", 1)[1]: v for k, v in c["p"].items()})
        x = torch.tensor(c["x"], dtype=torch.float64).reshape(batch, *c["input"]).requires_grad_()
        r = grads_of(m, x, m(x))
        r["grads"] = {"a." + k: v for k, v in r["grads"].items()}
        out.append(r)
    return out

def mod(m, p):
    m = m.double()
    sd = m.state_dict()
    assert sorted(sd) == sorted(k.split(".", 1)[1] for k in p), (sorted(sd), sorted(p))
    for k, v in p.items():
        sd[k.split(".", 1)[1]].copy_(v.detach().reshape(sd[k.split(".", 1)[1]].shape))
    m.load_state_dict(sd)
    for k, t in m.named_parameters():
        held[next(q for q in p if q.split(".", 1)[1] == k)] = t
    return m

def expr_results(layers, batch):
    global held
    out = []
    for c in layers:
        x = torch.tensor(c["x"], dtype=torch.float64).reshape(batch, *c["input"]).requires_grad_()
        p = {k: torch.tensor(v, dtype=torch.float64).reshape(c["shapes"][k]).requires_grad_() for k, v in c["p"].items()}
        held = dict(p)
        y = eval(c["torch"])
        (y * dout_for(y)).sum().backward()
        out.append({"y": y.detach().reshape(-1).tolist(), "dx": x.grad.reshape(-1).tolist(), "grads": {k: t.grad.reshape(-1).tolist() for k, t in held.items()}})
    return out
`;

/** Torch's side of one layer: y, dx and the parameter gradients by state_dict name, flat. */
export interface TorchLayer {
  y: number[];
  dx: number[];
  grads: Record<string, number[]>;
}

/** A layer case whose torch side is a module (module_results). */
export interface ModuleCase {
  /** the layer statement, labelled `a` */
  layer: string;
  input: number[];
  /** torch's module, built from its PyTorch arguments */
  module: string;
  /** the parameters: state_dict name (under `a.`) → shape */
  params?: Record<string, number[]>;
}

/** The upstream gradient at flat index j, dout_for's on torch's side. */
export const doutAt = (j: number) => Math.sin(1.3 * j + 0.5);
export const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
/** Uniform in (−spread, spread), drawn tensor by tensor in `shapes` order. */
export const randomTensors = (shapes: Record<string, number[]>, seed: number, spread = 1.5): Record<string, number[]> => {
  const r = prng(seed);
  return Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, Array.from({ length: size(s) }, () => r.uniform(-spread, spread))]));
};
export const f64 = (p: Record<string, number[]>) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Float64Array.from(v)]));
export const paramShapes = (m: Model) => Object.fromEntries(m.layers.flatMap((l) => l.params.map((t) => [t.name, t.shape])));
/** A model of one layer statement after the input. */
export const layerModel = (layer: string, input: readonly number[], name = "M") => `model ${name} {\n  input [${input.join(", ")}]\n  ${layer}\n}\n`;

/**
 * Each case as a one-layer model, compiled by `compiled` with parameter shapes exactly the case's;
 * its input uniform in (−spread, spread) from prng(xSeed + i), its parameters randomTensors(…, pSeed + i).
 */
export function moduleLayers(cases: ModuleCase[], compiled: (text: string, file: string) => Model, batch: number, xSeed: number, spread: number, pSeed: number) {
  return cases.map((c, i) => {
    const text = layerModel(c.layer, c.input);
    const model = compiled(text, `m${i}.cnn`);
    expect(paramShapes(model), text).toEqual(c.params ?? {});
    const r = prng(xSeed + i);
    const x = Array.from({ length: batch * size(c.input) }, () => r.uniform(-spread, spread));
    return { c, text, model, x, p: randomTensors(c.params ?? {}, pSeed + i) };
  });
}

/** max|got − want| / max(max|want|, 1e-3) below 1e-12, tensor by tensor; `worst` keeps the largest per key for `report`. */
export function closeness() {
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
  /** Our module's eval forward on x, and its backward under doutAt, against torch's y, dx (or `dx` given) and every gradient (names too). */
  function expectLayer(key: string, label: (what: string) => string, gen: GeneratedModule, batch: number, p: Record<string, number[]>, x: ArrayLike<number>, want: TorchLayer, dx = want.dx) {
    const xs = Float64Array.from(x);
    const ws = gen.createWorkspace(batch);
    const y = gen.forward(f64(p), {}, xs, ws, false);
    const back = gen.backward!(f64(p), {}, xs, Float64Array.from({ length: y.length }, (_, j) => doutAt(j)), ws);
    expectClose(key, label("forward"), y, want.y);
    expectClose(key, label("dx"), back.dx, dx);
    expect(Object.keys(want.grads).sort(), label("gradient names")).toEqual(Object.keys(p).sort());
    for (const k of Object.keys(want.grads)) expectClose(key, label(k), back.grads[k], want.grads[k]);
    return y;
  }
  const report = (header: string) => console.log(`${header}\n${Object.entries(worst).map(([k, e]) => `  ${k}: ${e.toExponential(2)}`).join("\n")}`);
  return { worst, expectClose, expectLayer, report };
}
