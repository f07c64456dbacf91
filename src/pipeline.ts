// The pipeline, chained here and only here:
//   bytes → decode (UTF-8, BOM) → lex → tokens → parse → CST → toAst → AST
//         → (the same for every imported file) → check (names, arguments, shapes) → checked IR (zod-validated)
// Each phase collects every diagnostic it can; the pipeline stops after a
// phase that reported an error (Elm's Compile.hs). Emission (src/emit) reads
// the IR returned here. Reading imported files is the caller's job (a
// `ReadImport` function), so the compiler itself touches no file system.
import { normalizePath, resolveImport } from "./import-path.ts";
import type { FileAst, ImportAst } from "./ast.ts";
import { type Diagnostic, diag, hasErrors, sortDiagnostics } from "./diagnostics.ts";
import { decodeSource } from "./source.ts";
import { parse } from "./parse.ts";
import { check } from "./check.ts";
import type { Model, PartialModel } from "./ir.ts";

/** Reads an imported file by its path (relative to the working directory): its bytes, or why it cannot be read. */
export type ReadImport = (path: string) => { bytes: string | Uint8Array } | { error: string };

export interface CompileResult {
  /** every model that checked */
  models: Model[];
  /** failing models, with their layers up to the failing one */
  partial: PartialModel[];
  diagnostics: Diagnostic[];
  /** the parsed file (models with syntax errors left out), for editors; absent when the source did not decode or parse */
  ast?: FileAst;
  /** the decoded text of every imported file that was read, for code frames */
  imported: { file: string; text: string }[];
}

const noImports: ReadImport = () => ({ error: "imports cannot be read here" });

/** Compiles one .cnn source (text or raw bytes) named `file`. Never throws for bad input. */
export function compile(source: string | Uint8Array, file: string, read: ReadImport = noImports): CompileResult {
  const decoded = decodeSource(source, file);
  if (decoded.value === undefined || hasErrors(decoded.diagnostics)) {
    return { models: [], partial: [], diagnostics: sortDiagnostics(decoded.diagnostics), imported: [] };
  }
  const parsed = parse(decoded.value, file);
  const early = [...decoded.diagnostics, ...parsed.diagnostics];
  if (parsed.value === undefined || hasErrors(early)) {
    return { models: [], partial: [], diagnostics: sortDiagnostics(early), imported: [], ...(parsed.value !== undefined ? { ast: parsed.value } : {}) };
  }
  const imports = loadImports(parsed.value, read);
  const before = [...early, ...imports.diagnostics];
  if (hasErrors(before)) {
    return { models: [], partial: [], diagnostics: sortDiagnostics(before), imported: imports.texts, ast: parsed.value };
  }
  const checked = check(parsed.value, imports.files);
  return {
    models: checked.models,
    partial: checked.partial,
    diagnostics: sortDiagnostics([...before, ...checked.diagnostics]),
    imported: imports.texts,
    ast: parsed.value,
  };
}

/** Every file `main` imports, directly or not, each read and parsed once (E0223 unreadable, E0224 a cycle). */
function loadImports(main: FileAst, read: ReadImport): { files: FileAst[]; texts: { file: string; text: string }[]; diagnostics: Diagnostic[] } {
  const files: FileAst[] = [];
  const texts: { file: string; text: string }[] = [];
  const diagnostics: Diagnostic[] = [];
  const loaded = new Set<string>([normalizePath(main.file)]);
  const visit = (ast: FileAst, stack: string[]): void => {
    for (const imp of ast.imports) {
      const path = resolveImport(ast.file, imp.path);
      if (stack.includes(path)) {
        diagnostics.push(cycle(imp, [...stack, path]));
        continue;
      }
      if (loaded.has(path)) continue;
      loaded.add(path);
      const got = read(path);
      if ("error" in got) {
        diagnostics.push(
          diag("E0223", imp.pathSpan, `cannot import "${imp.path}": ${got.error}`, {
            notes: [`the path is relative to this file's directory: ${path}`],
            help: "check the path, or remove the import",
          }),
        );
        continue;
      }
      const decoded = decodeSource(got.bytes, path);
      diagnostics.push(...decoded.diagnostics);
      if (decoded.value === undefined) continue;
      texts.push({ file: path, text: decoded.value });
      const parsed = parse(decoded.value, path);
      diagnostics.push(...parsed.diagnostics);
      if (parsed.value === undefined) continue;
      files.push(parsed.value);
      visit(parsed.value, [...stack, path]);
    }
  };
  visit(main, [normalizePath(main.file)]);
  return { files, texts, diagnostics };
}

function cycle(imp: ImportAst, chain: string[]): Diagnostic {
  return diag("E0224", imp.pathSpan, `import cycle: ${chain.join(" → ")}`, {
    notes: ["imports make blocks visible; a file cannot import itself, directly or through other files"],
    help: "remove this import, or move the shared blocks into a file that imports neither",
  });
}
