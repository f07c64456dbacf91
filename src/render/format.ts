// Number, shape and size formatting shared by every renderer, so that the
// text, table and CI outputs spell the same quantity the same way.
import type { Span } from "../diagnostics.ts";
import type { Layer, PartialModel, Model } from "../ir.ts";

/** 61706 → "61,706" (locale-independent, so goldens do not depend on the machine) */
export function formatCount(n: number): string {
  const sign = n < 0 ? "-" : "";
  const digits = String(Math.abs(Math.trunc(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** [1, 28, 28] → "[1,28,28]" */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

const units = ["B", "KiB", "MiB", "GiB", "TiB"];

/** 3136 → "3.1 KiB"; below 1 KiB the exact byte count */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** "1 error", "2 warnings" */
export function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? "" : "s"}`;
}

export function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** trainable parameters of one layer (batchnorm running statistics are state, not parameters) */
export function layerParamCount(layer: Layer): number {
  return layer.params.reduce((sum, t) => sum + product(t.shape), 0);
}

/** bytes of one sample's output of a layer, stored as f32 */
export function activationBytes(shape: readonly number[]): number {
  return 4 * product(shape);
}

/** The facts every output reports about a model, for a checked model or the checked prefix of a failing one. */
export interface ModelFacts {
  file: string;
  name: string;
  input: number[];
  output: number[];
  params: number;
  macs: number;
  layers: Layer[];
  /** false for a failing model: `layers` stop before the layer that failed */
  checked: boolean;
  span: Span;
  /** the loss op, when the model has one */
  loss?: string;
}

export function modelFacts(model: Model): ModelFacts {
  return {
    file: model.file,
    name: model.name,
    input: model.input,
    output: model.output,
    params: model.params,
    macs: model.macs,
    layers: model.layers,
    checked: true,
    span: model.span,
    ...(model.loss ? { loss: model.loss.args.op } : {}),
  };
}

export function partialFacts(model: PartialModel): ModelFacts {
  const last = model.layers.at(-1);
  return {
    file: model.file,
    name: model.name,
    input: model.input,
    output: last ? last.output : model.input,
    params: model.layers.reduce((sum, l) => sum + layerParamCount(l), 0),
    macs: model.layers.reduce((sum, l) => sum + l.macs, 0),
    layers: model.layers,
    checked: false,
    span: model.span,
  };
}

/** The layer as written, without its label: "conv(6, kernel=5, pad=2)". */
export function layerText(layer: Layer): string {
  return layer.source.replace(/^\s*[A-Za-z_][A-Za-z0-9_]*\s*:\s*/, "").replace(/\s+/g, " ").trim();
}

/** "8 block instances, 8 merges" for a graph model; "" for a plain stack. */
export function graphFacts(layers: readonly Layer[]): string {
  const blocks = new Set(layers.flatMap((l) => (l.scope ?? []).filter((f) => f.kind === "block").map((f) => f.id))).size;
  const merges = layers.filter((l) => l.from.length > 1).length;
  const parts = [...(blocks > 0 ? [plural(blocks, "block instance")] : []), ...(merges > 0 ? [plural(merges, "merge")] : [])];
  return parts.join(", ");
}
