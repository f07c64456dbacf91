// Expressions of block parameters, repeat indices and conditions
// (docs/language.md#arithmetic): evaluated per instance, on exact integers.
// Reports E0216 (a value of the wrong kind, a division that is not exact,
// division by zero) and E0217 (a name that is no parameter or index).
import type { Expr, NumberValue, Value } from "../ast.ts";
import { diag, type Diagnostic, type Span } from "../diagnostics.ts";
import { suggest } from "../suggest.ts";

/** A value during expansion. Words are the bare names ops take (`same`, `floor`). */
export type Val =
  | { kind: "int"; value: number }
  | { kind: "decimal"; value: number; text: string }
  | { kind: "bool"; value: boolean }
  | { kind: "tuple"; items: Val[] }
  | { kind: "word"; name: string };

/** Names in scope: a block's parameters and the enclosing repeat indices. */
export type Env = ReadonlyMap<string, Val>;

export function showVal(v: Val): string {
  switch (v.kind) {
    case "int":
      return String(v.value);
    case "decimal":
      return v.text;
    case "bool":
      return String(v.value);
    case "word":
      return v.name;
    case "tuple":
      return `(${v.items.map(showVal).join(", ")})`;
  }
}

const kindName = (v: Val): string =>
  v.kind === "int" ? "an integer" : v.kind === "decimal" ? "a decimal" : v.kind === "bool" ? "a boolean" : v.kind === "tuple" ? "a tuple" : `the word '${v.name}'`;

export class Evaluator {
  constructor(
    private readonly report: (d: Diagnostic) => void,
    /** notes appended to every diagnostic ("in instantiation of …") */
    private readonly notes: readonly string[] = [],
  ) {}

  private fail(code: "E0216" | "E0217", span: Span, message: string, help?: string, notes: string[] = []): undefined {
    this.report(diag(code, span, message, { notes: [...notes, ...this.notes], ...(help !== undefined ? { help } : {}) }));
    return undefined;
  }

  evaluate(e: Expr, env: Env): Val | undefined {
    switch (e.kind) {
      case "number":
        return e.isInt ? { kind: "int", value: e.value } : { kind: "decimal", value: e.value, text: e.text };
      case "ident": {
        const bound = env.get(e.name);
        if (bound !== undefined) return bound;
        if (e.name === "true" || e.name === "false") return { kind: "bool", value: e.name === "true" };
        return { kind: "word", name: e.name };
      }
      case "paren":
        return this.evaluate(e.inner, env);
      case "tuple": {
        const items: Val[] = [];
        for (const i of e.items) {
          const v = this.evaluate(i, env);
          if (v === undefined) return undefined;
          items.push(v);
        }
        return { kind: "tuple", items };
      }
      case "unary": {
        const v = this.evaluate(e.operand, env);
        if (v === undefined) return undefined;
        if (e.op === "not") return this.bool(v, e.operand, env, "not") ? { kind: "bool", value: !v.value } : undefined;
        const n = this.int(v, e.operand, env, "-");
        return n === undefined ? undefined : { kind: "int", value: -n };
      }
      case "binary":
        return this.binary(e, env);
    }
  }

  private binary(e: Expr & { kind: "binary" }, env: Env): Val | undefined {
    const l = this.evaluate(e.left, env);
    if (l === undefined) return undefined;
    if (e.op === "and" || e.op === "or") {
      if (!this.bool(l, e.left, env, e.op)) return undefined;
      // short-circuit, as in Python: `stride != 1 or project` never reads project when not needed
      if (e.op === "and" ? !l.value : l.value) return l;
      const r = this.evaluate(e.right, env);
      return r !== undefined && this.bool(r, e.right, env, e.op) ? r : undefined;
    }
    const r = this.evaluate(e.right, env);
    if (r === undefined) return undefined;
    if (e.op === "==" || e.op === "!=") {
      if (l.kind === "int" || r.kind === "int" || l.kind !== r.kind) {
        const a = this.int(l, e.left, env, e.op);
        const b = a === undefined ? undefined : this.int(r, e.right, env, e.op);
        if (a === undefined || b === undefined) return undefined;
        return { kind: "bool", value: (a === b) === (e.op === "==") };
      }
      return { kind: "bool", value: (showVal(l) === showVal(r)) === (e.op === "==") };
    }
    const a = this.int(l, e.left, env, e.op);
    const b = a === undefined ? undefined : this.int(r, e.right, env, e.op);
    if (a === undefined || b === undefined) return undefined;
    const int = (value: number): Val | undefined =>
      Number.isSafeInteger(value) ? { kind: "int", value } : this.fail("E0216", e.span, `${a} ${e.op} ${b} is beyond 2^53 - 1`, "use smaller numbers");
    switch (e.op) {
      case "+":
        return int(a + b);
      case "-":
        return int(a - b);
      case "*":
        return int(a * b);
      case "/":
      case "//":
        if (b === 0) return this.fail("E0216", e.right.span, `division by zero in ${a} ${e.op} 0`, "divide by a non-zero integer");
        if (e.op === "/" && a % b !== 0) {
          return this.fail("E0216", e.span, `${a} / ${b} is not a whole number`, `write ${a} // ${b} for the floor (${Math.floor(a / b)}), or change the operands`, [
            "`/` divides exactly; `//` rounds down",
          ]);
        }
        return int(Math.floor(a / b));
      case "<":
        return { kind: "bool", value: a < b };
      case "<=":
        return { kind: "bool", value: a <= b };
      case ">":
        return { kind: "bool", value: a > b };
      case ">=":
        return { kind: "bool", value: a >= b };
    }
  }

