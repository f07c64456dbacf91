// cnnc fmt's layout: decoded text → the same file in the canonical layout.
// Guarantees: the parse (hence the checked IR) is unchanged, every comment is
// kept, and formatting is idempotent. A file with any E01xx error is not
// formatted (its diagnostics are returned instead), so the AST is complete and
// in source order.
//
// The layout: one statement per line, 2-space indent per block; `label: op(args)`
// with ", " between arguments, `name=value` without spaces, tuples `(a, b)`;
// `relu()` is written `relu`; numbers exactly as written; `;` dropped. A blank
// line between models; inside a block, one blank line where the source had one
// or more. A repeat of layers written on one line stays on one line
// (`repeat 2 { conv(8, kernel=3); relu }`); other repeats open a block. A comment
// on its own line stays on its own line (at the block's indent); a comment at
// the end of a line stays at the end of that statement's line, and trailing
// comments of a paragraph (lines between blank lines) share one column; a
// comment inside a statement that spans lines moves onto its own line above it.
// Line endings follow the file's first line ending (LF or CRLF).
import type { IToken } from "chevrotain";
import { LCurly, Semicolon } from "../../grammar/tokens.ts";
import type { Arg, BodyStmt, LayerStmt, ModelAst, RepeatStmt, Value } from "../ast.ts";
import { hasErrors, type Diagnostic } from "../diagnostics.ts";
import { parseSource, tokenIndexAt, type ParsedSource } from "../parse.ts";

const INDENT = "  ";
/** Trailing comments start at least this many spaces after the code. */
const COMMENT_GAP = 2;

export interface FormatResult {
  /** the formatted text; undefined when the file has syntax errors */
  text?: string;
  diagnostics: Diagnostic[];
}

/** Formats one decoded .cnn source. Never throws. */
export function formatSource(text: string, file: string): FormatResult {
  const parsed = parseSource(text, file);
  if (hasErrors(parsed.diagnostics)) return { diagnostics: parsed.diagnostics };
  const lines = new Layout(parsed).file(parsed.ast.models);
  const eol = /\r\n/.test(text.slice(0, text.indexOf("\n") + 1)) ? "\r\n" : "\n";
  return { text: render(lines).join(eol) + eol, diagnostics: parsed.diagnostics };
}

/** An output line: indented code and/or a comment; `blank` is an empty line. */
interface Line {
  depth: number;
  code: string;
  comment?: string;
  blank?: boolean;
}

class Layout {
  private readonly out: Line[] = [];
  private readonly comments: IToken[];
  private next = 0; // the first comment not yet placed
  private prevEnd = 0; // source offset where the last placed item ended
  private atBlockStart = true; // no blank line before the first item of a block (or the file)
  private afterModel = false; // a blank line always separates a model from what follows

  constructor(private readonly src: ParsedSource) {
    this.comments = src.comments;
  }

  file(models: ModelAst[]): Line[] {
    for (const m of models) this.model(m);
    this.commentsBefore(Infinity, 0);
    return this.out;
  }

  private model(m: ModelAst): void {
    const open = this.tokenAfter(m.nameSpan.end, LCurly);
    this.header(`model ${m.name} {`, m.span.start, open.startOffset + 1, 0);
    this.stmt(`input [${m.input.dims.map((d) => d.text).join(", ")}]`, m.input.span, 1);
    if (m.rounding) this.stmt(`rounding ${m.rounding.mode}`, m.rounding.span, 1);
    for (const s of m.body) this.body(s, 1);
    if (m.loss) this.stmt(`loss ${m.loss.op}${args(m.loss.args)}`, m.loss.span, 1);
    this.close(m.span.end, 0);
    this.afterModel = true;
  }

  private body(s: BodyStmt, depth: number): void {
    if (s.kind === "layer") {
      this.stmt(layerCode(s), s.span, depth);
      return;
    }
    const open = this.tokenAfter(s.countSpan.end, LCurly);
    const count = this.src.text.slice(s.countSpan.start, s.countSpan.end);
    if (this.staysOnOneLine(s)) {
      const layers = s.body.map((b) => (b.kind === "layer" ? layerCode(b) : ""));
      this.stmt(`repeat ${count} { ${layers.join("; ")} }`, s.span, depth);
      return;
    }
    this.header(`repeat ${count} {`, s.span.start, open.startOffset + 1, depth);
    for (const b of s.body) this.body(b, depth + 1);
    this.close(s.span.end, depth);
  }

