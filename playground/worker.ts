// The playground's compiler, in a Web Worker so typing never waits for it:
// the same analysis as `cnnc lsp` (diagnostics, shape hints), `cnnc summary`'s
// tables, `cnnc draw`'s SVG, `cnnc build`'s TypeScript (prettier in the
// browser), and "run": the generated module with its types stripped (sucrase,
// bundled), imported from a blob URL and timed on random data. The document
// imports from the bundled model zoo (examples/zoo) as if it sat in that folder.
/// <reference lib="webworker" />
import * as babel from "prettier/plugins/babel";
import * as estree from "prettier/plugins/estree";
import { format } from "prettier/standalone";
import { transform } from "sucrase";
import { drawSvg, type DrawnModel } from "../src/draw/svg.ts";
import { emitModule } from "../src/emit/module.ts";
import { resolveImport } from "../src/import-path.ts";
import type { Model } from "../src/ir.ts";
import type { ReadImport } from "../src/pipeline.ts";
import { analyze, isChecked, type Analysis } from "../src/lsp/analysis.ts";
import { diagnosticText } from "../src/lsp/convert.ts";
import { shapeHints } from "../src/lsp/hints.ts";
import { modelFacts, partialFacts } from "../src/render/format.ts";
import { renderSummaryTable } from "../src/render/table.ts";
import type { Analysed, Ran, Reply, Request } from "./protocol.ts";

declare const self: DedicatedWorkerGlobalScope;
/** every file under examples/zoo by its path there, bundled by build.mts */
declare const LIBRARY: Record<string, string>;
const FILE = "playground.cnn";

/** `import "blocks/resnet.cnn"` reads the bundled zoo file; anything else cannot be read here. */
const readBundled: ReadImport = (path) =>
  Object.hasOwn(LIBRARY, path)
    ? { bytes: LIBRARY[path] }
    : { error: `the playground has no such file; it can import ${Object.keys(LIBRARY).filter((f) => f.includes("/")).join(", ")}` };

/** Where the editor shows a diagnostic of an imported file: on the import that brought the file in. */
function importSpan(a: Analysis, file: string): { from: number; to: number } {
  const imp = a.result.ast?.imports.find((i) => resolveImport(FILE, i.path) === file) ?? a.result.ast?.imports[0];
  return imp !== undefined ? { from: imp.span.start, to: imp.span.end } : { from: 0, to: 0 };
}

function analysed(id: number, a: Analysis): Analysed {
  const diagnostics = a.result.diagnostics.map((d) => ({
    ...(d.span.file === FILE ? { from: d.span.start, to: d.span.end } : { ...importSpan(a, d.span.file), file: d.span.file }),
    severity: d.severity,
    code: d.code,
    message: diagnosticText(d),
    line: d.span.line,
    column: d.span.column,
  }));
  const drawn: DrawnModel[] = a.models.map((m) => {
    if (isChecked(m)) return { model: m };
    // the error that stopped it: in the model, or inside an imported block it instantiates
    const d = a.result.diagnostics.find((x) => x.severity === "error" && (x.span.file !== FILE || (x.span.start >= m.span.start && x.span.start <= m.span.end)));
    const text = d === undefined || d.span.file === FILE ? a.text : (a.result.imported.find((f) => f.file === d.span.file)?.text ?? "");
    const source = text.split(/\r?\n/)[(d?.span.line ?? 1) - 1]?.trim() ?? "";
    return { model: m, failure: { code: d?.code ?? "", message: d?.message ?? "", notes: d?.notes ?? [], help: d?.help, source, line: d?.span.line ?? 0 } };
  });
  return {
    kind: "analyzed",
    id,
    diagnostics,
    hints: shapeHints(a),
    summary: a.models.map((m) => renderSummaryTable(isChecked(m) ? modelFacts(m) : partialFacts(m))).join("\n\n"),
    svg: drawn.length > 0 ? drawSvg(drawn) : "",
    checked: a.result.models.map((m) => m.name),
  };
}

function checkedModel(text: string, name: string): Model {
  const model = analyze(text, FILE, readBundled).result.models.find((m) => m.name === name);
  if (model === undefined) throw new Error(`model ${name} does not check`);
  return model;
}

/** Runs `work` a few times and returns the median time in ms. */
function median(runs: number, work: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    work();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

interface GeneratedModule {
  initParams(seed?: number): Record<string, Float32Array>;
  initState(): Record<string, Float32Array>;
  createWorkspace(batch: number, seed?: number): unknown;
  forward(p: unknown, s: unknown, x: Float32Array, ws: unknown, train?: boolean): Float32Array;
  lossAndGrad?(p: unknown, s: unknown, x: Float32Array, y: Int32Array, ws: unknown): { loss: number };
  backward?(p: unknown, s: unknown, x: Float32Array, dout: Float32Array, ws: unknown): unknown;
  info: { input: number[]; output: number[] };
}

async function run(text: string, name: string, batch: number): Promise<Omit<Ran, "id">> {
  const t0 = performance.now();
  const ts = emitModule(checkedModel(text, name), { dtype: "f32", sourceName: FILE });
  // the module uses only erasable TypeScript, so removing the types gives the JavaScript to run
  const js = transform(ts, { transforms: ["typescript"] }).code;
  const url = URL.createObjectURL(new Blob([js], { type: "text/javascript" }));
  const net = (await import(/* @vite-ignore */ url)) as GeneratedModule;
  URL.revokeObjectURL(url);
  const buildMs = performance.now() - t0;
  const p = net.initParams(1);
  const s = net.initState();
  const ws = net.createWorkspace(batch, 1);
  const x = new Float32Array(batch * net.info.input.reduce((a, b) => a * b, 1)).map(() => Math.random() * 2 - 1);
  const classes = net.info.output.reduce((a, b) => a * b, 1);
  const y = new Int32Array(batch).map(() => Math.floor(Math.random() * classes));
  const dout = new Float32Array(batch * classes).fill(1 / batch);
  const runs = 3;
  const forwardMs = median(runs, () => net.forward(p, s, x, ws));
  let loss: number | undefined;
  const stepMs = median(runs, () => {
    if (net.lossAndGrad !== undefined) loss = net.lossAndGrad(p, s, x, y, ws).loss;
    else net.backward!(p, s, x, dout, ws);
  });
  return { kind: "ran", model: name, batch, buildMs, forwardMs, stepMs, ...(loss !== undefined ? { loss } : {}), outputShape: net.info.output };
}

/** The text of the newest analyze request: a generate for an older text is skipped. */
let latest = "";

self.onmessage = async (e: MessageEvent<Request>) => {
  const req = e.data;
  const reply = (r: Reply) => self.postMessage(r);
  try {
    if (req.kind === "analyze") {
      latest = req.text;
      reply(analysed(req.id, analyze(req.text, FILE, readBundled)));
    } else if (req.kind === "generate") {
      if (req.text !== latest) return;
      const ts = await format(emitModule(checkedModel(req.text, req.model), { dtype: "f32", sourceName: FILE }), {
        parser: "babel-ts",
        plugins: [babel, estree],
        printWidth: 100,
      });
      reply({ kind: "generated", id: req.id, model: req.model, ts });
    } else {
      reply({ ...(await run(req.text, req.model, req.batch)), id: req.id });
    }
  } catch (error) {
    reply({ kind: "failed", id: req.id, message: error instanceof Error ? error.message : String(error) });
  }
};
