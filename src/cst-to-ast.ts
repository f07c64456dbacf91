// CST → AST: the visitor that turns chevrotain's CST (grammar/cst.d.ts) into
// src/ast.ts, checking what the relaxed grammar let through: statement order
// (E0108–E0114), statements that belong only at a model's top level (E0123),
// integers where the language says INT (E0115), literal repeat counts and
// bodies (E0116, E0117), input shapes (E0121, E0122).
// A model or block whose text holds a syntax error is still visited for these local
// checks (except inside the damaged shape or repeat body), but it is left out
// of the AST and its order is not checked: recovery may have dropped or
// inserted tokens there, so those errors would be noise.
import type { IToken } from "chevrotain";
import type {
  ArgCstNode,
  ArgsCstNode,
  BlockDefCstNode,
  BodyCstNode,
  ExprCstNode,
  FileCstNode,
  GroupCstNode,
  IfStmtCstNode,
  ImportStmtCstNode,
  ItemCstNode,
  LossStmtCstNode,
  ModelCstNode,
  RepeatStmtCstNode,
  ShapeCstNode,
  StmtCstNode,
} from "../grammar/cst.d.ts";
import type {
  ArgExpr,
  BinaryOp,
  BlockAst,
  BodyStmt,
  Expr,
  IfStmt,
  ImportAst,
  InputStmt,
  LabelAst,
  LossStmt,
  ModelAst,
  NumberValue,
  RepeatStmt,
  RoundingStmt,
} from "./ast.ts";
import { diag, type Diagnostic, type Span } from "./diagnostics.ts";
import type { LineMap } from "./source.ts";

export interface AstContext {
  file: string;
  text: string;
  lines: LineMap;
  /** start offsets of the syntax errors already reported */
  errorOffsets: number[];
}

type Stmt =
  | { kind: "input"; node: InputStmt }
  | { kind: "rounding"; node: RoundingStmt }
  | { kind: "loss"; node: LossStmt }
  | { kind: "body"; node: BodyStmt };

/** A token the parser really read (recovery inserts tokens with no position). */
function real(t: IToken | undefined): IToken | undefined {
  return t !== undefined && !t.isInsertedInRecovery && Number.isFinite(t.startOffset) ? t : undefined;
}

function describeBody(s: BodyStmt): string {
  switch (s.kind) {
    case "layer":
      return `layer '${s.label?.text ?? s.op}'`;
    case "seq":
    case "merge":
      return s.label !== undefined ? `'${s.label.text}'` : `'${s.kind === "seq" ? "seq" : s.op}'`;
    case "ref":
      return `'@${s.name}'`;
    case "chain":
      return "'{ … }'";
    default:
      return `'${s.kind}'`;
  }
}

const describe = (s: Stmt): string => (s.kind === "body" ? describeBody(s.node) : `'${s.kind}'`);

/** Where a nested body sits, for E0123: "inside 'repeat'". */
interface Container {
  what: string;
  span: Span;
}

class AstBuilder {
  readonly diagnostics: Diagnostic[] = [];
  constructor(private readonly ctx: AstContext) {}

  private span(first: IToken, last: IToken): Span {
    return this.ctx.lines.span(this.ctx.file, first.startOffset, last.startOffset + last.image.length);
  }

  /** Whether a syntax error was reported between these tokens (checks there would see recovery's guesses). */
  private damaged(first: IToken, last: IToken): boolean {
    const end = last.startOffset + last.image.length;
    return this.ctx.errorOffsets.some((o) => o >= first.startOffset && o <= end);
  }

  private error(...args: Parameters<typeof diag>): void {
    this.diagnostics.push(diag(...args));
  }

