// Inlay hints: each layer statement's output shape at the end of its line
// (`→ [64, 56, 56]`), each block instance's and seq's output at the end of its
// statement, each merge's after its closing brace, and each model's input →
// output and size after its name.
import type { InlayHint, Position } from "vscode-languageserver";
import { formatShape } from "../ops/op.ts";
import { formatCount } from "../render/format.ts";
import type { Analysis, InstanceGroup, LayerGroup } from "./analysis.ts";
import { isChecked } from "./analysis.ts";

/** `→ [6, 28, 28]`; a statement inside `repeat` shows its copies' shapes. */
export function shapeLabel(group: LayerGroup): string {
  return shapesLabel(group.layers.map((l) => l.output));
}

/** The label of one output per copy of a statement. */
export function shapesLabel(shapes: readonly number[][]): string {
  const outs = shapes.map(formatShape);
  if (outs.every((o) => o === outs[0])) return outs.length === 1 ? `→ ${outs[0]}` : `→ ${outs[0]} ×${outs.length}`;
  return `→ ${outs[0]} … ${outs[outs.length - 1]} (${outs.length} copies)`;
}

/** Where a hint for the code ending at `end` goes: the end of its line, unless more code follows on that line. */
function hintOffset(text: string, end: number): number {
  const lineEnd = text.indexOf("\n", end);
  const stop = lineEnd < 0 ? text.length : lineEnd;
  const rest = text.slice(end, stop);
  const code = rest.replace(/(#|\/\/).*$/, "").replace(/[\s;{}]/g, "");
  if (code !== "") return end;
  return text[stop - 1] === "\r" ? stop - 1 : stop;
}

export interface ShapeHint {
  /** offset in the analysed text */
  offset: number;
  label: string;
  /** "layer" for a statement's output, "model" for a model's summary */
  kind: "layer" | "model";
}

/** Every hint of a file between two offsets, in source order (the playground draws these too). */
export function shapeHints(a: Analysis, from = 0, to = Infinity): ShapeHint[] {
  const hints: ShapeHint[] = [];
  for (const m of a.models) {
    if (m.span.end < from || m.span.start > to) continue;
    const ast = a.result.ast?.models.find((x) => x.span.start === m.span.start);
    if (ast !== undefined) {
      const arrow = isChecked(m)
        ? `${formatShape(m.input)} → ${formatShape(m.output)} · ${formatCount(m.params)} params · ${formatCount(m.macs)} MACs`
        : `${formatShape(m.input)} → ✗`;
      hints.push({ offset: hintOffset(a.text, ast.nameSpan.end), label: arrow, kind: "model" });
    }
  }
  for (const { stmt } of a.symbols.statements) {
    if (stmt.span.end < from || stmt.span.start > to) continue;
    const group = a.layersAt.get(stmt.span.start);
    if (group !== undefined) hints.push({ offset: hintOffset(a.text, stmt.span.end), label: shapeLabel(group), kind: "layer" });
    const instances = a.instancesAt.get(stmt.span.start);
    if (instances !== undefined) hints.push(...instanceHint(a, stmt.span.end, instances));
  }
  for (const g of a.symbols.groups) {
    if (g.span.end < from || g.span.start > to) continue;
    if (g.kind === "seq") hints.push(...instanceHint(a, g.span.end, a.instancesAt.get(g.span.start)));
    const merge = g.kind === "merge" ? a.layersAt.get((g.label?.span ?? g.opSpan).start) : undefined;
    if (merge !== undefined) hints.push({ offset: hintOffset(a.text, g.span.end), label: shapeLabel(merge), kind: "layer" });
  }
  // a one-line `seq { A; B }` ends where its last member does: one hint says it
  const sorted = hints.sort((x, y) => x.offset - y.offset);
  return sorted.filter((h, i) => i === 0 || h.offset !== sorted[i - 1].offset || h.label !== sorted[i - 1].label);
}

/** A block instance's or seq's output, when every copy of it checked that far. */
function instanceHint(a: Analysis, end: number, group: InstanceGroup | undefined): ShapeHint[] {
  const outs = group?.instances.map((i) => i.output);
  if (outs === undefined || outs.some((o) => o === undefined)) return [];
  return [{ offset: hintOffset(a.text, end), label: shapesLabel(outs as number[][]), kind: "layer" }];
}

/** `positionOf` places an offset in the editor's document (the default counts LF-terminated lines, as the compiler does). */
export function inlayHints(a: Analysis, from: number, to: number, positionOf?: (offset: number) => Position): InlayHint[] {
  const place =
    positionOf ??
    ((offset: number): Position => {
      const p = a.lines.position(offset);
      return { line: p.line - 1, character: p.column - 1 };
    });
  return shapeHints(a, from, to).map((h) => ({ position: place(h.offset), label: h.label, paddingLeft: true, kind: 1 })); // InlayHintKind.Type
}
