// Diagnostics → human text in rustc's layout (docs/cli.md#cnnc-check): a header with the
// code, an arrow to file:line:col, the source line(s) under a numbered
// gutter with `^` under the primary span and `-` under secondary labels,
// then `= note` lines and `= help:`. Needs the decoded source of each file;
// without it (an unreadable path) only the header and the arrow are shown.
import type { Diagnostic, Label, Span } from "../diagnostics.ts";
import { plural } from "./format.ts";
import { plainStyle, type Style } from "./style.ts";

const TAB = "    ";

interface Mark {
  span: Span;
  primary: boolean;
  message: string;
}

/**
 * Control characters (NUL, ESC, ...) shown as their Unicode control pictures
 * (␀, ␛): a binary or hostile file must not write raw control bytes or escape
 * sequences to the terminal. One UTF-16 unit each, so columns do not move.
 */
export function visible(text: string): string {
  return text.replace(/[\x00-\x08\x0B-\x1F\x7F]/g, (c) => String.fromCharCode(c === "\x7F" ? 0x2421 : 0x2400 + c.charCodeAt(0)));
}

/** Splits decoded source into lines the way spans count them (LF or CRLF). */
export function sourceLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** The display width of the first `column - 1` characters of a line (tabs count as 4). */
function displayOffset(line: string, column: number): number {
  const before = line.slice(0, Math.max(0, column - 1));
  return before.length + (before.split("\t").length - 1) * (TAB.length - 1);
}

/** Underline start and width on the display line, for the part of `span` on line `lineNo`. */
function underline(span: Span, lineNo: number, line: string): { start: number; width: number } {
  const startCol = lineNo === span.line ? span.column : 1;
  const endCol = lineNo === span.endLine ? span.endColumn : line.length + 1;
  const start = displayOffset(line, startCol);
  const end = displayOffset(line, endCol);
  return { start, width: Math.max(1, end - start) };
}

export interface TextRenderOptions {
  style?: Style;
}

/**
 * Renders one diagnostic. `sources` maps a file name to its decoded text
 * (a file that could not be read is absent: no code frame); labels in other
 * files get their own frame.
 */
export function renderDiagnostic(
  d: Diagnostic,
  sources: ReadonlyMap<string, string>,
  options: TextRenderOptions = {},
): string {
  const style = options.style ?? plainStyle;
  const paint = d.severity === "error" ? style.error : style.warning;
  const out: string[] = [];
  out.push(`${paint(`${d.severity}[${d.code}]`)}${style.bold(`: ${visible(d.message)}`)}`);

  const marks: Mark[] = [
    { span: d.span, primary: true, message: "" },
    ...d.labels.map((l: Label) => ({ span: l.span, primary: false, message: visible(l.message) })),
  ];
  const sameFile = marks.filter((m) => m.span.file === d.span.file);
  const otherFiles = marks.filter((m) => m.span.file !== d.span.file);
  const text = sources.get(d.span.file);
  const lineNos = text === undefined ? [] : sameFile.map((m) => m.span.line);
  const width = String(Math.max(1, ...lineNos, ...otherFiles.map((m) => m.span.line))).length;
  const pad = " ".repeat(width + 1);
  const gutter = style.accent(`${pad} |`);

  const where = visible(text === undefined ? d.span.file : `${d.span.file}:${d.span.line}:${d.span.column}`);
  out.push(`${pad}${style.accent("-->")} ${where}`);
  if (text !== undefined) {
    out.push(...frame(sameFile, sourceLines(text), width, style));
  }
  for (const m of otherFiles) {
    out.push(`${pad}${style.accent(":::")} ${m.span.file}:${m.span.line}:${m.span.column}`);
    const other = sources.get(m.span.file);
    if (other !== undefined) out.push(...frame([m], sourceLines(other), width, style));
  }
  const tail = [...d.notes.map((n) => `${pad} ${style.accent("=")} ${visible(n)}`)];
  if (d.help !== undefined) tail.push(`${pad} ${style.accent("=")} ${style.bold("help")}: ${visible(d.help)}`);
  if (tail.length > 0 && text === undefined && otherFiles.length === 0) out.push(gutter);
  out.push(...tail);
  return out.join("\n");
}

