// Every examples/invalid/*.cnn: its text and JSON diagnostics against golden
// files (test/golden/<name>.txt/.json, refreshed only by `npm run test:update`
// and read by eye), and its inline expectations: a trailing `# ~ E0301` marks
// a code that must be reported on that line (rustc's `//~ ERROR`), and
// nothing unmarked may be reported. A file
// without markers (an empty file cannot hold one) must report the code its
// name starts with. Every code of the registry has at least one such example,
// except the CLI's own E00xx/E039x, which test/cli.test.ts triggers one by one.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { codes } from "../src/codes/index.ts";
import { cliCodes } from "../src/codes/cli.ts";
import { JsonDocumentSchema } from "../src/render/json.ts";
import { cnnc } from "./cli-helpers.ts";

const dir = "examples/invalid";
const names = readdirSync(dir)
  .filter((n) => n.endsWith(".cnn"))
  .sort();

interface Expectation {
  line?: number;
  code: string;
}

/** `# ~ E0301` / `// ~ E0301 W0401` at the end of a line; the file name's code when there is none. */
function expectations(name: string): Expectation[] {
  const bytes = readFileSync(`${dir}/${name}`);
  const lines = bytes.toString("latin1").split(/\r?\n/);
  const marked = lines.flatMap((text, i) => {
    const m = /(?:#|\/\/)\s*~\s*((?:[EW]\d{4}[\s,]*)+)$/.exec(text);
    return m ? m[1].split(/[\s,]+/).filter(Boolean).map((code) => ({ line: i + 1, code })) : [];
  });
  if (marked.length > 0) return marked;
  const fromName = /^([EW]\d{4})/.exec(name);
  return fromName ? [{ code: fromName[1] }] : [];
}

describe.each(names)("examples/invalid/%s", (name) => {
  const file = `${dir}/${name}`;
  const base = name.replace(/\.cnn$/, "");

  it("matches its golden text and JSON diagnostics", async () => {
    const text = await cnnc("check", file);
    expect(text.stderr).toBe("");
    await expect(text.stdout).toMatchFileSnapshot(`golden/${base}.txt`);
    const json = await cnnc("check", "--format", "json", file);
    JsonDocumentSchema.parse(JSON.parse(json.stdout));
    await expect(json.stdout).toMatchFileSnapshot(`golden/${base}.json`);
  });

  it("reports every code marked inline, on its line, and fails", async () => {
    const expected = expectations(name);
    expect(expected.length, "the file marks no expected code (`# ~ E0301`) and its name starts with none").toBeGreaterThan(0);
    const r = await cnnc("check", "--format", "json", "--deny-warnings", file);
    const reported = JsonDocumentSchema.parse(JSON.parse(r.stdout)).diagnostics.map((d) => ({ line: d.line, code: d.code }));
    for (const e of expected) {
      const hit = reported.some((d) => d.code === e.code && (e.line === undefined || d.line === e.line));
      expect(hit, `${e.code}${e.line ? ` on line ${e.line}` : ""}; reported: ${JSON.stringify(reported)}`).toBe(true);
    }
    // and nothing else: a cascade of follow-up errors after the marked one is a bug too (rustc's UI tests)
    if (expected.every((e) => e.line !== undefined)) {
      const unmarked = reported.filter((d) => !expected.some((e) => e.code === d.code && e.line === d.line));
      expect(unmarked, "reported but not marked").toEqual([]);
    }
    expect(r.code).toBe(1);
  });
});

describe("the registry", () => {
  it("has an invalid example for every code outside the CLI's own", () => {
    const covered = new Set(names.flatMap((n) => expectations(n).map((e) => e.code)));
    const missing = Object.keys(codes).filter((c) => !(c in cliCodes) && !covered.has(c));
    expect(missing).toEqual([]);
  });
});