  /** An operand of arithmetic or an ordering: an integer, else E0216 (E0217 for an unknown name). */
  private int(v: Val, e: Expr, env: Env, op: string): number | undefined {
    if (v.kind === "int") return v.value;
    if (v.kind === "word") return this.unknownName(v.name, e, env, `'${op}' needs integers`);
    return this.fail("E0216", e.span, `'${op}' needs integers, got ${kindName(v)} (${showVal(v)})`, undefined, [
      "arithmetic and comparisons are on integers; booleans combine with and, or, not",
    ]);
  }

  private bool(v: Val, e: Expr, env: Env, op: string): v is Val & { kind: "bool" } {
    if (v.kind === "bool") return true;
    if (v.kind === "word") this.unknownName(v.name, e, env, `'${op}' needs true or false`);
    else this.fail("E0216", e.span, `'${op}' needs true or false, got ${kindName(v)} (${showVal(v)})`, v.kind === "int" ? `compare it, e.g. ${showVal(v)} != 0` : undefined);
    return false;
  }

  private unknownName(name: string, e: Expr, env: Env, why: string): undefined {
    const known = [...env.keys()];
    const guess = suggest(name, known);
    return this.fail("E0217", e.span, `unknown name '${name}'`, guess !== undefined ? `did you mean '${guess}'?` : undefined, [
      known.length > 0 ? `${why}; the names in scope are: ${known.join(", ")}` : `${why}; no parameter or repeat index is in scope here`,
    ]);
  }

  /** A condition (`if`): true or false. */
  condition(e: Expr, env: Env): boolean | undefined {
    const v = this.evaluate(e, env);
    if (v === undefined) return undefined;
    return this.bool(v, e, env, "if") ? v.value : undefined;
  }

  /** A count (`repeat n`): a whole number ≥ 1. */
  count(e: Expr, env: Env): number | undefined {
    const v = this.evaluate(e, env);
    if (v === undefined) return undefined;
    if (v.kind === "word") return this.unknownName(v.name, e, env, "a repeat count is an integer");
    if (v.kind !== "int" || v.value < 1) {
      return this.fail("E0216", e.span, `a repeat count must be a whole number of at least 1, got ${showVal(v)}`, v.kind === "int" ? "leave the repeat out when it would run no copy (use `if`)" : undefined);
    }
    return v.value;
  }
}

/** An evaluated value in the form the ops' argument reader takes; undefined for a tuple of non-numbers. */
export function toValue(v: Val, span: Span): Value | undefined {
  const num = (x: Val): NumberValue | undefined =>
    x.kind === "int"
      ? { kind: "number", value: x.value, text: String(x.value), isInt: true, span }
      : x.kind === "decimal"
        ? { kind: "number", value: x.value, text: x.text, isInt: false, span }
        : undefined;
  switch (v.kind) {
    case "int":
    case "decimal":
      return num(v);
    case "bool":
      return { kind: "ident", name: String(v.value), span };
    case "word":
      return { kind: "ident", name: v.name, span };
    case "tuple": {
      const items = v.items.map(num);
      return items.every((i) => i !== undefined) ? { kind: "tuple", items: items as NumberValue[], span } : undefined;
    }
  }
}
