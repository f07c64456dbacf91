// A model → the `cnnc summary` table: one row per layer with its output
// shape, parameters, MACs and f32 activation memory per sample, then totals.
// For a failing model the rows stop before the failing layer. A graph model
// shows its structure: a heading row where a block instance, seq or merge
// branch opens (with the block's parameter and MAC subtotals), rows indented by
// nesting, and a `from` column naming the operands of merges and of layers that
// do not read the row above.
import type { Layer } from "../ir.ts";
import {
  activationBytes,
  formatBytes,
  formatCount,
  formatShape,
  layerParamCount,
  layerText,
  type ModelFacts,
} from "./format.ts";
import { plainStyle, type Style } from "./style.ts";

type Align = "left" | "right";
const stackColumns: { title: string; align: Align }[] = [
  { title: "layer", align: "left" },
  { title: "op", align: "left" },
  { title: "output", align: "left" },
  { title: "params", align: "right" },
  { title: "MACs", align: "right" },
  { title: "activation", align: "right" },
];

/** Op texts longer than this are cut with "…" so a long argument list cannot widen the table past a terminal. */
const MAX_OP_WIDTH = 40;
const INDENT = "  ";

/** Whether any layer reads something other than the row above: then the table gets a `from` column. */
function isGraph(layers: readonly Layer[]): boolean {
  return layers.some((l, i) => l.from.length > 1 || l.from[0] !== i - 1 || (l.scope ?? []).length > 0);
}

export function renderSummaryTable(model: ModelFacts, options: { style?: Style } = {}): string {
  const style = options.style ?? plainStyle;
  const graph = isGraph(model.layers);
  const columns = graph ? [...stackColumns.slice(0, 2), { title: "from", align: "left" as Align }, ...stackColumns.slice(2)] : stackColumns;
  /** a row in the stack layout; the `from` cell is dropped for plain stacks */
  const row = (name: string, op: string, from: string, rest: string[]): string[] => (graph ? [name, op, from, ...rest] : [name, op, ...rest]);
  const rows: string[][] = [row("input", "", "", [formatShape(model.input), "", "", formatBytes(activationBytes(model.input))])];
  // parameter and MAC subtotals of every block instance and seq, by scope id
  const sums = new Map<number, { params: number; macs: number }>();
  for (const l of model.layers) {
    for (const f of l.scope ?? []) {
      const s = sums.get(f.id) ?? { params: 0, macs: 0 };
      s.params += layerParamCount(l);
      s.macs += l.macs;
      sums.set(f.id, s);
    }
  }
  const nameOf = (i: number): string => (i === -1 ? "input" : model.layers[i].name);
  let open: number[] = [];
  let activation = activationBytes(model.input);
  model.layers.forEach((layer, i) => {
    const scope = layer.scope ?? [];
    // headings for the scopes this layer enters
    scope.forEach((f, depth) => {
      if (open[depth] === f.id) return;
      const indent = INDENT.repeat(depth);
      const s = sums.get(f.id)!;
      if (f.kind === "branch") rows.push(row(`${indent}${f.title}`, "", "", ["", "", "", ""]));
      else rows.push(row(`${indent}${f.path || "·"}`, f.kind === "seq" ? "seq" : f.title, "", ["", formatCount(s.params), formatCount(s.macs), ""]));
    });
    open = scope.map((f) => f.id);
    const bytes = activationBytes(layer.output);
    activation += bytes;
    let op = layer.from.length > 1 ? layer.args.op : layerText(layer);
    if (op.length > MAX_OP_WIDTH) op = `${op.slice(0, MAX_OP_WIDTH - 1)}…`;
    const from = layer.from.length > 1 || layer.from[0] !== i - 1 ? layer.from.map(nameOf).join(layer.args.op === "mul" ? " × " : " + ") : "";
    rows.push(
      row(`${INDENT.repeat(scope.length)}${layer.name}`, op, from, [
        formatShape(layer.output),
        formatCount(layerParamCount(layer)),
        formatCount(layer.macs),
        formatBytes(bytes),
      ]),
    );
  });
  const total = row(model.checked ? "total" : "total so far", "", "", ["", formatCount(model.params), formatCount(model.macs), formatBytes(activation)]);
  const table = [columns.map((c) => c.title), ...rows, total];
  const widths = columns.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => (columns[i].align === "left" ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join("  ")
      .trimEnd();
  const rule = "─".repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1));

  const arrow = model.checked ? `${formatShape(model.input)} → ${formatShape(model.output)}` : `${formatShape(model.input)} → ✗`;
  const loss = model.loss !== undefined ? `, loss ${model.loss}` : "";
  const out = [
    `${style.bold(model.name)}  ${arrow}${loss}  (${model.file})`,
    style.dim(line(table[0])),
    ...rows.map(line),
    style.dim(rule),
    style.bold(line(total)),
  ];
  if (!model.checked) out.push(style.error(`stops before the layer that fails:`));
  return out.join("\n");
}
