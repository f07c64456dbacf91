// layout: prettier's layout of the plain functions the emitter writes most
// (the per-layer kernels: declarations, loops, ifs, arithmetic), written
// directly, in a few milliseconds where cold prettier takes a second. It
// answers only for a function it can lay out exactly as prettier would: every
// statement fits on its line (so no group of prettier's breaks) and uses only
// the syntax below; for anything else it returns undefined and the caller
// (src/emit/format.ts) hands the function to prettier. A test compares its
// answers with prettier's on every example and on random models, both dtypes.
//
// What it knows of prettier (3.x, printWidth 100): 2-space indents; one
// statement per line; a blank line kept (at most one) where the source had one
// after a statement or own-line comment; `const a = 1, b = 2` one declarator a
// line; a loop or if body that is not a block stays on the header's line; a
// signature that does not fit puts each parameter on its own line with a
// trailing comma; operators spaced; parentheses only where precedence needs
// them plus prettier's clarifying ones (`(a * b) / c`, `a + (b % c)`, ...);
// strings in double quotes; trailing `//` comments after a `;` kept.

const WIDTH = 100;

type Token = { kind: "id" | "num" | "str" | "op" | "line-comment" | "block-comment"; text: string; start: number; end: number };

/** Thrown anywhere below to mean "not ours: let prettier do it". */
class Refuse extends Error {}
const refuse = (): never => {
  throw new Refuse();
};

/**
 * One token at a time (sticky): space, comments, names, numbers, strings
 * without quotes or escapes inside, punctuators (longest first). Anything
 * else (template literals, regular expressions, other strings) matches nothing.
 */
const TOKEN =
  /(\s+)|(\/\/[^\n]*)|(\/\*[^]*?\*\/)|([A-Za-z_$][\w$]*)|(\d[\d.]*(?:[eE][+-]?\d+)?[\w$]*)|("[^"\\\n]*"|'[^'"\\\n]*')|(>>>=|\.\.\.|===|!==|\*\*=|<<=|>>=|>>>|&&=|\|\|=|\?\?=|=>|==|!=|<=|>=|&&|\|\||\?\?|\?\.|\+\+|--|\+=|-=|\*=|\/=|%=|&=|\|=|\^=|<<|>>|\*\*|[{}()[\];,<>+\-*/%&|^!~?:=.])/y;
/** Numbers prettier prints unchanged. */
const PLAIN_NUMBER = /^(?:0|[1-9]\d*)(?:\.\d*[1-9])?(?:e-?[1-9]\d*)?$/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(text) ?? refuse();
    const end = TOKEN.lastIndex;
    if (m[1] !== undefined) continue;
    if (m[2] !== undefined) tokens.push({ kind: "line-comment", text: m[2].trimEnd(), start, end });
    else if (m[3] !== undefined) tokens.push({ kind: "block-comment", text: m[3], start, end });
    else if (m[4] !== undefined) tokens.push({ kind: "id", text: m[4], start, end });
    else if (m[5] !== undefined) tokens.push({ kind: "num", text: PLAIN_NUMBER.test(m[5]) ? m[5] : refuse(), start, end });
    // prettier writes a string without quotes inside in double quotes
    else if (m[6] !== undefined) tokens.push({ kind: "str", text: `"${m[6].slice(1, -1)}"`, start, end });
    else tokens.push({ kind: "op", text: m[7]!, start, end });
  }
  return tokens;
}

type Expr =
  | { t: "leaf"; text: string }
  | { t: "bin"; op: string; l: Expr; r: Expr }
  | { t: "assign"; op: string; l: Expr; r: Expr }
  | { t: "cond"; c: Expr; a: Expr; b: Expr }
  | { t: "prefix"; op: string; e: Expr }
  | { t: "postfix"; op: string; e: Expr }
  | { t: "member"; o: Expr; name: string }
  | { t: "index"; o: Expr; i: Expr }
  | { t: "call"; f: Expr; args: Expr[]; isNew: boolean }
  | { t: "seq"; list: Expr[] };

