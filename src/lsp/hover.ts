// Hover: on a layer, its resolved arguments, input and output shapes, the
// output-size arithmetic per spatial axis, its parameters and MACs; on a block
// instance or a seq (its label or keyword), the instantiation with every
// argument, its shapes and the totals of its layers; on an op or argument that
// did not check, the op's signature; on a model name, its totals.
import type { LayerStmt } from "../ast.ts";
import type { Layer, Model, PartialModel } from "../ir.ts";
import { formatShape, product } from "../ops/op.ts";
import { exactValue, fmtNumber, formula, type Axis } from "../ops/window.ts";
import { formatCount } from "../render/format.ts";
import { isChecked, spanHolds, type Analysis, type Instance, type InstanceGroup } from "./analysis.ts";
import { signatureMarkdown, signatureOf } from "./docs.ts";
import { refAt } from "./symbols.ts";

export interface HoverAnswer {
  markdown: string;
  /** offsets of the hovered thing */
  start: number;
  end: number;
}

/** `conv(filters=6, kernel=(5, 5), …)`: every resolved argument, defaults included. */
export function resolvedArgs(layer: Layer): string {
  const { op, ...rest } = layer.args;
  const text = (v: unknown): string => (Array.isArray(v) ? `(${v.join(", ")})` : String(v));
  const parts = Object.entries(rest).map(([k, v]) => `${k}=${text(v)}`);
  return parts.length === 0 ? op : `${op}(${parts.join(", ")})`;
}

/** `height: (28 + 2 + 2 - 5) / 1 + 1 = 28` per spatial axis of a windowed layer. */
export function outputArithmetic(layer: Layer): string[] {
  const a = layer.args;
  // conv and the pools: the windowed ops whose output follows the rounding rule
  if (!("rounding" in a) || layer.input.length !== 3) return [];
  const dilation = "dilation" in a ? a.dilation : [1, 1];
  return (["height", "width"] as const).map((axis, i) => {
    const ax: Axis = { size: layer.input[i + 1], kernel: a.kernel[i], stride: a.stride[i], dilation: dilation[i], before: a.pad[2 * i], after: a.pad[2 * i + 1] };
    const exact = exactValue(ax);
    const out = layer.output[i + 1];
    const rounded = exact === out ? "" : `, rounded ${out < exact ? "down" : "up"} (${a.rounding}) to ${out}`;
    return `${axis}: ${formula(ax)} = ${fmtNumber(exact)}${rounded}`;
  });
}

function layerMarkdown(layers: Layer[], model: Model | PartialModel): string {
  const l = layers[0];
  const lines = [`**${l.name}** in ${model.name}: \`${formatShape(l.input)} → ${formatShape(l.output)}\``, "", "```cnn", resolvedArgs(l), "```"];
  const arithmetic = outputArithmetic(l);
  if (arithmetic.length > 0) lines.push("", ...arithmetic.map((s) => `- ${s}`));
  const params = l.params.reduce((n, t) => n + product(t.shape), 0);
  lines.push("", `params: ${formatCount(params)}${l.params.length > 0 ? ` (${l.params.map((t) => `\`${t.name}\` ${formatShape(t.shape)}`).join(", ")})` : ""}`);
  if (l.state.length > 0) lines.push(`state: ${l.state.map((t) => `\`${t.name}\` ${formatShape(t.shape)}`).join(", ")}`);
  lines.push(`MACs: ${formatCount(l.macs)} per sample`);
  if (layers.length > 1) {
    const shown = layers.slice(0, 8).map((c) => `${c.name} ${formatShape(c.input)} → ${formatShape(c.output)}`);
    lines.push("", `${layers.length} copies (repeat): ${shown.join("; ")}${layers.length > 8 ? "; …" : ""}`);
  }
  return lines.join("\n");
}

/** The totals of one instance: `[64, 56, 56] → [128, 28, 28]` · 9 layers · 230,144 params · 179,830,784 MACs. */
function instanceTotals(i: Instance): string {
  const params = i.layers.reduce((n, l) => n + l.params.reduce((p, t) => p + product(t.shape), 0), 0);
  const macs = i.layers.reduce((n, l) => n + l.macs, 0);
  const shapes = `${formatShape(i.layers[0].input)} → ${i.output !== undefined ? formatShape(i.output) : "✗"}`;
  return `\`${shapes}\` · ${i.layers.length} layer${i.layers.length === 1 ? "" : "s"} · ${formatCount(params)} params · ${formatCount(macs)} MACs`;
}

