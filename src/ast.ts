// AST: what toAst builds from the CST. Statement order is already validated
// (input first, rounding right after it, loss last), so the checker reads a
// model as input → rounding? → body → loss?. Spans point into the source.
import type { Span } from "./diagnostics.ts";

export interface NumberValue {
  kind: "number";
  value: number;
  /** the token's text as written, e.g. "1e-5" */
  text: string;
  /** written as plain decimal digits (no fraction, no exponent) */
  isInt: boolean;
  span: Span;
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

export interface Arg {
  /** absent for the positional argument */
  name?: string;
  nameSpan?: Span;
  value: Value;
  span: Span;
}

export interface LayerStmt {
  kind: "layer";
  label?: string;
  labelSpan?: Span;
  op: string;
  opSpan: Span;
  args: Arg[];
  span: Span;
}

export interface RepeatStmt {
  kind: "repeat";
  count: number;
  countSpan: Span;
  body: BodyStmt[];
  span: Span;
}

export type BodyStmt = LayerStmt | RepeatStmt;

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
  args: Arg[];
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
}
