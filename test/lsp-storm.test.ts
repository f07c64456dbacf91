// Edit storms: thousands of random edits never crash the language server, and
// its last diagnostics are exactly what `cnnc check --format json` says about
// the final text. In-process, every editor feature runs after every edit;
// over stdio, the real server gets the edits as incremental didChange messages.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { TextDocument } from "vscode-languageserver-textdocument";
import { describe, expect, it } from "vitest";
import { fixEdits } from "../src/lsp/actions.ts";
import { analyze } from "../src/lsp/analysis.ts";
import { complete } from "../src/lsp/completion.ts";
import { shapeHints } from "../src/lsp/hints.ts";
import { hover } from "../src/lsp/hover.ts";
import { defAt, refAt } from "../src/lsp/symbols.ts";
import { cnnc } from "./cli-helpers.ts";
import { LspClient } from "./lsp-client.ts";

const START = readFileSync(new URL("../examples/lenet5.cnn", import.meta.url), "utf8");

const PIECES = [
  "conv(", "conv(8, kernel=3)", ")", "(", ",", "=", "kernel", "stride=2", "pad=same", "pad=(1, 2)", "3", "0", "1e9",
  "99999999999999999999", " ", "\n", "\r\n", "relu", "{", "}", "repeat 2 {", "repeat 1000 {", "# note", "//", ":", "c9:",
  "\r", "maxpool(2)", "maxpol", "affine(10)", "loss softmax", "loss svm(margin=2)", "rounding exact", "rounding ceil",
  "model Z {", "input [3, 8, 8]", "input [4]", "-", ";", "é", "😀", "\uFEFF", "@", "flatten", "globalavgpool", "batchnorm",
];

/** One edit: where (as a fraction of the text), how much to delete, what to insert. */
const editArb = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  remove: fc.nat({ max: 12 }),
  insert: fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 6 })),
});
type Edit = { at: number; remove: number; insert: string };

/** [start, end) of an edit in `text`, never splitting a surrogate pair (an editor never does). */
function rangeOf(text: string, e: Edit): [number, number] {
  const fix = (i: number) => (i > 0 && i < text.length && /[\uD800-\uDBFF]/.test(text[i - 1]) ? i - 1 : i);
  const start = fix(Math.floor(e.at * text.length));
  return [start, fix(Math.min(text.length, start + e.remove))];
}

interface JsonDiagnostic {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  code: string;
  message: string;
  notes: string[];
  help: string | null;
}

interface LspDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: number;
  code: string;
  message: string;
}

/** What both sides say, with places as offsets into the final text (an editor and the compiler count lines alike except at a lone CR). */
interface Placed {
  start: number;
  end: number;
  severity: string;
  code: string;
  message: string;
  notes: string[];
  help: string | null;
}

/** An LSP diagnostic read back into `cnnc check --format json`'s fields, placed by the editor's document. */
function fromLsp(d: LspDiagnostic, doc: TextDocument): Placed {
  const [message, ...rest] = d.message.split("\n");
  const help = rest.find((l) => l.startsWith("= help: "));
  return {
    start: doc.offsetAt(d.range.start),
    end: doc.offsetAt(d.range.end),
    severity: d.severity === 1 ? "error" : "warning",
    code: d.code,
    message,
    notes: rest.filter((l) => l !== help).map((l) => l.slice(2)),
    help: help?.slice("= help: ".length) ?? null,
  };
}

/** A JSON diagnostic placed by its 1-based line (LF-terminated) and UTF-16 column in the decoded text (no BOM). */
function fromJson(d: JsonDiagnostic, text: string): Placed {
  const bom = text.startsWith("\uFEFF") ? 1 : 0;
  const starts = [0];
  for (let i = bom; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1 - bom);
  const at = (line: number, column: number) => bom + starts[line - 1] + column - 1;
  return { start: at(d.line, d.column), end: at(d.endLine, d.endColumn), severity: d.severity, code: d.code, message: d.message, notes: d.notes, help: d.help };
}

describe("edit storms", () => {
  it("every editor feature survives every intermediate text of random edit sequences", () => {
    let edits = 0;
    fc.assert(
      fc.property(fc.array(editArb, { minLength: 8, maxLength: 16 }), fc.double({ min: 0, max: 1, noNaN: true }), (seq, where) => {
        let text = START;
        for (const e of seq) {
          const [s, t] = rangeOf(text, e);
          text = text.slice(0, s) + e.insert + text.slice(t);
          edits++;
          const a = analyze(text, "storm.cnn");
          const offset = Math.floor(where * text.length);
          shapeHints(a);
          hover(a, offset);
          complete(a, text, offset);
          refAt(a.symbols, offset);
          defAt(a.symbols, offset);
          for (const d of a.result.diagnostics) if (d.fix !== undefined) fixEdits(a, d.fix, d.span);
        }
      }),
      { numRuns: 100 },
    );
    expect(edits).toBeGreaterThanOrEqual(800);
  }, 60_000);

  it("over stdio: 1,500 incremental changes, then the diagnostics equal cnnc check --format json", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cnnc-storm-"));
    const path = join(dir, "storm.cnn");
    const uri = pathToFileURL(path).href;
    const client = LspClient.start();
    try {
      await client.request("initialize", { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { debounceMs: 5 } });
      client.notify("initialized", {});
      let doc = TextDocument.create(uri, "cnn", 1, START);
      client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "cnn", version: 1, text: START } });
      const edits = fc.sample(editArb, { numRuns: 1500, seed: 12 });
      for (const [i, e] of edits.entries()) {
        const text = doc.getText();
        const [s, t] = rangeOf(text, e);
        const change = { range: { start: doc.positionAt(s), end: doc.positionAt(t) }, text: e.insert };
        doc = TextDocument.update(doc, [change], doc.version + 1);
        client.notify("textDocument/didChange", { textDocument: { uri, version: doc.version }, contentChanges: [change] });
        // requests in the middle of the storm are answered from the text as it is then
        if (i % 250 === 249) {
          const position = doc.positionAt(Math.floor(doc.getText().length / 2));
          await client.request("textDocument/hover", { textDocument: { uri }, position });
          await client.request("textDocument/completion", { textDocument: { uri }, position });
        }
      }
      const last = await client.waitFor<{ version: number; diagnostics: LspDiagnostic[] }>(
        "textDocument/publishDiagnostics",
        (p) => p.version === doc.version,
        60_000,
      );
      expect(client.proc.exitCode).toBe(null);
      writeFileSync(path, doc.getText());
      const cli = await cnnc("check", "--format", "json", path);
      const expected = (JSON.parse(cli.stdout) as { diagnostics: JsonDiagnostic[] }).diagnostics.map((d) => fromJson(d, doc.getText()));
      expect(last.diagnostics.length).toBeGreaterThan(0); // the storm leaves a broken file: the comparison is not vacuous
      expect(last.diagnostics.map((d) => fromLsp(d, doc))).toEqual(expected);
      await client.request("shutdown", null);
      client.notify("exit", null);
      expect(await client.exited).toBe(0);
    } finally {
      if (client.proc.exitCode === null) client.proc.kill();
    }
  }, 90_000);
});
