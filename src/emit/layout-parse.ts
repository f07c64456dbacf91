// layout-parse: the TypeScript the emitter writes → a syntax tree for
// src/emit/layout-print.ts. It reads a subset (declarations, the usual
// statements and expressions, type annotations, literal types) and keeps what
// prettier's layout depends on: comments and where they sit, blank lines after
// statements and members, whether an object literal's first member starts on a
// new line, string and number spellings. Anything else throws Refuse, and the
// piece goes to prettier.
import { refuse } from "./layout-doc.ts";

export type TokenKind = "id" | "num" | "str" | "template" | "regex" | "op" | "comment";
export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
  /** a template literal's text between its `${}`s, raw */
  quasis?: string[];
  /** a template literal's `${}` sources */
  exprs?: { text: string; start: number }[];
}

const PUNCTUATORS = [
  ">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??=",
  "=>", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<", ">>", "**",
];
const SINGLE = new Set([..."{}()[];,<>+-*/%&|^!~?:=.@#"]);
/** the punctuators longer than one character by their first character, longest first (most operators start none) */
const PUNCTUATORS_BY_FIRST = new Map<string, string[]>();
for (const op of PUNCTUATORS) PUNCTUATORS_BY_FIRST.set(op[0]!, [...(PUNCTUATORS_BY_FIRST.get(op[0]!) ?? []), op]);
/** after these tokens a `/` starts a regular expression */
const REGEX_AFTER_WORD = new Set(["return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw", "instanceof", "yield", "await"]);

export function tokenize(text: string, from = 0, to = text.length): Token[] {
  const tokens: Token[] = [];
  let i = from;
  const regexAllowed = () => {
    let last: Token | undefined;
    for (let k = tokens.length - 1; k >= 0 && last === undefined; k--) if (tokens[k]!.kind !== "comment") last = tokens[k];
    if (last === undefined) return true;
    if (last.kind === "op") return last.text !== ")" && last.text !== "]" && last.text !== "}" && last.text !== "++" && last.text !== "--";
    return last.kind === "id" && REGEX_AFTER_WORD.has(last.text);
  };
  while (i < to) {
    const c = text[i]!;
    const start = i;
    if (c === " " || c === "\n" || c === "\t" || c === "\r") {
      i++;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < to && text[i] !== "\n") i++;
      tokens.push({ kind: "comment", text: text.slice(start, i).trimEnd(), start, end: i });
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      if (end < 0 || end + 2 > to) refuse();
      i = end + 2;
      tokens.push({ kind: "comment", text: text.slice(start, i), start, end: i });
    } else if (isIdentifierStart(text.charCodeAt(i))) {
      i++;
      while (i < to && isIdentifierPart(text.charCodeAt(i))) i++;
      tokens.push({ kind: "id", text: text.slice(start, i), start, end: i });
    } else if (isDigit(text.charCodeAt(i)) || (c === "." && isDigit(text.charCodeAt(i + 1)))) {
      while (i < to && (isWord(text.charCodeAt(i)) || text.charCodeAt(i) === 46)) i++;
      if ((text[i - 1] === "e" || text[i - 1] === "E") && (text[i] === "+" || text[i] === "-") && !/^0x/i.test(text.slice(start, i))) {
        i++;
        while (i < to && isWord(text.charCodeAt(i))) i++;
      }
      tokens.push({ kind: "num", text: text.slice(start, i), start, end: i });
    } else if (c === '"' || c === "'") {
      for (i++; i < to && text[i] !== c; i++) {
        if (text[i] === "\\") i++;
        else if (text[i] === "\n") refuse();
      }
      i++;
      if (i > to) refuse();
      tokens.push({ kind: "str", text: text.slice(start, i), start, end: i });
    } else if (c === "`") {
      i++;
      const quasis: string[] = [];
      const exprs: { text: string; start: number }[] = [];
      let q = i;
      for (;;) {
        if (i >= to) refuse();
        if (text[i] === "\\") i += 2;
        else if (text[i] === "`") break;
        else if (text[i] === "$" && text[i + 1] === "{") {
          quasis.push(text.slice(q, i));
          const exprStart = i + 2;
          i = skipBraces(text, exprStart, to);
          exprs.push({ text: text.slice(exprStart, i), start: exprStart });
          i++;
          q = i;
        } else i++;
      }
      quasis.push(text.slice(q, i));
      i++;
      tokens.push({ kind: "template", text: text.slice(start, i), start, end: i, quasis, exprs });
    } else if (c === "/" && regexAllowed()) {
      let inClass = false;
      for (i++; ; i++) {
        if (i >= to || text[i] === "\n") refuse();
        if (text[i] === "\\") i++;
        else if (text[i] === "[") inClass = true;
        else if (text[i] === "]") inClass = false;
        else if (text[i] === "/" && !inClass) break;
      }
      i++;
      while (i < to && /[a-z]/.test(text[i]!)) i++;
      tokens.push({ kind: "regex", text: text.slice(start, i), start, end: i });
    } else {
      const p = SINGLE.has(text[i + 1] ?? "") ? PUNCTUATORS_BY_FIRST.get(c)?.find((op) => text.startsWith(op, i)) : undefined;
      if (p === undefined && !SINGLE.has(c)) refuse();
      i += p?.length ?? 1;
      tokens.push({ kind: "op", text: text.slice(start, i), start, end: i });
    }
  }
  return tokens;
}

