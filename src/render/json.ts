// Diagnostics and models → the one JSON document of docs/cli.md#json
// (`cnnc check --format json`). The schema below is the contract: tests and
// users can validate the output against it.
import * as z from "zod";
import type { Diagnostic } from "../diagnostics.ts";
import { layerParamCount, type ModelFacts } from "./format.ts";

export const JsonDiagnosticSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  endLine: z.number().int(),
  endColumn: z.number().int(),
  severity: z.enum(["error", "warning"]),
  code: z.string().regex(/^[EW]\d{4}$/),
  message: z.string(),
  notes: z.array(z.string()),
  help: z.string().nullable(),
});

export const JsonLayerSchema = z.object({
  label: z.string(),
  op: z.string(),
  line: z.number().int(),
  output: z.array(z.number().int()),
  params: z.number().int(),
  macs: z.number().int(),
});

/** `cnnc summary --format json` only: what the generated module's createWorkspace(batch) allocates (docs/cli.md#cnnc-summary). */
export const JsonWorkspaceSchema = z.object({
  dtype: z.enum(["f32", "f64"]),
  perSample: z.number().int(),
  fixed: z.number().int(),
  maxBatch: z.number().int(),
  batches: z.array(z.object({ batch: z.number().int(), bytes: z.number().int() })),
});

export const JsonModelSchema = z.object({
  file: z.string(),
  name: z.string(),
  input: z.array(z.number().int()),
  output: z.array(z.number().int()),
  params: z.number().int(),
  macs: z.number().int(),
  layers: z.array(JsonLayerSchema),
  workspace: JsonWorkspaceSchema.optional(),
});

export const JsonDocumentSchema = z.object({
  diagnostics: z.array(JsonDiagnosticSchema),
  models: z.array(JsonModelSchema),
});
export type JsonDocument = z.infer<typeof JsonDocumentSchema>;

export function jsonDiagnostic(d: Diagnostic): z.infer<typeof JsonDiagnosticSchema> {
  return {
    file: d.span.file,
    line: d.span.line,
    column: d.span.column,
    endLine: d.span.endLine,
    endColumn: d.span.endColumn,
    severity: d.severity,
    code: d.code,
    message: d.message,
    notes: d.notes,
    help: d.help ?? null,
  };
}

/** A model as the document lists it; for a failing model, its layers up to the failing one. */
export function jsonModel(m: ModelFacts): z.infer<typeof JsonModelSchema> {
  return {
    file: m.file,
    name: m.name,
    input: m.input,
    output: m.output,
    params: m.params,
    macs: m.macs,
    layers: m.layers.map((l) => ({
      label: l.name,
      op: l.args.op,
      line: l.span.line,
      output: l.output,
      params: layerParamCount(l),
      macs: l.macs,
    })),
  };
}

export function renderJson(diagnostics: readonly Diagnostic[], models: readonly ModelFacts[]): string {
  return stringifyJson({ diagnostics: diagnostics.map(jsonDiagnostic), models: models.map(jsonModel) });
}

export function stringifyJson(document: JsonDocument): string {
  // indented for people, with shapes kept on one line ([3, 224, 224]); strings cannot hold a raw newline, so the regex only meets arrays
  return JSON.stringify(document, null, 2).replace(/\[\s+(-?\d+(?:,\s+-?\d+)*)\s+\]/g, (_, items: string) => `[${items.split(/,\s+/).join(", ")}]`);
}
