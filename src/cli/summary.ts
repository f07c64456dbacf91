// `cnnc summary FILE [--model NAME]`: per model a table of layers with output
// shape, parameters, MACs and activation memory per sample, and totals; for a
// failing model the table up to the failing layer, then its diagnostics.
import type { Command } from "commander";
import { diag, type Diagnostic } from "../diagnostics.ts";
import type { ModelFacts } from "../render/format.ts";
import { styleFor } from "../render/style.ts";
import { renderSummaryTable } from "../render/table.ts";
import { countSeverities, renderDiagnostic, summaryLine } from "../render/text.ts";
import { suggest } from "../suggest.ts";
import { EXIT, type CliContext, type CliIo } from "./context.ts";
import { compileFile, fileSpan, modelsInOrder, sourcesOf, within } from "./sources.ts";

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
  let models: ModelFacts[] = all;
  if (options.model !== undefined && all.length > 0) {
    models = all.filter((m) => m.name === options.model);
    if (models.length === 0) {
      // no code frame: the problem is the option, not a place in the file
      io.stdout(renderDiagnostic(noSuchModel(path, options.model, all), new Map(), { style }) + "\n");
      return EXIT.usage;
    }
  }

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

function noSuchModel(file: string, name: string, models: readonly ModelFacts[]): Diagnostic {
  const names = models.map((m) => m.name);
  const guess = suggest(name, names);
  return diag("E0003", fileSpan(file), `no model named \`${name}\` in ${file}`, {
    notes: [`the file defines ${names.map((n) => `\`${n}\``).join(", ")}`],
    ...(guess !== undefined ? { help: `did you mean \`--model ${guess}\`?` } : {}),
  });
}
