// Loads the text emitted by src/emit/safetensors.ts as a real module, behind a
// hand-written Params/State header (what the generated module declares), so the
// weights code can be tested on its own.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Model } from "../src/ir.ts";
import type { Dtype } from "../src/emit/context.ts";
import { emitSafetensors } from "../src/emit/safetensors.ts";

export type Arrays = Record<string, Float32Array | Float64Array>;
export interface WeightsModule {
  saveParams(p: Arrays, s: Arrays, metadata?: Record<string, string>): Uint8Array;
  loadParams(bytes: Uint8Array): { params: Arrays; state: Arrays; notes: string[]; metadata: Record<string, string> };
}

export const emittedDir = resolve(".tmp/interop-emitted");

/** The standalone .ts text: Params/State types for `model`, then the emitted section. */
export function weightsModuleText(model: Model, dtype: Dtype): string {
  const array = dtype === "f32" ? "Float32Array" : "Float64Array";
  const fields = (group: "params" | "state") =>
    model.layers.flatMap((l) => l[group]).map((t) => `  ${JSON.stringify(t.name)}: ${array};`).join("\n");
  return `export type Params = {\n${fields("params")}\n};\nexport type State = {\n${fields("state")}\n};\n\n${emitSafetensors(model, dtype)}`;
}

export function writeWeightsModule(model: Model, dtype: Dtype): string {
  mkdirSync(emittedDir, { recursive: true });
  const path = join(emittedDir, `${model.name}-${dtype}.ts`);
  writeFileSync(path, weightsModuleText(model, dtype));
  return path;
}

export async function importWeightsModule(model: Model, dtype: Dtype): Promise<WeightsModule> {
  return (await import(pathToFileURL(writeWeightsModule(model, dtype)).href)) as WeightsModule;
}
