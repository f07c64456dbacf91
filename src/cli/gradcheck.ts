// `cnnc gradcheck FILE [--model NAME] [--batch N] [--tol T] [--seed S] [--samples K] [--tensors A,B]`:
// compiles FILE, writes each model's f64 harness (<Model>.gradcheck.ts) to a
// temporary folder as JavaScript (its types erased by strip-types.ts, since
// Node 20 runs no .ts; with --target wasm also the WebAssembly module it checks,
// stripped the same way), runs it in a child `node` (no global tools needed),
// streams its progress lines and table, and removes the folder. Exit 0 when every model passes, 1 on a failure or an error in
// the file, 2 for a usage error (bad option, unreadable path, no such model).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { emitGradcheck } from "../emit/gradcheck.ts";
import { emitWasmModule } from "../emit-wasm/module.ts";
import { EXIT, type CliIo } from "./context.ts";
import { gradcheckBatchTooLarge } from "./memory.ts";
import { reportDiagnostics, selectModels } from "./report.ts";
import { styleFor } from "../render/style.ts";
import { renderDiagnostic } from "../render/text.ts";
import { compileFile } from "./sources.ts";
import { stripTypes } from "./strip-types.ts";

/** The harness's own defaults (gradcheck() in src/emit/gradcheck.ts). */
const DEFAULT_BATCH = { ts: 2, wasm: 4 };

export interface GradcheckCliOptions {
  model?: string;
  batch?: number;
  tol?: number;
  seed?: number;
  samples?: number;
  tensors?: string;
  target?: "ts" | "wasm";
}

export async function runGradcheck(path: string, options: GradcheckCliOptions, io: CliIo): Promise<number> {
  const f = compileFile(path);
  const status = reportDiagnostics(f, io);
  if (status !== EXIT.ok) return status;
  const models = selectModels(path, f.models, options.model, io);
  if (models === undefined) return EXIT.usage;
  // the memory --batch implies, before any file is written or process started
  const tooLarge = models.flatMap((m) => gradcheckBatchTooLarge(path, m, options.batch ?? DEFAULT_BATCH[options.target ?? "ts"]) ?? []);
  if (tooLarge.length > 0) {
    io.stdout(tooLarge.map((d) => renderDiagnostic(d, new Map(), { style: styleFor(io.colour) })).join("\n\n") + "\n");
    return EXIT.usage;
  }
  const dir = mkdtempSync(join(tmpdir(), "cnnc-gradcheck-"));
  try {
    let worst: number = EXIT.ok;
    for (const model of models) {
      // ES modules (the harness reads import.meta), hence .mjs
      const harness = join(dir, `${model.name}.gradcheck.mjs`);
      const wasm = options.target === "wasm";
      if (wasm) writeFileSync(join(dir, `${model.name}.mjs`), await stripTypes(emitWasmModule(model, { sourceName: basename(path) })));
      const target = wasm ? { target: "wasm" as const, wasmImport: `./${model.name}.mjs` } : {};
      writeFileSync(harness, await stripTypes(emitGradcheck(model, { sourceName: basename(path), ...target })));
      io.stdout(`gradcheck ${model.name} (${basename(path)}), ${wasm ? "f32 WebAssembly backward against the f64 harness" : "f64 harness built"}\n`);
      const code = await runHarness(harness, harnessArgs(options), io);
      worst = Math.max(worst, code === 0 ? EXIT.ok : code === 2 ? EXIT.usage : EXIT.failed);
    }
    return worst;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function harnessArgs(o: GradcheckCliOptions): string[] {
  const args: string[] = [];
  if (o.batch !== undefined) args.push("--batch", String(o.batch));
  if (o.seed !== undefined) args.push("--seed", String(o.seed));
  if (o.tol !== undefined) args.push("--tol", String(o.tol));
  if (o.samples !== undefined) args.push("--samples", String(o.samples));
  if (o.tensors !== undefined) args.push("--only", o.tensors);
  return args;
}

/** Runs one harness in a child node, streaming its output. */
function runHarness(file: string, args: string[], io: CliIo): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.setEncoding("utf8").on("data", (text: string) => io.stdout(text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => io.stderr(text));
    child.on("error", (e) => {
      io.stderr(`gradcheck: cannot run node: ${e.message}\n`);
      resolve(EXIT.failed);
    });
    child.on("close", (code) => resolve(code ?? EXIT.failed));
  });
}
