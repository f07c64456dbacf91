// `cnnc build FILE [-o DIR] [--model NAME] [--dtype f32|f64] [--unroll N] [--emit tokens|ast|ir|ts]`:
// writes DIR/<Model>.ts and DIR/<Model>.gradcheck.ts per model, formatted by
// prettier, and prints the bytes written per file. Everything is emitted in
// memory first; any error in the file writes nothing, and the files are written
// to temporaries and renamed into place. `--emit` prints a phase instead.
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import { emitGradcheck } from "../emit/gradcheck.ts";
import { formatTs } from "../emit/format.ts";
import { DEFAULT_UNROLL_BUDGET, emitModule, layerStrategies } from "../emit/module.ts";
import type { Model } from "../ir.ts";
import { parseSource } from "../parse.ts";
import { styleFor } from "../render/style.ts";
import { renderDiagnostic } from "../render/text.ts";
import { EXIT, type CliContext, type CliIo } from "./context.ts";
import { noSuchModel, reportDiagnostics } from "./export.ts";
import { compileFile } from "./sources.ts";

export interface BuildOptions {
  out: string;
  model?: string;
  dtype: "f32" | "f64";
  unroll: number;
  emit?: "tokens" | "ast" | "ir" | "ts";
}

function unrollArgument(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError("expected a whole number ≥ 1 (multiply-adds per window written out as straight-line code).");
  }
  return n;
}

export function register(program: Command, cli: CliContext): void {
  program
    .command("build")
    .description("emit <Model>.ts (forward, backward, init) and <Model>.gradcheck.ts for every model")
    .argument("<file>", "a .cnn file")
    .option("-o, --out <dir>", "output directory", ".")
    .option("--model <name>", "only the model with this name")
    .addOption(new Option("--dtype <dtype>", "float type of the generated module").choices(["f32", "f64"]).default("f32"))
    .option(
      "--unroll <n>",
      "the most multiply-adds per kernel window written out as straight-line code; larger windows become loops",
      unrollArgument,
      DEFAULT_UNROLL_BUDGET,
    )
    .addOption(
      new Option("--emit <phase>", "print a phase's output instead of writing files").choices(["tokens", "ast", "ir", "ts"]),
    )
    .action(async (file: string, options: BuildOptions) => {
      cli.exitCode = await runBuild(file, options, cli.io);
    });
}

export async function runBuild(path: string, options: BuildOptions, io: CliIo): Promise<number> {
  const f = compileFile(path);
  if (options.emit === "tokens" || options.emit === "ast") {
    if (f.text === undefined) return reportDiagnostics(f, io);
    const parsed = parseSource(f.text, path);
    if (options.emit === "tokens") {
      io.stdout(
        parsed.tokens.map((t) => `${t.startLine}:${t.startColumn} ${t.tokenType.name} ${JSON.stringify(t.image)}`).join("\n") +
          "\n",
      );
    } else {
      io.stdout(JSON.stringify(parsed.ast.models, null, 2) + "\n");
    }
    return reportDiagnostics({ ...f, diagnostics: parsed.diagnostics }, { ...io, stdout: io.stderr });
  }
  // With --emit, diagnostics go to stderr so stdout stays the phase's output.
  const code = reportDiagnostics(f, options.emit === undefined ? io : { ...io, stdout: io.stderr });
  if (code !== EXIT.ok) return code;
  let models: Model[] = f.models;
  if (options.model !== undefined) {
    models = f.models.filter((m) => m.name === options.model);
    if (models.length === 0) {
      const d = noSuchModel(path, options.model, f.models.map((m) => m.name));
      io.stdout(renderDiagnostic(d, new Map(), { style: styleFor(io.colour) }) + "\n");
      return EXIT.usage;
    }
  }
  if (options.emit === "ir") {
    // the checked IR plus the code generator's choices: unroll budget and per-layer kernel strategy
    const emitOptions = { dtype: options.dtype, sourceName: basename(path), unrollBudget: options.unroll };
    const shown = models.map((m) => ({ ...m, codegen: { unroll: options.unroll, strategies: layerStrategies(m, emitOptions) } }));
    io.stdout(JSON.stringify(shown, null, 2) + "\n");
    return EXIT.ok;
  }
  const sourceName = basename(path);
  const files: { path: string; text: string }[] = [];
  for (const model of models) {
    const module = emitModule(model, { dtype: options.dtype, sourceName, unrollBudget: options.unroll });
    files.push({ path: join(options.out, `${model.name}.ts`), text: await formatTs(module) });
    if (options.emit === undefined) {
      files.push({ path: join(options.out, `${model.name}.gradcheck.ts`), text: await formatTs(emitGradcheck(model, { sourceName })) });
    }
  }
  if (options.emit === "ts") {
    io.stdout(files.map((file) => file.text).join("\n"));
    return EXIT.ok;
  }
  const written = writeAll(files, options.out);
  if (written !== undefined) {
    io.stderr(`error: cannot write to \`${options.out}\`: ${written}; no file was written\n`);
    return EXIT.usage;
  }
  for (const file of files) io.stdout(`wrote ${file.path} (${Buffer.byteLength(file.text)} bytes)\n`);
  return EXIT.ok;
}

/** Writes every file to a temporary beside it, then renames them all into place; returns the error, if any. */
function writeAll(files: { path: string; text: string }[], dir: string): string | undefined {
  const temps: string[] = [];
  try {
    mkdirSync(dir, { recursive: true });
    for (const file of files) {
      const temp = `${file.path}.${process.pid}.tmp`;
      temps.push(temp);
      writeFileSync(temp, file.text);
    }
    files.forEach((file, i) => renameSync(temps[i]!, file.path));
    return undefined;
  } catch (error) {
    for (const temp of temps) rmSync(temp, { force: true });
    return error instanceof Error ? error.message : String(error);
  }
}
