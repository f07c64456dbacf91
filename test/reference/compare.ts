// One model's generated f64 module against the naive f64 reference: eval and
// training outputs, loss, every gradient, dx and the running statistics, to a
// relative error of 1e-10 (relError in ./data.ts), and a second call giving the
// same gradients (nothing accumulates across calls). Shared by the stack and
// graph oracle tests.
import { expect } from "vitest";
import { emitModule } from "../../src/emit/module.ts";
import type { Model } from "../../src/ir.ts";
import { randomInputs, relError } from "./data.ts";
import { dropoutKeep, type ModuleFolder } from "./generated.ts";
import { refBackward, refForward, refLossAndGrad, type Tensors } from "./reference.ts";

export const TOL = 1e-10;

/** Asserts everything; returns the largest relative error seen. */
export async function checkAgainstReference(folder: ModuleFolder, model: Model, batch: number, seed: number, text: string): Promise<number> {
  let worst = 0;
  const compareAll = (
    what: string,
    got: Record<string, ArrayLike<number>>,
    want: Record<string, ArrayLike<number>>,
    floor: number,
  ) => {
    for (const k of Object.keys(want)) {
      const e = relError(got[k], want[k], floor);
      worst = Math.max(worst, e);
      expect(e, `${what} ${k}`).toBeLessThanOrEqual(TOL);
    }
  };

  const gen = await folder.load(`${model.name}.ts`, emitModule(model, { dtype: "f64", sourceName: `${model.name}.cnn` }));
  const inp = randomInputs(model, batch, seed);
  const params = () => {
    const p: Tensors = {};
    for (const [k, v] of Object.entries(inp.params)) p[k] = Float64Array.from(v);
    return p;
  };
  const state = () => {
    const s: Tensors = {};
    for (const [k, v] of Object.entries(inp.state)) s[k] = Float64Array.from(v);
    return s;
  };
  const ws = gen.createWorkspace(batch, seed);
  const ctx = `${text}batch ${batch}, seed ${seed}`;

  // eval mode: running statistics, no dropout
  const sEval = state();
  const evalOut = Float64Array.from(gen.forward(params(), sEval, inp.x, ws, false));
  const refEval = refForward(model, inp.params, inp.state, inp.x, batch, false);
  compareAll(`${ctx}\neval forward`, { out: evalOut }, { out: refEval.out }, 1e-9);
  expect(sEval, `${ctx}\neval mode leaves the running statistics alone`).toEqual(inp.state);

  // training mode
  const single = model.layers.some(
    (l) => l.args.op === "batchnorm" && batch * (l.input[1] ?? 1) * (l.input[2] ?? 1) === 1,
  );
  const sGen = state();
  const train = () =>
    gen.lossAndGrad
      ? gen.lossAndGrad(params(), sGen, inp.x, inp.y, ws)
      : gen.backward!(params(), sGen, inp.x, inp.dout, ws);
  if (single) {
    // PyTorch refuses batch statistics of one value; so must both
    expect(train, ctx).toThrow(RangeError);
    expect(() => refForward(model, inp.params, inp.state, inp.x, batch, true, { masks: inp.masks }), ctx).toThrow(
      RangeError,
    );
    return worst;
  }
  const res = train();
  const got = {
    grads: copy(res.grads),
    dx: Float64Array.from(res.dx),
    loss: "loss" in res ? (res.loss as number) : NaN,
  };
  const masks: Record<string, Float64Array> = {};
  model.layers.forEach((l, i) => {
    if (l.args.op === "dropout" || l.args.op === "stochasticdepth") masks[l.name] = dropoutKeep(ws, i + 1);
  });
  const ref = model.loss
    ? refLossAndGrad(model, inp.params, inp.state, inp.x, inp.y, batch, { masks })
    : { ...refBackward(model, inp.params, inp.state, inp.x, inp.dout, batch, { masks }), loss: NaN };
  const floor = 1e-3 * scaleOf(ref.grads, { dx: ref.dx });
  compareAll(`${ctx}\ngradient`, got.grads, ref.grads, floor);
  compareAll(`${ctx}\ngradient`, { dx: got.dx }, { dx: ref.dx }, floor);
  compareAll(`${ctx}\nrunning statistics`, sGen, ref.state, 1e-9);
  if (model.loss) compareAll(`${ctx}\nloss`, { loss: [got.loss] }, { loss: [ref.loss] }, 1e-9);
  // a second call with the same masks gives the same gradients (nothing accumulates across calls)
  ws.freezeDropout = true;
  const again = train();
  for (const [k, v] of Object.entries(again.grads))
    expect(Float64Array.from(v), `${ctx}\nsecond call ${k}`).toEqual(got.grads[k]);
  expect(Float64Array.from(again.dx), `${ctx}\nsecond call dx`).toEqual(got.dx);
  // the training-mode output with the same masks
  const trainOut = Float64Array.from(gen.forward(params(), state(), inp.x, ws, true));
  compareAll(`${ctx}\ntraining forward`, { out: trainOut }, { out: ref.out }, 1e-9);
  return worst;
}

function copy(t: Record<string, ArrayLike<number>>): Tensors {
  const out: Tensors = {};
  for (const [k, v] of Object.entries(t)) out[k] = Float64Array.from(v);
  return out;
}


function scaleOf(...tensors: Record<string, ArrayLike<number>>[]): number {
  let m = 0;
  for (const t of tensors)
    for (const v of Object.values(t)) for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}
