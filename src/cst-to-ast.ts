// CST → AST: the visitor that turns chevrotain's CST (grammar/cst.d.ts) into
// src/ast.ts, checking what the relaxed grammar let through: statement order
// (E0108–E0114), statements inside repeat (E0123), integers where the grammar says
// INT (E0115), repeat counts and bodies (E0116, E0117), input shapes (E0121, E0122).
// A model whose text holds a syntax error is still visited for these local
// checks (except inside the damaged shape or repeat body), but it is left out
// of the AST and its order is not checked: recovery may have dropped or
// inserted tokens there, so those errors would be noise.
import type { IToken } from "chevrotain";
import type {
  ArgCstNode,
  ArgsCstNode,
  BlockCstNode,
  FileCstNode,
  LayerCstNode,
  LossStmtCstNode,
  ModelCstNode,
  RepeatStmtCstNode,
  ShapeCstNode,
  StmtCstNode,
  TupleCstNode,
  ValueCstNode,
} from "../grammar/cst.d.ts";
import type { Arg, BodyStmt, InputStmt, LayerStmt, LossStmt, ModelAst, NumberValue, RepeatStmt, RoundingStmt, Value } from "./ast.ts";
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
  | { kind: "layer"; node: LayerStmt }
  | { kind: "repeat"; node: RepeatStmt };

/** A token the parser really read (recovery inserts tokens with no position). */
function real(t: IToken | undefined): IToken | undefined {
  return t !== undefined && !t.isInsertedInRecovery && Number.isFinite(t.startOffset) ? t : undefined;
}

const describe = (s: Stmt): string =>
  s.kind === "layer" ? `layer '${s.node.label ?? s.node.op}'` : s.kind === "repeat" ? "'repeat'" : `'${s.kind}'`;

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

  file(node: FileCstNode): ModelAst[] {
    const models = node.children.model ?? [];
    const out: ModelAst[] = [];
    models.forEach((m, i) => {
      const start = real(m.children.Model?.[0])?.startOffset ?? 0;
      const end = real(models[i + 1]?.children.Model?.[0])?.startOffset ?? this.ctx.text.length;
      const clean = !this.ctx.errorOffsets.some((o) => o >= start && o <= end);
      const model = this.model(m, clean);
      if (model && clean) out.push(model);
    });
    return out;
  }

  private model(node: ModelCstNode, clean: boolean): ModelAst | undefined {
    const kw = real(node.children.Model?.[0]);
    const nameTok = real(node.children.Ident?.[0]);
    const block = node.children.block?.[0];
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
        case "layer":
        case "repeat":
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

  /** The statements of a block, in order; statements damaged by recovery are left out. */
  private block(node: BlockCstNode): Stmt[] {
    const out: Stmt[] = [];
    for (const s of node.children.stmt ?? []) {
      const stmt = this.stmt(s);
      if (stmt) out.push(stmt);
    }
    return out;
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
    if (c.repeatStmt) {
      const node = this.repeat(c.repeatStmt[0]);
      return node && { kind: "repeat", node };
    }
    if (c.layer) {
      const node = this.layer(c.layer[0]);
      return node && { kind: "layer", node };
    }
    return undefined; // ';'
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
    const countTok = real(node.children.Number?.[0]);
    const block = node.children.block?.[0];
    const open = block && real(block.children.LCurly?.[0]);
    const close = block && real(block.children.RCurly?.[0]);
    if (!kw || !countTok || !block || !open) return undefined;
    const count = this.number(countTok);
    if (this.requireInt(count, "a repeat count") && count.value === 0) {
      this.error("E0116", count.span, "repeat count is 0", { help: "a repeat runs its body at least once; delete the block to remove it" });
    }
    const body: BodyStmt[] = [];
    let any = false;
    for (const s of this.block(block)) {
      any = true;
      if (s.kind === "layer" || s.kind === "repeat") body.push(s.node);
      else {
        this.error("E0123", s.node.span, `'${s.kind}' is not allowed inside 'repeat'`, {
          labels: [{ span: this.span(kw, countTok), message: "inside this repeat" }],
          help: `a repeat body holds layers and repeats only; move '${s.kind}' ${s.kind === "loss" ? "after" : "before"} the repeat`,
        });
      }
    }
    if (!close) return undefined;
    const span = this.span(kw, close);
    if (!any && !this.damaged(open, close) && !(block.children.stmt ?? []).some((s) => Object.keys(s.children).some((k) => k !== "Semicolon"))) {
      this.error("E0117", this.span(open, close), "repeat body is empty", {
        labels: [{ span: this.span(kw, countTok), message: "this repeat" }],
        help: "put at least one layer inside, or delete the repeat",
      });
    }
    return { kind: "repeat", count: count.value, countSpan: count.span, body, span };
  }

  private layer(node: LayerCstNode): LayerStmt | undefined {
    const c = node.children;
    const op = real(c.op?.[0]);
    const label = real(c.label?.[0]);
    if (!op || (c.label && !label)) return undefined;
    const argsNode = c.args?.[0];
    const args = argsNode ? this.args(argsNode) : { args: [], close: op };
    if (!args) return undefined;
    return {
      kind: "layer",
      ...(label ? { label: label.image, labelSpan: this.span(label, label) } : {}),
      op: op.image,
      opSpan: this.span(op, op),
      args: args.args,
      span: this.span(label ?? op, args.close),
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

  private args(node: ArgsCstNode): { args: Arg[]; close: IToken } | undefined {
    const close = real(node.children.RParen?.[0]);
    if (!close) return undefined;
    const args: Arg[] = [];
    for (const a of node.children.arg ?? []) {
      const arg = this.arg(a);
      if (!arg) return undefined;
      args.push(arg);
    }
    return { args, close };
  }

  private arg(node: ArgCstNode): Arg | undefined {
    const name = real(node.children.name?.[0]);
    const valueNode = node.children.value?.[0];
    const value = valueNode && this.value(valueNode);
    if (!value || (node.children.name && !name)) return undefined;
    const start = name ? name.startOffset : value.span.start;
    return {
      ...(name ? { name: name.image, nameSpan: this.span(name, name) } : {}),
      value,
      span: this.ctx.lines.span(this.ctx.file, start, value.span.end),
    };
  }

  private value(node: ValueCstNode): Value | undefined {
    const c = node.children;
    const num = real(c.Number?.[0]);
    if (num) return this.number(num);
    const ident = real(c.Ident?.[0]);
    if (ident) return { kind: "ident", name: ident.image, span: this.span(ident, ident) };
    const tuple = c.tuple?.[0];
    return tuple && this.tuple(tuple);
  }

  private tuple(node: TupleCstNode): Value | undefined {
    const open = real(node.children.LParen?.[0]);
    const close = real(node.children.RParen?.[0]);
    const tokens = node.children.Number ?? [];
    if (!open || !close || tokens.length < 2 || tokens.some((t) => !real(t))) return undefined;
    return { kind: "tuple", items: tokens.map((t) => this.number(t)), span: this.span(open, close) };
  }

  private number(t: IToken): NumberValue {
    return { kind: "number", value: Number(t.image), text: t.image, isInt: /^[0-9]+$/.test(t.image), span: this.span(t, t) };
  }
}

/** Builds the AST of every model that parsed cleanly, with the structural E01xx diagnostics. */
export function cstToAst(cst: FileCstNode, ctx: AstContext): { models: ModelAst[]; diagnostics: Diagnostic[] } {
  const builder = new AstBuilder(ctx);
  const models = builder.file(cst);
  return { models, diagnostics: builder.diagnostics };
}
