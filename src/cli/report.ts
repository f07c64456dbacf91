// Helpers every file-reading command shares: print a file's diagnostics with
// their summary line, and resolve `--model NAME` (E0003, exit 2, with a
// "did you mean"). A new command should use these rather than its own.
import { diag, type Diagnostic } from "../diagnostics.ts";
import { styleFor } from "../render/style.ts";
import { countSeverities, renderDiagnostic, summaryLine } from "../render/text.ts";
import { suggest } from "../suggest.ts";
import { EXIT, type CliIo } from "./context.ts";
import { fileSpan, sourcesOf, type CompiledFile } from "./sources.ts";

/** A diagnostic for `--model NAME` naming no model of the file (exit 2). */
export function noSuchModel(file: string, name: string, names: readonly string[]): Diagnostic {
  const guess = suggest(name, [...names]);
  return diag("E0003", fileSpan(file), `no model named \`${name}\` in ${file}`, {
    notes: [names.length > 0 ? `the file defines ${names.map((n) => `\`${n}\``).join(", ")}` : "the file defines no model"],
    ...(guess !== undefined ? { help: `did you mean \`--model ${guess}\`?` } : {}),
  });
}

/**
 * The models `--model NAME` selects (all of them without the option). When
 * the name matches none, prints E0003 (no code frame: the option is wrong, not
 * a place in the file) and returns undefined; the command then exits with
 * EXIT.usage.
 */
export function selectModels<T extends { name: string }>(
  file: string,
  models: readonly T[],
  name: string | undefined,
  io: CliIo,
): T[] | undefined {
  if (name === undefined) return [...models];
  const selected = models.filter((m) => m.name === name);
  if (selected.length > 0) return selected;
  const d = noSuchModel(file, name, models.map((m) => m.name));
  io.stdout(renderDiagnostic(d, new Map(), { style: styleFor(io.colour) }) + "\n");
  return undefined;
}

/** Prints a file's diagnostics and their summary line; returns the exit code they imply. */
export function reportDiagnostics(f: CompiledFile, io: CliIo): number {
  const style = styleFor(io.colour);
  const sources = sourcesOf([f]);
  const blocks = f.diagnostics.map((d) => renderDiagnostic(d, sources, { style }));
  const { errors } = countSeverities(f.diagnostics);
  const total = summaryLine(countSeverities(f.diagnostics), f.file, { style });
  if (total !== "") blocks.push(total);
  if (blocks.length > 0) io.stdout(blocks.join("\n\n") + "\n");
  if (f.unreadable) return EXIT.usage;
  return errors > 0 ? EXIT.failed : EXIT.ok;
}
