// `cnnc export --pytorch FILE [-o DIR] [--model NAME]`: writes DIR/<file>.py, a
// Python module with one torch nn.Module per model whose state_dict() matches the
// generated TypeScript's Params/State. Exit 0 / 1 / 2 as check; on any error in
// the file nothing is written (SPEC §2).
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { Command } from "commander";
import { diag, type Diagnostic } from "../diagnostics.ts";
import { exportPytorch } from "../export/pytorch.ts";
import { styleFor } from "../render/style.ts";
import { countSeverities, renderDiagnostic, summaryLine } from "../render/text.ts";
import { suggest } from "../suggest.ts";
import { EXIT, type CliContext, type CliIo } from "./context.ts";
import { compileFile, fileSpan, sourcesOf, type CompiledFile } from "./sources.ts";

export interface ExportOptions {
  pytorch?: boolean;
  out: string;
  model?: string;
}

export function register(program: Command, cli: CliContext): void {
  program
    .command("export")
    .description("write an equivalent PyTorch module (same state-dict names and shapes) for every model")
    .argument("<file>", "a .cnn file")
    .requiredOption("--pytorch", "export to PyTorch (the only target)")
    .option("-o, --out <dir>", "output directory", ".")
    .option("--model <name>", "only the model with this name")
    .action((file: string, options: ExportOptions) => {
      cli.exitCode = runExport(file, options, cli.io);
    });
}

/** `lenet-5.cnn` → `lenet_5`: a file name Python can import. */
export function pythonModuleName(path: string): string {
  const stem = basename(path).replace(/\.cnn$/, "").replace(/[^A-Za-z0-9_]/g, "_");
  return /^[0-9]/.test(stem) || stem === "" ? `_${stem}` : stem;
}

/** A diagnostic for `--model NAME` naming no model of the file (exit 2). */
export function noSuchModel(file: string, name: string, names: readonly string[]): Diagnostic {
  const guess = suggest(name, [...names]);
  return diag("E0003", fileSpan(file), `no model named \`${name}\` in ${file}`, {
    notes: [`the file defines ${names.map((n) => `\`${n}\``).join(", ")}`],
    ...(guess !== undefined ? { help: `did you mean \`--model ${guess}\`?` } : {}),
  });
}

/** Prints the file's diagnostics and their summary line; returns the exit code they imply. */
export function reportDiagnostics(f: CompiledFile, io: CliIo): number {
  const style = styleFor(io.colour);
  const sources = sourcesOf([f]);
  const blocks = f.diagnostics.map((d) => renderDiagnostic(d, sources, { style }));
  const total = summaryLine(countSeverities(f.diagnostics), f.file, { style });
  if (total !== "") blocks.push(total);
  if (blocks.length > 0) io.stdout(blocks.join("\n\n") + "\n");
  if (f.unreadable) return EXIT.usage;
  return countSeverities(f.diagnostics).errors > 0 ? EXIT.failed : EXIT.ok;
}

export function runExport(path: string, options: ExportOptions, io: CliIo): number {
  const f = compileFile(path);
  const code = reportDiagnostics(f, io);
  if (code !== EXIT.ok) return code;
  let models = f.models;
  if (options.model !== undefined) {
    models = f.models.filter((m) => m.name === options.model);
    if (models.length === 0) {
      const d = noSuchModel(path, options.model, f.models.map((m) => m.name));
      io.stdout(renderDiagnostic(d, new Map(), { style: styleFor(io.colour) }) + "\n");
      return EXIT.usage;
    }
  }
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
