// Go to definition: a reference's target (symbols.ts: a label, a block of this
// file, the producer of a layer's input); else, on an instance of an imported
// block, that block's name in its file (the imported file is parsed again on
// request, as the compile result keeps only its text); else, on an import's
// path, the start of the file it names.
import type { Span } from "../diagnostics.ts";
import { resolveImport } from "../import-path.ts";
import { parse } from "../parse.ts";
import { spanHolds, type Analysis } from "./analysis.ts";
import { defAt, refAt } from "./symbols.ts";

export function definitionAt(a: Analysis, offset: number): Span | undefined {
  const local = refAt(a.symbols, offset)?.target ?? defAt(a.symbols, offset)?.nameSpan;
  if (local !== undefined) return local;
  const instance = a.symbols.statements.find((s) => spanHolds(s.stmt.opSpan, offset))?.stmt;
  if (instance !== undefined) {
    for (const f of a.result.imported) {
      const block = parse(f.text, f.file).value?.blocks.find((b) => b.name === instance.op);
      if (block !== undefined) return block.nameSpan;
    }
  }
  const imp = a.result.ast?.imports.find((i) => spanHolds(i.pathSpan, offset));
  if (imp === undefined) return undefined;
  const file = resolveImport(a.file, imp.path);
  return { file, line: 1, column: 1, endLine: 1, endColumn: 1, start: 0, end: 0 };
}
