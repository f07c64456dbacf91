// Expressions of block parameters, repeat indices and conditions
// (docs/language.md#arithmetic): evaluated per instance, on exact integers,
// or in f64 as Python computes floats once a real takes part
// (docs/language.md#real-numbers). Reports E0216 (a value of the wrong kind, a
// division that is not exact, division by zero), E0217 (a name that is no
// parameter or index) and E0228 (a real where a whole number is required).
import type { Expr, NumberValue, Value } from "../ast.ts";
import { diag, type Diagnostic, type Span } from "../diagnostics.ts";
import { suggest } from "../suggest.ts";

/** A value during expansion. Words are the bare names ops take (`same`, `floor`). */
export type Val =
  | { kind: "int"; value: number }
  /** a real: a decimal literal (text as written) or a result of arithmetic with one (text: Python's repr) */
  | { kind: "real"; value: number; text: string }
  | { kind: "bool"; value: boolean }
  | { kind: "tuple"; items: Val[] }
  | { kind: "word"; name: string };

const isNum = (v: Val): boolean => v.kind === "int" || v.kind === "real";
const real = (value: number): Val => ({ kind: "real", value, text: pythonRepr(value) });

/** How to turn a real into the integer an integer place needs (E0228). */
export const realHelp = "round it down to an integer with `//`, as in `(…) // 1`, or keep decimals out of its arithmetic";
export const realNotes = ["a decimal literal (0.5, 1e-3) is real, and so is any arithmetic result with a real operand (docs/language.md#real-numbers)"];

/**
 * Python's `a // b` on floats (CPython's float_floor_div): the floor of the exact quotient, which
 * can differ from Math.floor(a / b) when a / b rounds up to a whole number (`1 // 0.1` is 9).
 */
export function pythonFloorDiv(a: number, b: number): number {
  let mod = a % b; // fmod, exact
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) {
    mod += b;
    div -= 1;
  }
  if (div === 0) return 0;
  let floor = Math.floor(div);
  if (div - floor > 0.5) floor += 1;
  return floor;
}

/** Python's repr of a float: the shortest digits that read back the same, `2.0` for a whole value, exponents below 1e-4 and from 1e16. */
export function pythonRepr(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, exp] = x.toExponential().split("e") as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 16) return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  const s = String(x); // JavaScript writes these magnitudes without an exponent, digits as above
  return s.includes(".") ? s : `${s}.0`;
}

/** Names in scope: a block's parameters and the enclosing repeat indices. */
export type Env = ReadonlyMap<string, Val>;

export function showVal(v: Val): string {
  switch (v.kind) {
    case "int":
      return String(v.value);
    case "real":
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
  v.kind === "int" ? "an integer" : v.kind === "real" ? "a real number" : v.kind === "bool" ? "a boolean" : v.kind === "tuple" ? "a tuple" : `the word '${v.name}'`;

export class Evaluator {
  constructor(
    private readonly report: (d: Diagnostic) => void,
    /** notes appended to every diagnostic ("in instantiation of …") */
    private readonly notes: readonly string[] = [],
  ) {}

  private fail(code: "E0216" | "E0217" | "E0228", span: Span, message: string, help?: string, notes: string[] = []): undefined {
    this.report(diag(code, span, message, { notes: [...notes, ...this.notes], ...(help !== undefined ? { help } : {}) }));
    return undefined;
  }

  evaluate(e: Expr, env: Env): Val | undefined {
    switch (e.kind) {
      case "number":
        return e.isInt ? { kind: "int", value: e.value } : { kind: "real", value: e.value, text: e.text };
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
        const n = this.num(v, e.operand, env, "-");
        return n === undefined ? undefined : n.real ? real(-n.value) : { kind: "int", value: -n.value };
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
      if (isNum(l) || isNum(r) || l.kind !== r.kind) {
        const a = this.num(l, e.left, env, e.op);
        const b = a === undefined ? undefined : this.num(r, e.right, env, e.op);
        if (a === undefined || b === undefined) return undefined;
        return { kind: "bool", value: (a.value === b.value) === (e.op === "==") };
      }
      return { kind: "bool", value: (showVal(l) === showVal(r)) === (e.op === "==") };
    }
    const x = this.num(l, e.left, env, e.op);
    const y = x === undefined ? undefined : this.num(r, e.right, env, e.op);
    if (x === undefined || y === undefined) return undefined;
    const [a, b] = [x.value, y.value];
    const shown = `${showVal(l)} ${e.op} ${showVal(r)}`;
    const int = (value: number): Val | undefined =>
      Number.isSafeInteger(value) ? { kind: "int", value } : this.fail("E0216", e.span, `${shown} is beyond 2^53 - 1`, "use smaller numbers");
    // one real operand makes + - * / real, computed in f64 like Python's floats; integers stay exact
    const isReal = x.real || y.real;
    const f64 = (value: number): Val | undefined =>
      Number.isFinite(value) ? real(value) : this.fail("E0216", e.span, `${shown} overflows a 64-bit float`, "use smaller numbers");
    switch (e.op) {
      case "+":
        return isReal ? f64(a + b) : int(a + b);
      case "-":
        return isReal ? f64(a - b) : int(a - b);
      case "*":
        return isReal ? f64(a * b) : int(a * b);
      case "/":
      case "//":
        if (b === 0) return this.fail("E0216", e.right.span, `division by zero in ${shown}`, "divide by a non-zero number");
        if (isReal) return e.op === "/" ? f64(a / b) : int(pythonFloorDiv(a, b));
        if (e.op === "/" && a % b !== 0) {
          return this.fail("E0216", e.span, `${a} / ${b} is not a whole number`, `write ${a} // ${b} for the floor (${Math.floor(a / b)}), or change the operands`, [
            "`/` of two integers divides exactly; `//` rounds down; with a real operand `/` gives a real",
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

  /** An operand of arithmetic or an ordering: an integer or a real, else E0216 (E0217 for an unknown name). */
  private num(v: Val, e: Expr, env: Env, op: string): { value: number; real: boolean } | undefined {
    if (v.kind === "int" || v.kind === "real") return { value: v.value, real: v.kind === "real" };
    if (v.kind === "word") return this.unknownName(v.name, e, env, `'${op}' needs numbers`);
    return this.fail("E0216", e.span, `'${op}' needs numbers, got ${kindName(v)} (${showVal(v)})`, undefined, [
      "arithmetic and comparisons are on integers and real numbers; booleans combine with and, or, not",
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
    if (v.kind === "real") return this.fail("E0228", e.span, `a repeat count must be a whole number, got the real number ${v.text}`, realHelp, realNotes);
    if (v.kind !== "int" || v.value < 1) {
      return this.fail("E0216", e.span, `a repeat count must be a whole number of at least 1, got ${showVal(v)}`, v.kind === "int" ? "leave the repeat out when it would run no copy (use `if`)" : undefined);
    }
    return v.value;
  }
}

/** An evaluated value in the form the ops' argument reader takes; undefined for a tuple of non-numbers. */
export function toValue(v: Val, span: Span, computed = false): Value | undefined {
  const num = (x: Val): NumberValue | undefined =>
    x.kind === "int"
      ? { kind: "number", value: x.value, text: String(x.value), isInt: true, span }
      : x.kind === "real"
        ? { kind: "number", value: x.value, text: x.text, isInt: false, span, ...(computed ? { computed } : {}) }
        : undefined;
  switch (v.kind) {
    case "int":
    case "real":
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
