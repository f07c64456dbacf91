// layout-print: a syntax tree from src/emit/layout-parse.ts → the document
// prettier 3 (printWidth 100, its defaults otherwise) builds for it, following
// its printers for the constructs the emitter writes (prettier's
// src/language-js/print/*.js: statements, assignments and their layouts, calls
// and their last-argument hugging, member chains, objects, arrays, arrows,
// type literals). Where prettier would break a line we do not reproduce (inside
// a binary expression, a ternary, a member chain, a type argument list, ...)
// the document has a `stiff` line: it measures like prettier's line but
// refuses the piece when it would break, so such a piece goes to prettier.
import { conditionalGroup, type Doc, group, hardline, ifBreak, indent, indentIfBreak, join, line, lineSuffix, refuse, softline, stiffLine, stiffSoftline } from "./layout-doc.ts";
import type { Comment, Declarator, Expr, Member, Param, Pattern, Prop, Stmt, Type } from "./layout-parse.ts";
import { PRECEDENCE } from "./layout-parse.ts";

// ---- comments, strings, numbers ----

function commentDoc(text: string): Doc {
  if (text.startsWith("//")) return text;
  const lines = text.split("\n");
  if (lines.length === 1) return text;
  // prettier re-indents a block comment whose every line starts with `*`
  if (!lines.slice(1).every((l) => l.trimStart().startsWith("*"))) return refuse();
  return join(hardline, lines.map((l, i) => (i === 0 ? l.trimEnd() : " " + (i < lines.length - 1 ? l.trim() : l.trimStart()))));
}

function leading(comments: readonly Comment[] | undefined): Doc[] {
  return (comments ?? []).map((c) => [commentDoc(c.text), hardline, c.blankAfter ? hardline : ""]);
}