  file(node: FileCstNode): { models: ModelAst[]; blocks: BlockAst[]; imports: ImportAst[] } {
    // Top-level items in source order; an item is clean when no syntax error lies between its start and the next item's.
    const items: { start: number; visit: (clean: boolean) => void }[] = [];
    const out = { models: [] as ModelAst[], blocks: [] as BlockAst[], imports: [] as ImportAst[] };
    const startOf = (t: IToken | undefined): number => real(t)?.startOffset ?? Number.POSITIVE_INFINITY;
    for (const m of node.children.model ?? []) {
      items.push({ start: startOf(m.children.Model?.[0]), visit: (clean) => { const model = this.model(m, clean); if (model && clean) out.models.push(model); } });
    }
    for (const b of node.children.blockDef ?? []) {
      items.push({ start: startOf(b.children.Block?.[0]), visit: (clean) => { const block = this.blockDef(b); if (block && clean) out.blocks.push(block); } });
    }
    for (const i of node.children.importStmt ?? []) {
      items.push({ start: startOf(i.children.Import?.[0]), visit: (clean) => { const imp = this.importStmt(i); if (imp && clean) out.imports.push(imp); } });
    }
    items.sort((a, b) => a.start - b.start);
    items.forEach((item, k) => {
      const start = Number.isFinite(item.start) ? item.start : 0;
      const end = items[k + 1]?.start ?? this.ctx.text.length;
      const last = Number.isFinite(end) ? end : this.ctx.text.length;
      item.visit(!this.ctx.errorOffsets.some((o) => o >= start && o <= last));
    });
    return out;
  }

  private importStmt(node: ImportStmtCstNode): ImportAst | undefined {
    const kw = real(node.children.Import?.[0]);
    const path = real(node.children.String?.[0]);
    if (!kw || !path) return undefined;
    return { path: path.image.slice(1, -1), pathSpan: this.span(path, path), span: this.span(kw, path) };
  }

  private blockDef(node: BlockDefCstNode): BlockAst | undefined {
    const kw = real(node.children.Block?.[0]);
    const nameTok = real(node.children.Ident?.[0]);
    const body = node.children.body?.[0];
    const close = body && real(body.children.RCurly?.[0]);
    if (!kw || !nameTok || !body || !close) return undefined;
    const params = [];
    for (const p of node.children.params?.[0]?.children.param ?? []) {
      const name = real(p.children.Ident?.[0]);
      const dflt = p.children.expr?.[0];
      const value = dflt && this.expr(dflt);
      if (!name || (dflt && !value)) return undefined;
      params.push({ name: name.image, span: this.span(name, name), ...(value ? { default: value } : {}) });
    }
    if (node.children.params && !real(node.children.params[0].children.RParen?.[0])) return undefined;
    const container = { what: `block '${nameTok.image}'`, span: this.span(kw, nameTok) };
    return {
      name: nameTok.image,
      nameSpan: this.span(nameTok, nameTok),
      params,
      body: this.nested(body, container),
      span: this.span(kw, close),
      file: this.ctx.file,
      text: this.ctx.text,
    };
  }

  private model(node: ModelCstNode, clean: boolean): ModelAst | undefined {
    const kw = real(node.children.Model?.[0]);
    const nameTok = real(node.children.Ident?.[0]);
    const block = node.children.body?.[0];
    if (!kw || !nameTok || !block) return undefined;
    const close = real(block.children.RCurly?.[0]);
    const name = nameTok.image;
    const nameSpan = this.span(nameTok, nameTok);
    const stmts = this.block(block);
    if (!clean || !close) return undefined;

    let input: Stmt & { kind: "input" } | undefined;
    let rounding: Stmt & { kind: "rounding" } | undefined;
    let loss: Stmt & { kind: "loss" } | undefined;
    let afterLossReported = false;
    const body: BodyStmt[] = [];
    let firstNotRounding: Stmt | undefined;
    let last: Stmt | undefined;
    stmts.forEach((s) => {
      // the first statement other than a rounding, and the one right before, both before `s`
      const firstOther = firstNotRounding;
      const previous = last;
      if (s.kind !== "rounding") firstNotRounding ??= s;
      last = s;
      switch (s.kind) {
        case "input":
          if (input) {
            this.error("E0110", s.node.span, `model '${name}' has a second 'input'`, {
              labels: [{ span: input.node.span, message: "the first 'input' is here" }],
              help: "a model has exactly one input; remove one of them",
            });
            return;
          }
          input = s;
          {
            const first = firstOther;
            if (first) {
              this.error("E0109", s.node.span, `'input' must be the first statement of model '${name}'`, {
                labels: [{ span: first.node.span, message: `${describe(first)} comes before it` }],
                help: "move 'input' to the top of the model",
              });
            }
          }
          return;
        case "rounding": {
          if (rounding) {
            this.error("E0112", s.node.span, `model '${name}' has a second 'rounding'`, {
              labels: [{ span: rounding.node.span, message: "the first 'rounding' is here" }],
              help: "keep one model-wide rounding; give a single layer its own with a rounding= argument",
            });
            return;
          }
          rounding = s;
          if (previous?.kind !== "input") {
            this.error("E0111", s.node.span, `'rounding' must come right after 'input'`, {
              labels: previous ? [{ span: previous.node.span, message: `${describe(previous)} comes before it` }] : [],
              help:
                previous && previous.kind !== "rounding" && input
                  ? `move it above the first layer, or give one layer a rounding=${s.node.mode} argument`
                  : "move it right after 'input'",
            });
          }
          return;
        }
        case "loss":
          if (loss) {
            this.error("E0114", s.node.span, `model '${name}' has a second 'loss'`, {
              labels: [{ span: loss.node.span, message: "the first 'loss' is here" }],
              help: "a model has at most one loss, as its last statement",
            });
            return;
          }
          loss = s;
          return;
        case "body":
          if (loss && !afterLossReported) {
            afterLossReported = true;
            this.error("E0113", s.node.span, `${describe(s)} comes after 'loss'`, {
              labels: [{ span: loss.node.span, message: "'loss' ends the model here" }],
              help: "'loss' is the last statement of a model; move it to the end",
            });
          }
          body.push(s.node);
      }
    });
    if (!input) {
      this.error("E0108", nameSpan, `model '${name}' has no 'input'`, {
        help: "add `input [C, H, W]` (or `input [D]`) as its first statement, e.g. input [1, 28, 28]",
      });
      return undefined;
    }
    return {
      name,
      nameSpan,
      span: this.span(kw, close),
      input: input.node,
      ...(rounding ? { rounding: rounding.node } : {}),
      body,
      ...(loss ? { loss: loss.node } : {}),
    };
  }