/** prettier's precedence of binary operators (higher binds tighter) */
const PRECEDENCE = new Map<string, number>();
[["??"], ["||"], ["&&"], ["|"], ["^"], ["&"], ["==", "===", "!=", "!=="], ["<", ">", "<=", ">=", "instanceof", "in"], [">>", "<<", ">>>"], ["+", "-"], ["*", "/", "%"]].forEach(
  (ops, level) => ops.forEach((op) => PRECEDENCE.set(op, level)),
);
const ASSIGN = new Set(["=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", ">>>=", "&=", "|=", "^="]);
const LOGICAL = new Set(["&&", "||", "??"]);
const MULTIPLICATIVE = new Set(["*", "/", "%"]);
const SHIFT = new Set([">>", "<<", ">>>"]);
const EQUALITY = new Set(["==", "===", "!=", "!=="]);
const BITWISE = new Set(["|", "^", "&"]);
const KEYWORDS = new Set(["function", "return", "const", "let", "var", "for", "if", "else", "while", "do", "break", "continue", "new", "typeof", "void", "delete", "in", "instanceof", "switch", "case", "throw", "try", "class", "this", "yield", "await", "async", "of", "as", "satisfies"]);

/** prettier's shouldFlatten: may `a op1 b op2 c` print without parentheses around `a op1 b`? */
function shouldFlatten(parent: string, node: string): boolean {
  if (PRECEDENCE.get(parent) !== PRECEDENCE.get(node)) return false;
  if (EQUALITY.has(parent) && EQUALITY.has(node)) return false;
  if ((node === "%" && MULTIPLICATIVE.has(parent)) || (parent === "%" && MULTIPLICATIVE.has(node))) return false;
  if (node !== parent && MULTIPLICATIVE.has(node) && MULTIPLICATIVE.has(parent)) return false;
  if (SHIFT.has(parent) && SHIFT.has(node)) return false;
  return true;
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    readonly text: string,
  ) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }
  is(text: string): boolean {
    const t = this.peek();
    return t !== undefined && (t.kind === "op" || t.kind === "id") && t.text === text;
  }
  next(): Token {
    return this.tokens[this.i++] ?? refuse();
  }
  expect(text: string): Token {
    const t = this.next();
    if (t.text !== text || (t.kind !== "op" && t.kind !== "id")) refuse();
    return t;
  }
  name(): string {
    const t = this.next();
    if (t.kind !== "id" || KEYWORDS.has(t.text)) refuse();
    return t.text;
  }
  /** a type annotation we print as written: a name, optionally `[]` */
  type(): string {
    const t = this.next();
    if (t.kind !== "id") refuse();
    const name = t.text;
    if (this.is("[")) {
      this.next();
      this.expect("]");
      return `${name}[]`;
    }
    if (this.is("<") || this.is("|") || this.is("&") || this.is(".")) refuse();
    return name;
  }
  /** no comment may sit inside a statement */
  noComment(): void {
    const kind = this.peek()?.kind;
    if (kind === "line-comment" || kind === "block-comment") refuse();
  }
  atEnd(): boolean {
    return this.i >= this.tokens.length;
  }
  endOfPrevious(): number {
    return this.tokens[this.i - 1]!.end;
  }

  expression(): Expr {
    this.noComment();
    const left = this.conditional();
    const t = this.peek();
    if (t?.kind === "op" && ASSIGN.has(t.text)) {
      this.next();
      if (left.t !== "leaf" && left.t !== "member" && left.t !== "index") refuse();
      const right = this.conditional();
      if (this.peek()?.kind === "op" && ASSIGN.has(this.peek()!.text)) refuse(); // a = b = c: prettier's chain layout
      return { t: "assign", op: t.text, l: left, r: right };
    }
    return left;
  }
  conditional(): Expr {
    const c = this.binary(0);
    if (!this.is("?")) return c;
    this.next();
    const a = this.binary(0);
    this.expect(":");
    const b = this.binary(0);
    if (this.is("?")) refuse(); // nested ternaries have a layout of their own
    return { t: "cond", c, a, b };
  }
  binary(min: number): Expr {
    let left = this.unary();
    for (;;) {
      this.noComment();
      const t = this.peek();
      const level = t !== undefined && (t.kind === "op" || t.kind === "id") ? PRECEDENCE.get(t.text) : undefined;
      if (level === undefined || level < min) return left;
      this.next();
      const right = this.binary(level + 1);
      left = { t: "bin", op: t!.text, l: left, r: right };
    }
  }
  unary(): Expr {
    this.noComment();
    const t = this.peek();
    if (t?.kind === "op" && ["!", "-", "+", "~", "++", "--"].includes(t.text)) {
      this.next();
      const e = this.unary();
      if (e.t === "prefix") refuse(); // - -x, !!x: prettier's rules for these are not ours
      return { t: "prefix", op: t.text, e };
    }
    if (t?.kind === "id" && ["typeof", "void", "delete", "await"].includes(t.text)) refuse();
    let e = this.postfixable();
    if ((this.is("++") || this.is("--")) && !this.newlineBefore()) e = { t: "postfix", op: this.next().text, e };
    if (this.is("!") && this.peek(1)?.text !== "=") refuse(); // x! (TypeScript)
    return e;
  }
  newlineBefore(): boolean {
    const t = this.peek()!;
    return this.text.slice(this.endOfPrevious(), t.start).includes("\n");
  }
  postfixable(): Expr {
    let e: Expr;
    const t = this.next();
    if (t.kind === "num" || t.kind === "str") e = { t: "leaf", text: t.text };
    else if (t.kind === "id" && t.text === "new") {
      const f = this.name();
      if (!this.is("(")) refuse();
      e = { t: "call", f: { t: "leaf", text: f }, args: this.args(), isNew: true };
    } else if (t.kind === "id" && (!KEYWORDS.has(t.text) || t.text === "this")) e = { t: "leaf", text: t.text };
    else if (t.text === "(") {
      e = this.expression();
      this.expect(")");
      if (this.is("=>")) refuse();
    } else return refuse();
    for (;;) {
      this.noComment();
      if (this.is(".")) {
        this.next();
        const name = this.next();
        if (name.kind !== "id") refuse();
        if (e.t === "leaf" && /^\d/.test(e.text)) refuse();
        e = { t: "member", o: e, name: name.text };
      } else if (this.is("[")) {
        this.next();
        const i = this.expression();
        this.expect("]");
        e = { t: "index", o: e, i };
      } else if (this.is("(")) {
        // prettier lays out member chains with two or more calls on its own terms
        if (callCount(e) >= 1) refuse();
        e = { t: "call", f: e, args: this.args(), isNew: false };
      } else return e;
    }
  }
  args(): Expr[] {
    this.expect("(");
    const args: Expr[] = [];
    while (!this.is(")")) {
      args.push(this.expression());
      if (!this.is(")")) this.expect(",");
      if (this.is(")") && args.length > 0 && this.tokens[this.i - 1]!.text === ",") refuse();
    }
    this.next();
    return args;
  }
  /** expression[, expression]* (for heads and expression statements) */
  sequence(): Expr {
    const list = [this.expression()];
    while (this.is(",")) {
      this.next();
      list.push(this.expression());
    }
    return list.length === 1 ? list[0]! : { t: "seq", list };
  }
}