function instanceMarkdown(group: InstanceGroup, block: string | undefined): string {
  const first = group.instances[0];
  const s = first.scope;
  const what = block !== undefined ? `block **${block}**` : `seq **${s.title}**`;
  const path = s.path !== "" && s.path !== s.title ? ` \`${s.path}\`` : "";
  const lines = [`${what}${path} in ${group.model.name}`, ""];
  if (block !== undefined) lines.push("```cnn", `${block}(${(s.args ?? []).join(", ")})`, "```", "");
  lines.push(`${instanceTotals(first)} per sample`);
  if (group.instances.length > 1) {
    const shown = group.instances.slice(0, 8).map((i, k) => `${i.scope.path || `copy ${k + 1}`}: ${instanceTotals(i)}`);
    lines.push("", `${group.instances.length} copies:`, ...shown.map((x) => `- ${x}`), ...(group.instances.length > 8 ? ["- …"] : []));
  }
  return lines.join("\n");
}

function modelMarkdown(m: Model | PartialModel): string {
  if (!isChecked(m)) return `**model ${m.name}**: \`${formatShape(m.input)} → ✗\` (checked up to layer ${m.layers.length}; see the errors)`;
  return [
    `**model ${m.name}**: \`${formatShape(m.input)} → ${formatShape(m.output)}\``,
    "",
    `${m.layers.length} layers · ${formatCount(m.params)} params · ${formatCount(m.macs)} MACs per sample${m.loss !== null ? ` · loss ${m.loss.args.op}` : ""}`,
  ].join("\n");
}

function statementAt(a: Analysis, offset: number): LayerStmt | undefined {
  return a.symbols.statements.find((s) => spanHolds(s.stmt.span, offset))?.stmt;
}

export function hover(a: Analysis, offset: number): HoverAnswer | undefined {
  const stmt = statementAt(a, offset);
  if (stmt !== undefined) {
    const group = a.layersAt.get(stmt.span.start);
    const arg = stmt.args.find((x) => x.nameSpan !== undefined && spanHolds(x.nameSpan, offset));
    const sig = signatureOf(stmt.op, false);
    if (arg !== undefined && sig !== undefined) {
      const spec = sig.args.find((s) => s.name === arg.name);
      if (spec !== undefined) return { markdown: `\`${stmt.op}\` argument \`${spec.name}\`: ${spec.doc}`, start: arg.nameSpan!.start, end: arg.nameSpan!.end };
    }
    const instances = a.instancesAt.get(stmt.span.start);
    if (instances !== undefined) return { markdown: instanceMarkdown(instances, stmt.op), start: stmt.span.start, end: stmt.span.end };
    if (group !== undefined) {
      const ref = refAt(a.symbols, offset);
      const from = ref !== undefined ? `\n\n${ref.description}` : "";
      return { markdown: layerMarkdown(group.layers, group.model) + from, start: stmt.span.start, end: stmt.span.end };
    }
    if (sig !== undefined && spanHolds(stmt.opSpan, offset)) return { markdown: signatureMarkdown(sig), start: stmt.opSpan.start, end: stmt.opSpan.end };
    return undefined;
  }
  // a seq's or merge's label and keyword (inside its braces are its own statements)
  for (const g of a.symbols.groups) {
    const keyword = g.kind === "seq" ? g.keywordSpan : g.opSpan;
    const head = { start: (g.label?.span ?? keyword).start, end: keyword.end };
    if (offset < head.start || offset > head.end) continue;
    const seq = g.kind === "seq" ? a.instancesAt.get(g.span.start) : undefined;
    if (seq !== undefined) return { markdown: instanceMarkdown(seq, undefined), ...head };
    const merge = g.kind === "merge" ? a.layersAt.get(head.start) : undefined;
    if (merge !== undefined) return { markdown: layerMarkdown(merge.layers, merge.model), ...head };
  }
  const loss = a.result.ast?.models.find((m) => m.loss !== undefined && spanHolds(m.loss.opSpan, offset))?.loss;
  const lossSig = loss !== undefined ? signatureOf(loss.op, true) : undefined;
  if (loss !== undefined && lossSig !== undefined) return { markdown: signatureMarkdown(lossSig), start: loss.opSpan.start, end: loss.opSpan.end };
  const model = a.result.ast?.models.find((m) => spanHolds(m.nameSpan, offset));
  const checked = model !== undefined ? a.models.find((m) => m.span.start === model.span.start) : undefined;
  if (model !== undefined && checked !== undefined) return { markdown: modelMarkdown(checked), start: model.nameSpan.start, end: model.nameSpan.end };
  return undefined;
}