  /** The statements of a body, in order; statements damaged by recovery are left out. */
  private block(node: BodyCstNode): Stmt[] {
    const out: Stmt[] = [];
    for (const s of node.children.stmt ?? []) {
      const stmt = this.stmt(s);
      if (stmt) out.push(stmt);
    }
    return out;
  }

  /** A body nested in a block, repeat, if, seq, merge or chain: input, rounding and loss are not allowed there (E0123). */
  private nested(node: BodyCstNode, container: Container): BodyStmt[] {
    const body: BodyStmt[] = [];
    for (const s of this.block(node)) {
      if (s.kind === "body") {
        body.push(s.node);
        continue;
      }
      const where = container.what.startsWith("block") ? "in a block" : `inside ${container.what}`;
      this.error("E0123", s.node.span, `'${s.kind}' is not allowed ${where}`, {
        labels: [{ span: container.span, message: `inside this ${container.what.split(" ")[0].replace(/'/g, "")}` }],
        help: container.what.startsWith("block")
          ? `'${s.kind}' belongs to a model; put it in the model that uses the block`
          : `only a model's top level holds '${s.kind}'; move it ${s.kind === "loss" ? "after" : "before"} the ${container.what.replace(/'/g, "")}`,
      });
    }
    return body;
  }

  private stmt(node: StmtCstNode): Stmt | undefined {
    const c = node.children;
    if (c.inputStmt) {
      const kw = real(c.inputStmt[0].children.Input?.[0]);
      const shape = c.inputStmt[0].children.shape?.[0];
      const dims = shape && this.shape(shape);
      const close = shape && real(shape.children.RSquare?.[0]);
      if (!kw || !dims || !close) return undefined;
      return { kind: "input", node: { dims, span: this.span(kw, close) } };
    }
    if (c.roundingStmt) {
      const kw = real(c.roundingStmt[0].children.Rounding?.[0]);
      const mode = real(c.roundingStmt[0].children.Ident?.[0]);
      if (!kw || !mode) return undefined;
      return { kind: "rounding", node: { mode: mode.image, modeSpan: this.span(mode, mode), span: this.span(kw, mode) } };
    }
    if (c.lossStmt) {
      const node = this.loss(c.lossStmt[0]);
      return node && { kind: "loss", node };
    }
    const body = this.bodyStmt(c);
    return body && { kind: "body", node: body };
  }