function callCount(e: Expr): number {
  if (e.t === "call") return 1 + callCount(e.f);
  if (e.t === "member" || e.t === "index") return callCount(e.o);
  return 0;
}

/** Whether `child`, an operand of `parent`, needs parentheses in prettier's output. */
function needsParens(child: Expr, parent: Expr, right: boolean): boolean {
  if (child.t === "seq" || child.t === "assign") return refuse();
  switch (parent.t) {
    case "bin": {
      if (child.t === "cond") return true;
      if (child.t !== "bin") return false;
      if (LOGICAL.has(child.op) && LOGICAL.has(parent.op) && child.op !== parent.op) refuse(); // a && b || c: not ours
      const pp = PRECEDENCE.get(parent.op)!;
      const np = PRECEDENCE.get(child.op)!;
      if (pp > np) return true;
      if (right && pp === np) return true;
      if (pp === np && !shouldFlatten(parent.op, child.op)) return true;
      if (pp < np && child.op === "%") return parent.op === "+" || parent.op === "-";
      return BITWISE.has(parent.op);
    }
    case "prefix":
    case "postfix":
      return child.t === "bin" || child.t === "cond";
    case "member":
    case "index":
    case "call":
      return !right && (child.t === "bin" || child.t === "cond" || child.t === "prefix" || child.t === "postfix" || (parent.t === "call" && parent.isNew && child.t === "call"));
    case "cond":
      if (child.t === "cond") refuse();
      return false;
    default:
      return false;
  }
}

