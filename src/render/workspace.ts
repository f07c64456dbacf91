// The `workspace` line under a `cnnc summary` table: the bytes the generated
// module's createWorkspace(batch) allocates (its workspaceBytes(batch),
// docs/generated-api.md#workspace-size) at batch 1 and at the --batch asked
// for (docs/cli.md#cnnc-summary).
import { formatBytes, formatCount } from "./format.ts";
import type { Style } from "./style.ts";

export interface WorkspaceFacts {
  dtype: "f32" | "f64";
  /** bytes per sample of the batch */
  perSample: number;
  /** bytes that do not grow with the batch */
  fixed: number;
  /** the largest batch createWorkspace accepts (its largest buffer fits in a typed array) */
  maxBatch: number;
  batches: { batch: number; bytes: number }[];
}

/** `workspace  f32: 310.6 KiB at batch 1, 790.1 KiB at batch 8 (71,232 bytes per sample + 246,824)` */
export function renderWorkspaceLine(w: WorkspaceFacts, style: Style): string {
  const sizes = w.batches.map(({ batch, bytes }) => {
    const over = batch > w.maxBatch ? ` (more than createWorkspace accepts: its largest batch is ${formatCount(w.maxBatch)})` : "";
    return `${formatBytes(bytes)} at batch ${formatCount(batch)}${over}`;
  });
  return `${style.bold("workspace")}  ${w.dtype}: ${sizes.join(", ")} (${formatCount(w.perSample)} bytes per sample + ${formatCount(w.fixed)})`;
}
