// `cnnc lsp` driven over stdio exactly as an editor drives it (bin/cnnc lsp,
// JSON-RPC with Content-Length framing): every answer is checked against
// shapes, arithmetic and layouts worked out by hand for these models.
import { execSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LspClient } from "./lsp-client.ts";

interface Pos {
  line: number;
  character: number;
}
interface Range {
  start: Pos;
  end: Pos;
}
interface LspDiagnostic {
  range: Range;
  severity: number;
  code: string;
  message: string;
  relatedInformation: { location: { uri: string; range: Range }; message: string }[];
  data?: unknown;
}
interface Published {
  uri: string;
  version?: number;
  diagnostics: LspDiagnostic[];
}
interface TextEdit {
  range: Range;
  newText: string;
}

const dir = mkdtempSync(join(tmpdir(), "cnnc-lsp-"));
const uri = pathToFileURL(join(dir, "net.cnn")).href;

const LENET = `model LeNet5 {
  input [1, 28, 28]
  c1: conv(6, kernel=5, pad=2)
  relu
  maxpool(2)
  c3: conv(16, kernel=5)
  relu
  maxpol(2)
  f5: affine(120)
  out: affine(10)
  loss softmax
}
`;

// the graph language: block instances, seqs (one on one line) and a merge
const GRAPH = `block Basic(planes, stride = 1) {
  add {
    { conv(planes, kernel=3, stride=stride, pad=1); relu }
    if stride != 1 { conv(planes, kernel=1, stride=stride) }
  }
  relu
}
model G {
  input [8, 16, 16]
  layer1: seq { Basic(8); Basic(8) }
  layer2: seq {
    Basic(16, stride=2)
    Basic(16)
  }
  m: add {
    conv(16, kernel=1)
    {}
  }
  globalavgpool
}
`;

/** Applies LSP edits (in any order, non-overlapping) to a text. */
function applyEdits(text: string, edits: TextEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  const at = (p: Pos) => lineStarts[p.line] + p.character;
  let out = text;
  for (const e of [...edits].sort((a, b) => at(b.range.start) - at(a.range.start))) out = out.slice(0, at(e.range.start)) + e.newText + out.slice(at(e.range.end));
  return out;
}

let client: LspClient;
let version = 1;
let opened: Published;

beforeAll(async () => {
  client = LspClient.start();
  const init = await client.request<{ capabilities: Record<string, unknown> }>("initialize", {
    processId: process.pid,
    rootUri: pathToFileURL(dir).href,
    capabilities: {},
    initializationOptions: { debounceMs: 20 },
  });
  expect(init.capabilities).toMatchObject({ textDocumentSync: 2, hoverProvider: true, inlayHintProvider: true, documentFormattingProvider: true });
  client.notify("initialized", {});
}, 60_000);

afterAll(() => {
  if (client.proc.exitCode === null) client.proc.kill();
});

