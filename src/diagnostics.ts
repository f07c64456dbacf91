// The one diagnostic type of the whole compiler (rustc / codespan-reporting style).
// Every phase returns { value?, diagnostics } and never throws for a user's mistake.
import type { Code } from "./codes/index.ts";

/** A source range. line/column are 1-based; endColumn is exclusive; offsets index the decoded text. */
export interface Span {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  start: number;
  end: number;
}

export interface Label {
  span: Span;
  message: string;
}

export type Severity = "error" | "warning";

/**
 * A fix an editor can apply without asking (`cnnc lsp` code actions): write
 * `text` over `span`, or set arguments of the layer statement at the
 * diagnostic's span (added when absent, replaced when given).
 */
export type Fix =
  | { kind: "replace"; title: string; span: Span; text: string }
  | { kind: "setArgs"; title: string; args: { name: string; value: string }[] };

export interface Diagnostic {
  code: Code;
  severity: Severity;
  /** lowercase, no final period, makes sense alone */
  message: string;
  /** the smallest span that shows the problem */
  span: Span;
  /** secondary spans: "input shape set here" */
  labels: Label[];
  /** facts: the formula with the numbers filled in */
  notes: string[];
  /** the fix, and only here */
  help?: string;
  /** the help's change when it is mechanical (one of several fixes the help offers) */
  fix?: Fix;
}

export interface PhaseResult<T> {
  value?: T;
  diagnostics: Diagnostic[];
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Builds a diagnostic; the severity comes from the code's registry entry. */
export function diag(
  code: Code,
  span: Span,
  message: string,
  extra: { notes?: string[]; help?: string; labels?: Label[]; fix?: Fix } = {},
): Diagnostic {
  return {
    code,
    severity: code.startsWith("W") ? "warning" : "error",
    message,
    span,
    labels: extra.labels ?? [],
    notes: extra.notes ?? [],
    ...(extra.help !== undefined ? { help: extra.help } : {}),
    ...(extra.fix !== undefined ? { fix: extra.fix } : {}),
  };
}

/** The "did you mean" fix: write `to` over the misspelt name at `span`. */
export function renameFix(span: Span, to: string): Fix {
  return { kind: "replace", title: `change to '${to}'`, span, text: to };
}

/** Diagnostics in source order, errors before warnings at the same place. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      a.span.file.localeCompare(b.span.file) ||
      a.span.start - b.span.start ||
      a.code.localeCompare(b.code),
  );
}
