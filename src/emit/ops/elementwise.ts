// Shared loop for elementwise layers: one pass over N × size.
import type { Dims } from "../context.ts";

export function elementwise(l: { input: Dims }, statement: string): string {
  return `for (let i = 0, e = N * ${l.input.size}; i < e; i++) {
    ${statement}
  }`;
}
