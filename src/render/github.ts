// Diagnostics → GitHub Actions workflow commands (`cnnc check --format
// github`), one line each, so a failing check annotates the pull request at
// the offending line. Notes and help are folded into the message with %0A.
import type { Diagnostic } from "../diagnostics.ts";
import { visible } from "./text.ts";

/** Escaping of a command's message, as in @actions/core (toCommandValue + escapeData). */
function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Escaping of a property value (escapeProperty): also ':' and ','. */
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function renderGithubDiagnostic(d: Diagnostic): string {
  const s = d.span;
  // GitHub's endColumn is inclusive; ours is exclusive
  const endColumn = s.endLine === s.line ? Math.max(s.column, s.endColumn - 1) : s.endColumn;
  const properties = [
    `file=${escapeProperty(s.file)}`,
    `line=${s.line}`,
    `col=${s.column}`,
    `endLine=${s.endLine}`,
    `endColumn=${endColumn}`,
    `title=${escapeProperty(d.code)}`,
  ].join(",");
  const body = [d.message, ...d.notes.map((n) => `= ${n}`), ...(d.help !== undefined ? [`= help: ${d.help}`] : [])];
  // parts are made visible one by one, so the joining newlines survive as %0A
  return `::${d.severity} ${properties}::${escapeData(body.map(visible).join("\n"))}`;
}
