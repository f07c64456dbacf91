// The Node side of test/torchvision/agree.py: starts the one Python process that prepares
// torchvision's models in order, reads the safetensors files it writes, and compares a generated
// module with them.
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect } from "vitest";
import { emitModule } from "../../src/emit/module.ts";
import type { Model } from "../../src/ir.ts";
import { relError } from "../reference/data.ts";
import { ModuleFolder } from "../reference/generated.ts";
import { torchMissing, torchPython } from "../torch-python.ts";

/** What the torchvision tests call on a generated f64 module. */
export interface Net {
  createWorkspace(batch: number): object;
  forward(p: object, s: object, x: Float64Array, ws: object, train?: boolean): Float64Array;
  lossAndGrad(p: object, s: object, x: Float64Array, y: Int32Array, ws: object): { loss: number; grads: Record<string, Float64Array>; dx: Float64Array };
  loadParams(bytes: Uint8Array): { params: Record<string, Float64Array>; state: Record<string, Float64Array> };
}

export interface AgreeCase {
  name: string;
  batch: number;
  /** also the training-mode loss, gradients, dx and running statistics */
  train: boolean;
  /**
   * Gradients that are 0 in exact arithmetic, so both sides give round-off that agrees to no digit:
   * compared on the scale of their module's weight gradient, where torch's must be 0 too.
   */
  zeroGrads?: string[];
}

/**
 * Starts agree.py at once: it prepares the models in `cases` order and says `done NAME` after
 * each, so a test waits only for its own model while Python goes on with the next ones. Each
 * promise resolves to "ok" or "no torchvision", or rejects with Python's stderr when it exits first.
 */
export function startTorchvision(python: string, dir: string, size: number, cases: AgreeCase[]): { ready: Map<string, Promise<string>>; stop(): void } {
  const settle = new Map<string, { resolve(status: string): void; reject(e: Error): void }>();
  const ready = new Map(cases.map((c) => [c.name, new Promise<string>((resolve, reject) => settle.set(c.name, { resolve, reject }))]));
  // a failure is reported by the test that awaits it, not as an unhandled rejection
  for (const p of ready.values()) p.catch(() => {});
  rmSync(dir, { recursive: true, force: true });
  const script = fileURLToPath(new URL("agree.py", import.meta.url));
  const child = spawn(python, [script, dir, String(size), JSON.stringify(cases)], { stdio: ["ignore", "pipe", "pipe"] });
  let pending = "";
  let errors = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => {
    pending += text;
    for (let i = pending.indexOf("\n"); i >= 0; i = pending.indexOf("\n")) {
      const line = pending.slice(0, i);
      pending = pending.slice(i + 1);
      if (line === "no torchvision") for (const s of settle.values()) s.resolve(line);
      else if (line.startsWith("done ")) settle.get(line.slice(5))?.resolve("ok");
    }
  });
  child.stderr.setEncoding("utf8").on("data", (text: string) => void (errors = (errors + text).slice(-4000)));
  // models not done by then never will be (settling a settled promise does nothing)
  child.on("close", (code) => {
    for (const s of settle.values()) s.reject(new Error(`python exited with code ${code} before preparing the model:\n${errors}`));
  });
  return { ready, stop: () => void child.kill() };
}

/** The tensors of a result file (F64 and I64 only, as agree.py writes them), as f64. */
export function readSafetensors(bytes: Uint8Array): Record<string, Float64Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; data_offsets: [number, number] }>;
  const out: Record<string, Float64Array> = {};
  for (const [k, e] of Object.entries(header)) {
    if (k === "__metadata__") continue;
    const data = new Uint8Array(bytes.subarray(8 + n + e.data_offsets[0], 8 + n + e.data_offsets[1]));
    if (e.dtype === "F64") out[k] = new Float64Array(data.buffer);
    else if (e.dtype === "I64") out[k] = Float64Array.from(new BigInt64Array(data.buffer), Number);
    else throw new Error(`${k}: dtype ${e.dtype}, expected F64 or I64`);
  }
  return out;
}

