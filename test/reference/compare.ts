// One model's generated module (the f64 TypeScript target unless another is
// given) against the naive f64 reference: eval and training outputs, loss, every
// gradient, dx and the running statistics, to the target's tolerance (1e-10
// for f64; relError in ./data.ts), and a second call giving the
// same gradients (nothing accumulates across calls). Shared by the stack and
// graph oracle tests.
import { expect } from "vitest";
import type { Model } from "../../src/ir.ts";
import { randomInputs, relError } from "./data.ts";
import { dropoutKeep, type ModuleFolder } from "./generated.ts";
import { refBackward, refForward, refLossAndGrad, type Tensors } from "./reference.ts";
import { type OracleTarget, TS_F64 } from "./targets.ts";

export const TOL = TS_F64.refTol;

/** Asserts everything; returns the largest relative error seen. */
export async function checkAgainstReference(folder: ModuleFolder, model: Model, batch: number, seed: number, text: string, target: OracleTarget = TS_F64): Promise<number> {
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
      expect(e, `${target.name}: ${what} ${k}`).toBeLessThanOrEqual(target.refTol);
    }
  };

  const gen = await folder.load(`${model.name}${target === TS_F64 ? "" : "_wasm"}.ts`, target.emit(model));
  const inp = randomInputs(model, batch, seed);
  const params = () => {
    const p: Record<string, Float32Array | Float64Array> = {};
    for (const [k, v] of Object.entries(inp.params)) p[k] = target.float(v);
    return p;
  };
  const state = () => {
    const s: Record<string, Float32Array | Float64Array> = {};
    for (const [k, v] of Object.entries(inp.state)) s[k] = target.float(v);
    return s;
  };
  const ws = gen.createWorkspace(batch, seed);
  const x = target.float(inp.x);
  const ctx = `${text}batch ${batch}, seed ${seed}`;

  // eval mode: running statistics, no dropout
  const sEval = state();
  const evalOut = Float64Array.from(gen.forward(params(), sEval, x, ws, false));
  const refEval = refForward(model, inp.params, inp.state, inp.x, batch, false);
  compareAll(`${ctx}\neval forward`, { out: evalOut }, { out: refEval.out }, 1e-9);
  expect(copy(sEval), `${ctx}\neval mode leaves the running statistics alone`).toEqual(inp.state);

  // training mode
  const single = model.layers.some(
    (l) => l.args.op === "batchnorm" && batch * (l.input[1] ?? 1) * (l.input[2] ?? 1) === 1,
  );
  const sGen = state();
  const train = () =>
    gen.lossAndGrad
      ? gen.lossAndGrad(params(), sGen, x, inp.y, ws)
      : gen.backward!(params(), sGen, x, target.float(inp.dout), ws);
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
  // A saturated softmax (loss ≈ 1 − p_label, tiny) makes every gradient a cancellation p − 1 known only to
  // ~ε absolute, i.e. ε / loss relative: the floor grows by that condition number (no effect for a loss above ~1e-5).
  const conditioning = model.loss?.args.op === "softmax" ? (10 * Number.EPSILON) / (Math.max(ref.loss, 1e-300) * target.refTol) : 0;
  const floor = Math.max(1e-3, conditioning) * scaleOf(ref.grads, { dx: ref.dx });
  compareAll(`${ctx}\ngradient`, got.grads, ref.grads, floor);
  compareAll(`${ctx}\ngradient`, { dx: got.dx }, { dx: ref.dx }, floor);
  compareAll(`${ctx}\nrunning statistics`, sGen, ref.state, 1e-9);
  // log(1 + tiny) of a saturated softmax is known to ~ε absolute: a loss below ~1e-5 is compared to that
  if (model.loss) compareAll(`${ctx}\nloss`, { loss: [got.loss] }, { loss: [ref.loss] }, conditioning > 0 ? (10 * Number.EPSILON) / target.refTol : 1e-9);
  // a second call with the same masks gives the same gradients (nothing accumulates across calls)
  ws.freezeDropout = true;
  const again = train();
  for (const [k, v] of Object.entries(again.grads))
    expect(Float64Array.from(v), `${ctx}\nsecond call ${k}`).toEqual(got.grads[k]);
  expect(Float64Array.from(again.dx), `${ctx}\nsecond call dx`).toEqual(got.dx);
  // the training-mode output with the same masks
  const trainOut = Float64Array.from(gen.forward(params(), state(), x, ws, true));
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
