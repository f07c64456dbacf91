// TensorFlow.js (cpu backend, f32) as the second, independent oracle, per op
// kind, forward and gradients (TF.js's own autodiff): first the naive f64
// reference against it (so the reference is not trusted on its own word), then
// the generated f32 modules (the TypeScript and the WebAssembly target) against it. Relative error ≤ 1e-4, tensor-wise
// (relError in test/reference/data.ts: max |a − b| over the tensor's scale).
// How TF.js is made to say what it cannot say directly (asymmetric/same/ceil
// padding, groups, dilation gradients, the avg-pool divisor) is described at
// the top of test/reference/tfjs-model.ts; nothing is left out. The merges
// (add, concat, mul) are checked on random graph models.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OP_NAMES, type LayerArgs, type Model } from "../src/ir.ts";
import { compile } from "../src/pipeline.ts";
import { randomInputs, relError, type OracleInputs } from "./reference/data.ts";
import { dropoutKeep, type GeneratedModule, ModuleFolder } from "./reference/generated.ts";
import { randomGraphModel } from "./reference/graphs.ts";
import { directedSpecs, modelText, randomModelSpec, type ModelSpec } from "./reference/models.ts";
import { refBackward, refLossAndGrad } from "./reference/reference.ts";
import { TS_F32, WASM } from "./reference/targets.ts";
import { tfReady, tfRun } from "./reference/tfjs-model.ts";

const TOL = 1e-4;
const OPS = OP_NAMES;
const PER_OP = 10;

const folder = new ModuleFolder("cnnc-oracle-tfjs-");
beforeAll(tfReady);
afterAll(() => folder.remove());

/** Largest error seen, per comparison and op, for the report. */
const worst: Record<string, number> = {};
function check(where: string, key: string, got: ArrayLike<number>, want: ArrayLike<number>, floor = 1e-3) {
  const e = relError(got, want, floor);
  worst[key] = Math.max(worst[key] ?? 0, e);
  expect(e, where).toBeLessThanOrEqual(TOL);
}

function compiled(spec: ModelSpec): Model {
  const text = modelText(spec);
  const r = compile(text, `${spec.name}.cnn`);
  expect(
    r.diagnostics.filter((d) => d.severity === "error"),
    text,
  ).toEqual([]);
  return r.models[0];
}

const singleValueBatchnorm = (model: Model, batch: number) =>
  model.layers.some((l) => l.args.op === "batchnorm" && batch * (l.input[1] ?? 1) * (l.input[2] ?? 1) === 1);

/**
 * The directed cases of test/reference/models.ts, except "Norms": a stack of
 * six normalisations where (with batch 2) batchnorm over 2 values makes x̂ = ±1
 * and the exact dx ≈ 0, so f32 computes only rounding noise — a condition
 * problem, not a semantic one; the f64 reference covers it to 1e-10. (Any norm
 * followed by another norm projects the gradient and loses digits the same
 * way.) Its ops get well-conditioned directed cases here instead.
 */
const tfDirected: ModelSpec[] = [
  ...directedSpecs.filter((d) => d.name !== "Norms"),
  {
    name: "BnLoss",
    input: [2, 3, 3],
    layers: [
      { label: "bn", op: "batchnorm", args: [["momentum", 0.3]] },
      { label: "t", op: "tanh", args: [] },
      { label: "fc", op: "affine", args: [["features", 3]] },
    ],
    loss: { op: "softmax" },
  },
  {
    name: "DropLoss",
    input: [3, 4, 4],
    layers: [
      { label: "d", op: "dropout", args: [["p", 0.25]] },
      { label: "ln", op: "layernorm", args: [["eps", 1e-3]] },
      { label: "lr", op: "leakyrelu", args: [["alpha", 0.2]] },
      { label: "fc", op: "affine", args: [["features", 4]] },
    ],
    loss: { op: "svm", margin: 1 },
  },
];

interface Case {
  name: string;
  /** what a failure prints: the .cnn text, or a graph's layer list */
  text: string;
  model: () => Model;
}

const stackCase = (spec: ModelSpec): Case => ({ name: spec.name, text: modelText(spec), model: () => compiled(spec) });

