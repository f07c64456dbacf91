// The pipeline, chained here and only here:
//   bytes → decode (UTF-8, BOM) → lex → tokens → parse → CST → toAst → AST
//         → check (names, arguments, shapes) → checked IR (zod-validated)
// Each phase collects every diagnostic it can; the pipeline stops after a
// phase that reported an error (Elm's Compile.hs). Emission (src/emit) reads
// the IR returned here.
import { type Diagnostic, hasErrors, sortDiagnostics } from "./diagnostics.ts";
import { decodeSource } from "./source.ts";
import { parse } from "./parse.ts";
import { check } from "./check.ts";
import type { Model, PartialModel } from "./ir.ts";
import type { FileAst } from "./ast.ts";

export interface CompileResult {
  /** every model that checked */
  models: Model[];
  /** failing models, with their layers up to the failing one */
  partial: PartialModel[];
  diagnostics: Diagnostic[];
  /** the parsed file (models with syntax errors left out), for editors; absent when the source did not decode or parse */
  ast?: FileAst;
}

/** Compiles one .cnn source (text or raw bytes) named `file`. Never throws for bad input. */
export function compile(source: string | Uint8Array, file: string): CompileResult {
  const decoded = decodeSource(source, file);
  if (decoded.value === undefined || hasErrors(decoded.diagnostics)) {
    return { models: [], partial: [], diagnostics: sortDiagnostics(decoded.diagnostics) };
  }
  const parsed = parse(decoded.value, file);
  const early = [...decoded.diagnostics, ...parsed.diagnostics];
  if (parsed.value === undefined || hasErrors(early)) {
    return { models: [], partial: [], diagnostics: sortDiagnostics(early), ...(parsed.value !== undefined ? { ast: parsed.value } : {}) };
  }
  const checked = check(parsed.value);
  return {
    models: checked.models,
    partial: checked.partial,
    diagnostics: sortDiagnostics([...early, ...checked.diagnostics]),
    ast: parsed.value,
  };
}
