// What the wasm target refuses below the level of whole ops (those are NOT_ON_WASM entries in
// ./ops/index.ts): padding modes other than zeros, and `loss softmax` with nn.CrossEntropyLoss's
// options or on a [K, H, W] output, whose kernels only the TypeScript target has
// (docs/generated-api.md#ops-the-wasm-target-refuses).
import type { Span } from "../diagnostics.ts";
import type { Model } from "../ir.ts";

export interface WasmRefusal {
  span: Span;
  /** "`pad` with mode=reflect (layer p1)" */
  what: string;
}

export function wasmRefusal(model: Model): WasmRefusal | undefined {
  for (const l of model.layers) {
    const a = l.args;
    if (a.op === "pad" && a.mode !== undefined) return { span: l.span, what: `\`pad\` with mode=${a.mode} (layer ${l.name})` };
    if (a.op === "conv" && a.padding_mode !== undefined) return { span: l.span, what: `\`conv\` with padding_mode=${a.padding_mode} (layer ${l.name})` };
  }
  const loss = model.loss;
  if (loss?.args.op !== "softmax") return undefined;
  const a = loss.args;
  const options = [
    a.label_smoothing !== undefined ? "label_smoothing" : "",
    a.weight !== undefined ? "weight" : "",
    a.ignore_index !== undefined ? "ignore_index" : "",
    a.reduction !== undefined ? "reduction" : "",
  ].filter((o) => o !== "");
  if (options.length > 0) return { span: loss.span, what: `\`loss softmax\` with ${options.join(", ")}` };
  if (model.output.length > 1) return { span: loss.span, what: `\`loss softmax\` on a ${JSON.stringify(model.output).replace(/,/g, ", ")} output (per-position cross-entropy)` };
  return undefined;
}