function print(e: Expr): string {
  const sub = (child: Expr, right = false) => (needsParens(child, e, right) ? `(${print(child)})` : print(child));
  switch (e.t) {
    case "leaf":
      return e.text;
    case "bin":
      return `${sub(e.l)} ${e.op} ${sub(e.r, true)}`;
    case "assign":
      if (e.r.t === "seq" || e.r.t === "assign") refuse();
      return `${print(e.l)} ${e.op} ${print(e.r)}`;
    case "cond":
      return `${sub(e.c)} ? ${sub(e.a, true)} : ${sub(e.b, true)}`;
    case "prefix":
      return `${e.op}${sub(e.e)}`;
    case "postfix":
      return `${sub(e.e)}${e.op}`;
    case "member":
      return `${sub(e.o)}.${e.name}`;
    case "index":
      return `${sub(e.o)}[${sub(e.i, true)}]`;
    case "call":
      if (e.args.some((a) => a.t === "seq")) refuse();
      return `${e.isNew ? "new " : ""}${sub(e.f)}(${e.args.map((a) => sub(a, true)).join(", ")})`;
    case "seq":
      return e.list.map((x) => print(x)).join(", ");
  }
}

/** Lines of output; a trailing `// comment` does not count toward the width. */
class Out {
  readonly lines: { text: string; comment?: string }[] = [];
  line(indent: number, text: string, comment?: string): void {
    const line = "  ".repeat(indent) + text;
    if (line.length > WIDTH) refuse();
    this.lines.push({ text: line, comment });
  }
  blank(): void {
    this.lines.push({ text: "" });
  }
  render(): string {
    return this.lines.map((l) => (l.comment === undefined ? l.text : `${l.text} ${l.comment}`)).join("\n") + "\n";
  }
}

/** Whether the line after `end` (past a trailing comment) is blank: prettier keeps one blank line there. */
function blankLineAfter(text: string, end: number): boolean {
  return /^[ \t]*(?:\/\/[^\n]*)?\r?\n[ \t]*\r?\n/.test(text.slice(end, end + 2000));
}

class Printer {
  constructor(
    private readonly p: Parser,
    private readonly out: Out,
  ) {}

  /** statements up to the closing brace (consumed), each with its leading own-line comments */
  block(indent: number): void {
    while (!this.p.is("}")) {
      if (this.p.atEnd()) refuse();
      const t = this.p.peek()!;
      if (t.kind === "block-comment") refuse();
      if (t.kind === "line-comment") {
        if (this.trailsPrevious(t)) refuse();
        this.p.next();
        this.out.line(indent, t.text);
        if (this.p.is("}")) refuse(); // a comment closing a block is prettier's dangling or trailing comment
        if (blankLineAfter(this.p.text, t.end)) this.out.blank();
      } else {
        this.statement(indent);
        if (!this.p.is("}") && blankLineAfter(this.p.text, this.p.endOfPrevious())) this.out.blank();
      }
    }
    this.p.next();
  }

  /** whether a comment sits on the same line as the code before it */
  trailsPrevious(t: Token): boolean {
    return !this.p.text.slice(this.p.endOfPrevious(), t.start).includes("\n");
  }