/** Norms stacked through merges lose f32 digits the way "Norms" does (see above); the merge cases leave them out. */
const wellConditioned = (m: Model) => m.layers.every((l) => !["batchnorm", "layernorm", "groupnorm", "instancenorm"].includes(l.args.op));
/**
 * A softmax loss near 0 makes every gradient the cancellation p − 1, which f32 knows only to ε₃₂ / loss
 * relative (1e-3 at a loss of 1e-4): such graphs (at the inputs the tests below draw) are left out.
 */
const saturated = (m: Model) =>
  m.loss !== null &&
  [1, 2, 3].some((batch) =>
    [31, 17].some((k) => {
      const inp = randomInputs(m, batch, batch * k + m.name.length);
      return refLossAndGrad(m, inp.params, inp.state, inp.x, inp.y, batch, { masks: inp.masks }).loss < 1e-2;
    }),
  );
/** TF.js refuses gradients of parameters the scalar does not depend on: every layer's output must be read. */
const allRead = (m: Model) => m.layers.every((_, i) => i === m.layers.length - 1 || m.layers.some((l) => l.from.includes(i)));

/**
 * The cases of one op kind: random single-layer models plus the directed cases
 * that use the op; for a merge, random graph models (test/reference/graphs.ts) using it.
 */
function casesFor(op: LayerArgs["op"] | "loss"): Case[] {
  const out: Case[] = [];
  if (op === "add" || op === "concat" || op === "mul") {
    for (let seed = 1; out.length < PER_OP; seed++) {
      const { model } = randomGraphModel(`${op}${seed}`, seed);
      if (model.layers.some((l) => l.args.op === op) && wellConditioned(model) && allRead(model) && !saturated(model)) {
        const text = model.layers.map((l) => `${l.name}: ${l.args.op} from [${l.from.join(", ")}]`).join("\n") + "\n";
        out.push({ name: model.name, text, model: () => model });
      }
    }
    return out;
  }
  for (let seed = 1; out.length < PER_OP; seed++) {
    const spec =
      op === "loss"
        ? randomModelSpec(`Loss${seed}`, seed, { ops: ["affine", "tanh"], maxLayers: 2 })
        : randomModelSpec(`${op}${seed}`, seed, { ops: [op], maxLayers: 1, loss: false });
    if (op === "loss" ? spec.loss !== null : spec.layers.some((l) => l.op === op)) out.push(stackCase(spec));
  }
  for (const d of tfDirected) {
    if (op === "loss" ? d.loss !== null : d.layers.some((l) => l.op === op)) out.push(stackCase({ ...d, name: `${d.name}_${op}` }));
  }
  return out;
}

function tfFor(model: Model, inp: OracleInputs, train: boolean, masks: Record<string, ArrayLike<number>>) {
  const useLoss = model.loss !== null && train;
  return tfRun(
    model,
    inp.params,
    inp.state,
    inp.x,
    inp.batch,
    train,
    useLoss ? { y: inp.y } : { dout: inp.dout },
    masks,
  );
}

describe("the naive f64 reference against TensorFlow.js (f32)", () => {
  for (const op of [...OPS, "loss"] as const) {
    it(`${op}: forward, gradients, dx and running statistics, train and eval, batches 1 and 3`, () => {
      for (const spec of casesFor(op)) {
        const model = spec.model();
        for (const batch of [1, 3]) {
          const inp = randomInputs(model, batch, batch * 31 + spec.name.length);
          for (const train of [true, false]) {
            if (train && singleValueBatchnorm(model, batch)) continue;
            const where = `${spec.text}batch ${batch}, ${train ? "train" : "eval"}`;
            const tf = tfFor(model, inp, train, inp.masks);
            const ref =
              model.loss !== null && train
                ? refLossAndGrad(model, inp.params, inp.state, inp.x, inp.y, batch, { masks: inp.masks })
                : {
                    ...refBackward(model, inp.params, inp.state, inp.x, inp.dout, batch, { masks: inp.masks }, train),
                    loss: NaN,
                  };
            const key = `reference/${op}`;
            check(`${where}: out`, key, tf.out, ref.out);
            check(`${where}: dx`, key, tf.dx, ref.dx);
            if (model.loss !== null && train) check(`${where}: loss`, key, [tf.loss], [ref.loss]);
            for (const k of Object.keys(ref.grads)) check(`${where}: ${k}`, key, tf.grads[k], ref.grads[k]);
            for (const k of Object.keys(ref.state)) check(`${where}: ${k}`, key, tf.state[k], ref.state[k]);
          }
        }
      }
    });
  }
});

