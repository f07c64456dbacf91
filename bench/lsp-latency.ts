// `node --import tsx bench/lsp-latency.ts`: how long `cnnc lsp` takes from a
// keystroke (an incremental didChange) to the diagnostics of the new text, on
// VGG-16, on the zoo's largest model (by expanded layers; its blocks are read
// from the imported file on the disk) and on a 10,000-layer file, with the
// analysis pause set to 0 so the figure is the server's own work (an editor
// adds the 50 ms pause). Also the time of an inlay-hint and a hover request
// right after, and the server's CPU time per keystroke (from /proc, so the
// figure holds on a loaded machine; Linux only). Prints the machine's load and
// a markdown table of medians.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { readImport } from "../src/cli/sources.ts";
import { compile } from "../src/pipeline.ts";
import { LspClient } from "../test/lsp-client.ts";

const ROUNDS = 15;

function bigModel(): string {
  const lines = ["model Big {", "  input [8, 16, 16]"];
  for (let i = 0; i < 5000; i++) lines.push("  conv(8, kernel=3, pad=1)", "  relu");
  return [...lines, "}", ""].join("\n");
}

/** The server process's CPU time so far (user + system, ms), or undefined where /proc is missing. */
function cpuMs(pid: number | undefined): number | undefined {
  const stat = `/proc/${pid}/stat`;
  if (pid === undefined || !existsSync(stat)) return undefined;
  // fields 14 and 15 (utime, stime) in clock ticks, after the parenthesised command name
  const text = readFileSync(stat, "utf8");
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The zoo model with the most layers once its blocks and repeats are expanded. */
function largestZooModel(): { path: string; layers: number } {
  const dir = fileURLToPath(new URL("../examples/zoo/", import.meta.url));
  let best = { path: "", layers: 0 };
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".cnn"))) {
    const path = `${dir}${f}`;
    const layers = compile(readFileSync(path, "utf8"), path, readImport).models.reduce((n, m) => Math.max(n, m.layers.length), 0);
    if (layers > best.layers) best = { path, layers };
  }
  return best;
}

async function measure(client: LspClient, name: string, text: string, path = `/tmp/${name}.cnn`): Promise<string> {
  const uri = pathToFileURL(path).href;
  let version = 1;
  client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "cnn", version, text } });
  await client.waitFor<{ version: number }>("textDocument/publishDiagnostics", (p) => p.version === version, 120_000);
  const line = Math.floor(text.split("\n").length / 2);
  const diag: number[] = [];
  const hints: number[] = [];
  const hovers: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // type a space at the start of a line in the middle of the file, then delete it
    const insert = i % 2 === 0;
    const change = insert
      ? { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: " " }
      : { range: { start: { line, character: 0 }, end: { line, character: 1 } }, text: "" };
    version++;
    const c0 = cpuMs(client.proc.pid);
    const t0 = performance.now();
    client.notify("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [change] });
    await client.waitFor<{ version: number }>("textDocument/publishDiagnostics", (p) => p.version === version, 120_000);
    diag.push(performance.now() - t0);
    const c1 = cpuMs(client.proc.pid);
    if (c0 !== undefined && c1 !== undefined) cpu.push(c1 - c0);
    const t1 = performance.now();
    await client.request("textDocument/inlayHint", { textDocument: { uri }, range: { start: { line: line - 40, character: 0 }, end: { line: line + 40, character: 0 } } });
    hints.push(performance.now() - t1);
    const t2 = performance.now();
    await client.request("textDocument/hover", { textDocument: { uri }, position: { line, character: 4 } });
    hovers.push(performance.now() - t2);
  }
  const f = (xs: number[]) => `${median(xs).toFixed(1)} ms (max ${Math.max(...xs).toFixed(1)})`;
  const cpuMean = cpu.length > 0 ? `${(cpu.reduce((a, b) => a + b, 0) / cpu.length).toFixed(0)} ms` : "n/a";
  return `| ${name} | ${text.split("\n").length - 1} lines | ${f(diag)} | ${cpuMean} | ${f(hints)} | ${f(hovers)} |`;
}

const zoo = largestZooModel();
const zooName = `zoo/${zoo.path.split("/").pop()} (${zoo.layers} layers)`;
const load = (when: string) => `load average ${when}: ${loadavg().map((x) => x.toFixed(2)).join(", ")} on ${availableParallelism()} cores`;
const before = load("before");
const client = LspClient.start();
await client.request("initialize", { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { debounceMs: 0 } });
client.notify("initialized", {});
const rows = [
  await measure(client, "vgg16", readFileSync(new URL("../examples/vgg16.cnn", import.meta.url), "utf8")),
  await measure(client, zooName, readFileSync(zoo.path, "utf8"), zoo.path),
  await measure(client, "big-10000-layers", bigModel()),
];
await client.request("shutdown", null);
client.notify("exit", null);
console.log(`${before}; ${load("after")}; median of ${ROUNDS} keystrokes (max in brackets), Node ${process.version}\n`);
console.log(["| file | size | keystroke → diagnostics | server CPU per keystroke (mean) | inlay hints (80 lines) | hover |", "|---|--:|--:|--:|--:|--:|", ...rows].join("\n"));
