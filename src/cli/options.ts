// Option parsers shared by commands; a bad value is a usage error (exit 2)
// reported by commander, never an exception.
import { InvalidArgumentError } from "commander";
import { parseCount } from "./budget.ts";

/** A non-negative whole number for a budget or a count, e.g. 1000000, 1_000_000, 25M. */
export function countArgument(value: string): number {
  const n = parseCount(value);
  if (n === undefined) {
    throw new InvalidArgumentError("expected a whole number ≥ 0 within 2^53, e.g. 1000000, 1_000_000 or 25M.");
  }
  return n;
}

/** A parser for a plain whole number ≥ `min` (a batch, a seed, an unroll budget). */
export function wholeNumberArgument(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`expected a whole number ≥ ${min}.`);
    }
    return n;
  };
}

/** A positive tolerance, e.g. 1e-6. */
export function tolArgument(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError("expected a positive number, e.g. 1e-6.");
  }
  return n;
}
