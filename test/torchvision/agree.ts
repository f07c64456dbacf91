// The Node side of test/torchvision/agree.py: starts the one Python process that prepares
// torchvision's models in order, and reads the safetensors files it writes.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

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
