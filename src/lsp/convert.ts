// Compiler spans and diagnostics → Language Server Protocol objects. Lines and
// columns are 1-based in cnnc and 0-based in LSP; both count UTF-16 code units
// (docs/cli.md, "diagnostic positions"), so a column maps one to one.
import type { Diagnostic as LspDiagnostic, Range } from "vscode-languageserver";
import type { Diagnostic, Fix, Span } from "../diagnostics.ts";

export function toRange(s: Span): Range {
  return { start: { line: s.line - 1, character: s.column - 1 }, end: { line: s.endLine - 1, character: s.endColumn - 1 } };
}

/** What a published diagnostic carries for code actions. */
export interface DiagnosticData {
  fix?: Fix;
}

/** The message an editor shows: the message, then the notes and the help as `cnnc check` prints them. */
export function diagnosticText(d: Diagnostic): string {
  return [d.message, ...d.notes.map((n) => `= ${n}`), ...(d.help !== undefined ? [`= help: ${d.help}`] : [])].join("\n");
}

/**
 * `rangeOf` places spans in the editor's document; the default uses the
 * compiler's lines (LF-terminated), which an editor shares unless the text holds a lone CR.
 */
export function toLspDiagnostic(d: Diagnostic, uriOf: (file: string) => string, rangeOf: (s: Span) => Range = toRange): LspDiagnostic {
  const data: DiagnosticData = d.fix !== undefined ? { fix: d.fix } : {};
  return {
    range: rangeOf(d.span),
    severity: d.severity === "error" ? 1 : 2, // DiagnosticSeverity.Error, .Warning
    code: d.code,
    source: "cnnc",
    message: diagnosticText(d),
    relatedInformation: d.labels.map((l) => ({ location: { uri: uriOf(l.span.file), range: rangeOf(l.span) }, message: l.message })),
    data,
  };
}
