// Code actions: a diagnostic's mechanical fix (src/diagnostics.ts `Fix`) as
// text edits. A "did you mean" replaces the misspelt name; a `setArgs` fix
// rewrites the named arguments of the layer the diagnostic points at, or adds
// them before its `)` (or as `(…)` after an op written without parentheses).
import type { Fix, Span } from "../diagnostics.ts";
import { findOp } from "../ops/index.ts";
import type { Analysis } from "./analysis.ts";

/** An edit of [start, end) of the analysed text. */
export interface TextChange {
  start: number;
  end: number;
  text: string;
}

export function fixEdits(a: Analysis, fix: Fix, at: Span): TextChange[] | undefined {
  if (fix.kind === "replace") return [{ start: fix.span.start, end: fix.span.end, text: fix.text }];
  const stmt = a.symbols.statements.find((s) => s.stmt.span.start === at.start)?.stmt;
  if (stmt === undefined) return undefined;
  const primary = findOp(stmt.op)?.primary;
  const edits: TextChange[] = [];
  const added: string[] = [];
  for (const { name, value } of fix.args) {
    const arg = stmt.args.find((x) => (x.name ?? primary) === name);
    if (arg !== undefined) edits.push({ start: arg.span.start, end: arg.span.end, text: arg.name === undefined ? value : `${name}=${value}` });
    else added.push(`${name}=${value}`);
  }
  if (added.length > 0) {
    const close = stmt.span.end - 1;
    if (a.text[close] === ")") edits.push({ start: close, end: close, text: `${stmt.args.length > 0 ? ", " : ""}${added.join(", ")}` });
    else edits.push({ start: stmt.opSpan.end, end: stmt.opSpan.end, text: `(${added.join(", ")})` });
  }
  return edits;
}
