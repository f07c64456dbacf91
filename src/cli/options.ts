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
