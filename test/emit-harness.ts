// Shared by the emitter tests: emit a model, format it, write it to a temp
// folder under .tmp/ and import it (vitest transpiles the TypeScript).
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { formatTs } from "../src/emit/format.ts";
import { type EmitOptions, emitModule } from "../src/emit/module.ts";
import type { Model } from "../src/ir.ts";

export const emitDir = resolve(".tmp/emit-test");

/** The loose shape of a generated module, as seen from a test. */
export interface Generated {
  info: { name: string; input: number[]; output: number[]; params: { name: string; shape: number[] }[]; state: { name: string; shape: number[] }[] };
  initParams(seed?: number): Record<string, Float32Array | Float64Array>;
  initState(): Record<string, Float32Array | Float64Array>;
  createWorkspace(batch: number, seed?: number): Record<string, any>;
  forward(p: unknown, s: unknown, x: ArrayLike<number>, ws: unknown, train?: boolean): Float32Array | Float64Array;
  lossAndGrad?(p: unknown, s: unknown, x: ArrayLike<number>, y: Int32Array, ws: unknown): { loss: number; grads: Record<string, Float64Array | Float32Array>; dx: Float64Array | Float32Array };
  backward?(p: unknown, s: unknown, x: ArrayLike<number>, dout: ArrayLike<number>, ws: unknown): { grads: Record<string, Float64Array | Float32Array>; dx: Float64Array | Float32Array };
  activationPattern(ws: unknown): Int32Array;
}

export async function emitFormatted(model: Model, opts: Partial<EmitOptions> = {}): Promise<string> {
  return formatTs(emitModule(model, { dtype: "f64", sourceName: `${model.name}.cnn`, ...opts }));
}

/** Writes `text` as `<dir>/<name>.ts` and imports it. */
export async function load(text: string, name: string, dir = emitDir): Promise<Generated> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, text);
  return (await import(file)) as Generated;
}

/** A deterministic uniform generator for test data (LCG). */
export function testRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
