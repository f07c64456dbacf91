// `cnnc gradcheck --batch N`: the memory the batch implies, checked before any
// work (E0004, exit 2). The bytes come from the emitter's own plan of the
// harness (gradcheckMemory); the limits are this machine's memory and the
// element count one typed array holds (docs/cli.md#cnnc-gradcheck).
import { totalmem } from "node:os";
import { diag, type Diagnostic } from "../diagnostics.ts";
import { gradcheckMemory } from "../emit/gradcheck.ts";
import { MAX_TYPED_ARRAY_LENGTH } from "../emit/workspace-size.ts";
import type { Model } from "../ir.ts";
import { formatBytes, formatCount } from "../render/format.ts";
import { fileSpan } from "./sources.ts";

/** E0004 when a gradient check of `batch` samples of `model` would not fit in `memory` bytes or in a typed array. */
export function gradcheckBatchTooLarge(file: string, model: Model, batch: number, memory = totalmem()): Diagnostic | undefined {
  const need = gradcheckMemory(model);
  const bytes = batch * need.perSample + need.fixed;
  const fitsMemory = Math.max(0, Math.floor((memory - need.fixed) / need.perSample));
  const largest = Math.min(fitsMemory, need.maxBatch);
  if (batch <= largest) return undefined;
  const notes = [
    `${formatCount(bytes)} bytes: ${formatCount(need.perSample)} per sample (the f64 workspace and the harness's arrays) plus ${formatCount(need.fixed)}`,
  ];
  const overArray =
    `its ${need.largest.name} would hold ${formatCount(batch * need.largest.perSample)} elements, ` +
    `more than the ${formatCount(MAX_TYPED_ARRAY_LENGTH)} a typed array holds`;
  let message: string;
  if (batch > fitsMemory) {
    message = `--batch ${batch} needs ${formatBytes(bytes)} for the gradient check of ${model.name}, more than the limit of ${formatBytes(memory)}`;
    notes.push(`the limit is this machine's memory, ${formatCount(memory)} bytes`);
    if (batch > need.maxBatch) notes.push(overArray);
  } else {
    message = `--batch ${batch} is too large for the gradient check of ${model.name}: ${overArray}`;
  }
  return diag("E0004", fileSpan(file), message, {
    notes,
    help:
      largest >= 1
        ? `the largest batch that fits is ${formatCount(largest)}; a gradient check needs only a few samples`
        : "not even one sample fits: check a smaller model",
  });
}