/** The gutter, source lines and underlines for marks in one file, in line order. */
function frame(marks: Mark[], lines: string[], width: number, style: Style): string[] {
  const pad = " ".repeat(width + 1);
  const out = [style.accent(`${pad} |`)];
  const byLine = new Map<number, Mark[]>();
  for (const m of marks) {
    const lineNo = Math.min(Math.max(1, m.span.line), lines.length);
    byLine.set(lineNo, [...(byLine.get(lineNo) ?? []), m]);
  }
  let previous: number | undefined;
  for (const lineNo of [...byLine.keys()].sort((a, b) => a - b)) {
    if (previous !== undefined && lineNo > previous + 1) out.push(style.accent("..."));
    previous = lineNo;
    const line = lines[lineNo - 1] ?? "";
    // the primary mark first, then labels left to right
    const ordered = byLine.get(lineNo)!.sort((a, b) => Number(b.primary) - Number(a.primary) || a.span.column - b.span.column);
    const underlines = ordered.map((m) => underline(m.span, lineNo, line));
    const view = clip(visible(line.replace(/\t/g, TAB)), underlines[0].start);
    out.push(`${style.accent(` ${String(lineNo).padStart(width)} |`)}${view.text === "" ? "" : ` ${view.text}`}`);
    for (const [i, m] of ordered.entries()) {
      const { start, width: w } = view.place(underlines[i]);
      const paint = m.primary ? style.error : style.accent;
      const marker = paint((m.primary ? "^" : "-").repeat(w) + (m.message ? ` ${m.message}` : ""));
      out.push(`${style.accent(`${pad} |`)} ${" ".repeat(start)}${marker}`);
    }
  }
  return out;
}

/** Source lines longer than this are shown as a window around the primary mark, cut with "...". */
const MAX_LINE = 100;
/** How much of the line before the mark the window keeps. */
const LEAD = 16;

/** A window of a long display line around `anchor`, and where an underline lands in it. */
function clip(shown: string, anchor: number): { text: string; place(u: { start: number; width: number }): { start: number; width: number } } {
  if (shown.length <= MAX_LINE) return { text: shown, place: (u) => u };
  let lo = Math.max(0, Math.min(anchor - LEAD, shown.length - MAX_LINE));
  // deep indentation tells nothing: spend the window on text
  while (lo < anchor - LEAD && shown[lo] === " ") lo += 1;
  const hi = Math.min(shown.length, lo + MAX_LINE);
  const prefix = lo > 0 ? "..." : "";
  return {
    text: `${prefix}${shown.slice(lo, hi)}${hi < shown.length ? "..." : ""}`,
    place: (u) => {
      const start = Math.min(Math.max(u.start, lo), hi);
      const end = Math.min(u.start + u.width, hi);
      return { start: start - lo + prefix.length, width: Math.max(1, end - start) };
    },
  };
}

/** "error: 2 errors, 1 warning in examples/x.cnn"; "" when there is nothing to say. */
export function summaryLine(
  counts: { errors: number; warnings: number },
  where: string,
  options: { denyWarnings?: boolean; style?: Style } = {},
): string {
  const style = options.style ?? plainStyle;
  const { errors, warnings } = counts;
  if (errors === 0 && warnings === 0) return "";
  const failing = errors > 0 || options.denyWarnings === true;
  const parts = [];
  if (errors > 0) parts.push(plural(errors, "error"));
  if (warnings > 0) parts.push(plural(warnings, "warning"));
  const head = failing ? style.error("error") : style.warning("warning");
  const denied = errors === 0 && options.denyWarnings === true ? " (warnings denied by --deny-warnings)" : "";
  return `${head}${style.bold(`: ${parts.join(", ")} in ${where}${denied}`)}`;
}

export function countSeverities(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number } {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  return { errors, warnings: diagnostics.length - errors };
}
