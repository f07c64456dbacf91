// A model → the `cnnc summary` table: one row per layer with its output
// shape, parameters, MACs and f32 activation memory per sample, then totals.
// For a failing model the rows stop before the failing layer.
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
const columns: { title: string; align: Align }[] = [
  { title: "layer", align: "left" },
  { title: "op", align: "left" },
  { title: "output", align: "left" },
  { title: "params", align: "right" },
  { title: "MACs", align: "right" },
  { title: "activation", align: "right" },
];

/** Op texts longer than this are cut with "…" so a long argument list cannot widen the table past a terminal. */
const MAX_OP_WIDTH = 40;

export function renderSummaryTable(model: ModelFacts, options: { style?: Style } = {}): string {
  const style = options.style ?? plainStyle;
  const rows: string[][] = [["input", "", formatShape(model.input), "", "", formatBytes(activationBytes(model.input))]];
  let activation = activationBytes(model.input);
  for (const layer of model.layers) {
    const bytes = activationBytes(layer.output);
    activation += bytes;
    let op = layerText(layer);
    if (op.length > MAX_OP_WIDTH) op = `${op.slice(0, MAX_OP_WIDTH - 1)}…`;
    rows.push([
      layer.name,
      op,
      formatShape(layer.output),
      formatCount(layerParamCount(layer)),
      formatCount(layer.macs),
      formatBytes(bytes),
    ]);
  }
  const total = [
    model.checked ? "total" : "total so far",
    "",
    "",
    formatCount(model.params),
    formatCount(model.macs),
    formatBytes(activation),
  ];
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
