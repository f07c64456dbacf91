// AST: what toAst builds from the CST. Statement order is already validated
// (input first, rounding right after it, loss last), so the checker reads a
// model as input → rounding? → body → loss?. A file also holds blocks and
// imports (docs/language.md#blocks). Spans point into the source.
import type { Span } from "./diagnostics.ts";

export interface NumberValue {
  kind: "number";
  value: number;
  /** the token's text as written, e.g. "1e-5" */
  text: string;
  /** written as plain decimal digits (no fraction, no exponent) */
  isInt: boolean;
  span: Span;
  /** a real number computed from a parameter or arithmetic rather than written here (docs/language.md#real-numbers) */
  computed?: boolean;
}

export interface TupleValue {
  kind: "tuple";
  items: NumberValue[];
  span: Span;
}

export interface IdentValue {
  kind: "ident";
  name: string;
  span: Span;
}

export type Value = NumberValue | TupleValue | IdentValue;

/** An argument as the checker reads it: its expression already evaluated. */
export interface Arg {
  /** absent for the positional argument */
  name?: string;
  nameSpan?: Span;
  value: Value;
  span: Span;
}

/**
 * An expression as written (docs/language.md#arithmetic): a number, a name (a
 * block parameter, a repeat index, or a word such as `same` or `true`), a tuple,
 * or an operator applied to operands. The checker evaluates it per instance.
 */
export type Expr =
  | NumberValue
  | IdentValue
  | { kind: "tuple"; items: Expr[]; span: Span }
  | { kind: "paren"; inner: Expr; span: Span }
  | { kind: "unary"; op: "-" | "not"; operand: Expr; span: Span }
  | { kind: "binary"; op: BinaryOp; left: Expr; right: Expr; opSpan: Span; span: Span };

export type BinaryOp = "+" | "-" | "*" | "/" | "//" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "and" | "or";

/** An argument as written. */
export interface ArgExpr {
  name?: string;
  nameSpan?: Span;
  value: Expr;
  span: Span;
}

/** A statement's label; `text` may hold repeat-index placeholders, `denselayer{i}`. */
export interface LabelAst {
  text: string;
  span: Span;
}

/** `label: op(args)` — an op or a block instance (told apart by the checker). */
export interface LayerStmt {
  kind: "layer";
  label?: LabelAst;
  op: string;
  opSpan: Span;
  args: ArgExpr[];
  span: Span;
}

export interface RepeatStmt {
  kind: "repeat";
  count: Expr;
  countSpan: Span;
  /** `repeat n as i`: the index, counting from 1 */
  index?: { name: string; span: Span };
  body: BodyStmt[];
  span: Span;
}

export interface IfStmt {
  kind: "if";
  cond: Expr;
  then: BodyStmt[];
  /** the else part; `else if` is an else holding one IfStmt */
  otherwise?: BodyStmt[];
  /** `if cond` */
  headSpan: Span;
  /** the `{ … }` of the then part */
  thenSpan: Span;
  span: Span;
}

/** `label: seq { … }`: members named 0, 1, … */
export interface SeqStmt {
  kind: "seq";
  label?: LabelAst;
  body: BodyStmt[];
  /** the `seq` keyword */
  keywordSpan: Span;
  span: Span;
}

/** `label: add { … }` / `concat { … }` / `mul { … }`: each statement of the body is a branch. */
export interface MergeStmt {
  kind: "merge";
  op: "add" | "concat" | "mul";
  label?: LabelAst;
  branches: BodyStmt[];
  opSpan: Span;
  span: Span;
}

/** `{ … }`: an anonymous chain (no scope); empty, it is the identity. */
export interface ChainStmt {
  kind: "chain";
  body: BodyStmt[];
  span: Span;
}

/** `@label`: the value an earlier labelled statement produced. */
export interface RefStmt {
  kind: "ref";
  name: string;
  nameSpan: Span;
  span: Span;
}

export type BodyStmt = LayerStmt | RepeatStmt | IfStmt | SeqStmt | MergeStmt | ChainStmt | RefStmt;

export interface ParamAst {
  name: string;
  span: Span;
  default?: Expr;
}

/** `block Name(params) { body }` */
export interface BlockAst {
  name: string;
  nameSpan: Span;
  params: ParamAst[];
  body: BodyStmt[];
  span: Span;
  file: string;
  /** the decoded text of the block's file (spans index into it) */
  text: string;
}

export interface ImportAst {
  /** the path as written, relative to the importing file */
  path: string;
  pathSpan: Span;
  span: Span;
}

export interface InputStmt {
  dims: NumberValue[];
  span: Span;
}

export interface RoundingStmt {
  mode: string;
  modeSpan: Span;
  span: Span;
}

export interface LossStmt {
  op: string;
  opSpan: Span;
  args: ArgExpr[];
  span: Span;
}

export interface ModelAst {
  name: string;
  nameSpan: Span;
  span: Span;
  input: InputStmt;
  rounding?: RoundingStmt;
  body: BodyStmt[];
  loss?: LossStmt;
}

export interface FileAst {
  file: string;
  /** the decoded source text (BOM removed) that spans index into */
  text: string;
  models: ModelAst[];
  blocks: BlockAst[];
  imports: ImportAst[];
}