  private bodyStmt(c: StmtCstNode["children"]): BodyStmt | undefined {
    if (c.repeatStmt) return this.repeat(c.repeatStmt[0]);
    if (c.ifStmt) return this.ifStmt(c.ifStmt[0]);
    if (c.ref) {
      const at = real(c.ref[0].children.At?.[0]);
      const name = real(c.ref[0].children.Ident?.[0] ?? c.ref[0].children.LabelTemplate?.[0]);
      if (!at || !name) return undefined;
      return { kind: "ref", name: name.image, nameSpan: this.span(name, name), span: this.span(at, name) };
    }
    if (c.body) {
      const open = real(c.body[0].children.LCurly?.[0]);
      const close = real(c.body[0].children.RCurly?.[0]);
      if (!open || !close) return undefined;
      const span = this.span(open, close);
      return { kind: "chain", body: this.nested(c.body[0], { what: "'{ … }'", span: this.span(open, open) }), span };
    }
    if (c.item) return this.item(c.item[0]);
    return undefined; // ';'
  }

  private item(node: ItemCstNode): BodyStmt | undefined {
    const c = node.children;
    const labelTok = real(c.label?.[0]);
    if (c.label && !labelTok) return undefined;
    const label: LabelAst | undefined = labelTok && { text: labelTok.image, span: this.span(labelTok, labelTok) };
    const withLabel = label ? { label } : {};
    if (c.layer) {
      const op = real(c.layer[0].children.op?.[0]);
      if (!op) return undefined;
      const argsNode = c.layer[0].children.args?.[0];
      const args = argsNode ? this.args(argsNode) : { args: [], close: op };
      if (!args) return undefined;
      return { kind: "layer", ...withLabel, op: op.image, opSpan: this.span(op, op), args: args.args, span: this.span(labelTok ?? op, args.close) };
    }
    if (c.seq) {
      const kw = real(c.seq[0].children.Seq?.[0]);
      const body = c.seq[0].children.body?.[0];
      const close = body && real(body.children.RCurly?.[0]);
      if (!kw || !body || !close) return undefined;
      const keywordSpan = this.span(kw, kw);
      return { kind: "seq", ...withLabel, body: this.nested(body, { what: "'seq'", span: keywordSpan }), keywordSpan, span: this.span(labelTok ?? kw, close) };
    }
    if (c.merge) {
      const kw = real(c.merge[0].children.op?.[0]);
      const body = c.merge[0].children.body?.[0];
      const close = body && real(body.children.RCurly?.[0]);
      if (!kw || !body || !close) return undefined;
      const op = kw.image === "add" ? "add" : kw.image === "mul" ? "mul" : "concat";
      const opSpan = this.span(kw, kw);
      return { kind: "merge", op, ...withLabel, branches: this.nested(body, { what: `'${op}'`, span: opSpan }), opSpan, span: this.span(labelTok ?? kw, close) };
    }
    return undefined;
  }

  private ifStmt(node: IfStmtCstNode): IfStmt | undefined {
    const c = node.children;
    const kw = real(c.If?.[0]);
    const condNode = c.expr?.[0];
    const cond = condNode && this.expr(condNode);
    const body = c.body?.[0];
    const close = body && real(body.children.RCurly?.[0]);
    if (!kw || !cond || !body || !close) return undefined;
    const headSpan = this.ctx.lines.span(this.ctx.file, kw.startOffset, cond.span.end);
    const container = { what: "'if'", span: headSpan };
    const then = this.nested(body, container);
    const open = real(body.children.LCurly?.[0]);
    if (!open) return undefined;
    const thenSpan = this.span(open, close);
    let otherwise: BodyStmt[] | undefined;
    let end = close;
    if (c.Else) {
      if (c.elseIf) {
        const inner = this.ifStmt(c.elseIf[0]);
        if (!inner) return undefined;
        otherwise = [inner];
        return { kind: "if", cond, then, otherwise, headSpan, thenSpan, span: this.ctx.lines.span(this.ctx.file, kw.startOffset, inner.span.end) };
      }
      const elseBody = c.elseBody?.[0];
      const elseClose = elseBody && real(elseBody.children.RCurly?.[0]);
      if (!elseBody || !elseClose) return undefined;
      otherwise = this.nested(elseBody, container);
      end = elseClose;
    }
    return { kind: "if", cond, then, ...(otherwise ? { otherwise } : {}), headSpan, thenSpan, span: this.span(kw, end) };
  }