/** prettier's string: double quotes unless the text holds more of them than single ones; needless escapes dropped */
export function printString(raw: string): string {
  const content = raw.slice(1, -1);
  const doubles = (content.match(/"/g) ?? []).length;
  const singles = (content.match(/'/g) ?? []).length;
  const quote = doubles > singles ? "'" : '"';
  const other = quote === '"' ? "'" : '"';
  const body = content.replace(/\\(.)|(["'])/gsu, (_, escaped: string | undefined, q: string | undefined) =>
    escaped === other ? escaped : q === quote ? "\\" + q : q !== undefined ? q : /^[^\n\r"'0-7\\bfnrt-vx\u2028\u2029]$/.test(escaped!) ? escaped! : "\\" + escaped,
  );
  return quote + body + quote;
}

/** numbers prettier prints as written */
const PLAIN_NUMBER = /^(?:(?:0|[1-9]\d*)(?:\.\d*[1-9])?(?:e-?[1-9]\d*)?|0x[\da-f]+)$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** an object or type key: quoted keys stay quoted unless every quoted key could lose its quotes (then refuse: not ours) */
function printKeys(keys: readonly string[]): string[] {
  const quoted = keys.filter((k) => k.startsWith('"') || k.startsWith("'"));
  if (quoted.length > 0 && quoted.every((k) => IDENTIFIER.test(k.slice(1, -1)))) refuse();
  if (quoted.length > 0 && keys.some((k) => /^\d/.test(k))) refuse();
  return keys.map((k) => (k.startsWith('"') || k.startsWith("'") ? printString(k) : PLAIN_NUMBER.test(k) || IDENTIFIER.test(k) ? k : refuse()));
}

// ---- what breaks ----

/** prettier's willBreak before printing: a hard line or an explicitly broken group inside */
function willBreak(doc: Doc): boolean {
  if (typeof doc === "string") return false;
  if (Array.isArray(doc)) return doc.some(willBreak);
  switch (doc.kind) {
    case "group":
      return doc.broken || willBreak(doc.contents);
    case "indent":
      return willBreak(doc.contents);
    case "line":
      return doc.hard;
    case "break-parent":
      return true;
    case "if-break":
      return willBreak(doc.broken) || willBreak(doc.flat);
    default:
      return false;
  }
}

// ---- types ----

function printType(t: Type, ctx: "top" | "inner" = "inner"): Doc {
  switch (t.t) {
    case "ref":
      return t.args === undefined ? t.name : [t.name, printTypeArgs(t.args)];
    case "array": {
      const elem = printType(t.elem);
      return t.elem.t === "union" || t.elem.t === "fn" || t.elem.t === "operator" ? ["(", elem, ")[]"] : [elem, "[]"];
    }
    case "operator":
      return [t.op, " ", printType(t.type)];
    case "literal":
      return t.text.startsWith('"') || t.text.startsWith("'") ? printString(t.text) : PLAIN_NUMBER.test(t.text) ? t.text : refuse();
    case "tuple":
      return group(["[", indent([stiffSoftline, join([",", stiffLine], t.elems.map((e) => printType(e)))]), ifBreak(","), stiffSoftline, "]"]);
    case "fn":
      return [t.isNew ? "new " : "", group(printParams(t.params)), " => ", printType(t.ret)];
    case "union": {
      // prettier hugs one object type with null, undefined or void
      const objects = t.types.filter((u) => u.t === "object").length;
      const voids = t.types.filter((u) => u.t === "ref" && (u.name === "null" || u.name === "undefined" || u.name === "void")).length;
      if (objects === 1 && objects + voids === t.types.length) return join(" | ", t.types.map((u) => printType(u)));
      if (t.types.some((u) => u.t === "object" || u.t === "fn")) refuse();
      return group([ifBreak([ctx === "top" ? stiffLine : "", "| "]), join([stiffLine, "| "], t.types.map((u) => printType(u)))]);
    }
    case "indexed":
      return [printType(t.object), "[", printType(t.index), "]"];
    case "object":
      return printObjectType(t.members, t.broken);
  }
}

function printObjectType(members: readonly Member[], broken: boolean): Doc {
  if (members.length === 0) return "{}";
  const keys = printKeys(members.filter((m) => m.m !== "index").map((m) => (m as { key: string }).key));
  let k = 0;
  const parts: Doc[] = [];
  members.forEach((m, i) => {
    let doc: Doc;
    if (m.m === "index") doc = ["[", m.name, ": ", printType(m.keyType), "]: ", printType(m.type)];
    else if (m.m === "method") doc = [keys[k++]!, group(printParams(m.params)), ": ", printType(m.ret)];
    else doc = [m.readonly ? "readonly " : "", keys[k++]!, m.optional ? "?" : "", ": ", printType(m.type, "top")];
    parts.push(...leading(m.comments), doc);
    if (i < members.length - 1) parts.push(ifBreak(";", ";"), line, m.blankAfter ? softline : "");
  });
  return group(["{", indent([line, ...parts]), ifBreak(";"), line, "}"], broken);
}

// ---- parameters ----

function printPattern(p: Pattern): Doc {
  if (p.p === "id") return p.name;
  if (p.p === "array") return ["[", p.names.join(", "), "]"];
  // prettier's object pattern: no group of its own (the declaration's is used)
  return ["{", indent([line, join([",", line], p.names)]), ifBreak(","), line, "}"];
}

function printParam(p: Param): Doc {
  return [p.rest ? "..." : "", printPattern(p.pattern), p.optional ? "?" : "", p.type ? [": ", printType(p.type)] : "", p.init ? [" = ", printExpr(p.init, "arg")] : ""];
}

/** prettier's printFunctionParameters (not its hugging of one object-typed parameter: refused) */
function printParams(params: readonly Param[]): Doc {
  if (params.length === 0) return "()";
  // prettier hugs a lone destructured or object-typed parameter
  if (params.length === 1 && (params[0]!.type?.t === "object" || params[0]!.pattern.p !== "id") && params[0]!.init === undefined) return ["(", printParam(params[0]!), ")"];
  if (params.length === 1 && params[0]!.pattern.p !== "id") refuse();
  const rest = params[params.length - 1]!.rest;
  return ["(", indent([softline, join([",", line], params.map(printParam))]), rest ? "" : ifBreak(","), softline, ")"];
}

// ---- expressions ----

type Ctx =
  /** a statement's expression, an initializer, an argument: no parentheses needed */
  | "arg"
  /** the right side of an assignment, declarator or property */
  | "assign-rhs"
  | "return-arg"
  | "for-test"
  /** a for head's init or update, where a sequence stands bare */
  | "head"
  | "stmt"
  | "test"
  | "member"
  | "callee"
  | "unary"
  | "binary-left"
  | "binary-right"
  | "cond-test"
  | "cond-branch"
  | "arrow-body"
  | "spread"
  | "as"
  | "template";

function isStringLiteral(e: Expr): boolean {
  return e.t === "str";
}

/** Whether `e` needs parentheses where it sits (prettier's needsParens for our expressions). */
function needsParens(e: Expr, ctx: Ctx, parentOp?: string): boolean {
  switch (ctx) {
    case "head":
    case "stmt":
      return false;
    case "arg":
    case "assign-rhs":
    case "return-arg":
    case "for-test":
    case "test":
    case "spread":
    case "template":
      if (e.t === "seq") return refuse();
      return false;
    case "arrow-body":
      if (e.t === "seq" || e.t === "assign") return refuse();
      return e.t === "object";
    case "member":
    case "callee":
      if (e.t === "num" || e.t === "seq" || e.t === "assign" || e.t === "object") return refuse();
      if (ctx === "callee" && e.t === "call" && e.isNew) return refuse();
      return e.t === "binary" || e.t === "cond" || e.t === "unary" || e.t === "update" || e.t === "arrow" || e.t === "as";
    case "unary":
      if (e.t === "unary" && e.op === parentOp && (e.op === "+" || e.op === "-")) return true;
      if (e.t === "seq" || e.t === "assign" || e.t === "as") return refuse();
      return e.t === "binary" || e.t === "cond" || e.t === "arrow";
    case "as":
      if (e.t === "as") return false;
      if (e.t === "seq" || e.t === "assign" || e.t === "arrow" || e.t === "cond" || e.t === "binary") return refuse();
      return false;
    case "cond-test":
      if (e.t === "cond" || e.t === "seq" || e.t === "assign" || e.t === "arrow" || e.t === "as") return refuse();
      return false;
    case "cond-branch":
      if (e.t === "seq" || e.t === "assign" || e.t === "as") return refuse();
      if (e.t === "cond") return refuse(); // a ternary as consequent: prettier's parentheses when flat
      return false;
    case "binary-left":
    case "binary-right": {
      if (e.t === "cond" || e.t === "arrow" || e.t === "as") return true;
      if (e.t === "seq" || e.t === "assign") return refuse();
      if (e.t !== "binary") return false;
      const po = parentOp!;
      const no = e.op;
      const logical = (op: string) => op === "&&" || op === "||" || op === "??";
      if (logical(po) && logical(no) && po !== no) {
        if (po === "??" || no === "??") return refuse(); // parentheses the syntax needs
        return true; // `a && b || c` prints as `(a && b) || c`: prettier parenthesises mixed && and ||
      }
      const pp = PRECEDENCE.get(po)!;
      const np = PRECEDENCE.get(no)!;
      if (pp > np) return true;
      if (ctx === "binary-right" && pp === np) return true;
      if (pp === np && !shouldFlatten(po, no)) return true;
      if (pp < np && no === "%") return po === "+" || po === "-";
      return BITWISE.has(po);
    }
  }
}

const BITWISE = new Set(["|", "^", "&", ">>", "<<", ">>>"]);
const MULTIPLICATIVE = new Set(["*", "/", "%"]);
const EQUALITY = new Set(["==", "===", "!=", "!=="]);
const SHIFT = new Set([">>", "<<", ">>>"]);

/** prettier's shouldFlatten: may `a op1 b op2 c` print without parentheses around `a op1 b`? */
function shouldFlatten(parent: string, node: string): boolean {
  if (PRECEDENCE.get(parent) !== PRECEDENCE.get(node)) return false;
  if (parent === "**") return false;
  if (EQUALITY.has(parent) && EQUALITY.has(node)) return false;
  if ((node === "%" && MULTIPLICATIVE.has(parent)) || (parent === "%" && MULTIPLICATIVE.has(node))) return false;
  if (node !== parent && MULTIPLICATIVE.has(node) && MULTIPLICATIVE.has(parent)) return false;
  if (SHIFT.has(parent) && SHIFT.has(node)) return false;
  return true;
}

export function printExpr(e: Expr, ctx: Ctx, parentOp?: string): Doc {
  const doc = printBare(e, ctx);
  return needsParens(e, ctx, parentOp) ? ["(", doc, ")"] : doc;
}

function printBare(e: Expr, ctx: Ctx): Doc {
  switch (e.t) {
    case "id":
      return e.name;
    case "num":
      return PLAIN_NUMBER.test(e.text) ? e.text : refuse();
    case "str":
      return printString(e.text);
    case "regex": {
      const flags = e.text.slice(e.text.lastIndexOf("/") + 1);
      if ([...flags].sort().join("") !== flags) refuse();
      return e.text;
    }
    case "template":
      return ["`", ...e.quasis.flatMap((q, i) => (i < e.exprs.length ? [q, "${", printFlat(printExpr(e.exprs[i]!, "template")), "}"] : [q])), "`"];
    case "array":
      return printArray(e.elems);
    case "object":
      return printObject(e.props, e.broken);
    case "arrow":
      return printArrow(e, false);
    case "call":
      return printCall(e, ctx);
    case "member":
    case "index":
    case "nonnull":
      if (e.t !== "nonnull" && e.object.t !== "id" && containsCall(e)) return printMemberChain(e, ctx);
      return printMember(e, ctx);
    case "unary":
      return [e.op, /^[a-z]/.test(e.op) ? " " : "", printExpr(e.arg, "unary", e.op)];
    case "update":
      return e.prefix ? [e.op, printExpr(e.arg, "unary", e.op)] : [printExpr(e.arg, "unary"), e.op];
    case "binary":
      return printBinary(e, ctx);
    case "cond":
      if (ctx === "member" || ctx === "callee") refuse(); // prettier's extra indent there
      return group(printTernary(e, false));
    case "assign":
      return printAssignment(printExpr(e.left, "arg"), [" ", e.op], e.right, "assign");
    case "as": {
      const parts: Doc = [printExpr(e.expr, "as"), ` ${e.op} `, printType(e.type)];
      return ctx === "member" || ctx === "callee" ? group([indent([softline, parts]), softline]) : parts;
    }
    case "spread":
      return ["...", printExpr(e.arg, "spread")];
    case "seq":
      // only in for heads and expression statements (elsewhere needsParens refuses it)
      return group(e.list.map((x, i) => (i === 0 ? printExpr(x, "arg") : [",", indent([stiffLine, printExpr(x, "arg")])])));
  }
}

/** prettier's printTernaryOld: `? consequent` and `: alternate` on lines of their own when broken; a ternary in the alternate continues the chain */
function printTernary(e: Expr & { t: "cond" }, inAlternate: boolean): Doc {
  const alt = e.alt.t === "cond" ? printTernary(e.alt, true) : printExpr(e.alt, "cond-branch");
  const parts = [line, "? ", indent(printExpr(e.cons, "cond-branch")), line, ": ", indent(alt)];
  const test = printExpr(e.test, "cond-test");
  return [inAlternate ? indent(test) : test, inAlternate ? parts : indent(parts)];
}

/** a document printed with no width limit (prettier's template-literal expressions) */
function printFlat(doc: Doc): string {
  if (typeof doc === "string") return doc;
  if (!Array.isArray(doc) && doc.kind === "indent-if-break") return printFlat(doc.contents);
  if (Array.isArray(doc)) return doc.map(printFlat).join("");
  switch (doc.kind) {
    case "group":
    case "indent":
      return printFlat(doc.contents);
    case "line":
      return doc.hard ? refuse() : doc.soft ? "" : " ";
    case "if-break":
      return printFlat(doc.flat);
    case "line-suffix":
      return refuse();
    case "break-parent":
      return refuse();
  }
}

function containsCall(e: Expr): boolean {
  for (let x: Expr = e; ; ) {
    if (x.t === "call" && !x.isNew) return true;
    if (x.t === "member" || x.t === "index") x = x.object;
    else if (x.t === "nonnull") x = x.expr;
    else if (x.t === "call") x = x.callee;
    else return false;
  }
}

/** prettier's printBinaryishExpressions: a chain of one precedence flattened, each operand after its operator and a line */
function binaryParts(e: Expr & { t: "binary" }, parentType: string | undefined, stiff: boolean, inParens = false): Doc[] {
  const type = (x: Expr) => (x.t === "binary" ? (x.op === "&&" || x.op === "||" || x.op === "??" ? "logical" : "binary") : x.t);
  const parts: Doc[] =
    e.left.t === "binary" && shouldFlatten(e.op, e.left.op) ? binaryParts(e.left, type(e), stiff, inParens) : [group(printExpr(e.left, "binary-left", e.op))];
  if (shouldInlineLogical(e)) refuse();
  const right: Doc = [e.op, stiff ? stiffLine : line, printExpr(e.right, "binary-right", e.op)];
  const grouped = !stiff && !(inParens && type(e) === "logical") && parentType !== type(e) && type(e.left) !== type(e) && type(e.right) !== type(e);
  parts.push(" ", grouped ? group(right) : right);
  return parts;
}

/** prettier's printBinaryishExpression: how the operands sit depends on where the expression is */
function printBinary(e: Expr & { t: "binary" }, ctx: Ctx): Doc {
  switch (ctx) {
    case "test":
      return binaryParts(e, undefined, false, true);
    case "callee":
    case "member":
    case "unary":
      return group([indent([softline, ...binaryParts(e, undefined, false)]), softline]);
    case "return-arg":
    case "assign-rhs":
    case "arrow-body":
    case "template":
    case "for-test":
      return group(binaryParts(e, undefined, false));
    case "cond-test":
    case "cond-branch":
      return group(binaryParts(e, undefined, true));
    case "as":
    case "spread":
    case "head":
      return binaryParts(e, undefined, true);
    default: {
      const parts = binaryParts(e, undefined, false);
      return group([parts[0]!, indent(parts.slice(1))]);
    }
  }
}

function printMember(e: Expr & { t: "member" | "index" | "nonnull" }, ctx: Ctx): Doc {
  if (e.t === "nonnull") {
    if (e.expr.t !== "id" && e.expr.t !== "member" && e.expr.t !== "index" && e.expr.t !== "call") refuse();
    return [printExpr(e.expr, "member"), "!"];
  }
  const object = printExpr(e.object, "member");
  const lookup = printLookup(e);
  // prettier keeps `a.b` together; a longer chain may break before a `.name`
  const inline = e.t === "index" || (e.object.t === "id" && ctx !== "member" && ctx !== "callee") || ctx === "callee";
  return [object, inline ? lookup : group(indent([stiffSoftline, lookup]))];
}

function printLookup(e: Expr & { t: "member" | "index" }): Doc {
  const optional = e.optional ? "?." : "";
  if (e.t === "member") return [e.optional ? "?" : "", ".", e.name];
  if (e.index.t === "num") return [optional, "[", printExpr(e.index, "arg"), "]"];
  return group([optional, "[", indent([stiffSoftline, printExpr(e.index, "arg")]), stiffSoftline, "]"]);
}

// ---- calls ----

function printCall(e: Expr & { t: "call" }, ctx: Ctx): Doc {
  if (!e.isNew && (e.callee.t === "member" || e.callee.t === "index")) return printMemberChain(e, ctx);
  if (!e.isNew && e.callee.t === "call") refuse(); // f()(): prettier's curried calls
  const typeArgs = e.typeArgs ? printTypeArgs(e.typeArgs) : "";
  return [e.isNew ? "new " : "", printExpr(e.callee, "callee"), e.optional ? "?." : "", typeArgs, printArgs(e.args)];
}

/** prettier's printTypeParameters for type arguments: one object or simple type hugged, more on lines of their own when they do not fit */
function printTypeArgs(args: readonly Type[]): Doc {
  if (args.length === 1 && (args[0]!.t === "object" || isSimpleType(args[0]!))) return ["<", printType(args[0]!), ">"];
  return group(["<", indent([stiffSoftline, join([",", stiffLine], args.map((a) => printType(a)))]), stiffSoftline, ">"]);
}

/** prettier's isSimpleType: a keyword or a name without arguments */
function isSimpleType(t: Type): boolean {
  return t.t === "ref" && t.args === undefined;
}

function couldExpand(arg: Expr): boolean {
  if (arg.t === "object") return arg.props.length > 0;
  if (arg.t === "array") return arg.elems.length > 0;
  if (arg.t === "as") return couldExpand(arg.expr);
  if (arg.t === "arrow") {
    const b = arg.body as Expr | Stmt;
    if ("s" in b) return true; // a block
    if (b.t === "object" || b.t === "array") return true;
    if (b.t === "arrow") refuse();
    return b.t === "cond" || (b.t === "call" && !b.isNew);
  }
  return false;
}

function isConciseArray(e: Expr): boolean {
  return e.t === "array" && e.elems.length > 0 && e.elems.every((x) => x.t === "num" || (x.t === "unary" && (x.op === "-" || x.op === "+") && x.arg.t === "num"));
}

/** prettier's printCallArguments, with last-argument hugging; first-argument hugging and function composition are refused */
function printArgs(args: readonly Expr[]): Doc {
  if (args.length === 0) return "()";
  if (args.length === 2 && args[0]!.t === "arrow" && "s" in (args[0]!.body as object)) refuse();
  if (args.filter((a) => a.t === "arrow").length > 1) refuse();
  const printed = args.map((a, i) => (i < args.length - 1 ? [printExpr(a, "arg"), ",", line] : printExpr(a, "arg")));
  const allBroken = () => group(["(", indent([line, ...printed]), ifBreak(","), line, ")"], true);
  const last = args[args.length - 1]!;
  const penultimate = args[args.length - 2];
  const hugLast =
    couldExpand(last) &&
    (penultimate === undefined || penultimate.t !== last.t) &&
    (args.length !== 2 || penultimate!.t !== "arrow" || last.t !== "array") &&
    !(args.length > 1 && isConciseArray(last));
  if (hugLast) {
    const head = printed.slice(0, -1);
    if (head.some(willBreak)) return allBroken();
    const lastDoc = last.t === "arrow" ? printArrow(last, true) : printExpr(last, "arg");
    if (willBreak(lastDoc)) return [hardlineParent, conditionalGroup([["(", ...head, group(lastDoc, true), ")"], allBroken()])];
    return conditionalGroup([["(", ...head, lastDoc, ")"], ["(", ...head, group(lastDoc, true), ")"], allBroken()]);
  }
  return group(["(", indent([softline, ...printed]), ifBreak(","), softline, ")"], printed.some(willBreak));
}

const hardlineParent: Doc = { kind: "break-parent" };

/** prettier's printMemberChain: short chains as one group; longer ones only when they fit on the line */
function printMemberChain(e: Expr, ctx: Ctx): Doc {
  type Node = { e: Expr; doc: Doc; kind: "head" | "call" | "member" | "nonnull" };
  const nodes: Node[] = [];
  let x: Expr = e;
  for (;;) {
    if (x.t === "call" && !x.isNew && (x.callee.t === "member" || x.callee.t === "index" || (x.callee.t === "call" && !x.callee.isNew) || x.callee.t === "nonnull")) {
      nodes.unshift({ e: x, doc: [x.optional ? "?." : "", x.typeArgs ? printTypeArgs(x.typeArgs) : "", printArgs(x.args)], kind: "call" });
      x = x.callee;
    } else if (x.t === "member" || x.t === "index") {
      nodes.unshift({ e: x, doc: printLookup(x), kind: "member" });
      x = x.object;
    } else if (x.t === "nonnull") {
      nodes.unshift({ e: x, doc: "!", kind: "nonnull" });
      x = x.expr;
    } else {
      nodes.unshift({ e: x, doc: printExpr(x, "member"), kind: "head" });
      break;
    }
  }
  const isCall = (n: Node) => n.kind === "call";
  const numericIndex = (n: Node) => n.e.t === "index" && n.e.index.t === "num";
  const groups: Node[][] = [];
  let current: Node[] = [nodes[0]!];
  let i = 1;
  for (; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.kind === "nonnull" || isCall(n) || numericIndex(n)) current.push(n);
    else break;
  }
  if (nodes[0]!.e.t !== "call" || nodes[0]!.e.isNew) {
    for (; i + 1 < nodes.length; i++) {
      if (nodes[i]!.kind === "member" && nodes[i + 1]!.kind === "member") current.push(nodes[i]!);
      else break;
    }
  }
  groups.push(current);
  current = [];
  let seenCall = false;
  for (; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (seenCall && n.kind === "member") {
      if (numericIndex(n)) {
        current.push(n);
        continue;
      }
      groups.push(current);
      current = [];
      seenCall = false;
    }
    if (isCall(n)) seenCall = true;
    current.push(n);
  }
  if (current.length > 0) groups.push(current);

  const isFactory = (name: string) => /^[A-Z]|^[$_]+$/.test(name);
  const shouldNotWrap = (): boolean => {
    const hasComputed = groups[1]![0]?.e.t === "index";
    if (groups[0]!.length === 1) {
      const first = groups[0]![0]!.e;
      return first.t === "id" && (first.name === "this" || isFactory(first.name) || (ctx === "stmt" && first.name.length <= 2) || hasComputed);
    }
    const last = groups[0]![groups[0]!.length - 1]!.e;
    return last.t === "member" && (isFactory(last.name) || hasComputed);
  };
  const merge = groups.length >= 2 && groups[1]!.length > 0 && shouldNotWrap();
  const printed = groups.map((g) => g.map((n) => n.doc));
  const oneLine: Doc = printed;
  const cutoff = merge ? 3 : 2;
  if (groups.length <= cutoff) return group(oneLine);
  const expanded: Doc = [printed[0]!, merge ? printed[1]! : "", indent([hardline, join(hardline, printed.slice(merge ? 2 : 1))])];
  const calls = nodes.filter(isCall).map((n) => n.e as Expr & { t: "call" });
  const lastNode = groups[groups.length - 1]![groups[groups.length - 1]!.length - 1]!;
  if (
    (calls.length > 2 && calls.some((c) => !c.args.every((a) => isSimpleArg(a, 0)))) ||
    printed.slice(0, -1).some(willBreak) ||
    (isCall(lastNode) && willBreak(printed[printed.length - 1]!) && calls.slice(0, -1).some((c) => c.args.some((a) => a.t === "arrow")))
  ) {
    return group(expanded);
  }
  return [willBreak(oneLine) ? hardlineParent : "", conditionalGroup([oneLine, expanded])];
}


/** prettier's isSimpleCallArgument */
function isSimpleArg(e: Expr, depth: number): boolean {
  switch (e.t) {
    case "regex":
      return true;
    case "id":
    case "num":
    case "str":
      return true;
    case "template":
      return e.exprs.every((x) => isSimpleArg(x, depth));
    case "object":
      return e.props.every((p) => p.k === "prop" && (p.shorthand || isSimpleArg(p.value, depth)));
    case "array":
      return e.elems.every((x) => isSimpleArg(x, depth));
    case "unary":
      return (e.op === "!" || e.op === "-" || e.op === "+" || e.op === "~") && isSimpleArg(e.arg, depth);
    case "update":
      return isSimpleArg(e.arg, depth);
    case "nonnull":
      return isSimpleArg(e.expr, depth);
    case "member":
      return isSimpleArg(e.object, depth);
    case "index":
      return isSimpleArg(e.object, depth) && isSimpleArg(e.index, depth);
    case "call":
      if (e.isNew || depth >= 2) return e.isNew && depth < 2 ? isSimpleCallee(e.callee) && e.args.every((a) => isSimpleArg(a, depth + 1)) : false;
      return isSimpleCallee(e.callee) && e.args.every((a) => isSimpleArg(a, depth + 1));
    case "arrow":
      return false;
    default:
      return false;
  }
}

function isSimpleCallee(e: Expr): boolean {
  if (e.t === "id") return true;
  if (e.t === "member") return isSimpleCallee(e.object);
  return false;
}

// ---- arrays, objects, arrows ----

function printArray(elems: readonly Expr[]): Doc {
  if (elems.length === 0) return "[]";
  if (isConciseArray({ t: "array", elems: [...elems] })) {
    // prettier fills these; we take them only when they fit
    return group(["[", indent([stiffSoftline, join([",", stiffLine], elems.map((x) => printExpr(x, "arg")))]), ifBreak(","), stiffSoftline, "]"]);
  }
  const shouldBreak =
    elems.length > 1 &&
    elems.every(
      (x, i) =>
        (x.t === "object" || x.t === "array") &&
        (elems[i + 1] === undefined || elems[i + 1]!.t === x.t) &&
        (x.t === "object" ? x.props.length > 1 : x.elems.length > 1),
    );
  const parts = join([",", line], elems.map((x) => group(printExpr(x, "arg"))));
  return group(["[", indent([softline, parts, ifBreak(",")]), softline, "]"], shouldBreak);
}

function printObject(props: readonly Prop[], broken: boolean): Doc {
  if (props.length === 0) return "{}";
  const keys = printKeys(props.filter((p) => p.k === "prop").map((p) => (p as { key: string }).key));
  let k = 0;
  const parts = props.map((p) => {
    if (p.k === "spread") return ["...", printExpr(p.arg, "spread")];
    const key = keys[k++]!;
    if (p.shorthand) return key;
    return printAssignment(key, ":", p.value, "property");
  });
  return group(["{", indent([line, join([",", line], parts)]), ifBreak(","), line, "}"], broken);
}

/** prettier's printArrowFunction for one arrow (no chains); `hugged` when it is a call's expanded last argument */
function printArrow(e: Expr & { t: "arrow" }, hugged: boolean): Doc {
  // hugged, prettier prints the parameters with their lines removed
  const params = hugged ? group(["(", join(", ", e.params.map(printParam)), ")"]) : printParams(e.params);
  if (hugged && e.params.some((p) => p.type !== undefined && canBreak(printType(p.type)))) refuse();
  const signature = group(group([params, e.ret ? [": ", printType(e.ret)] : ""]));
  const body = e.body as Expr | Stmt;
  const trailing: Doc = hugged ? [ifBreak(","), softline] : "";
  let bodyDoc: Doc;
  if ("s" in body) bodyDoc = [" ", printBlock(body as Stmt & { s: "block" })];
  else if (body.t === "arrow") return refuse(); // arrow chains
  else if (body.t === "object" || body.t === "array") bodyDoc = [" ", printExpr(body, "arrow-body")];
  else if (body.t === "cond") bodyDoc = [" ", group([ifBreak("", "("), indent([softline, printExpr(body, "arrow-body")]), ifBreak("", ")"), trailing])];
  else bodyDoc = [indent([line, printExpr(body, "arrow-body")]), trailing];
  return group([signature, " =>", group(bodyDoc)]);
}

// ---- assignments ----

function isPoorlyBreakableChain(e: Expr, deep = false): boolean {
  if (e.t === "call" && !e.isNew) {
    if (e.callee.t === "member" || e.callee.t === "index") {
      // a member chain printed by printMemberChain is not "poorly breakable"
      return false;
    }
    const poor = e.args.length === 0 || (e.args.length === 1 && isLoneShortArgument(e.args[0]!));
    if (!poor || e.typeArgs !== undefined) return false;
    return isPoorlyBreakableChain(e.callee, true);
  }
  if (e.t === "member" || e.t === "index") return isPoorlyBreakableChain(e.object, true);
  if (e.t === "nonnull") return isPoorlyBreakableChain(e.expr, deep);
  return deep && e.t === "id";
}

function isLoneShortArgument(e: Expr): boolean {
  // printWidth 100 / 4
  if (e.t === "id") return e.name.length <= 25;
  if (e.t === "num") return true;
  if (e.t === "str") return printString(e.text).length <= 25;
  if (e.t === "unary" && (e.op === "-" || e.op === "+")) return isLoneShortArgument(e.arg);
  if (e.t === "regex") return e.text.length <= 5;
  if (e.t === "template") return e.exprs.length === 0 && !e.quasis[0]!.includes("\n");
  if (e.t === "object") return e.props.length === 0;
  if (e.t === "array") return e.elems.length === 0;
  return false;
}

function shouldInlineLogical(e: Expr): boolean {
  return e.t === "binary" && (e.op === "&&" || e.op === "||" || e.op === "??") && ((e.right.t === "object" && e.right.props.length > 0) || (e.right.t === "array" && e.right.elems.length > 0));
}

let groupIds = 0;

/** prettier's printAssignment and its chooseLayout, for declarators, assignments, properties and type aliases */
function printAssignment(left: Doc, op: Doc, right: Expr | undefined, kind: "declarator" | "assign" | "property", leftHasComplexType = false): Doc {
  if (right === undefined) return left;
  if (right.t === "assign") refuse(); // chains
  const rightDoc = right.t === "arrow" ? printArrow(right, false) : printExpr(right, "assign-rhs");
  let layout: "break-after-operator" | "never-break-after-operator" | "fluid" | "break-lhs";
  const shortKey = kind === "property" && typeof left === "string" && left.length < 5;
  const binaryish = (x: Expr) => x.t === "binary" && !shouldInlineLogical(x);
  let unwrapped = right;
  while (unwrapped.t === "unary" || unwrapped.t === "nonnull") unwrapped = unwrapped.t === "unary" ? unwrapped.arg : unwrapped.expr;
  if (leftHasComplexType) layout = "break-lhs";
  else if (binaryish(right) || (right.t === "cond" && binaryish(right.test))) layout = "break-after-operator";
  else if (!shortKey && (isStringLiteral(unwrapped) || isPoorlyBreakableChain(unwrapped))) layout = "break-after-operator";
  else if (!canBreak(left) && (shortKey || right.t === "template" || right.t === "num")) layout = "never-break-after-operator";
  else layout = "fluid";
  switch (layout) {
    case "break-after-operator":
      return group([group(left), op, group(indent([line, rightDoc]))]);
    case "never-break-after-operator":
      return group([group(left), op, " ", rightDoc]);
    case "break-lhs":
      return group([left, op, " ", group(rightDoc)]);
    case "fluid": {
      const id = ++groupIds;
      return group([group(left), op, group(indent(line), false, id), indentIfBreak(rightDoc, id)]);
    }
  }
}

function canBreak(doc: Doc): boolean {
  if (typeof doc === "string") return false;
  if (Array.isArray(doc)) return doc.some(canBreak);
  switch (doc.kind) {
    case "group":
    case "indent":
      return canBreak(doc.contents);
    case "line":
      return true;
    case "if-break":
      return canBreak(doc.broken) || canBreak(doc.flat);
    default:
      return false;
  }
}

function hasComplexTypeAnnotation(type: Type | undefined): boolean {
  if (type?.t !== "ref" || type.args === undefined || type.args.length < 2) return false;
  return type.args.some((a) => (a.t === "ref" && a.args !== undefined && a.args.length > 0));
}

// ---- statements ----

function printDeclarator(d: Declarator): Doc {
  const left: Doc = [printPattern(d.id), d.type ? [": ", printType(d.type, "top")] : ""];
  if (d.init?.t === "arrow" && canBreak(left)) refuse();
  return printAssignment(left, " =", d.init, "declarator", hasComplexTypeAnnotation(d.type));
}

/** a declaration; `semicolon` false in a for head, where prettier keeps declarators on one line when they fit */
function printVar(s: Stmt & { s: "var" }, semicolon: boolean): Doc {
  const printed = s.decls.map(printDeclarator);
  const hasValue = semicolon && s.decls.some((d) => d.init !== undefined);
  return group([
    s.exported ? "export " : "",
    s.kind,
    " ",
    printed[0]!,
    indent(printed.slice(1).map((p) => [",", hasValue ? hardline : line, p])),
    semicolon ? ";" : "",
  ]);
}

function printBlock(b: Stmt & { s: "block" }): Doc {
  if (b.body.length === 0) return "{}";
  return ["{", indent([hardline, printStatements(b.body)]), hardline, "}"];
}

/** a loop's or if's body: a block after a space, any other statement indented on the next line if it does not fit */
function clause(body: Stmt): Doc {
  if (body.s === "block") return [" ", printBlock(body)];
  return indent([line, printStatement(body)]);
}

function printCondition(test: Expr): Doc {
  return group([indent([softline, printExpr(test, "test")]), softline]);
}

export function printStatement(s: Stmt): Doc {
  switch (s.s) {
    case "var":
      return printVar(s, true);
    case "function": {
      const params = printParams(s.params);
      const ret: Doc = s.ret ? [": ", printType(s.ret)] : "";
      const groupParams = s.params.length === 1 && s.ret !== undefined && (s.ret.t === "object" || willBreak(ret));
      return [
        s.exported ? "export " : "",
        s.async ? "async " : "",
        "function ",
        s.name,
        group([groupParams ? group(params) : params, ret]),
        " ",
        printBlock(s.body),
      ];
    }
    case "type":
      return [s.exported ? "export " : "", group([group(["type ", s.name]), " =", typeAliasRight(s.type)]), ";"];
    case "expr":
      return [printExpr(s.expr, "stmt"), ";"];
    case "import-all":
      return ["import * as ", s.name, " from ", printString(s.from), ";"];
    case "if": {
      const opening = group(["if (", printCondition(s.test), ")", clause(s.cons)]);
      if (s.alt === undefined) return opening;
      const alt = s.alt.s === "if" ? [" ", printStatement(s.alt)] : clause(s.alt);
      return [opening, s.cons.s === "block" ? " " : hardline, "else", group(alt)];
    }
    case "for": {
      if (s.init === undefined && s.test === undefined && s.update === undefined) return group(["for (;;)", clause(s.body)]);
      const init: Doc = s.init === undefined ? "" : "s" in s.init ? printVar(s.init as Stmt & { s: "var" }, false) : printExpr(s.init as Expr, "head");
      return group([
        "for (",
        group([
          indent([stiffSoftline, init, ";", stiffLine, s.test ? printExpr(s.test, "for-test") : "", ";", s.update ? [stiffLine, printExpr(s.update, "head")] : ""]),
          stiffSoftline,
        ]),
        ")",
        clause(s.body),
      ]);
    }
    case "forof":
      return group(["for (", printVar(s.decl, false), " of ", printExpr(s.right, "arg"), ")", clause(s.body)]);
    case "while":
      return group(["while (", printCondition(s.test), ")", clause(s.body)]);
    case "return":
    case "throw": {
      if (s.arg === undefined) return "return;";
      const arg = s.arg;
      if (arg.t === "seq") refuse();
      if (arg.t === "binary") return [s.s, " ", group([ifBreak("("), indent([softline, printExpr(arg, "return-arg")]), softline, ifBreak(")")]), ";"];
      return [s.s, " ", printExpr(arg, "return-arg"), ";"];
    }
    case "break":
    case "continue":
      return `${s.s};`;
    case "block":
      return printBlock(s);
    case "try":
      return [
        "try ",
        printBlock(s.block),
        s.handler ? [" catch ", s.param !== undefined ? `(${s.param}) ` : "", printBlock(s.handler)] : "",
        s.finalizer ? [" finally ", printBlock(s.finalizer)] : "",
      ];
  }
}

/** a type alias's right side: prettier's assignment layout for it */
function typeAliasRight(type: Type): Doc {
  if (type.t === "union") return group(indent([line, printType(type, "top")]));
  const id = ++groupIds;
  return [group(indent(line), false, id), indentIfBreak(printType(type, "top"), id)];
}

/** statements one a line, a blank line kept where the source had one, comments before and after */
export function printStatements(list: readonly Stmt[]): Doc {
  return list.map((s, i) => [
    ...leading(s.comments),
    printStatement(s),
    s.trailing !== undefined ? [lineSuffix(" " + s.trailing), hardlineParent] : "",
    i < list.length - 1 ? [hardline, s.blankAfter ? hardline : ""] : "",
  ]);
}
