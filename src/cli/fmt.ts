// `cnnc fmt FILE... [--check]`: rewrite .cnn files in the canonical layout
// (src/format/format.ts), keeping every comment. A file with a syntax error
// (any E01xx) is reported and left alone. `--check` writes nothing and lists
// the files that would change. Exit 0 ok, 1 a syntax error or (with --check) a
// file that would change, 2 a path that cannot be read or written.
import { chmodSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { diag, type Diagnostic } from "../diagnostics.ts";
import { formatSource } from "../format/format.ts";
import { styleFor } from "../render/style.ts";
import { countSeverities, renderDiagnostic, summaryLine } from "../render/text.ts";
import { EXIT, type CliIo } from "./context.ts";
import { compileFile, fileSpan } from "./sources.ts";

export interface FmtOptions {
  check?: boolean;
}

export function runFmt(paths: readonly string[], options: FmtOptions, io: CliIo): number {
  let unreadable = false;
  let failed = false;
  const changed: string[] = [];
  const problems: { file: string; text?: string; diagnostics: Diagnostic[] }[] = [];
  for (const file of paths) {
    const read = compileFile(file);
    if (read.unreadable || read.text === undefined) {
      unreadable = true;
      problems.push({ file, diagnostics: read.diagnostics });
      continue;
    }
    // Only the text matters here (arguments and shapes are check's business),
    // but a file that did not decode or parse is never rewritten: after a bad
    // UTF-8 byte the text is a lossy decoding.
    const syntax = read.diagnostics.filter((d) => d.severity === "error" && d.code.startsWith("E01"));
    const formatted = syntax.length > 0 ? undefined : formatSource(read.text, file);
    if (formatted?.text === undefined) {
      failed = true;
      problems.push({ file, text: read.text, diagnostics: syntax.length > 0 ? syntax : formatted!.diagnostics });
      continue;
    }
    if (formatted.text === read.text) continue;
    changed.push(file);
    if (options.check) continue;
    const error = writeAtomically(file, formatted.text);
    if (error) {
      unreadable = true;
      problems.push({ file, diagnostics: [error] });
    }
  }

  const style = styleFor(io.colour);
  const blocks: string[] = [];
  if (changed.length > 0) blocks.push(changed.map((f) => (options.check ? f : `formatted ${f}`)).join("\n"));
  const sources = new Map(problems.flatMap((p) => (p.text === undefined ? [] : [[p.file, p.text] as const])));
  for (const p of problems) {
    for (const d of p.diagnostics) blocks.push(renderDiagnostic(d, sources, { style }));
    if (p.text !== undefined) blocks.push(summaryLine(countSeverities(p.diagnostics), p.file, { style }) + "; not formatted");
  }
  if (blocks.length > 0) io.stdout(blocks.join("\n\n") + "\n");
  if (unreadable) return EXIT.usage;
  return failed || (options.check && changed.length > 0) ? EXIT.failed : EXIT.ok;
}

/**
 * Writes `text` to `file` by writing a temporary file beside it and renaming it
 * over the original, so a crash never leaves a half-written file. Symbolic
 * links are followed (the link stays a link); the file mode is kept.
 */
function writeAtomically(file: string, text: string): Diagnostic | undefined {
  let target = file;
  let temp: string | undefined;
  try {
    target = realpathSync(file);
    const mode = statSync(target).mode & 0o7777;
    temp = join(dirname(target), `.${basename(target)}.${process.pid}.cnnc-fmt.tmp`);
    writeFileSync(temp, text, { mode });
    chmodSync(temp, mode);
    renameSync(temp, target);
    return undefined;
  } catch (error) {
    if (temp !== undefined) {
      try {
        unlinkSync(temp);
      } catch {
        // the temporary file was never created
      }
    }
    const reason = (error as NodeJS.ErrnoException).code === "EACCES" ? "permission denied" : (error as Error).message;
    return diag("E0001", fileSpan(file), `cannot write \`${file}\`: ${reason}`, { help: "the file was left unchanged" });
  }
}
