// `cnnc summary FILE [--model NAME] [--batch N] [--dtype f32|f64] [--format text|json]`:
// per model a table of layers with output shape, parameters, MACs and
// activation memory per sample, and totals, then the generated module's
// workspace bytes at batch 1 and at --batch; for a failing model the table up
// to the failing layer, then its diagnostics (docs/cli.md#cnnc-summary).
import type { Diagnostic } from "../diagnostics.ts";
import { moduleMemory } from "../emit/module.ts";
import type { Model } from "../ir.ts";
import type { ModelFacts } from "../render/format.ts";
import { jsonDiagnostic, jsonModel, stringifyJson } from "../render/json.ts";
import { styleFor } from "../render/style.ts";
import { renderSummaryTable } from "../render/table.ts";
import { countSeverities, renderDiagnostic, summaryLine } from "../render/text.ts";
import { renderWorkspaceLine, type WorkspaceFacts } from "../render/workspace.ts";
import { EXIT, type CliIo } from "./context.ts";
import { noSuchModel, selectModels } from "./report.ts";
import { compileFile, modelsInOrder, sourcesOf, within, type CompiledFile } from "./sources.ts";

export interface SummaryOptions {
  model?: string;
  /** a batch to size the workspace for, besides 1 */
  batch?: number;
  dtype?: "f32" | "f64";
  format?: "text" | "json";
}

/** What createWorkspace(batch) of `model`'s generated TypeScript module allocates, at batch 1 and at `batch`. */
export function workspaceFacts(model: Model, dtype: "f32" | "f64", batch?: number): WorkspaceFacts {
  const size = moduleMemory(model, { dtype, sourceName: model.file }).workspace;
  const batches = [...new Set([1, batch ?? 1])].map((n) => ({ batch: n, bytes: n * size.perSample + size.fixed }));
  return { dtype, perSample: size.perSample, fixed: size.fixed, maxBatch: size.maxBatch, batches };
}

export function runSummary(path: string, options: SummaryOptions, io: CliIo): number {
  const f = compileFile(path);
  const all = modelsInOrder(f);
  const dtype = options.dtype ?? "f32";
  /** the workspace of a model that checked; none for a failing one */
  const workspace = (facts: ModelFacts): WorkspaceFacts | undefined => {
    const model = facts.checked ? f.models.find((m) => m.span.start === facts.span.start) : undefined;
    return model && workspaceFacts(model, dtype, options.batch);
  };
  return options.format === "json" ? summaryJson(f, all, options, workspace, io) : summaryText(f, all, options, workspace, io);
}

function summaryText(
  f: CompiledFile,
  all: ModelFacts[],
  options: SummaryOptions,
  workspace: (m: ModelFacts) => WorkspaceFacts | undefined,
  io: CliIo,
): number {
  const style = styleFor(io.colour);
  const sources = sourcesOf([f]);
  const render = (ds: readonly Diagnostic[]) => ds.map((d) => renderDiagnostic(d, sources, { style }));
  // a file that did not parse has no models: its diagnostics say why, not E0003
  const models = all.length === 0 ? all : selectModels(f.file, all, options.model, io);
  if (models === undefined) return EXIT.usage;

  const blocks: string[] = [];
  const shown: Diagnostic[] = [];
  for (const m of models) {
    const own = f.diagnostics.filter((d) => within(d, m));
    const w = workspace(m);
    blocks.push(renderSummaryTable(m, { style }) + (w ? `\n${renderWorkspaceLine(w, style)}` : ""), ...render(own));
    shown.push(...own);
  }
  // problems outside every model (a syntax error that stopped parsing, a duplicate model name)
  const outside = f.diagnostics.filter((d) => !all.some((m) => within(d, m)));
  blocks.push(...render(outside));
  shown.push(...outside);
  const counts = countSeverities(shown);
  const total = summaryLine(counts, f.file, { style });
  if (total !== "") blocks.push(total);
  io.stdout(blocks.join("\n\n") + "\n");
  if (f.unreadable) return EXIT.usage;
  return counts.errors > 0 ? EXIT.failed : EXIT.ok;
}

/** `cnnc check --format json`'s document for the selected models, each that checked with its `workspace`. */
function summaryJson(
  f: CompiledFile,
  all: ModelFacts[],
  options: SummaryOptions,
  workspace: (m: ModelFacts) => WorkspaceFacts | undefined,
  io: CliIo,
): number {
  const models = options.model === undefined || all.length === 0 ? all : all.filter((m) => m.name === options.model);
  if (models.length === 0 && all.length > 0) {
    const d = noSuchModel(f.file, options.model!, all.map((m) => m.name));
    io.stdout(stringifyJson({ diagnostics: [jsonDiagnostic(d)], models: [] }) + "\n");
    return EXIT.usage;
  }
  const shown = f.diagnostics.filter((d) => models.some((m) => within(d, m)) || !all.some((m) => within(d, m)));
  const document = {
    diagnostics: shown.map(jsonDiagnostic),
    models: models.map((m) => {
      const w = workspace(m);
      return { ...jsonModel(m), ...(w ? { workspace: w } : {}) };
    }),
  };
  io.stdout(stringifyJson(document) + "\n");
  if (f.unreadable) return EXIT.usage;
  return countSeverities(shown).errors > 0 ? EXIT.failed : EXIT.ok;
}
