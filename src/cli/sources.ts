// Paths on the command line → compiled files. Reading is the CLI's job:
// a path that cannot be read as a .cnn source gets E0001/E0002 here (exit 2)
// and is never handed to the compiler.
import { closeSync, openSync, readSync, statSync } from "node:fs";
import type { ReadImport } from "../pipeline.ts";
import { compile } from "../pipeline.ts";
import { diag, type Diagnostic, type Span } from "../diagnostics.ts";
import type { Model, PartialModel } from "../ir.ts";
import { MAX_SOURCE_BYTES } from "../source.ts";
import { modelFacts, partialFacts, type ModelFacts } from "../render/format.ts";

export interface CompiledFile {
  file: string;
  /** the decoded text, for code frames; undefined when the path could not be read */
  text?: string;
  models: Model[];
  partial: PartialModel[];
  diagnostics: Diagnostic[];
  /** true when the path could not be read as a file (exit code 2) */
  unreadable: boolean;
  /** the files it imports, decoded, for code frames */
  imported?: { file: string; text: string }[];
}

/** Imported files are read like command-line paths; a failure is reported at the import (E0223). */
export const readImport: ReadImport = (path) => {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return { error: stat.isDirectory() ? "it is a directory" : "it is not a regular file" };
    return { bytes: readAtMost(path, MAX_SOURCE_BYTES + 1) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code ?? "";
    return { error: reasons[code] ?? (error instanceof Error ? error.message : String(error)) };
  }
};

/** A zero-width span at the start of a file, for problems with the file as a whole. */
export function fileSpan(file: string): Span {
  return { file, line: 1, column: 1, endLine: 1, endColumn: 1, start: 0, end: 0 };
}

const reasons: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOTDIR: "a component of the path is not a directory",
  ENAMETOOLONG: "the path is too long",
  ELOOP: "too many symbolic links",
  EISDIR: "it is a directory",
};

function readError(file: string, error: unknown): Diagnostic {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? "";
  const reason = reasons[code] ?? (error instanceof Error ? error.message : String(error));
  return diag("E0001", fileSpan(file), `cannot read \`${file}\`: ${reason}`);
}

function unreadable(file: string, d: Diagnostic): CompiledFile {
  return { file, models: [], partial: [], diagnostics: [d], unreadable: true };
}

/**
 * Reads up to `limit` bytes: enough for the decoder to see that a file is over
 * its size limit (E0103) without ever loading a huge file into memory.
 */
function readAtMost(file: string, limit: number): Uint8Array {
  const fd = openSync(file, "r");
  try {
    const buffer = new Uint8Array(limit);
    let length = 0;
    while (length < limit) {
      const n = readSync(fd, buffer, length, limit - length, null);
      if (n === 0) break;
      length += n;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** Reads and compiles one path. Never throws for a bad path or bad contents. */
export function compileFile(file: string): CompiledFile {
  let bytes: Uint8Array;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) {
      return unreadable(
        file,
        diag("E0002", fileSpan(file), `\`${file}\` is a directory, not a .cnn file`, {
          help: `pass the files themselves, e.g. \`${file.replace(/\/+$/, "")}/*.cnn\``,
        }),
      );
    }
    if (!stat.isFile()) {
      return unreadable(file, diag("E0002", fileSpan(file), `\`${file}\` is not a regular file`));
    }
    bytes = readAtMost(file, MAX_SOURCE_BYTES + 1);
  } catch (error) {
    return unreadable(file, readError(file, error));
  }
  const result = compile(bytes, file, readImport);
  // the same decoding as the compiler's for valid UTF-8 (BOM dropped); spans use line/column, so
  // replacement characters after a bad byte cannot misplace a frame
  const text = new TextDecoder("utf-8").decode(bytes);
  return { file, text, ...result, unreadable: false };
}

/** Decoded texts by file name, for the text renderer's code frames. */
export function sourcesOf(files: readonly CompiledFile[]): Map<string, string> {
  return new Map(
    files.flatMap((f) => [
      ...(f.text === undefined ? [] : [[f.file, f.text] as const]),
      ...(f.imported ?? []).map((i) => [i.file, i.text] as const),
    ]),
  );
}

/** Checked and failing models of a file, in source order. */
export function modelsInOrder(f: CompiledFile): ModelFacts[] {
  const all = [
    ...f.models.map((m) => ({ start: m.span.start, facts: modelFacts(m) })),
    ...f.partial.map((m) => ({ start: m.span.start, facts: partialFacts(m) })),
  ];
  return all.sort((a, b) => a.start - b.start).map((x) => x.facts);
}

/** Whether a diagnostic lies inside a model's source. */
export function within(d: Diagnostic, model: { file: string; span: Span }): boolean {
  return d.span.file === model.file && d.span.start >= model.span.start && d.span.start <= model.span.end;
}
