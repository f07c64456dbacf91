// cnnc fmt's layout: decoded text → the same file in the canonical layout.
// Guarantees: the parse (hence the checked IR) is unchanged, every comment is
// kept, and formatting is idempotent. A file with any E01xx error is not
// formatted (its diagnostics are returned instead), so the AST is complete and
// in source order.
//
// The layout: one statement per line, 2-space indent per body; `label: op(args)`
// with ", " between arguments, `name=value` without spaces, tuples `(a, b)`,
// one space around binary operators (`c * 4`, `c // 2`, `a and b`), parentheses
// as written, block parameters `name = default`; `relu()` is written `relu`;
// numbers exactly as written; `;` dropped. Imports, blocks and models in source
// order; a blank line after every block and model; elsewhere one blank line where
// the source had one or more. A repeat, seq, merge or chain of simple statements
// (layers, references, `{}`) written on one line stays on one line
// (`repeat 2 { conv(8, kernel=3); relu }`, `add { @x; {} }`); others open a body.
// `} else {` and `} else if c {` share the line of the closing brace. A comment
// on its own line stays on its own line (at the block's indent); a comment at
// the end of a line stays at the end of that statement's line, and trailing
// comments of a paragraph (lines between blank lines) share one column; a
// comment inside a statement that spans lines moves onto its own line above it.
// Line endings follow the file's first line ending (LF or CRLF).
import type { IToken } from "chevrotain";
import { Else, LCurly, Semicolon } from "../../grammar/tokens.ts";
import type { ArgExpr, BlockAst, BodyStmt, Expr, FileAst, IfStmt, ImportAst, LabelAst, LayerStmt, ModelAst } from "../ast.ts";
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
  const lines = new Layout(parsed).file(parsed.ast);
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

  file(ast: FileAst): Line[] {
    const items: { start: number; emit: () => void }[] = [
      ...ast.imports.map((i) => ({ start: i.span.start, emit: () => this.importStmt(i) })),
      ...ast.blocks.map((b) => ({ start: b.span.start, emit: () => this.block(b) })),
      ...ast.models.map((m) => ({ start: m.span.start, emit: () => this.model(m) })),
    ];
    for (const item of items.sort((a, b) => a.start - b.start)) item.emit();
    this.commentsBefore(Infinity, 0);
    return this.out;
  }

  private importStmt(i: ImportAst): void {
    this.stmt(`import "${i.path}"`, i.span, 0);
  }

  private block(b: BlockAst): void {
    const open = this.tokenAfter(b.nameSpan.end, LCurly);
    const params = b.params.length === 0 ? "" : `(${b.params.map((p) => (p.default !== undefined ? `${p.name} = ${expr(p.default)}` : p.name)).join(", ")})`;
    this.header(`block ${b.name}${params} {`, b.span.start, open.startOffset + 1, 0);
    for (const s of b.body) this.body(s, 1);
    this.close(b.span.end, 0);
    this.afterModel = true;
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
    switch (s.kind) {
      case "layer":
      case "ref":
        this.stmt(simpleCode(s), s.span, depth);
        return;
      case "chain":
        if (s.body.length === 0 && !this.commentInside(s.span)) {
          this.stmt("{}", s.span, depth);
          return;
        }
        return this.nested("{", s.span.start, s.span, s.body, depth);
      case "repeat": {
        const after = s.index?.span.end ?? s.countSpan.end;
        return this.nested(`repeat ${expr(s.count)}${s.index !== undefined ? ` as ${s.index.name}` : ""} {`, after, s.span, s.body, depth);
      }
      case "seq":
        return this.nested(`${label(s.label)}seq {`, s.keywordSpan.end, s.span, s.body, depth);
      case "merge":
        return this.nested(`${label(s.label)}${s.op} {`, s.opSpan.end, s.span, s.branches, depth);
      case "if":
        return this.ifStmt(s, depth, `if ${expr(s.cond)} {`);
    }
  }

  /** `head {` body `}`; `{` is the first '{' at or after `after`; one line when short and simple. */
  private nested(head: string, after: number, span: { start: number; end: number }, body: readonly BodyStmt[], depth: number): void {
    if (this.staysOnOneLine(span, body)) {
      this.stmt(`${head} ${body.map(simpleCode).join("; ")} }`, span, depth);
      return;
    }
    const open = this.tokenAfter(after, LCurly);
    this.header(head, span.start, open.startOffset + 1, depth);
    for (const b of body) this.body(b, depth + 1);
    this.close(span.end, depth);
  }

  private ifStmt(s: IfStmt, depth: number, head: string): void {
    const open = this.tokenAfter(s.headSpan.end, LCurly);
    this.header(head, s.span.start, open.startOffset + 1, depth);
    for (const b of s.then) this.body(b, depth + 1);
    if (s.otherwise === undefined) {
      this.close(s.thenSpan.end, depth);
      return;
    }
    // `} else {` / `} else if c {`: the closing brace and the else share a line
    this.commentsBefore(s.thenSpan.end - 1, depth + 1);
    const elseTok = this.tokenAfter(s.thenSpan.end, Else);
    const inner = s.otherwise.length === 1 && s.otherwise[0].kind === "if" && s.otherwise[0].span.start > elseTok.startOffset && this.isElseIf(elseTok, s.otherwise[0]) ? s.otherwise[0] : undefined;
    this.atBlockStart = true;
    if (inner !== undefined) {
      this.ifStmtContinued(inner, depth);
      return;
    }
    const elseOpen = this.tokenAfter(elseTok.startOffset, LCurly);
    this.header("} else {", s.thenSpan.end - 1, elseOpen.startOffset + 1, depth);
    for (const b of s.otherwise) this.body(b, depth + 1);
    this.close(s.span.end, depth);
  }

  /** `} else if c {` … : the inner if's header shares the line of the brace before it. */
  private ifStmtContinued(s: IfStmt, depth: number): void {
    this.ifStmt(s, depth, `} else if ${expr(s.cond)} {`);
  }

  private isElseIf(elseTok: IToken, inner: IfStmt): boolean {
    return this.tokensBetween(elseTok.startOffset + elseTok.image.length, inner.span.start).length === 0;
  }

  private commentInside(span: { start: number; end: number }): boolean {
    const c = this.comments[this.next];
    return c !== undefined && c.startOffset < span.end;
  }

  /** Simple statements written on one line with no comment inside stay on one line (as gofmt keeps one-line blocks). */
  private staysOnOneLine(span: { start: number; end: number }, body: readonly BodyStmt[]): boolean {
    const { lines } = this.src;
    if (body.length === 0) return false;
    if (lines.position(span.start).line !== lines.position(span.end - 1).line) return false;
    if (!body.every((b) => b.kind === "layer" || b.kind === "ref" || (b.kind === "chain" && b.body.length === 0))) return false;
    return !this.commentInside(span);
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

function label(l: LabelAst | undefined): string {
  return l !== undefined ? `${l.text}: ` : "";
}

/** A layer, a reference or an empty chain: what a one-line body may hold. */
function simpleCode(s: BodyStmt): string {
  if (s.kind === "layer") return layerCode(s);
  if (s.kind === "ref") return `@${s.name}`;
  return "{}";
}

function layerCode(l: LayerStmt): string {
  return `${label(l.label)}${l.op}${args(l.args)}`;
}

function args(list: ArgExpr[]): string {
  return list.length === 0 ? "" : `(${list.map((a) => (a.name !== undefined ? `${a.name}=` : "") + expr(a.value)).join(", ")})`;
}

function expr(e: Expr): string {
  switch (e.kind) {
    case "number":
      return e.text;
    case "ident":
      return e.name;
    case "tuple":
      return `(${e.items.map(expr).join(", ")})`;
    case "paren":
      return `(${expr(e.inner)})`;
    case "unary":
      return e.op === "-" ? `-${expr(e.operand)}` : `not ${expr(e.operand)}`;
    case "binary":
      return `${expr(e.left)} ${e.op} ${expr(e.right)}`;
  }
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