const isDigit = (code: number) => code >= 48 && code <= 57;
const isIdentifierStart = (code: number) => (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code === 36;
const isIdentifierPart = (code: number) => isIdentifierStart(code) || isDigit(code);
/** a regular expression's `\w` */
const isWord = (code: number) => (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || isDigit(code);

/** From just inside a `${`, the index of its closing `}` (strings skipped; nested templates, comments and regular expressions refused). */
function skipBraces(text: string, from: number, to: number): number {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const c = text[i]!;
    if (c === "{") depth++;
    else if (c === "}") {
      if (depth === 0) return i;
      depth--;
    } else if (c === '"' || c === "'") {
      for (i++; i < to && text[i] !== c; i++) if (text[i] === "\\") i++;
    } else if (c === "`" || c === "/") return refuse();
  }
  return refuse();
}

// ---- the tree ----

export interface Comment {
  text: string;
  /** a blank line follows it */
  blankAfter: boolean;
}
export type Type =
  | { t: "ref"; name: string; args?: Type[] }
  | { t: "array"; elem: Type }
  | { t: "indexed"; object: Type; index: Type }
  | { t: "union"; types: Type[] }
  | { t: "operator"; op: "readonly" | "keyof"; type: Type }
  | { t: "literal"; text: string }
  | { t: "tuple"; elems: Type[] }
  | { t: "fn"; params: Param[]; ret: Type; isNew: boolean }
  | { t: "object"; members: Member[]; broken: boolean };
export type Member =
  | { m: "prop"; key: string; optional: boolean; readonly: boolean; type: Type; comments: Comment[]; blankAfter: boolean }
  | { m: "index"; name: string; keyType: Type; type: Type; comments: Comment[]; blankAfter: boolean }
  | { m: "method"; key: string; params: Param[]; ret: Type; comments: Comment[]; blankAfter: boolean };
export interface Param {
  pattern: Pattern;
  optional: boolean;
  type?: Type;
  init?: Expr;
  rest: boolean;
}
export type Pattern = { p: "id"; name: string } | { p: "array" | "object"; names: string[] };
export type Prop = { k: "prop"; key: string; value: Expr; shorthand: boolean } | { k: "spread"; arg: Expr };
export type Expr =
  | { t: "id"; name: string }
  | { t: "num"; text: string }
  | { t: "str"; text: string }
  | { t: "regex"; text: string }
  | { t: "template"; quasis: string[]; exprs: Expr[] }
  | { t: "array"; elems: Expr[] }
  | { t: "object"; props: Prop[]; broken: boolean }
  | { t: "arrow"; params: Param[]; ret?: Type; body: Expr | Stmt }
  | { t: "call"; callee: Expr; args: Expr[]; optional: boolean; isNew: boolean; typeArgs?: Type[] }
  | { t: "member"; object: Expr; name: string; optional: boolean }
  | { t: "index"; object: Expr; index: Expr; optional: boolean }
  | { t: "nonnull"; expr: Expr }
  | { t: "unary"; op: string; arg: Expr }
  | { t: "update"; op: string; prefix: boolean; arg: Expr }
  | { t: "binary"; op: string; left: Expr; right: Expr }
  | { t: "cond"; test: Expr; cons: Expr; alt: Expr }
  | { t: "assign"; op: string; left: Expr; right: Expr }
  | { t: "as"; op: "as" | "satisfies"; expr: Expr; type: Type }
  | { t: "spread"; arg: Expr }
  | { t: "seq"; list: Expr[] };
export interface Declarator {
  id: Pattern;
  type?: Type;
  init?: Expr;
}
export type Stmt = (
  | { s: "var"; kind: string; decls: Declarator[] }
  | { s: "function"; async: boolean; name: string; params: Param[]; ret?: Type; body: Stmt & { s: "block" } }
  | { s: "type"; name: string; type: Type }
  | { s: "import-all"; name: string; from: string }
  | { s: "expr"; expr: Expr }
  | { s: "if"; test: Expr; cons: Stmt; alt?: Stmt }
  | { s: "for"; init?: Stmt | Expr; test?: Expr; update?: Expr; body: Stmt }
  | { s: "forof"; decl: Stmt & { s: "var" }; right: Expr; body: Stmt }
  | { s: "while"; test: Expr; body: Stmt }
  | { s: "return"; arg?: Expr }
  | { s: "throw"; arg: Expr }
  | { s: "break" }
  | { s: "continue" }
  | { s: "block"; body: Stmt[] }
  | { s: "try"; block: Stmt & { s: "block" }; param?: string; handler?: Stmt & { s: "block" }; finalizer?: Stmt & { s: "block" } }
) & { exported?: boolean; comments?: Comment[]; trailing?: string; blankAfter?: boolean };

const BLANK_AFTER = /[ \t]*(?:\/\/[^\n]*|\/\*[^\n]*?\*\/[ \t]*)?\r?\n[ \t]*\r?\n/y;
const ASSIGN = new Set(["=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", ">>>=", "&=", "|=", "^=", "**=", "&&=", "||=", "??="]);
/** binary operators by precedence (higher binds tighter) */
export const PRECEDENCE = new Map<string, number>();
[["??"], ["||"], ["&&"], ["|"], ["^"], ["&"], ["==", "===", "!=", "!=="], ["<", ">", "<=", ">=", "instanceof", "in"], [">>", "<<", ">>>"], ["+", "-"], ["*", "/", "%"], ["**"]].forEach(
  (ops, level) => ops.forEach((op) => PRECEDENCE.set(op, level)),
);
const RESERVED = new Set([
  "function", "return", "const", "let", "var", "for", "if", "else", "while", "do", "break", "continue", "new", "typeof", "void", "delete", "in",
  "instanceof", "switch", "case", "throw", "try", "catch", "finally", "class", "yield", "await", "import", "export", "default", "enum", "super", "with",
]);

export class Parser {
  private i = 0;
  private readonly tokens: Token[];
  constructor(
    readonly text: string,
    from = 0,
    to = text.length,
  ) {
    this.tokens = tokenize(text, from, to);
  }

  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }
  is(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && (t.kind === "op" || t.kind === "id") && t.text === text;
  }
  next(): Token {
    return this.tokens[this.i++] ?? refuse();
  }
  eat(text: string): boolean {
    if (!this.is(text)) return false;
    this.i++;
    return true;
  }
  expect(text: string): Token {
    if (!this.is(text)) refuse();
    return this.next();
  }
  atEnd(): boolean {
    return this.i >= this.tokens.length;
  }
  /** end of the last token taken */
  end(): number {
    return this.tokens[this.i - 1]!.end;
  }
  name(): string {
    const t = this.next();
    if (t.kind !== "id" || RESERVED.has(t.text)) refuse();
    return t.text;
  }
  /** no comment may sit inside an expression or type */
  noComment(): void {
    if (this.peek()?.kind === "comment") refuse();
  }
  /** whether the source has a newline between the last token taken and the next */
  newlineBefore(): boolean {
    const t = this.peek();
    if (t === undefined) return false;
    const at = this.text.indexOf("\n", this.end());
    return at >= 0 && at < t.start;
  }
  /** prettier's isNextLineEmpty after the last token taken: past the rest of its line (and a comment there), is the next line blank? */
  blankAfter(at = this.end()): boolean {
    BLANK_AFTER.lastIndex = at;
    return BLANK_AFTER.test(this.text);
  }

  /** own-line comments before the next statement or member */
  leadingComments(): Comment[] {
    const comments: Comment[] = [];
    while (this.peek()?.kind === "comment") {
      const t = this.peek()!;
      if (this.i > 0 && !this.newlineBefore()) refuse(); // a comment after code on its line
      this.next();
      if (!/^[ \t]*\r?\n/.test(this.text.slice(t.end))) refuse(); // code after a comment on its line
      comments.push({ text: t.text, blankAfter: this.blankAfter() });
    }
    return comments;
  }
  /** a `// comment` on the line of the last token taken */
  trailingComment(): string | undefined {
    const t = this.peek();
    if (t?.kind !== "comment" || this.newlineBefore()) return undefined;
    if (!t.text.startsWith("//")) refuse();
    this.next();
    return t.text;
  }

  // ---- statements ----

  /** statements up to the end of the text (the program) or a closing brace (not consumed) */
  statements(): Stmt[] {
    const list: Stmt[] = [];
    for (;;) {
      const comments = this.leadingComments();
      if (this.atEnd() || this.is("}")) {
        if (comments.length > 0) refuse(); // a comment closing a block is prettier's dangling comment
        return list;
      }
      const stmt = this.statement();
      stmt.comments = comments;
      stmt.trailing = this.trailingComment();
      stmt.blankAfter = this.blankAfter();
      list.push(stmt);
    }
  }

  block(): Stmt & { s: "block" } {
    this.expect("{");
    const body = this.statements();
    this.expect("}");
    return { s: "block", body };
  }

  statement(): Stmt {
    this.noComment();
    if (this.is("export")) {
      this.next();
      const stmt = this.statement();
      if (stmt.s !== "function" && stmt.s !== "var" && stmt.s !== "type") refuse();
      stmt.exported = true;
      return stmt;
    }
    if (this.is("{")) return this.block();
    if (this.eat("import")) {
      // only `import * as name from "path";`
      this.expect("*");
      this.expect("as");
      const name = this.name();
      this.expect("from");
      const from = this.next();
      if (from.kind !== "str") refuse();
      this.expect(";");
      return { s: "import-all", name, from: from.text };
    }
    if (this.is("const") || this.is("let")) {
      const stmt = this.varDecl();
      this.expect(";");
      return stmt;
    }
    if (this.is("async") && this.is("function", 1)) {
      this.next();
      const fn = this.functionDecl();
      if (fn.s === "function") fn.async = true;
      return fn;
    }
    if (this.is("function")) return this.functionDecl();
    if (this.is("type") && this.peek(1)?.kind === "id") {
      this.next();
      const name = this.name();
      if (this.is("<")) refuse();
      this.expect("=");
      const type = this.type();
      this.expect(";");
      return { s: "type", name, type };
    }
    if (this.eat("if")) {
      this.expect("(");
      const test = this.expression();
      this.expect(")");
      const cons = this.body();
      if (!this.eat("else")) return { s: "if", test, cons };
      return { s: "if", test, cons, alt: this.body() };
    }
    if (this.eat("for")) {
      this.expect("(");
      if ((this.is("const") || this.is("let")) && (this.is("of", 2) || this.is("of", 4) || this.is("[", 1))) {
        const decl = this.forOfHead();
        this.expect("of");
        const right = this.expression();
        this.expect(")");
        return { s: "forof", decl, right, body: this.body() };
      }
      const init = this.is(";") ? undefined : this.is("const") || this.is("let") ? this.varDecl() : this.sequence();
      this.expect(";");
      const test = this.is(";") ? undefined : this.expression();
      this.expect(";");
      const update = this.is(")") ? undefined : this.sequence();
      this.expect(")");
      return { s: "for", init, test, update, body: this.body() };
    }
    if (this.eat("while")) {
      this.expect("(");
      const test = this.expression();
      this.expect(")");
      return { s: "while", test, body: this.body() };
    }
    if (this.eat("return")) {
      if (this.eat(";")) return { s: "return" };
      const arg = this.sequence();
      this.expect(";");
      return { s: "return", arg };
    }
    if (this.eat("throw")) {
      const arg = this.expression();
      this.expect(";");
      return { s: "throw", arg };
    }
    if (this.is("break") || this.is("continue")) {
      const s = this.next().text as "break" | "continue";
      this.expect(";");
      return { s };
    }
    if (this.eat("try")) {
      const block = this.block();
      let param: string | undefined;
      let handler: (Stmt & { s: "block" }) | undefined;
      if (this.eat("catch")) {
        if (this.eat("(")) {
          param = this.name();
          this.expect(")");
        }
        handler = this.block();
      }
      const finalizer = this.eat("finally") ? this.block() : undefined;
      if (handler === undefined && finalizer === undefined) refuse();
      return { s: "try", block, param, handler, finalizer };
    }
    const first = this.peek();
    if (first === undefined || (first.kind === "id" && RESERVED.has(first.text) && !["new", "void", "typeof", "delete"].includes(first.text)) || first.text === "{" || first.text === "(") refuse();
    const expr = this.sequence();
    this.expect(";");
    return { s: "expr", expr };
  }

  /** a loop or if body: a block, or one statement (with no comments around it) */
  body(): Stmt {
    this.noComment();
    const stmt = this.statement();
    if (stmt.s === "var" || stmt.s === "function" || stmt.s === "type") refuse();
    return stmt;
  }

  functionDecl(): Stmt {
    this.expect("function");
    const name = this.name();
    if (this.is("<")) refuse();
    const params = this.params();
    const ret = this.eat(":") ? this.type() : undefined;
    this.noComment();
    return { s: "function", async: false, name, params, ret, body: this.block() };
  }

  varDecl(): Stmt & { s: "var" } {
    const kind = this.next().text;
    const decls: Declarator[] = [];
    do {
      const id = this.pattern();
      const type = this.eat(":") ? this.type() : undefined;
      const init = this.eat("=") ? this.expression() : undefined;
      decls.push({ id, type, init });
    } while (this.eat(","));
    return { s: "var", kind, decls };
  }

  forOfHead(): Stmt & { s: "var" } {
    const kind = this.next().text;
    return { s: "var", kind, decls: [{ id: this.pattern() }] };
  }

  /** a name, or `[a, b]`, or `{ a, b }` (shorthand only) */
  pattern(): Pattern {
    this.noComment();
    const close = this.eat("[") ? "]" : this.eat("{") ? "}" : undefined;
    if (close === undefined) return { p: "id", name: this.name() };
    const names: string[] = [];
    while (!this.eat(close)) {
      names.push(this.name());
      if (!this.is(close)) this.expect(",");
    }
    if (close === "}" && names.length === 0) refuse();
    return { p: close === "]" ? "array" : "object", names };
  }

  params(): Param[] {
    this.expect("(");
    const params: Param[] = [];
    while (!this.eat(")")) {
      this.noComment();
      const rest = this.eat("...");
      const pattern = this.pattern();
      const optional = this.eat("?");
      const type = this.eat(":") ? this.type() : undefined;
      const init = this.eat("=") ? this.expression() : undefined;
      params.push({ pattern, optional, type, init, rest });
      if (!this.is(")")) this.expect(",");
    }
    return params;
  }

  // ---- types ----

  type(): Type {
    this.noComment();
    this.eat("|"); // a leading `|`: prettier drops it when the union fits
    const first = this.arrayType();
    if (!this.is("|")) return first;
    const types = [first];
    while (this.eat("|")) types.push(this.arrayType());
    return { t: "union", types };
  }

  arrayType(): Type {
    this.noComment();
    if (this.is("readonly") || this.is("keyof")) {
      const op = this.next().text as "readonly" | "keyof";
      return { t: "operator", op, type: this.arrayType() };
    }
    let type = this.primaryType();
    while (this.is("[")) {
      this.next();
      if (this.eat("]")) type = { t: "array", elem: type };
      else {
        const index = this.type();
        this.expect("]");
        type = { t: "indexed", object: type, index };
      }
    }
    if (this.is("&") || this.is("extends") || this.is("[")) refuse();
    return type;
  }

  primaryType(): Type {
    const t = this.peek() ?? refuse();
    if (t.kind === "str") {
      this.next();
      return { t: "literal", text: t.text };
    }
    if (t.kind === "num") {
      this.next();
      return { t: "literal", text: t.text };
    }
    if (this.is("{")) return this.objectType();
    if (this.is("[")) {
      this.next();
      const elems: Type[] = [];
      while (!this.eat("]")) {
        elems.push(this.type());
        if (!this.is("]")) this.expect(",");
      }
      return { t: "tuple", elems };
    }
    if (this.is("new") && this.is("(", 1)) {
      this.next();
      const params = this.params();
      this.expect("=>");
      return { t: "fn", params, ret: this.type(), isNew: true };
    }
    if (this.is("(")) {
      // a function type, or a type in parentheses: `(` then a name and `:` or `?`, or `)` or `...`, starts parameters
      const paren = !(this.is(")", 1) || this.is("...", 1) || (this.peek(1)?.kind === "id" && (this.is(":", 2) || this.is("?", 2) || this.is(",", 2))));
      if (paren) {
        this.next();
        const inner = this.type();
        this.expect(")");
        return inner;
      }
      const params = this.params();
      this.expect("=>");
      return { t: "fn", params, ret: this.type(), isNew: false };
    }
    if (t.kind !== "id" || t.text === "typeof" || t.text === "infer") refuse();
    this.next();
    let name = t.text;
    while (this.is(".")) {
      this.next();
      name += "." + this.name();
    }
    if (!this.is("<")) return { t: "ref", name };
    this.next();
    const args: Type[] = [];
    while (!this.eat(">")) {
      args.push(this.type());
      if (!this.is(">")) this.expect(",");
    }
    return { t: "ref", name, args };
  }

  objectType(): Type {
    const open = this.expect("{");
    const broken = this.text.slice(open.end, this.peek()?.start).includes("\n");
    const members: Member[] = [];
    for (;;) {
      const comments = this.leadingComments();
      if (this.eat("}")) {
        if (comments.length > 0) refuse();
        return { t: "object", members, broken };
      }
      let member: Member;
      const readonly = this.is("readonly") && this.peek(1)?.kind === "id";
      if (readonly) this.next();
      if (this.eat("[")) {
        const name = this.name();
        this.expect(":");
        const keyType = this.type();
        this.expect("]");
        this.expect(":");
        member = { m: "index", name, keyType, type: this.type(), comments, blankAfter: false };
      } else {
        const k = this.next();
        if (k.kind !== "id" && k.kind !== "str") refuse();
        if (this.is("(")) {
          const params = this.params();
          this.expect(":");
          member = { m: "method", key: k.text, params, ret: this.type(), comments, blankAfter: false };
        } else {
          const optional = this.eat("?");
          this.expect(":");
          member = { m: "prop", key: k.text, optional, readonly, type: this.type(), comments, blankAfter: false };
        }
      }
      if (!this.eat(";") && !this.eat(",") && !this.is("}")) refuse();
      if (this.peek()?.kind === "comment" && !this.newlineBefore()) refuse();
      member.blankAfter = this.blankAfter();
      members.push(member);
    }
  }

  // ---- expressions ----

  sequence(): Expr {
    const first = this.expression();
    if (!this.is(",")) return first;
    const list = [first];
    while (this.eat(",")) list.push(this.expression());
    return { t: "seq", list };
  }

  expression(): Expr {
    this.noComment();
    if (this.isArrow()) return this.arrow();
    const left = this.conditional();
    const t = this.peek();
    if (t?.kind === "op" && ASSIGN.has(t.text)) {
      this.next();
      if (left.t !== "id" && left.t !== "member" && left.t !== "index") refuse();
      return { t: "assign", op: t.text, left, right: this.expression() };
    }
    return left;
  }

  /** at `(`…`) =>` or `(`…`): T =>` */
  isArrow(): boolean {
    if (!this.is("(")) return false;
    let depth = 0;
    for (let k = this.i; k < this.tokens.length; k++) {
      const t = this.tokens[k]!;
      if (t.kind !== "op") continue;
      if (t.text === "(" || t.text === "[" || t.text === "{") depth++;
      else if (t.text === ")" || t.text === "]" || t.text === "}") {
        depth--;
        if (depth === 0) {
          const after = this.tokens[k + 1];
          return after !== undefined && after.kind === "op" && (after.text === "=>" || after.text === ":");
        }
      }
    }
    return false;
  }

  arrow(): Expr {
    const params = this.params();
    const ret = this.eat(":") ? this.type() : undefined;
    this.expect("=>");
    this.noComment();
    if (this.is("{")) return { t: "arrow", params, ret, body: this.block() };
    return { t: "arrow", params, ret, body: this.expression() };
  }

  conditional(): Expr {
    const test = this.binary(0);
    if (!this.eat("?")) return test;
    const cons = this.expression();
    this.expect(":");
    return { t: "cond", test, cons, alt: this.expression() };
  }

  binary(min: number): Expr {
    let left = this.unary();
    for (;;) {
      this.noComment();
      const t = this.peek();
      if (t !== undefined && t.kind === "id" && (t.text === "as" || t.text === "satisfies")) {
        // `as` binds like a relational operator
        if (PRECEDENCE.get("<")! < min) return left;
        this.next();
        left = { t: "as", op: t.text, expr: left, type: this.type() };
        continue;
      }
      const level = t !== undefined && (t.kind === "op" || t.kind === "id") ? PRECEDENCE.get(t.text) : undefined;
      if (level === undefined || level < min) return left;
      this.next();
      // ** is right-associative
      const right = this.binary(t!.text === "**" ? level : level + 1);
      left = { t: "binary", op: t!.text, left, right };
    }
  }

  unary(): Expr {
    this.noComment();
    const t = this.peek();
    if (t?.kind === "op" && (t.text === "++" || t.text === "--")) {
      this.next();
      return { t: "update", op: t.text, prefix: true, arg: this.unary() };
    }
    if ((t?.kind === "op" && ["!", "-", "+", "~"].includes(t.text)) || (t?.kind === "id" && ["typeof", "void", "delete", "await"].includes(t.text))) {
      this.next();
      return { t: "unary", op: t.text, arg: this.unary() };
    }
    const e = this.postfix();
    if ((this.is("++") || this.is("--")) && !this.newlineBefore()) return { t: "update", op: this.next().text, prefix: false, arg: e };
    return e;
  }

  postfix(): Expr {
    let e = this.primary();
    for (;;) {
      this.noComment();
      if (this.eat(".")) {
        e = { t: "member", object: e, name: this.next().kind === "id" ? this.tokens[this.i - 1]!.text : refuse(), optional: false };
      } else if (this.is("?.")) {
        this.next();
        if (this.is("(")) e = { t: "call", callee: e, args: this.args(), optional: true, isNew: false };
        else if (this.eat("[")) {
          const index = this.expression();
          this.expect("]");
          e = { t: "index", object: e, index, optional: true };
        } else e = { t: "member", object: e, name: this.next().kind === "id" ? this.tokens[this.i - 1]!.text : refuse(), optional: true };
      } else if (this.eat("[")) {
        const index = this.expression();
        this.expect("]");
        e = { t: "index", object: e, index, optional: false };
      } else if (this.is("(")) {
        e = { t: "call", callee: e, args: this.args(), optional: false, isNew: false };
      } else if (this.is("!") && !this.is("=", 1)) {
        this.next();
        e = { t: "nonnull", expr: e };
      } else if (this.is("<") && e.t === "id" && this.genericCall()) {
        const typeArgs = this.typeArgs();
        e = { t: "call", callee: e, args: this.args(), optional: false, isNew: false, typeArgs };
      } else return e;
    }
  }

  /** `f<T>(`: a call with type arguments, told from `a < b` by the `>(` that closes it */
  genericCall(): boolean {
    let depth = 0;
    for (let k = this.i; k < this.tokens.length; k++) {
      const t = this.tokens[k]!;
      if (t.text === "<") depth++;
      else if (t.text === ">") {
        depth--;
        if (depth === 0) return this.tokens[k + 1]?.text === "(";
      } else if (t.text === ";" || t.text === "(" || t.text === ")") return false;
    }
    return false;
  }

  typeArgs(): Type[] {
    this.expect("<");
    const args: Type[] = [];
    while (!this.eat(">")) {
      args.push(this.type());
      if (!this.is(">")) this.expect(",");
    }
    return args;
  }

  args(): Expr[] {
    this.expect("(");
    const args: Expr[] = [];
    while (!this.eat(")")) {
      this.noComment();
      args.push(this.eat("...") ? { t: "spread", arg: this.expression() } : this.expression());
      if (!this.is(")")) this.expect(",");
      if (this.blankAfter(this.end())) refuse(); // prettier keeps blank lines between arguments
    }
    return args;
  }

  primary(): Expr {
    this.noComment();
    const t = this.next();
    switch (t.kind) {
      case "num":
        return { t: "num", text: t.text };
      case "str":
        return { t: "str", text: t.text };
      case "regex":
        return { t: "regex", text: t.text };
      case "template": {
        if (t.quasis!.some((q) => q.includes("\n"))) refuse();
        const exprs = t.exprs!.map(({ text, start }) => {
          const p = new Parser(this.text, start, start + text.length);
          const e = p.expression();
          if (!p.atEnd()) refuse();
          return e;
        });
        return { t: "template", quasis: t.quasis!, exprs };
      }
      case "id":
        if (t.text === "new") {
          let callee: Expr = { t: "id", name: this.name() };
          while (this.eat(".")) callee = { t: "member", object: callee, name: this.name(), optional: false };
          const typeArgs = this.is("<") ? this.typeArgs() : undefined;
          if (!this.is("(")) refuse();
          return { t: "call", callee, args: this.args(), optional: false, isNew: true, typeArgs };
        }
        if (t.text === "function" || t.text === "class" || t.text === "async" || (RESERVED.has(t.text) && t.text !== "this")) refuse();
        return { t: "id", name: t.text };
      case "op":
        if (t.text === "(") {
          const e = this.sequence();
          this.expect(")");
          return e;
        }
        if (t.text === "[") {
          const elems: Expr[] = [];
          while (!this.eat("]")) {
            this.noComment();
            if (this.is(",")) refuse(); // holes
            elems.push(this.eat("...") ? { t: "spread", arg: this.expression() } : this.expression());
            if (!this.is("]")) this.expect(",");
            if (this.blankAfter(this.end())) refuse();
          }
          return { t: "array", elems };
        }
        if (t.text === "{") return this.object(t);
        return refuse();
      default:
        return refuse();
    }
  }

  object(open: Token): Expr {
    const next = this.peek();
    const broken = next !== undefined && this.text.slice(open.end, next.start).includes("\n");
    const props: Prop[] = [];
    while (!this.eat("}")) {
      this.noComment();
      if (this.eat("...")) props.push({ k: "spread", arg: this.expression() });
      else {
        const k = this.next();
        if (k.kind !== "id" && k.kind !== "str" && k.kind !== "num") refuse();
        if (this.eat(":")) props.push({ k: "prop", key: k.text, value: this.expression(), shorthand: false });
        else if (k.kind === "id" && (this.is(",") || this.is("}"))) props.push({ k: "prop", key: k.text, value: { t: "id", name: k.text }, shorthand: true });
        else refuse(); // methods, getters, computed keys
      }
      if (!this.is("}")) this.expect(",");
      this.noComment();
      if (this.blankAfter(this.end())) refuse();
    }
    return { t: "object", props, broken };
  }
}
