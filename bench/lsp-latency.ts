// `node --import tsx bench/lsp-latency.ts`: how long `cnnc lsp` takes from a
// keystroke (an incremental didChange) to the diagnostics of the new text, on
// a 10,000-layer file and on VGG-16, with the analysis pause set to 0 so the
// figure is the server's own work (an editor adds the 50 ms pause). Also the
// time of an inlay-hint and a hover request right after. Prints a markdown table.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { LspClient } from "../test/lsp-client.ts";

const ROUNDS = 15;

function bigModel(): string {
  const lines = ["model Big {", "  input [8, 16, 16]"];
  for (let i = 0; i < 5000; i++) lines.push("  conv(8, kernel=3, pad=1)", "  relu");
  return [...lines, "}", ""].join("\n");
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(client: LspClient, name: string, text: string): Promise<string> {
  const uri = pathToFileURL(`/tmp/${name}.cnn`).href;
  let version = 1;
  client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "cnn", version, text } });
  await client.waitFor<{ version: number }>("textDocument/publishDiagnostics", (p) => p.version === version, 120_000);
  const line = Math.floor(text.split("\n").length / 2);
  const diag: number[] = [];
  const hints: number[] = [];
  const hovers: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // type a space at the start of a line in the middle of the file, then delete it
    const insert = i % 2 === 0;
    const change = insert
      ? { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: " " }
      : { range: { start: { line, character: 0 }, end: { line, character: 1 } }, text: "" };
    version++;
    const t0 = performance.now();
    client.notify("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [change] });
    await client.waitFor<{ version: number }>("textDocument/publishDiagnostics", (p) => p.version === version, 120_000);
    diag.push(performance.now() - t0);
    const t1 = performance.now();
    await client.request("textDocument/inlayHint", { textDocument: { uri }, range: { start: { line: line - 40, character: 0 }, end: { line: line + 40, character: 0 } } });
    hints.push(performance.now() - t1);
    const t2 = performance.now();
    await client.request("textDocument/hover", { textDocument: { uri }, position: { line, character: 4 } });
    hovers.push(performance.now() - t2);
  }
  const f = (xs: number[]) => `${median(xs).toFixed(1)} ms (max ${Math.max(...xs).toFixed(1)})`;
  return `| ${name} | ${text.split("\n").length - 1} lines | ${f(diag)} | ${f(hints)} | ${f(hovers)} |`;
}

const client = LspClient.start();
await client.request("initialize", { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { debounceMs: 0 } });
client.notify("initialized", {});
const rows = [
  await measure(client, "vgg16", readFileSync(new URL("../examples/vgg16.cnn", import.meta.url), "utf8")),
  await measure(client, "big-10000-layers", bigModel()),
];
await client.request("shutdown", null);
client.notify("exit", null);
console.log(["| file | size | keystroke → diagnostics | inlay hints (80 lines) | hover |", "|---|--:|--:|--:|--:|", ...rows].join("\n"));