describe("cnnc lsp over stdio", () => {
  it("publishes diagnostics on open with code, severity, range, notes, help and a fix", async () => {
    client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "cnn", version, text: LENET } });
    const p = await client.waitFor<Published>("textDocument/publishDiagnostics", (x) => x.uri === uri);
    opened = p;
    expect(p.diagnostics).toHaveLength(1);
    const d = p.diagnostics[0];
    expect(d).toMatchObject({ code: "E0202", severity: 1, range: { start: { line: 7, character: 2 }, end: { line: 7, character: 8 } } });
    expect(d.message.split("\n")[0]).toBe("unknown op 'maxpol'");
    expect(d.message).toContain("= help: did you mean 'maxpool'?");
  });

  it("shows each checked layer's output shape at the end of its line", async () => {
    const hints = await client.request<{ position: Pos; label: string }[]>("textDocument/inlayHint", {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 12, character: 0 } },
    });
    // [1,28,28] → conv 5 pad 2 → [6,28,28] → pool 2 → [6,14,14] → conv 5 → [16,10,10]; the layer after maxpol is unchecked
    expect(hints.map((h) => [h.position.line, h.position.character, h.label])).toEqual([
      [0, 14, "[1, 28, 28] → ✗"],
      [2, 30, "→ [6, 28, 28]"],
      [3, 6, "→ [6, 28, 28]"],
      [4, 12, "→ [6, 14, 14]"],
      [5, 24, "→ [16, 10, 10]"],
      [6, 6, "→ [16, 10, 10]"],
    ]);
  });

  it("offers the did-you-mean fix as a code action, and the fixed text checks", async () => {
    const p = await client.request<{ title: string; edit: { changes: Record<string, TextEdit[]> } }[]>("textDocument/codeAction", {
      textDocument: { uri },
      range: { start: { line: 7, character: 2 }, end: { line: 7, character: 8 } },
      context: { diagnostics: opened.diagnostics },
    });
    expect(p.map((a) => a.title)).toEqual(["change to 'maxpool'"]);
    const fixed = applyEdits(LENET, p[0].edit.changes[uri]);
    expect(fixed).toBe(LENET.replace("maxpol(2)", "maxpool(2)"));
    await change([{ range: { start: { line: 7, character: 2 }, end: { line: 7, character: 8 } }, text: "maxpool" }]);
    const after = await client.waitFor<Published>("textDocument/publishDiagnostics", (x) => x.uri === uri && x.version === version);
    expect(after.diagnostics).toEqual([]);
    const hints = await client.request<{ label: string }[]>("textDocument/inlayHint", {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 12, character: 0 } },
    });
    // pool → [16,5,5]; affine 400 → 120 → 10
    expect(hints.map((h) => h.label).slice(-4)).toEqual(["→ [16, 10, 10]", "→ [16, 5, 5]", "→ [120]", "→ [10]"]);
    // params 156 + 2,416 + 48,120 + 1,210; MACs 117,600 + 240,000 + 48,000 + 1,200
    expect(hints[0].label).toBe("[1, 28, 28] → [10] · 51,902 params · 406,800 MACs");
  });

  it("hovers a layer with its resolved arguments, the output-size arithmetic, parameters and MACs", async () => {
    const h = await client.request<{ contents: { value: string }; range: Range }>("textDocument/hover", {
      textDocument: { uri },
      position: { line: 5, character: 8 },
    });
    const text = h.contents.value;
    expect(text).toContain("`[6, 14, 14] → [16, 10, 10]`");
    expect(text).toContain("conv(filters=16, kernel=(5, 5), stride=(1, 1), pad=(0, 0, 0, 0)");
    expect(text).toContain("height: (14 + 0 + 0 - 5) / 1 + 1 = 10");
    // 16·6·5·5 weights + 16 biases; 16·10·10 outputs × 6·5·5 taps
    expect(text).toContain("params: 2,416");
    expect(text).toContain("MACs: 240,000 per sample");
    expect(h.range).toEqual({ start: { line: 5, character: 2 }, end: { line: 5, character: 24 } });
  });

  it("completes op names at a statement start and argument names with defaults inside an op", async () => {
    await change([{ range: { start: { line: 9, character: 0 }, end: { line: 9, character: 0 } }, text: "  \n" }]);
    const ops = await client.request<{ label: string }[]>("textDocument/completion", { textDocument: { uri }, position: { line: 9, character: 2 } });
    expect(ops.map((c) => c.label)).toEqual(expect.arrayContaining(["conv", "maxpool", "affine", "relu", "repeat", "loss"]));
    await change([{ range: { start: { line: 9, character: 2 }, end: { line: 9, character: 2 } }, text: "conv(8, " }]);
    const args = await client.request<{ label: string; detail: string; insertText: string }[]>("textDocument/completion", {
      textDocument: { uri },
      position: { line: 9, character: 10 },
    });
    const byName = new Map(args.map((a) => [a.label, a]));
    expect(byName.has("filters")).toBe(false); // given positionally
    expect(byName.get("kernel")).toMatchObject({ detail: "required", insertText: "kernel=" });
    expect(byName.get("stride")?.detail).toBe("= 1");
    expect(byName.get("bias")?.detail).toBe("= true");
    await change([{ range: { start: { line: 9, character: 10 }, end: { line: 9, character: 10 } }, text: "rounding=" }]);
    const values = await client.request<{ label: string }[]>("textDocument/completion", { textDocument: { uri }, position: { line: 9, character: 19 } });
    expect(values.map((c) => c.label)).toEqual(["floor", "ceil", "exact"]);
    await change([{ range: { start: { line: 9, character: 10 }, end: { line: 9, character: 19 } }, text: "pad=(1, " }]);
    const inTuple = await client.request<{ label: string }[]>("textDocument/completion", { textDocument: { uri }, position: { line: 9, character: 18 } });
    expect(inTuple).toEqual([]);
    // a reference to a label (the graph language's `@label`) completes from the model's labels
    await change([{ range: { start: { line: 9, character: 2 }, end: { line: 9, character: 18 } }, text: "@" }]);
    const labels = await client.request<{ label: string }[]>("textDocument/completion", { textDocument: { uri }, position: { line: 9, character: 3 } });
    expect(labels.map((c) => c.label)).toEqual(["c1", "c3", "f5", "out"]);
    await change([{ range: { start: { line: 9, character: 0 }, end: { line: 10, character: 0 } }, text: "" }]);
  });

  it("goes from a layer to the producer of its input, and lists models and layers as symbols", async () => {
    const def = await client.request<{ uri: string; range: Range }>("textDocument/definition", { textDocument: { uri }, position: { line: 3, character: 3 } });
    expect(def).toEqual({ uri, range: { start: { line: 2, character: 2 }, end: { line: 2, character: 30 } } });
    const symbols = await client.request<{ name: string; children: { name: string }[] }[]>("textDocument/documentSymbol", { textDocument: { uri } });
    expect(symbols.map((s) => s.name)).toEqual(["LeNet5"]);
    expect(symbols[0].children.map((c) => c.name)).toEqual(["c1", "relu", "maxpool", "c3", "relu", "maxpool", "f5", "out"]);
  });

  it("offers the pad that makes a division exact, and applying it checks", async () => {
    const text = "model Bad {\n  input [3, 20, 20]\n  rounding exact\n  c1: conv(7, kernel=6, stride=(3, 6), pad=(2, 3))\n}\n";
    await replaceAll(text);
    const p = await client.waitFor<Published>("textDocument/publishDiagnostics", (x) => x.uri === uri && x.version === version);
    expect(p.diagnostics.map((d) => d.code)).toEqual(["E0301"]);
    expect(p.diagnostics[0].message).toContain("= width: (20 + 3 + 3 - 6) / 6 + 1 = 4.33");
    const actions = await client.request<{ title: string; edit: { changes: Record<string, TextEdit[]> } }[]>("textDocument/codeAction", {
      textDocument: { uri },
      range: p.diagnostics[0].range,
      context: { diagnostics: p.diagnostics },
    });
    expect(actions.map((a) => a.title)).toEqual(["pad=(2, 2) (gives width 4)"]);
    // (20 + 2 + 2 - 6) / 6 + 1 = 4 exactly
    expect(applyEdits(text, actions[0].edit.changes[uri])).toBe(text.replace("pad=(2, 3)", "pad=(2, 2)"));
  });

  it("shows a secondary span as related information", async () => {
    await replaceAll("model V {\n  input [10]\n  f: affine(4)\n  maxpool(2)\n}\n");
    const p = await client.waitFor<Published>("textDocument/publishDiagnostics", (x) => x.uri === uri && x.version === version);
    expect(p.diagnostics.map((d) => d.code)).toEqual(["E0303"]);
    expect(p.diagnostics[0].relatedInformation).toEqual([
      { location: { uri, range: { start: { line: 2, character: 2 }, end: { line: 2, character: 14 } } }, message: "[4] comes from here" },
    ]);
  });

  it("formats a document in cnnc fmt's layout", async () => {
    const messy = "model   M{input [1,8,8]\nc1:conv( 4 ,kernel=3) ; relu\n}";
    await replaceAll(messy);
    const edits = await client.request<TextEdit[]>("textDocument/formatting", { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    expect(applyEdits(messy, edits)).toBe("model M {\n  input [1, 8, 8]\n  c1: conv(4, kernel=3)\n  relu\n}\n");
  });

  it("reads an imported block file from the disk and shows an error inside it in that file", async () => {
    mkdirSync(join(dir, "blocks"), { recursive: true });
    writeFileSync(join(dir, "blocks", "good.cnn"), "block Pair(c) {\n  conv(c, kernel=3, pad=1)\n  relu\n}\n");
    writeFileSync(join(dir, "blocks", "bad.cnn"), "block Broken(c) {\n  conv(c, kernel=3, pad=1)\n  relux\n}\n");
    const good = pathToFileURL(join(dir, "uses-good.cnn")).href;
    client.notify("textDocument/didOpen", {
      textDocument: { uri: good, languageId: "cnn", version: 1, text: 'import "blocks/good.cnn"\nmodel M {\n  input [3, 8, 8]\n  p: Pair(4)\n}\n' },
    });
    const clean = await client.waitFor<Published>("textDocument/publishDiagnostics", (x) => x.uri === good);
    expect(clean.diagnostics).toEqual([]);
    const bad = pathToFileURL(join(dir, "uses-bad.cnn")).href;
    const blockFile = pathToFileURL(join(dir, "blocks", "bad.cnn")).href;
    client.notify("textDocument/didOpen", {
      textDocument: { uri: bad, languageId: "cnn", version: 1, text: 'import "blocks/bad.cnn"\nmodel M {\n  input [3, 8, 8]\n  Broken(4)\n}\n' },
    });
    const inBlock = await client.waitFor<Published>("textDocument/publishDiagnostics", (x) => x.uri === blockFile && x.diagnostics.length > 0);
    expect(inBlock.diagnostics.map((d) => d.code)).toContain("E0202");
    // the unknown op 'relux' on line 3 of the block file (0-based line 2)
    expect(inBlock.diagnostics.find((d) => d.code === "E0202")!.range.start).toEqual({ line: 2, character: 2 });
  });

  it("shows each block instance's, seq's and merge's output, and hovers an instance with its arguments and totals", async () => {
    await replaceAll(GRAPH);
    const p = await client.waitFor<Published>("textDocument/publishDiagnostics", (x) => x.uri === uri && x.version === version);
    expect(p.diagnostics.filter((d) => d.severity === 1)).toEqual([]);
    const hints = await client.request<{ position: Pos; label: string }[]>("textDocument/inlayHint", {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } },
    });
    // params: Basic(8) 8·8·9 + 8 = 584 twice; Basic(16, stride=2) 16·8·9 + 16 + 16·8 + 16 = 1,312; Basic(16) 16·16·9 + 16 = 2,320; m 16·16 + 16 = 272
    // MACs: 16·16·8·8·9 = 147,456 twice; 8·8·16·8·(9 + 1) = 81,920; 8·8·16·16·9 = 147,456; 8·8·16·16 = 16,384
    expect(hints.map((h) => [h.position.line, h.position.character, h.label])).toEqual([
      [7, 9, "[8, 16, 16] → [16] · 5,072 params · 540,672 MACs"],
      [9, 24, "→ [8, 16, 16]"], // the first instance, where the second begins
      [9, 36, "→ [8, 16, 16]"], // the second instance and the seq end together: one hint
      [11, 23, "→ [16, 8, 8]"], // (16 + 1 + 1 - 3) / 2 + 1 = 8.5, rounded down
      [12, 13, "→ [16, 8, 8]"],
      [13, 3, "→ [16, 8, 8]"], // seq layer2, after its closing brace
      [15, 22, "→ [16, 8, 8]"],
      [17, 3, "→ [16, 8, 8]"], // merge m
      [18, 15, "→ [16]"],
    ]);
    const h = await client.request<{ contents: { value: string }; range: Range }>("textDocument/hover", { textDocument: { uri }, position: { line: 11, character: 6 } });
    expect(h.contents.value.split("\n")).toEqual([
      "block **Basic** `layer2.0` in G",
      "",
      "```cnn",
      "Basic(planes=16, stride=2)",
      "```",
      "",
      // conv, relu, the projecting conv, add, relu
      "`[8, 16, 16] → [16, 8, 8]` · 5 layers · 1,312 params · 81,920 MACs per sample",
    ]);
    expect(h.range).toEqual({ start: { line: 11, character: 4 }, end: { line: 11, character: 23 } });
    const seq = await client.request<{ contents: { value: string } }>("textDocument/hover", { textDocument: { uri }, position: { line: 9, character: 4 } });
    // two instances of conv, relu, add (the if adds no branch at stride 1), relu
    expect(seq.contents.value).toContain("seq **layer1** in G");
    expect(seq.contents.value).toContain("`[8, 16, 16] → [8, 16, 16]` · 8 layers · 1,168 params · 294,912 MACs per sample");
  });

  it("shows a zoo model's stage outputs, with its blocks read from the imported file", async () => {
    const file = fileURLToPath(new URL("../examples/zoo/resnet18.cnn", import.meta.url));
    const zoo = pathToFileURL(file).href;
    const text = readFileSync(file, "utf8");
    const lines = text.split("\n");
    client.notify("textDocument/didOpen", { textDocument: { uri: zoo, languageId: "cnn", version: 1, text } });
    expect((await client.waitFor<Published>("textDocument/publishDiagnostics", (x) => x.uri === zoo)).diagnostics).toEqual([]);
    const hints = await client.request<{ position: Pos; label: string }[]>("textDocument/inlayHint", {
      textDocument: { uri: zoo },
      range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } },
    });
    const at = (label: string) => {
      const i = lines.findIndex((l) => l.trim().startsWith(label));
      return hints.filter((h) => h.position.line === i && h.position.character === lines[i].length).map((h) => h.label);
    };
    // conv 7 stride 2 pad 3: (224 + 6 - 7) / 2 + 1 = 112; max pool 3 stride 2 pad 1: (112 + 2 - 3) / 2 + 1 = 56
    expect(at("Stem")).toEqual(["→ [64, 56, 56]"]);
    expect(at("layer1:")).toEqual(["→ [64, 56, 56]"]);
    expect(at("layer2:")).toEqual(["→ [128, 28, 28]"]);
    expect(at("layer3:")).toEqual(["→ [256, 14, 14]"]);
    expect(at("layer4:")).toEqual(["→ [512, 7, 7]"]);
    expect(at("fc:")).toEqual(["→ [1000]"]);
    expect(hints.find((h) => h.label.startsWith("[3, 224, 224] → [1000]"))?.label).toContain("11,689,512 params"); // torchvision's count
    const layer2 = lines.findIndex((l) => l.includes("layer2:"));
    const h = await client.request<{ contents: { value: string } }>("textDocument/hover", { textDocument: { uri: zoo }, position: { line: layer2, character: 4 } });
    expect(h.contents.value).toContain("BasicStage(planes=128, blocks=2, stride=2)");
    // layer2.0: 128·64·9 + 128·128·9 + 128·64 + 3·256 = 230,144; layer2.1: 2·128·128·9 + 2·256 = 295,424;
    // MACs 28·28·128·(64·9 + 128·9 + 64) + 2·28·28·128·128·9; layers 9 (with the downsample) + 7
    expect(h.contents.value).toContain("`[64, 56, 56] → [128, 28, 28]` · 16 layers · 525,568 params · 411,041,792 MACs per sample");
    // go to definition: the instance's block in the imported file, and the import's path to that file
    const blocksFile = fileURLToPath(new URL("../examples/zoo/blocks/resnet.cnn", import.meta.url));
    const blockLine = readFileSync(blocksFile, "utf8").split("\n").findIndex((l) => l.startsWith("block BasicStage("));
    const def = await client.request<{ uri: string; range: Range }>("textDocument/definition", {
      textDocument: { uri: zoo },
      position: { line: layer2, character: lines[layer2].indexOf("BasicStage") + 3 },
    });
    expect(def).toEqual({ uri: pathToFileURL(blocksFile).href, range: { start: { line: blockLine, character: 6 }, end: { line: blockLine, character: 16 } } });
    const importLine = lines.findIndex((l) => l.startsWith("import "));
    const imported = await client.request<{ uri: string; range: Range }>("textDocument/definition", { textDocument: { uri: zoo }, position: { line: importLine, character: 12 } });
    expect(imported).toEqual({ uri: pathToFileURL(blocksFile).href, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
  });

  it("shuts down and exits with code 0", async () => {
    await client.request("shutdown", null);
    client.notify("exit", null);
    expect(await client.exited).toBe(0);
  });
});

