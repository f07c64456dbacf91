// `cnnc export --pytorch FILE [-o DIR] [--model NAME]`: writes DIR/<file>.py, a
// Python module with one torch nn.Module per model whose state_dict() matches the
// generated TypeScript's Params/State. Exit 0 / 1 / 2 as check; on any error in
// the file nothing is written (docs/cli.md#exit-codes).
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { exportPytorch } from "../export/pytorch.ts";
import { EXIT, type CliIo } from "./context.ts";
import { reportDiagnostics, selectModels } from "./report.ts";
import { compileFile } from "./sources.ts";

export interface ExportOptions {
  pytorch?: boolean;
  out: string;
  model?: string;
}

/** `lenet-5.cnn` → `lenet_5`: a file name Python can import. */
export function pythonModuleName(path: string): string {
  const stem = basename(path).replace(/\.cnn$/, "").replace(/[^A-Za-z0-9_]/g, "_");
  return /^[0-9]/.test(stem) || stem === "" ? `_${stem}` : stem;
}

export function runExport(path: string, options: ExportOptions, io: CliIo): number {
  const f = compileFile(path);
  const code = reportDiagnostics(f, io);
  if (code !== EXIT.ok) return code;
  const models = selectModels(path, f.models, options.model, io);
  if (models === undefined) return EXIT.usage;
  const target = join(options.out, `${pythonModuleName(path)}.py`);
  try {
    mkdirSync(options.out, { recursive: true });
    writeFileSync(target, exportPytorch(models, { sourceName: path }));
  } catch (error) {
    io.stderr(`error: cannot write \`${target}\`: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.usage;
  }
  io.stdout(`wrote ${target} (${models.map((m) => m.name).join(", ")})\n`);
  return EXIT.ok;
}
