// The memory createWorkspace(batch) allocates, from the buffers the emitter
// plans. The generated module checks a batch against it before allocating, and
// `cnnc gradcheck` checks --batch against it before doing any work
// (docs/generated-api.md#workspace-size, docs/cli.md#cnnc-gradcheck).
import type { WorkspaceBuffer } from "./context.ts";

/**
 * The most elements one typed array may hold in a generated module: 2^32, the
 * limit of Node 20's V8 (an ArrayBuffer's byte length is not the bound there,
 * the element count is). A batch whose largest buffer would exceed it is refused.
 */
export const MAX_TYPED_ARRAY_LENGTH = 2 ** 32;

export interface WorkspaceSize {
  /** bytes per sample of the batch */
  perSample: number;
  /** bytes that do not grow with the batch (parameter gradients, per-channel statistics) */
  fixed: number;
  /** the buffer with the most elements per sample, and that count */
  largest: { name: string; perSample: number };
  /** the largest batch whose every buffer fits in a typed array */
  maxBatch: number;
}

const BYTES = { float32: 4, float64: 8, int32: 4 } as const;

/** Sums the buffers; each length must be `batch`, `batch * K` or a constant `K` (anything else is a compiler bug). */
export function workspaceSize(buffers: readonly WorkspaceBuffer[], float: "float32" | "float64"): WorkspaceSize {
  const size: WorkspaceSize = { perSample: 0, fixed: 0, largest: { name: "", perSample: 0 }, maxBatch: 0 };
  for (const b of buffers) {
    const bytes = BYTES[b.kind === "int32" ? "int32" : float];
    const scaled = /^batch(?: \* (\d+))?$/.exec(b.length);
    if (scaled !== null) {
      const k = Number(scaled[1] ?? 1);
      size.perSample += k * bytes;
      if (k > size.largest.perSample) size.largest = { name: b.name, perSample: k };
    } else if (/^\d+$/.test(b.length)) {
      size.fixed += Number(b.length) * bytes;
    } else {
      throw new Error(`internal: workspace buffer ${b.name} has length ${JSON.stringify(b.length)}, neither batch * K nor K`);
    }
  }
  size.maxBatch = size.largest.perSample === 0 ? Number.MAX_SAFE_INTEGER : Math.floor(MAX_TYPED_ARRAY_LENGTH / size.largest.perSample);
  return size;
}
