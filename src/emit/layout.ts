// layout: prettier's layout of a top-level piece of emitted TypeScript (as cut
// by top-level.ts), written directly in milliseconds where cold prettier takes
// a second or more. layout-parse.ts reads the piece, layout-print.ts builds
// the document prettier would build for it, layout-doc.ts prints that document
// with prettier's algorithm. It answers only for what it reproduces exactly;
// for anything else (syntax it does not read, a line break in a layout it does
// not know) it returns undefined and the caller (src/emit/format.ts) hands the
// piece to prettier. test/emit-format.test.ts compares its answers with
// prettier's on every example, the zoo, random models, both dtypes, both targets.
import { printDoc, Refuse } from "./layout-doc.ts";
import { Parser } from "./layout-parse.ts";
import { printStatements } from "./layout-print.ts";

/** Prettier's output for `piece` (comments and statements), or undefined when it is not sure. */
export function layoutPiece(piece: string): string | undefined {
  try {
    const parser = new Parser(piece);
    const statements = parser.statements();
    if (!parser.atEnd() || statements.length === 0) return undefined;
    return printDoc(printStatements(statements)) + "\n";
  } catch (error) {
    if (error instanceof Refuse) return undefined;
    throw error;
  }
}
