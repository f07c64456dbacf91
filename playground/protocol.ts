// Messages between the playground page (main.ts) and its compiler worker (worker.ts).
import type { ShapeHint } from "../src/lsp/hints.ts";

export interface PageDiagnostic {
  from: number;
  to: number;
  severity: "error" | "warning";
  code: string;
  /** the message, then the notes and the help, as `cnnc check` prints them */
  message: string;
  line: number;
  column: number;
  /** the imported file it is in (`from`/`to` then mark the import); absent for the document itself */
  file?: string;
}

export type Request =
  | { kind: "analyze"; id: number; text: string }
  | { kind: "generate"; id: number; text: string; model: string }
  | { kind: "run"; id: number; text: string; model: string; batch: number };

export interface Analysed {
  kind: "analyzed";
  id: number;
  diagnostics: PageDiagnostic[];
  hints: ShapeHint[];
  /** `cnnc summary`'s table per model */
  summary: string;
  /** `cnnc draw`'s picture; empty when nothing parsed */
  svg: string;
  /** names of the models that checked (the ones that can be generated and run) */
  checked: string[];
}

export interface Generated {
  kind: "generated";
  id: number;
  model: string;
  /** the TypeScript module `cnnc build` writes, formatted */
  ts: string;
}

export interface Ran {
  kind: "ran";
  id: number;
  model: string;
  batch: number;
  /** milliseconds: building the module (type stripping and import), one forward pass, one training step (median of several) */
  buildMs: number;
  forwardMs: number;
  stepMs: number;
  /** the loss on random data, or undefined for a model without a loss */
  loss?: number;
  outputShape: number[];
}

export interface Failed {
  kind: "failed";
  id: number;
  message: string;
}

export type Reply = Analysed | Generated | Ran | Failed;
