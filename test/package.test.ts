// The npm package as users get it: `npm pack` (whose prepack bundles the CLI),
// then `npm install` of the tarball into an empty project, with nothing but the
// npm registry (and npm's cache) to install from, then `npx cnnc` there. The
// installed package must run check, build and gradcheck without the
// repository's sources or a TypeScript loader, and build the same bytes as the
// repository does.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cnnc } from "./cli-helpers.ts";

const repo = resolve(".");
const temp = mkdtempSync(join(tmpdir(), "cnnc-package-"));
const project = join(temp, "project");
/** the paths inside the tarball, without the leading package/ */
let packed: string[] = [];
let install: SpawnSyncReturns<string>;

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  // npm's own variables from an enclosing `npm test` would leak into the child npm
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("npm_")));
  return spawnSync(command, args, { cwd, encoding: "utf8", env: { ...env, NO_COLOR: "1" }, timeout: 120_000 });
}

const npx = (...args: string[]) => run("npx", ["--no-install", "cnnc", ...args], project);

beforeAll(() => {
  const pack = run("npm", ["pack", "--json", "--pack-destination", temp], repo);
  expect(pack.status, pack.stderr).toBe(0);
  const info = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  packed = info[0]!.files.map((f) => f.path);
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), '{ "name": "uses-cnnc", "private": true }\n');
  install = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", join(temp, info[0]!.filename)], project);
  expect(install.status, install.stderr).toBe(0);
  writeFileSync(join(project, "m.cnn"), readFileSync("examples/lenet5.cnn"));
  writeFileSync(join(project, "bad.cnn"), "model Bad {\n  input [1, 8, 8]\n  conv(4, kernel=9)\n}\n");
}, 180_000);

afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe("the packed package", () => {
  it("holds the bundle, docs, grammar artefacts and examples, and no tests, benchmarks, CI or TypeScript", () => {
    for (const path of [
      "bin/cnnc",
      "dist/cli/main.mjs",
      "README.md",
      "docs/cli.md",
      "docs/language.md",
      "grammar/cnn.tmLanguage.json",
      "grammar/diagrams.html",
      "examples/lenet5.cnn",
      "package.json",
    ]) {
      expect(packed).toContain(path);
    }
    expect(packed.filter((p) => /^(test|bench|\.ci|scripts)\//.test(p))).toEqual([]);
    expect(packed.filter((p) => p.endsWith(".ts"))).toEqual([]);
  });

  it("holds the bundle's entry and exactly the chunks it loads, no stale ones", () => {
    const dist = join(project, "node_modules/cnnc/dist/cli");
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const m of readFileSync(join(dist, file), "utf8").matchAll(/["']\.\/(chunk-[\w-]+\.mjs)["']/g)) visit(m[1]!);
    };
    visit("main.mjs");
    expect(reached.size).toBeGreaterThan(1); // the commands' work is in chunks loaded on demand
    expect(packed.filter((p) => p.startsWith("dist/")).sort()).toEqual([...reached].map((f) => `dist/cli/${f}`).sort());
  });

  it("installs with only its runtime dependencies and no install scripts", () => {
    const manifest = JSON.parse(readFileSync(join(project, "node_modules/cnnc/package.json"), "utf8"));
    expect(Object.keys(manifest.dependencies).sort()).toEqual(["commander", "prettier", "vscode-languageserver", "vscode-languageserver-textdocument"]);
    expect(Object.keys(manifest.scripts ?? {}).filter((s) => /install|prepare/.test(s))).toEqual([]);
    const installed = readdirSync(join(project, "node_modules")).filter((d) => !d.startsWith("."));
    // the language server library (cnnc lsp) brings its protocol, JSON-RPC and types packages
    expect(installed.sort()).toEqual([
      "cnnc",
      "commander",
      "prettier",
      "vscode-jsonrpc",
      "vscode-languageserver",
      "vscode-languageserver-protocol",
      "vscode-languageserver-textdocument",
      "vscode-languageserver-types",
    ]);
    expect(install.stderr).not.toMatch(/install-scripts/);
  });
});

describe("npx cnnc from the installed package", () => {
  it("--version prints the package's version", () => {
    const r = npx("--version");
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
  });

  it("check: exit 0 on a good model, 1 with a located diagnostic on a bad one", () => {
    const good = npx("check", "m.cnn");
    expect(good.stderr).toBe("");
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/LeNet5/);
    const bad = npx("check", "bad.cnn");
    expect(bad.status).toBe(1);
    expect(bad.stdout + bad.stderr).toMatch(/error\[E0302\][^]*bad\.cnn:3:3/);
  });

  it("build writes the same bytes as the repository's build", async () => {
    const r = npx("build", "m.cnn", "-o", "out");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/wrote out\/LeNet5\.ts \(\d+ bytes\)/);
    // the repository's sources, in this process
    const ours = join(temp, "repo-out");
    const here = await cnnc("build", join(project, "m.cnn"), "-o", ours);
    expect(here.code, here.stderr).toBe(0);
    for (const file of ["LeNet5.ts", "LeNet5.gradcheck.ts"]) {
      expect(readFileSync(join(project, "out", file), "utf8")).toBe(readFileSync(join(ours, file), "utf8"));
    }
  });

  it("gradcheck runs the harness with plain node and passes", () => {
    const r = npx("gradcheck", "m.cnn", "--samples", "2");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^PASS: 12 tensors/m);
  });
});