  private shape(node: ShapeCstNode): NumberValue[] | undefined {
    const open = real(node.children.LSquare?.[0]);
    const close = real(node.children.RSquare?.[0]);
    const tokens = node.children.Number ?? [];
    if (!open || !close || tokens.some((t) => !real(t))) return undefined;
    const dims = tokens.map((t) => this.number(t));
    if (this.damaged(open, close)) return dims; // recovery may have dropped or inserted dims
    for (const d of dims) {
      if (!this.requireInt(d, "an input dimension")) continue;
      if (d.value === 0) {
        this.error("E0122", d.span, "input dimension is 0", { help: "every dimension of one sample is at least 1" });
      }
    }
    if (dims.length !== 1 && dims.length !== 3) {
      this.error("E0121", this.span(open, close), `input shape has ${dims.length} dimensions; it must be [C, H, W] or [D]`, {
        notes: ["the shape is one sample's; the batch size is chosen at run time"],
        help:
          dims.length === 2
            ? `for a one-channel image write [1, ${dims[0].text}, ${dims[1].text}]`
            : dims.length === 4
              ? `leave out the batch dimension: [${dims.slice(1).map((d) => d.text).join(", ")}]`
              : undefined,
      });
    }
    return dims;
  }

  /** E0115 unless the number is written as plain digits; false when it is not a usable integer. */
  private requireInt(n: NumberValue, what: string): boolean {
    if (n.isInt) return Number.isSafeInteger(n.value); // too large: E0118 is already reported
    if (!Number.isFinite(n.value)) return false;
    const whole = Number.isInteger(n.value) && Number.isSafeInteger(n.value);
    this.error("E0115", n.span, `${what} must be an integer, found ${n.text}`, {
      help: whole ? `write ${n.value}` : `an integer is written as plain digits, e.g. ${Math.max(1, Math.round(n.value))}`,
    });
    return false;
  }

  private repeat(node: RepeatStmtCstNode): RepeatStmt | undefined {
    const kw = real(node.children.Repeat?.[0]);
    const countNode = node.children.expr?.[0];
    const count = countNode && this.expr(countNode);
    const indexTok = real(node.children.Ident?.[0]);
    const block = node.children.body?.[0];
    const open = block && real(block.children.LCurly?.[0]);
    const close = block && real(block.children.RCurly?.[0]);
    if (!kw || !count || !block || !open || (node.children.As && !indexTok)) return undefined;
    // A literal count is checked here; a computed one when the checker evaluates it.
    if (count.kind === "number" && this.requireInt(count, "a repeat count") && count.value === 0) {
      this.error("E0116", count.span, "repeat count is 0", { help: "a repeat runs its body at least once; delete the block to remove it" });
    }
    const head = this.ctx.lines.span(this.ctx.file, kw.startOffset, count.span.end);
    const body = this.nested(block, { what: "'repeat'", span: head });
    if (!close) return undefined;
    const span = this.span(kw, close);
    const written = (block.children.stmt ?? []).some((s) => Object.keys(s.children).some((k) => k !== "Semicolon"));
    if (!written && !this.damaged(open, close)) {
      this.error("E0117", this.span(open, close), "repeat body is empty", {
        labels: [{ span: head, message: "this repeat" }],
        help: "put at least one layer inside, or delete the repeat",
      });
    }
    return {
      kind: "repeat",
      count,
      countSpan: count.span,
      ...(indexTok ? { index: { name: indexTok.image, span: this.span(indexTok, indexTok) } } : {}),
      body,
      span,
    };
  }

  private loss(node: LossStmtCstNode): LossStmt | undefined {
    const kw = real(node.children.Loss?.[0]);
    const op = real(node.children.Ident?.[0]);
    if (!kw || !op) return undefined;
    const argsNode = node.children.args?.[0];
    const args = argsNode ? this.args(argsNode) : { args: [], close: op };
    if (!args) return undefined;
    return { op: op.image, opSpan: this.span(op, op), args: args.args, span: this.span(kw, args.close) };
  }

  private args(node: ArgsCstNode): { args: ArgExpr[]; close: IToken } | undefined {
    const close = real(node.children.RParen?.[0]);
    if (!close) return undefined;
    const args: ArgExpr[] = [];
    for (const a of node.children.arg ?? []) {
      const arg = this.arg(a);
      if (!arg) return undefined;
      args.push(arg);
    }
    return { args, close };
  }

