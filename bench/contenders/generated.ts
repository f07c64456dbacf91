// The cnnc-generated contender: built with the compiler's own API (check →
// emitModule) into .tmp/bench/ (gitignored), then imported by a child process.
import { mkdirSync, writeFileSync } from "node:fs";
import type { Model } from "../../src/ir.ts";
import { emitModule } from "../../src/emit/module.ts";
import { emitWasmModule } from "../../src/emit-wasm/module.ts";
import { ROOT, type Data } from "../workloads.ts";

export const BUILD_DIR = `${ROOT}.tmp/bench/`;

/** Emits `model` as f32 TypeScript (or the wasm target) and returns the written path and its size in bytes. */
export function buildGenerated(model: Model, sourceName: string, target: "ts" | "wasm" = "ts"): { path: string; bytes: number } {
  mkdirSync(BUILD_DIR, { recursive: true });
  const text = target === "wasm" ? emitWasmModule(model, { sourceName }) : emitModule(model, { dtype: "f32", sourceName });
  const path = `${BUILD_DIR}${model.name}${target === "wasm" ? ".wasm" : ""}.ts`;
  writeFileSync(path, text);
  return { path, bytes: Buffer.byteLength(text) };
}

/** The subset of a generated module (docs/generated-api.md) the benchmark calls. */
export interface GeneratedModule {
  initParams(seed?: number): Record<string, Float32Array>;
  initState(): Record<string, Float32Array>;
  createWorkspace(batch: number, seed?: number): object;
  forward(p: object, s: object, x: Float32Array, ws: object, train?: boolean): Float32Array;
  lossAndGrad?(p: object, s: object, x: Float32Array, y: Int32Array, ws: object): { loss: number };
  backward?(p: object, s: object, x: Float32Array, dout: Float32Array, ws: object): { dx: Float32Array };
}

export interface GeneratedNet {
  forward(): Float32Array;
  /** the loss, or for a loss-less model the sum of dx² */
  trainStep(): number;
  workspaceBytes: number;
}

/** Bytes of every typed array reachable from the workspace object (one level of nesting). */
export function workspaceBytes(ws: object): number {
  const seen = new Set<ArrayBuffer | SharedArrayBuffer>();
  let total = 0;
  const visit = (v: unknown, depth: number) => {
    if (ArrayBuffer.isView(v)) {
      if (!seen.has(v.buffer)) {
        seen.add(v.buffer);
        total += v.buffer.byteLength;
      }
    } else if (v !== null && typeof v === "object" && depth < 3) for (const u of Object.values(v)) visit(u, depth + 1);
  };
  visit(ws, 0);
  return total;
}

export async function loadGenerated(path: string, data: Data, batch: number, outSize: number): Promise<GeneratedNet> {
  const mod = (await import(path)) as GeneratedModule;
  const p = mod.initParams(1);
  for (const [name, v] of Object.entries(data.params)) {
    if (!(name in p)) throw new Error(`generated module has no parameter ${name}`);
    p[name].set(v);
  }
  const s = mod.initState();
  for (const [name, v] of Object.entries(data.state)) s[name].set(v);
  const ws = mod.createWorkspace(batch, 1);
  const dout = new Float32Array(batch * outSize).fill(1 / batch);
  return {
    forward: () => mod.forward(p, s, data.x, ws, false),
    trainStep: () => {
      if (mod.lossAndGrad) return mod.lossAndGrad(p, s, data.x, data.y, ws).loss;
      // a loss-less model: backpropagate dout = 1/batch everywhere, as the TF.js peer does, and return Σ dx² to compare
      const { dx } = mod.backward!(p, s, data.x, dout, ws);
      let sum = 0;
      for (let i = 0; i < dx.length; i++) sum += dx[i] * dx[i];
      return sum;
    },
    workspaceBytes: workspaceBytes(ws),
  };
}