  /** the trailing `// comment` after a statement's `;`, if any, consumed */
  trailing(): string | undefined {
    const t = this.p.peek();
    if (t?.kind !== "line-comment" || !this.trailsPrevious(t)) return undefined;
    this.p.next();
    return t.text;
  }

  statement(indent: number): void {
    const p = this.p;
    if (p.is("{")) {
      p.next();
      if (p.is("}")) {
        p.next();
        this.out.line(indent, "{}");
      } else {
        this.out.line(indent, "{");
        this.block(indent + 1);
        this.out.line(indent, "}");
      }
      this.noTrailing();
    } else if (p.is("const") || p.is("let")) {
      const keyword = p.next().text;
      const declarators = this.declarators();
      p.expect(";");
      const comment = this.trailing();
      if (declarators.length > 1 && declarators.some((d) => d.includes(" = "))) {
        declarators.forEach((d, i) =>
          i === 0
            ? this.out.line(indent, `${keyword} ${d},`)
            : this.out.line(indent + 1, `${d}${i === declarators.length - 1 ? ";" : ","}`, i === declarators.length - 1 ? comment : undefined),
        );
      } else {
        this.out.line(indent, `${keyword} ${declarators.join(", ")};`, comment);
      }
    } else if (p.is("for")) {
      p.next();
      p.expect("(");
      let init: string;
      if (p.is("let") || p.is("const")) init = `${p.next().text} ${this.declarators().join(", ")}`;
      else init = p.is(";") ? refuse() : print(p.sequence());
      p.expect(";");
      const test = p.is(";") ? refuse() : print(p.expression());
      p.expect(";");
      const update = p.is(")") ? refuse() : print(p.sequence());
      p.expect(")");
      this.clause(indent, `for (${init}; ${test}; ${update})`);
    } else if (p.is("if")) {
      this.ifStatement(indent, "");
    } else if (p.is("return") || p.is("break") || p.is("continue")) {
      const keyword = p.next().text;
      let text = keyword;
      if (keyword === "return" && !p.is(";")) {
        const e = p.expression();
        // prettier wraps a multi-line or binary return value in its own group
        if (e.t === "bin" && LOGICAL.has(e.op)) refuse();
        text += ` ${print(e)}`;
      } else if (keyword !== "return" && !p.is(";")) refuse();
      p.expect(";");
      this.out.line(indent, `${text};`, this.trailing());
    } else {
      const first = p.peek();
      if (first === undefined || first.kind === "str" || (first.kind === "id" && KEYWORDS.has(first.text) && first.text !== "this") || first.text === "(" || first.text === "[") refuse();
      const e = p.sequence();
      p.expect(";");
      const comment = this.trailing();
      const flat = `${print(e)};`;
      if ("  ".repeat(indent).length + flat.length <= WIDTH || e.t !== "call" || e.isNew || e.f.t !== "leaf" || e.args.length === 0) {
        this.out.line(indent, flat, comment);
      } else {
        // a call that does not fit: prettier puts each argument on its own line, with a trailing comma
        this.out.line(indent, `${e.f.text}(`);
        for (const arg of e.args) this.out.line(indent + 1, `${print(arg)},`);
        this.out.line(indent, ");", comment);
      }
    }
  }

  /** `if (test) …` with an optional `else`; `prefix` is "} else " for an else-if */
  ifStatement(indent: number, prefix: string): void {
    const p = this.p;
    p.next();
    p.expect("(");
    const test = print(p.expression());
    p.expect(")");
    p.noComment();
    if (!p.is("{")) {
      if (prefix !== "") refuse();
      this.clause(indent, `if (${test})`);
      if (p.is("else")) refuse(); // an else after a bare consequent goes on its own line in prettier
      return;
    }
    p.next();
    this.out.line(indent, `${prefix}if (${test}) {`);
    if (p.is("}")) refuse();
    this.block(indent + 1);
    p.noComment();
    if (!p.is("else")) {
      this.out.line(indent, "}");
      this.noTrailing();
      return;
    }
    p.next();
    p.noComment();
    if (p.is("if")) return this.ifStatement(indent, "} else ");
    p.expect("{");
    if (p.is("}")) refuse();
    this.out.line(indent, "} else {");
    this.block(indent + 1);
    this.out.line(indent, "}");
    this.noTrailing();
  }

