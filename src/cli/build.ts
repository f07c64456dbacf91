// `cnnc build FILE... [-o DIR] [--model NAME] [--dtype f32|f64] [--unroll N] [--emit tokens|ast|ir|ts]`:
// writes DIR/<Model>.ts and DIR/<Model>.gradcheck.ts per model of every file,
// formatted by prettier, and prints the bytes written per file. Everything is
// emitted in memory first; any error in any file (or two models of the same
// name, which would write the same path) writes nothing, and the files are
// written to temporaries and renamed into place. `--emit` prints a phase instead.
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { emitGradcheck } from "../emit/gradcheck.ts";
import { formatTsAll } from "../emit/format.ts";
import { emitModule, layerStrategies } from "../emit/module.ts";
import { emitWasmModule } from "../emit-wasm/module.ts";
import { parseSource } from "../parse.ts";
import { EXIT, type CliIo } from "./context.ts";
import { reportDiagnostics, selectModels } from "./report.ts";
import { compileFile } from "./sources.ts";

export interface BuildOptions {
  out: string;
  model?: string;
  dtype: "f32" | "f64";
  target: "ts" | "wasm";
  unroll: number;
  emit?: "tokens" | "ast" | "ir" | "ts";
}

/** Builds every file; nothing is written unless every file and every model succeeds. */
export async function runBuild(paths: readonly string[], options: BuildOptions, io: CliIo): Promise<number> {
  if (options.target === "wasm" && options.dtype === "f64") {
    io.stderr("error: --target wasm computes in f32 only (WebAssembly SIMD128 f32x4); drop --dtype f64, or use --target ts for f64\n");
    return EXIT.usage;
  }
  if (options.model !== undefined && paths.length > 1) {
    io.stderr(`error: --model selects a model of one file, but ${paths.length} files were given\n`);
    return EXIT.usage;
  }
  return buildAll(paths, options, io);
}

async function buildAll(paths: readonly string[], options: BuildOptions, io: CliIo): Promise<number> {
  const outputs: OutputFile[] = [];
  let exitCode: number = EXIT.ok;
  const seen = new Map<string, string>();
  for (const path of paths) {
    const built = await buildFile(path, options, io);
    if (typeof built === "number") {
      exitCode = Math.max(exitCode, built);
      continue;
    }
    for (const file of built) {
      const earlier = seen.get(file.path);
      if (earlier !== undefined) {
        io.stderr(`error: ${earlier} and ${file.source} both define a model that writes \`${file.path}\`; rename one (or build them to different -o folders)\n`);
        exitCode = Math.max(exitCode, EXIT.failed);
      }
      seen.set(file.path, file.source);
    }
    outputs.push(...built);
  }
  if (exitCode !== EXIT.ok || options.emit !== undefined) {
    if (exitCode !== EXIT.ok && options.emit === undefined && paths.length > 1) io.stderr("no file was written\n");
    return exitCode;
  }
  const written = writeAll(outputs, options.out);
  if (written !== undefined) {
    io.stderr(`error: cannot write to \`${options.out}\`: ${written}; no file was written\n`);
    return EXIT.usage;
  }
  for (const file of outputs) io.stdout(`wrote ${file.path} (${Buffer.byteLength(file.text)} bytes)\n`);
  return EXIT.ok;
}

interface OutputFile {
  path: string;
  text: string;
  /** the .cnn file it comes from */
  source: string;
}

/** One file's outputs in memory, or the exit code of its failure. With --emit, prints the phase and returns []. */
async function buildFile(path: string, options: BuildOptions, io: CliIo): Promise<OutputFile[] | number> {
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
    const code = reportDiagnostics({ ...f, diagnostics: parsed.diagnostics }, { ...io, stdout: io.stderr });
    return code === EXIT.ok ? [] : code;
  }
  // With --emit, diagnostics go to stderr so stdout stays the phase's output.
  const code = reportDiagnostics(f, options.emit === undefined ? io : { ...io, stdout: io.stderr });
  if (code !== EXIT.ok) return code;
  const models = selectModels(path, f.models, options.model, io);
  if (models === undefined) return EXIT.usage;
  if (options.emit === "ir") {
    // the checked IR plus the code generator's choices: unroll budget and per-layer kernel strategy
    const emitOptions = { dtype: options.dtype, sourceName: basename(path), unrollBudget: options.unroll };
    const shown = models.map((m) => ({ ...m, codegen: { unroll: options.unroll, strategies: layerStrategies(m, emitOptions) } }));
    io.stdout(JSON.stringify(shown, null, 2) + "\n");
    return [];
  }
  const sourceName = basename(path);
  const files: OutputFile[] = [];
  for (const model of models) {
    const module =
      options.target === "wasm"
        ? emitWasmModule(model, { sourceName })
        : emitModule(model, { dtype: options.dtype, sourceName, unrollBudget: options.unroll });
    files.push({ path: join(options.out, `${model.name}.ts`), text: module, source: path });
    if (options.emit === undefined) {
      const harness = emitGradcheck(model, { sourceName, target: options.target === "wasm" ? "wasm" : undefined });
      files.push({ path: join(options.out, `${model.name}.gradcheck.ts`), text: harness, source: path });
    }
  }
  const formatted = await formatTsAll(files.map((file) => file.text));
  files.forEach((file, i) => (file.text = formatted[i]!));
  if (options.emit === "ts") {
    io.stdout(files.map((file) => file.text).join("\n"));
    return [];
  }
  return files;
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
