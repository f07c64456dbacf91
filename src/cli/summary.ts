// `cnnc summary FILE [--model NAME]`: per model a table of layers with output
// shape, parameters, MACs and activation memory per sample, and totals; for a
// failing model the table up to the failing layer, then its diagnostics.
import type { Command } from "commander";
import type { Diagnostic } from "../diagnostics.ts";
import { styleFor } from "../render/style.ts";
import { renderSummaryTable } from "../render/table.ts";
import { countSeverities, renderDiagnostic, summaryLine } from "../render/text.ts";
import { EXIT, type CliContext, type CliIo } from "./context.ts";
import { selectModels } from "./report.ts";
import { compileFile, modelsInOrder, sourcesOf, within } from "./sources.ts";

export function register(program: Command, cli: CliContext): void {
  program
    .command("summary")
    .description("a table per model: layer, op, output shape, parameters, MACs and activation memory per sample")
    .argument("<file>", "a .cnn file")
    .option("--model <name>", "only the model with this name")
    .action((file: string, options: { model?: string }) => {
      cli.exitCode = runSummary(file, options, cli.io);
    });
}

export function runSummary(path: string, options: { model?: string }, io: CliIo): number {
  const style = styleFor(io.colour);
  const f = compileFile(path);
  const sources = sourcesOf([f]);
  const render = (ds: readonly Diagnostic[]) => ds.map((d) => renderDiagnostic(d, sources, { style }));
  const all = modelsInOrder(f);
  // a file that did not parse has no models: its diagnostics say why, not E0003
  const models = all.length === 0 ? all : selectModels(path, all, options.model, io);
  if (models === undefined) return EXIT.usage;

  const blocks: string[] = [];
  const shown: Diagnostic[] = [];
  for (const m of models) {
    const own = f.diagnostics.filter((d) => within(d, m));
    blocks.push(renderSummaryTable(m, { style }), ...render(own));
    shown.push(...own);
  }
  // problems outside every model (a syntax error that stopped parsing, a duplicate model name)
  const outside = f.diagnostics.filter((d) => !all.some((m) => within(d, m)));
  blocks.push(...render(outside));
  shown.push(...outside);
  const counts = countSeverities(shown);
  const total = summaryLine(counts, path, { style });
  if (total !== "") blocks.push(total);
  io.stdout(blocks.join("\n\n") + "\n");
  if (f.unreadable) return EXIT.usage;
  return counts.errors > 0 ? EXIT.failed : EXIT.ok;
}