describe.each([TS_F32, WASM])("the generated f32 module ($name) against TensorFlow.js (f32)", (target) => {
  for (const op of [...OPS, "loss"] as const) {
    // one batch above 1: batch 1's own rules are checked against the reference above, and every batch against the reference in oracle-reference
    it(`${op}: forward (train and eval), loss, gradients, dx and running statistics, batch 2`, async () => {
      for (const spec of casesFor(op)) {
        const model = spec.model();
        const gen = await folder.load<GeneratedModule>(`${spec.name}_${target.name.replace(" ", "_")}.ts`, target.emit(model));
        for (const batch of [2]) {
          const inp = randomInputs(model, batch, batch * 17 + spec.name.length);
          const where = `${spec.text}batch ${batch}`;
          const f32 = (t: Record<string, Float64Array>) => {
            const o: Record<string, Float32Array> = {};
            for (const [k, v] of Object.entries(t)) o[k] = Float32Array.from(v);
            return o;
          };
          const x = Float32Array.from(inp.x);
          const ws = gen.createWorkspace(batch, 5);
          const key = `${target.name}/${op}`;
          // eval forward
          const evalOut = Float32Array.from(gen.forward(f32(inp.params), f32(inp.state), x, ws, false));
          check(`${where}: eval out`, key, evalOut, tfFor(model, inp, false, {}).out);
          if (singleValueBatchnorm(model, batch)) continue;
          // training: lossAndGrad / backward, then the same masks for TF.js
          const s = f32(inp.state);
          const res = gen.lossAndGrad
            ? gen.lossAndGrad(f32(inp.params), s, x, inp.y, ws)
            : gen.backward!(f32(inp.params), s, x, Float32Array.from(inp.dout), ws);
          const grads = Object.fromEntries(Object.entries(res.grads).map(([k, v]) => [k, Float32Array.from(v)]));
          const dx = Float32Array.from(res.dx);
          const loss = "loss" in res ? (res.loss as number) : NaN;
          const masks: Record<string, Float64Array> = {};
          model.layers.forEach((l, i) => {
            if (l.args.op === "dropout" || l.args.op === "stochasticdepth") masks[l.name] = dropoutKeep(ws, i + 1);
          });
          const tf = tfFor(model, inp, true, masks);
          check(`${where}: dx`, key, dx, tf.dx);
          if (model.loss !== null) check(`${where}: loss`, key, [loss], [tf.loss]);
          for (const k of Object.keys(tf.grads)) check(`${where}: ${k}`, key, grads[k], tf.grads[k]);
          for (const k of Object.keys(tf.state)) check(`${where}: ${k}`, key, s[k], tf.state[k]);
          ws.freezeDropout = true;
          const trainOut = Float32Array.from(gen.forward(f32(inp.params), f32(inp.state), x, ws, true));
          check(`${where}: train out`, key, trainOut, tf.out);
        }
      }
    });
  }

  it("reports the largest errors seen", () => {
    const keys = Object.keys(worst).filter((k) => k.startsWith(`${target.name}/`) || k.startsWith("reference/")).sort();
    expect(keys.length).toBeGreaterThan(0);
    const max = (prefix: string) => Math.max(...keys.filter((k) => k.startsWith(prefix)).map((k) => worst[k]));
    console.log(
      `oracle-tfjs: largest relative error reference↔TF.js ${max("reference/").toExponential(2)}, ` +
        `generated ${target.name}↔TF.js ${max(`${target.name}/`).toExponential(2)}\n` +
        keys.map((k) => `  ${k}: ${worst[k].toExponential(2)}`).join("\n"),
    );
  });
});