let current = LENET;

async function change(changes: { range: Range; text: string }[]): Promise<void> {
  version++;
  current = applyEdits(current, changes.map((c) => ({ range: c.range, newText: c.text })));
  client.notify("textDocument/didChange", { textDocument: { uri, version }, contentChanges: changes });
}

async function replaceAll(text: string): Promise<void> {
  version++;
  current = text;
  client.notify("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ text }] });
}

describe("the prebuilt CLI bundle (what bin/cnnc runs after npm install)", () => {
  it("serves LSP too: the protocol library stays outside the ESM bundle", async () => {
    // what `npm pack` ships and bin/cnnc runs: scripts/bundle.mjs's one-file bundle
    const script: string = "../scripts/bundle.mjs"; // plain JavaScript, no types to read
    const { bundle, BUNDLE } = (await import(script)) as { bundle(): Promise<void>; BUNDLE: string };
    await bundle();
    const bundled = LspClient.start({}, BUNDLE);
    try {
      const init = await bundled.request<{ serverInfo: { name: string } }>("initialize", { processId: null, rootUri: null, capabilities: {} });
      expect(init.serverInfo.name).toBe("cnnc");
      await bundled.request("shutdown", null);
      bundled.notify("exit", null);
      expect(await bundled.exited).toBe(0);
    } finally {
      if (bundled.proc.exitCode === null) bundled.proc.kill();
    }
  }, 60_000);
});
