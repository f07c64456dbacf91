// `npm run vscode:package` builds a .vsix whose manifest declares the .cnn
// language, its grammar and the client, and whose grammar is byte for byte the
// current grammar/cnn.tmLanguage.json. The zip is read with zlib, offline.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { packageExtension } from "../editors/vscode/build.mts";
import { findServer } from "../editors/vscode/src/find-server.ts";

/** Every file of a zip archive by name (central directory; stored or deflated entries). */
function unzip(zip: Buffer): Map<string, Buffer> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(p + 10);
    const size = zip.readUInt32LE(p + 20);
    const nameLength = zip.readUInt16LE(p + 28);
    const extra = zip.readUInt16LE(p + 30);
    const comment = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.subarray(p + 46, p + 46 + nameLength).toString("utf8");
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    files.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    p += 46 + nameLength + extra + comment;
  }
  return files;
}

let files: Map<string, Buffer>;
let vsix: string;

beforeAll(async () => {
  vsix = await packageExtension();
  files = unzip(readFileSync(vsix));
}, 120_000);

describe("the VS Code extension package", () => {
  it("is named after the extension's version", () => {
    const { version } = JSON.parse(readFileSync(new URL("../editors/vscode/package.json", import.meta.url), "utf8")) as { version: string };
    expect(vsix.endsWith(`dist/cnnc-vscode-${version}.vsix`)).toBe(true);
  });

  it("declares the .cnn language, its TextMate grammar and the client entry point, all inside the package", () => {
    const manifest = JSON.parse(files.get("extension/package.json")!.toString("utf8"));
    expect(manifest.contributes.languages).toEqual([expect.objectContaining({ id: "cnn", extensions: [".cnn"] })]);
    expect(manifest.contributes.grammars).toEqual([{ language: "cnn", scopeName: "source.cnn", path: "./syntaxes/cnn.tmLanguage.json" }]);
    expect(manifest.engines.vscode).toBe("^1.91.0");
    for (const path of [manifest.main, manifest.contributes.grammars[0].path, manifest.contributes.languages[0].configuration]) {
      expect(files.has(`extension/${path.replace(/^\.\//, "")}`), path).toBe(true);
    }
    expect(files.get("extension.vsixmanifest")!.toString("utf8")).toContain('Id="cnnc-vscode"');
  });

  it("ships the current grammar", () => {
    const current = readFileSync(new URL("../grammar/cnn.tmLanguage.json", import.meta.url));
    expect(files.get("extension/syntaxes/cnn.tmLanguage.json")!.equals(current)).toBe(true);
  });

  it("bundles the language client and starts `cnnc lsp` from the workspace", () => {
    const main = files.get("extension/out/extension.js")!.toString("utf8");
    expect(main).toContain('"lsp","--stdio"');
    expect(main).toContain("node_modules");
    expect(main).not.toMatch(/require\("vscode-languageclient/); // bundled, not a runtime dependency
  });
});

describe("where the extension finds cnnc", () => {
  const root = mkdtempSync(join(tmpdir(), "cnnc-vscode-"));
  const folder = (name: string, files: Record<string, string>): string => {
    const dir = join(root, name);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const installed = folder("project", { "node_modules/cnnc/bin/cnnc": "", "package.json": '{"name":"project"}' });
  const itself = folder("cnnc", { "package.json": '{"name":"cnnc"}' });
  const broken = folder("broken", { "package.json": "{" });

  it("prefers the workspace's node_modules, then cnnc's own checkout", () => {
    expect(findServer([broken, installed], "")).toEqual({ command: "node", args: [join(installed, "node_modules/cnnc/bin/cnnc"), "lsp", "--stdio"] });
    expect(findServer([itself], "")).toEqual({ command: "node", args: [join(itself, "bin/cnnc"), "lsp", "--stdio"] });
  });

  it("runs a configured path (relative to a workspace folder) as it is, and says when nothing is found", () => {
    expect(findServer([installed], "node_modules/cnnc/bin/cnnc")).toEqual({ command: join(installed, "node_modules/cnnc/bin/cnnc"), args: ["lsp", "--stdio"] });
    expect(findServer([installed], "/no/such/cnnc")).toEqual({ missing: "cnnc.path '/no/such/cnnc' does not exist" });
    expect(findServer([broken], "")).toEqual({ missing: expect.stringContaining("npm install --save-dev cnnc") });
  });
});
