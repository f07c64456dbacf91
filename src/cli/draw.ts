// `cnnc draw FILE [--model NAME] -o OUT.svg`: an SVG picture of every model (or
// the one named), with shapes and parameters per layer. A model that does not
// check is drawn up to its failing layer, which is shown in red with the
// diagnostic; the picture is still written (that is what it is for) and the exit
// code is 1. A file that does not parse, or cannot be read, writes nothing.
import { writeFileSync } from "node:fs";
import type { Diagnostic } from "../diagnostics.ts";
import { drawSvg, type DrawnModel } from "../draw/svg.ts";
import { EXIT, type CliIo } from "./context.ts";
import { reportDiagnostics, selectModels } from "./report.ts";
import { compileFile, within } from "./sources.ts";

/** The source line a diagnostic points at, trimmed (the failing statement as written). */
function lineAt(text: string | undefined, d: Diagnostic): string {
  return (text ?? "").split(/\r?\n/)[d.span.line - 1]?.trim() ?? "";
}

export function runDraw(path: string, options: { out: string; model?: string }, io: CliIo): number {
  const f = compileFile(path);
  const code = reportDiagnostics(f, io);
  if (f.unreadable) return code;
  const drawn: (DrawnModel & { start: number })[] = f.models.map((model) => ({ model, start: model.span.start }));
  for (const model of f.partial) {
    const d = f.diagnostics.find((x) => x.severity === "error" && within(x, model));
    if (d === undefined) continue;
    const failure = { code: d.code, message: d.message, notes: d.notes, help: d.help, source: lineAt(f.text, d), line: d.span.line };
    drawn.push({ model, failure, start: model.span.start });
  }
  drawn.sort((a, b) => a.start - b.start);
  if (drawn.length === 0) return code; // nothing to draw: the file did not parse
  const selected = selectModels(path, drawn.map((d) => ({ ...d, name: d.model.name })), options.model, io);
  if (selected === undefined) return EXIT.usage;
  try {
    writeFileSync(options.out, drawSvg(selected));
  } catch (error) {
    io.stderr(`error: cannot write \`${options.out}\`: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.usage;
  }
  io.stdout(`wrote ${options.out} (${selected.map((m) => m.model.name).join(", ")})\n`);
  return selected.some((m) => "failure" in m) ? EXIT.failed : code;
}
