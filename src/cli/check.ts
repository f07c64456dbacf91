// `cnnc check FILE... [--format text|json|github] [--deny-warnings]
//  [--max-params N] [--max-macs N]`: parse and shape-check every model of
// every file, report every problem of the run, and exit 0 / 1 / 2 (docs/cli.md#exit-codes).
import { sortDiagnostics } from "../diagnostics.ts";
import { formatCount, formatShape, graphFacts, type ModelFacts } from "../render/format.ts";
import { renderGithubDiagnostic } from "../render/github.ts";
import { renderJson } from "../render/json.ts";
import { styleFor, type Style } from "../render/style.ts";
import { countSeverities, renderDiagnostic, summaryLine } from "../render/text.ts";
import { checkBudgets, type Budgets } from "./budget.ts";
import { EXIT, type CliIo } from "./context.ts";
import { compileFile, modelsInOrder, sourcesOf, within, type CompiledFile } from "./sources.ts";

export interface CheckOptions extends Budgets {
  format: "text" | "json" | "github";
  denyWarnings?: boolean;
}

export function runCheck(paths: readonly string[], options: CheckOptions, io: CliIo): number {
  const files = paths.map((path) => {
    const f = compileFile(path);
    return { ...f, diagnostics: sortDiagnostics([...f.diagnostics, ...checkBudgets(f.models, options)]) };
  });
  const all = files.flatMap((f) => f.diagnostics);
  const { errors, warnings } = countSeverities(all);
  const denyWarnings = options.denyWarnings === true;
  const exitCode = files.some((f) => f.unreadable)
    ? EXIT.usage
    : errors > 0 || (denyWarnings && warnings > 0)
      ? EXIT.failed
      : EXIT.ok;

  if (options.format === "json") {
    io.stdout(renderJson(all, files.flatMap(modelsInOrder)) + "\n");
    return exitCode;
  }
  const style = styleFor(io.colour && options.format === "text");
  const ok = okLines(files, style);
  if (options.format === "github") {
    io.stdout([...all.map(renderGithubDiagnostic), ...ok].map((l) => l + "\n").join(""));
    return exitCode;
  }
  const blocks: string[] = [];
  if (ok.length > 0) blocks.push(ok.join("\n"));
  const sources = sourcesOf(files);
  for (const f of files) {
    if (f.diagnostics.length === 0) continue;
    for (const d of f.diagnostics) blocks.push(renderDiagnostic(d, sources, { style }));
    blocks.push(summaryLine(countSeverities(f.diagnostics), f.file, { denyWarnings, style }));
  }
  const failing = files.filter((f) => f.diagnostics.length > 0).length;
  if (failing > 1) blocks.push(summaryLine({ errors, warnings }, `${failing} of ${files.length} files`, { denyWarnings, style }));
  if (blocks.length > 0) io.stdout(blocks.join("\n\n") + "\n");
  return exitCode;
}

/** `ok  LeNet5  [1,28,28] → [10]  61,706 params  416,520 MACs  (examples/lenet5.cnn)`, aligned across the run; graph models add their block instances and merges. */
function okLines(files: readonly CompiledFile[], style: Style): string[] {
  const passed: ModelFacts[] = files.flatMap((f) =>
    modelsInOrder(f).filter((m) => m.checked && !f.diagnostics.some((d) => d.severity === "error" && within(d, m))),
  );
  const cells = passed.map((m) => [
    m.name,
    formatShape(m.input),
    formatShape(m.output),
    `${formatCount(m.params)} params`,
    `${formatCount(m.macs)} MACs`,
    `(${m.file})`,
    graphFacts(m.layers),
  ]);
  const right = [false, false, false, true, true, false];
  const widths = right.map((_, i) => Math.max(0, ...cells.map((c) => c[i].length)));
  const cell = (c: string[], i: number) => (right[i] ? c[i].padStart(widths[i]) : c[i].padEnd(widths[i]));
  return cells.map((c) =>
    [`${style.ok("ok")}`, cell(c, 0), `${cell(c, 1)} → ${cell(c, 2)}`, cell(c, 3), cell(c, 4), c[5], ...(c[6] !== "" ? [c[6]] : [])].join("  "),
  );
}