/** One test file's run: agree.py's output folder and process (undefined without torch), and the folder of generated modules. */
export interface TorchvisionRun {
  dir: string;
  size: number;
  folder: ModuleFolder;
  python?: { ready: Map<string, Promise<string>>; stop(): void };
}

/**
 * Starts agree.py on `cases` at size×size (when a python with torch is there) with its output in
 * .tmp/<name>; after the file's tests, stops it and removes its files (hundreds of MB) and the modules.
 */
export function torchvisionRun(name: string, size: number, cases: AgreeCase[]): TorchvisionRun {
  const dir = resolve(`.tmp/${name}`);
  const folder = new ModuleFolder(`cnnc-${name}-`);
  const python = torchPython ? startTorchvision(torchPython, dir, size, cases) : undefined;
  afterAll(() => {
    python?.stop();
    folder.remove();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, size, folder, python };
}

const maxAbs = (a: Float64Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/**
 * The generated f64 module of `model` loads agree.py's weights for `c` by name and computes its eval
 * logits to `tol` relative (relError); with `c.train` also the loss, dx, every parameter gradient (the
 * names too) and the updated running statistics. Logs the largest error.
 */
export async function expectAgrees(run: TorchvisionRun, c: AgreeCase, model: Model, tol: number): Promise<void> {
  const net = await run.folder.load<Net>(`${c.name}.ts`, emitModule(model, { dtype: "f64", sourceName: `${c.name}.cnn` }));
  const status = await run.python!.ready.get(c.name)!;
  if (status === "no torchvision") return void torchMissing("the comparison with torchvision (torch is there, torchvision is not)");
  const out = join(run.dir, c.name);
  const { params, state } = net.loadParams(readFileSync(join(out, "weights.safetensors")));
  const want = readSafetensors(readFileSync(join(out, "result.safetensors")));
  const x = want.x!;
  expect(x.length).toBe(c.batch * 3 * run.size * run.size);
  const ws = net.createWorkspace(c.batch);
  let worst = relError(net.forward(params, state, x, ws, false), want.logits!, 0);
  expect(worst, "eval logits").toBeLessThanOrEqual(tol);
  if (c.train) {
    const res = net.lossAndGrad(params, state, x, Int32Array.from(want.y!), ws);
    const check = (what: string, got: ArrayLike<number>, exp: Float64Array) => {
      const e = relError(got, exp, 1e-12);
      worst = Math.max(worst, e);
      expect(e, what).toBeLessThanOrEqual(tol);
    };
    check("loss", [res.loss], want.loss!);
    check("dx", res.dx, want.dx!);
    const gradNames = Object.keys(want).filter((k) => k.startsWith("grad."));
    expect(gradNames.map((k) => k.slice(5)).sort()).toEqual(Object.keys(res.grads).sort());
    const zero = new Set(c.zeroGrads ?? []);
    for (const name of zero) expect(gradNames, "a zero gradient's tensor").toContain(`grad.${name}`);
    for (const k of gradNames) {
      const name = k.slice(5);
      if (!zero.has(name)) {
        check(k, res.grads[name]!, want[k]!);
        continue;
      }
      const scale = maxAbs(want[k.replace(/bias$/, "weight")]!);
      expect(maxAbs(want[k]!), `${k}: torch's is 0 up to round-off`).toBeLessThanOrEqual(tol * scale);
      const e = relError(res.grads[name]!, want[k]!, scale);
      worst = Math.max(worst, e);
      expect(e, `${k}, on the scale of its weight's gradient`).toBeLessThanOrEqual(tol);
    }
    const stateNames = Object.keys(want).filter((k) => k.startsWith("state."));
    expect(stateNames.length).toBeGreaterThan(0);
    for (const k of stateNames) check(k, state[k.slice(6)]!, want[k]!);
  }
  const what = c.train ? " (logits, loss, gradients, dx, running stats)" : " (logits)";
  console.log(`torchvision ${c.name}: ${model.params} parameters, max relative error ${worst.toExponential(2)}${what}`);
}