  private arg(node: ArgCstNode): ArgExpr | undefined {
    const name = real(node.children.name?.[0]);
    const valueNode = node.children.expr?.[0];
    const value = valueNode && this.expr(valueNode);
    if (!value || (node.children.name && !name)) return undefined;
    const start = name ? name.startOffset : value.span.start;
    return {
      ...(name ? { name: name.image, nameSpan: this.span(name, name) } : {}),
      value,
      span: this.ctx.lines.span(this.ctx.file, start, value.span.end),
    };
  }

  /**
   * The flat `unary (op unary)*` of the grammar, with precedences applied
   * (Pratt): or < and < not < comparisons < + - < * / // < unary minus; binary
   * operators associate to the left, a comparison does not chain.
   */
  private expr(node: ExprCstNode): Expr | undefined {
    type Item = { kind: "prefix"; tok: IToken } | { kind: "atom"; e: Expr } | { kind: "op"; tok: IToken };
    // the pieces come in three lists; their offsets give the order they were written in
    const at: { start: number; item: Item }[] = [];
    for (const t of node.children.prefix ?? []) {
      if (!real(t)) return undefined;
      at.push({ start: t.startOffset, item: { kind: "prefix", tok: t } });
    }
    for (const t of node.children.op ?? []) {
      if (!real(t)) return undefined;
      at.push({ start: t.startOffset, item: { kind: "op", tok: t } });
    }
    for (const o of node.children.operand ?? []) {
      const e = "image" in o ? (real(o) ? this.operand(o) : undefined) : this.group(o);
      if (!e) return undefined;
      at.push({ start: e.span.start, item: { kind: "atom", e } });
    }
    if ((node.children.operand ?? []).length !== (node.children.op ?? []).length + 1) return undefined;
    const items = at.sort((a, b) => a.start - b.start).map((x) => x.item);
    let pos = 0;
    const prec = (op: string): number =>
      op === "or" ? 1 : op === "and" ? 2 : ["==", "!=", "<", "<=", ">", ">="].includes(op) ? 4 : op === "+" || op === "-" ? 5 : 6;
    const parse = (min: number): Expr => {
      let left: Expr;
      const first = items[pos++];
      if (first.kind === "prefix") {
        const not = first.tok.image === "not";
        const operand = parse(not ? 3 : 7);
        left = { kind: "unary", op: not ? "not" : "-", operand, span: this.ctx.lines.span(this.ctx.file, first.tok.startOffset, operand.span.end) };
      } else if (first.kind === "atom") left = first.e;
      else throw new Error("internal error: operator where an operand was expected");
      while (pos < items.length) {
        const next = items[pos];
        if (next.kind !== "op") break;
        const p = prec(next.tok.image);
        if (p < min) break;
        pos++;
        // comparisons do not chain: `a < b < c` reads as (a < b) < c, an error when evaluated
        const right = parse(p + 1);
        left = {
          kind: "binary",
          op: next.tok.image as BinaryOp,
          left,
          right,
          opSpan: this.span(next.tok, next.tok),
          span: this.ctx.lines.span(this.ctx.file, left.span.start, right.span.end),
        };
      }
      return left;
    };
    return parse(0);
  }

  private operand(t: IToken): Expr {
    return t.tokenType.name === "Number" ? this.number(t) : { kind: "ident", name: t.image, span: this.span(t, t) };
  }

  private group(node: GroupCstNode): Expr | undefined {
    const open = real(node.children.LParen?.[0]);
    const close = real(node.children.RParen?.[0]);
    const items = (node.children.expr ?? []).map((e) => this.expr(e));
    if (!open || !close || items.length === 0 || items.some((i) => i === undefined)) return undefined;
    const span = this.span(open, close);
    if (items.length === 1) return { kind: "paren", inner: items[0] as Expr, span };
    return { kind: "tuple", items: items as Expr[], span };
  }

  private number(t: IToken): NumberValue {
    return { kind: "number", value: Number(t.image), text: t.image, isInt: /^[0-9]+$/.test(t.image), span: this.span(t, t) };
  }
}

/** Builds the AST of every model, block and import that parsed cleanly, with the structural E01xx diagnostics. */
export function cstToAst(
  cst: FileCstNode,
  ctx: AstContext,
): { models: ModelAst[]; blocks: BlockAst[]; imports: ImportAst[]; diagnostics: Diagnostic[] } {
  const builder = new AstBuilder(ctx);
  return { ...builder.file(cst), diagnostics: builder.diagnostics };
}