  /** a loop or if header and its body: a block opens on the header's line; anything else stays on it */
  clause(indent: number, header: string): void {
    const p = this.p;
    p.noComment();
    if (p.is("{")) {
      p.next();
      if (p.is("}")) {
        p.next();
        this.out.line(indent, `${header} {}`);
      } else {
        this.out.line(indent, `${header} {`);
        this.block(indent + 1);
        this.out.line(indent, "}");
      }
      this.noTrailing();
      return;
    }
    const body = new Out();
    new Printer(p, body).statement(0);
    if (body.lines.length !== 1) refuse();
    this.out.line(indent, `${header} ${body.lines[0]!.text}`, body.lines[0]!.comment);
  }

  noTrailing(): void {
    const t = this.p.peek();
    if (t?.kind === "line-comment" && this.trailsPrevious(t)) refuse();
  }

  declarators(): string[] {
    const p = this.p;
    const list: string[] = [];
    do {
      if (list.length > 0) p.next();
      let d = p.name();
      if (p.is(":")) {
        p.next();
        d += `: ${p.type()}`;
      }
      if (p.is("=")) {
        p.next();
        const init = p.expression();
        if (init.t === "seq" || init.t === "assign") refuse();
        d += ` = ${print(init)}`;
      }
      list.push(d);
    } while (p.is(","));
    return list;
  }
}

/**
 * A comment's lines as prettier prints them at the top level: a block comment
 * whose every line starts with `*` gets its lines re-indented one space under
 * the `/*`; any other comment is printed as written.
 */
function commentLines(t: Token): string[] {
  if (t.kind === "line-comment") return [t.text];
  const lines = t.text.slice(2, -2).split("\n");
  if (lines.length === 1 || !`*${t.text.slice(2, -2)}*`.split("\n").every((line) => line.trimStart().startsWith("*"))) {
    return t.text.split("\n");
  }
  const last = lines.length - 1;
  const body = lines.map((line, i) => (i === 0 ? line.trimEnd() : " " + (i < last ? line.trimEnd() : line).trimStart()));
  return `/*${body.join("\n")}*/`.split("\n");
}

/**
 * Prettier's output for `piece` (leading `//` comments and one plain function
 * declaration, as split by top-level.ts), or undefined when it is not sure.
 */
export function layoutFunction(piece: string): string | undefined {
  try {
    const p = new Parser(tokenize(piece), piece);
    const out = new Out();
    while (p.peek()?.kind === "line-comment" || p.peek()?.kind === "block-comment") {
      const t = p.next();
      if (!/^[ \t]*\r?\n/.test(piece.slice(t.end))) refuse(); // code after a comment on its line
      for (const line of commentLines(t)) out.lines.push({ text: line });
      if (blankLineAfter(piece, t.end)) out.blank();
    }
    const exported = p.is("export") ? (p.next(), "export ") : "";
    p.expect("function");
    const name = p.name();
    p.expect("(");
    const params: string[] = [];
    while (!p.is(")")) {
      const param = p.name();
      p.expect(":");
      params.push(`${param}: ${p.type()}`);
      if (!p.is(")")) p.expect(",");
    }
    p.next();
    let returns = "";
    if (p.is(":")) {
      p.next();
      returns = `: ${p.type()}`;
    }
    p.noComment();
    p.expect("{");
    if (p.is("}")) refuse();
    const head = `${exported}function ${name}(${params.join(", ")})${returns} {`;
    if (head.length <= WIDTH) {
      out.line(0, head);
    } else {
      out.line(0, `${exported}function ${name}(`);
      for (const param of params) out.line(1, `${param},`);
      out.line(0, `)${returns} {`);
    }
    new Printer(p, out).block(1);
    out.line(0, "}");
    if (!p.atEnd()) refuse();
    return out.render();
  } catch (error) {
    if (error instanceof Refuse) return undefined;
    throw error;
  }
}
