// format: TypeScript text → the same program laid out by prettier. Used on
// every emitted module so output is readable and stable. The babel-ts parser
// prints the same bytes as the typescript parser for our output and parses
// about twice as fast.
import type { Options } from "prettier";
import { layoutPiece } from "./layout.ts";
import { splitTopLevel, startsWithBlankLine } from "./top-level.ts";

const OPTIONS: Options = { parser: "babel-ts", printWidth: 100 };

export async function formatTs(text: string): Promise<string> {
  // loaded on first use, not at start-up: most builds never need it (see formatTsAll)
  const { format } = await import("prettier");
  return format(text, OPTIONS);
}

/**
 * Formats several texts, the same bytes as formatTs on each, in a fraction of
 * its time. Prettier lays out each top-level statement on its own
 * (top-level.ts), so: every distinct statement is laid out once (a module and
 * the f64 copy of it inside its gradient-check harness share almost all of
 * theirs, see `withoutDtype`), by layout.ts when it can, by prettier otherwise
 * (loaded only then: cold, it costs a quarter of a second before its first
 * statement); then the pieces are joined.
 */
export async function formatTsAll(texts: readonly string[]): Promise<string[]> {
  const split = texts.map((text) => splitTopLevel(text).map((piece) => ({ blankBefore: startsWithBlankLine(piece), ...withoutDtype(piece.trim()) })));
  const keys = [...new Set(split.flat().map((piece) => piece.key))];
  try {
    const done = new Map<string, string>();
    const left: string[] = [];
    for (const key of keys) {
      const laid = layoutPiece(key);
      if (laid !== undefined) done.set(key, laid);
      else left.push(key);
    }
    for (const key of left) done.set(key, await formatTs(key));
    return split.map((pieces) =>
      pieces.map((piece, i) => (i > 0 && piece.blankBefore ? "\n" : "") + withDtype(done.get(piece.key)!, piece.dtypes)).join(""),
    );
  } catch {
    // a piece prettier cannot read alone: a text that is not TypeScript (its
    // error is prettier's on the whole text) or a cut in the wrong place
    return Promise.all(texts.map(formatTs));
  }
}
// The float type is all an f32 module's statements and their f64 twins differ
// in. Each spelling of it becomes a placeholder of the same width (so prettier
// lays both out alike), and goes back in, in order, once laid out.
const DTYPE = /\bFloat(?:32|64)Array\b|\bf(?:32|64)\b/g;
const PLACEHOLDER = /\bFloat__Array\b|\bf__\b/g;

function withoutDtype(piece: string): { key: string; dtypes: string[] } {
  const dtypes: string[] = [];
  if (piece.includes("Float__Array") || piece.includes("f__")) return { key: piece, dtypes };
  const key = piece.replace(DTYPE, (dtype) => (dtypes.push(dtype), dtype.length === 12 ? "Float__Array" : "f__"));
  return { key, dtypes };
}

function withDtype(laid: string, dtypes: readonly string[]): string {
  let k = 0;
  const text = dtypes.length === 0 ? laid : laid.replace(PLACEHOLDER, (placeholder) => dtypes[k++] ?? placeholder);
  if (k !== dtypes.length) throw new Error("the float type moved while being laid out");
  return text;
}
