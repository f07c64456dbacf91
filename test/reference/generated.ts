// Loading generated modules in tests: emit many models into one temporary
// folder (an ES-module package) and import them, so vitest transforms each
// file once. The shape of a generated module, as the tests use it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

type Arr = Float32Array | Float64Array;
export type AnyParams = Record<string, Arr>;
export interface AnyWorkspace {
  batch: number;
  freezeDropout: boolean;
  [buffer: string]: unknown;
}

export interface GeneratedModule {
  info: { name: string; input: number[]; output: number[]; params: { name: string; shape: number[] }[] };
  initParams(seed?: number): AnyParams;
  initState(): AnyParams;
  createWorkspace(batch: number, seed?: number): AnyWorkspace;
  forward(p: AnyParams, s: AnyParams, x: Arr, ws: AnyWorkspace, train?: boolean): Arr;
  lossAndGrad?(
    p: AnyParams,
    s: AnyParams,
    x: Arr,
    y: Int32Array,
    ws: AnyWorkspace,
  ): { loss: number; grads: AnyParams; dx: Arr };
  backward?(p: AnyParams, s: AnyParams, x: Arr, dout: Arr, ws: AnyWorkspace): { grads: AnyParams; dx: Arr };
  activationPattern(ws: AnyWorkspace): Int32Array;
}

export class ModuleFolder {
  readonly dir: string;
  constructor(prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    writeFileSync(join(this.dir, "package.json"), '{ "type": "module" }\n');
  }
  write(file: string, text: string): string {
    const path = join(this.dir, file);
    writeFileSync(path, text);
    return path;
  }
  async load<T = GeneratedModule>(file: string, text: string): Promise<T> {
    return (await import(pathToFileURL(this.write(file, text)).href)) as T;
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The dropout keep flags (1 kept, 0 dropped) the module drew for layer `index` (1-based), read from its workspace. */
export function dropoutKeep(ws: AnyWorkspace, index: number): Float64Array {
  const mask = ws[`l${index}_mask`];
  if (!(mask instanceof Float32Array || mask instanceof Float64Array)) {
    throw new Error(`workspace has no dropout mask l${index}_mask`);
  }
  return Float64Array.from(mask, (m) => (m !== 0 ? 1 : 0));
}