  /** A repeat of layers only, written on one line with no comment inside, stays on one line (as gofmt keeps one-line blocks). */
  private staysOnOneLine(s: RepeatStmt): boolean {
    const { lines } = this.src;
    if (lines.position(s.span.start).line !== lines.position(s.span.end - 1).line) return false;
    if (!s.body.every((b) => b.kind === "layer")) return false;
    const c = this.comments[this.next];
    return !c || c.startOffset > s.span.end;
  }

  /** A one-line statement whose source is `span`; comments inside it go above it. */
  private stmt(code: string, span: { start: number; end: number }, depth: number): void {
    this.commentsBefore(span.end, depth);
    this.push({ depth, code }, span.start, span.end);
    this.trailingComment(span.end);
  }

  /** `model A {` or `repeat 2 {`, from `start` to just after the '{' at `end`. */
  private header(code: string, start: number, end: number, depth: number): void {
    this.commentsBefore(end, depth);
    this.push({ depth, code }, start, end);
    this.trailingComment(end);
    this.atBlockStart = true;
  }

  /** The '}' ending at `end`: comments before it stay inside the block. */
  private close(end: number, depth: number): void {
    this.commentsBefore(end - 1, depth + 1);
    this.out.push({ depth, code: "}" });
    this.prevEnd = end;
    this.atBlockStart = false;
    this.trailingComment(end);
  }

  private push(line: Line, start: number, end: number): void {
    const blank = !this.atBlockStart && (this.afterModel || newlines(this.src.text, this.prevEnd, start) >= 2);
    if (blank) this.out.push({ depth: 0, code: "", blank: true });
    this.out.push(line);
    this.prevEnd = end;
    this.atBlockStart = false;
    this.afterModel = false;
  }

  /** Places every comment that starts before `offset` on its own line. */
  private commentsBefore(offset: number, depth: number): void {
    while (this.next < this.comments.length && this.comments[this.next].startOffset < offset) {
      const c = this.comments[this.next++];
      this.push({ depth, code: "", comment: c.image.trimEnd() }, c.startOffset, c.startOffset + c.image.length);
    }
  }

  /** Attaches the next comment to the line just placed if it ends the source line of `end` (only `;` between). */
  private trailingComment(end: number): void {
    const c = this.comments[this.next];
    if (!c || this.src.lines.position(c.startOffset).line !== this.src.lines.position(end - 1).line) return;
    for (const t of this.tokensBetween(end, c.startOffset)) if (t.tokenType !== Semicolon) return;
    this.out[this.out.length - 1].comment = c.image.trimEnd();
    this.next++;
    this.prevEnd = c.startOffset + c.image.length;
  }

  private tokensBetween(start: number, end: number): IToken[] {
    const tokens = this.src.tokens;
    const found: IToken[] = [];
    for (let i = tokenIndexAt(tokens, start); i < tokens.length && tokens[i].startOffset < end; i++) found.push(tokens[i]);
    return found;
  }

  private tokenAfter(offset: number, type: IToken["tokenType"]): IToken {
    const tokens = this.src.tokens;
    for (let i = tokenIndexAt(tokens, offset); i < tokens.length; i++) if (tokens[i].tokenType === type) return tokens[i];
    throw new Error(`formatter: no ${type.name} after offset ${offset} in a file that parsed`);
  }
}

function layerCode(l: LayerStmt): string {
  return `${l.label !== undefined ? `${l.label}: ` : ""}${l.op}${args(l.args)}`;
}

function args(list: Arg[]): string {
  return list.length === 0 ? "" : `(${list.map((a) => (a.name !== undefined ? `${a.name}=` : "") + value(a.value)).join(", ")})`;
}

function value(v: Value): string {
  if (v.kind === "number") return v.text;
  if (v.kind === "ident") return v.name;
  return `(${v.items.map((i) => i.text).join(", ")})`;
}

/**
 * Lines as text. Trailing comments line up in one column per paragraph (a run
 * of lines without a blank line), two spaces after the widest code that has one.
 */
function render(lines: Line[]): string[] {
  const text: string[] = [];
  for (let i = 0; i < lines.length; ) {
    let j = i;
    while (j < lines.length && !lines[j].blank) j++;
    const paragraph = lines.slice(i, j);
    const code = (l: Line) => INDENT.repeat(l.depth) + l.code;
    const trailing = paragraph.filter((l) => l.code && l.comment !== undefined);
    const column = Math.max(0, ...trailing.map((l) => code(l).length)) + COMMENT_GAP;
    for (const l of paragraph) {
      if (l.comment === undefined) text.push(code(l));
      else if (!l.code) text.push(code(l) + l.comment);
      else text.push(code(l).padEnd(column) + l.comment);
    }
    if (j < lines.length) text.push("");
    i = j + 1;
  }
  return text;
}

function newlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf("\n", from); i >= 0 && i < to; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

