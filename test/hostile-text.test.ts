// No file name, label or comment becomes code or markup. Every command that
// writes a file (build, gradcheck's harness, export --pytorch, draw, fmt) runs on
// the same model under hostile file names, and on a model whose layers carry
// hostile comments; the output must parse (TypeScript's transpiler, Python's
// ast, an XML parser) and, with comments stripped, equal the output for a plain
// name. Labels cannot hold such text at all: they are refused with a diagnostic.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { commentText } from "../src/escape/comment.ts";
import { xmlText } from "../src/escape/xml.ts";
import { compile } from "../src/pipeline.ts";
import { cnnc } from "./cli-helpers.ts";

const dir = resolve(".tmp/hostile-text");

/** File names that once ended a comment and put the rest into code, or try to. */
const hostileNames = [
  "a\nexport const injected = 1;\nb.cnn",
  "a\rimport os; os.system('true')\r#.cnn",
  "line\u2028separator.cnn",
  "para\u2029graph.cnn",
  "close*/ export const x = 1; .cnn", // a folder "close*" (a name cannot hold "/"; export writes the path)
  "back`tick ${process.exit(7)}`.cnn",
  `quotes "double" 'single' """triple""".cnn`,
  "<script>alert(1)<\\script>&amp;.cnn",
  "\u202Eright-to-left\u202C.cnn",
  "модель 🙂 模型.cnn",
];

const hostileComment = "*/ `${globalThis.injected = 1}` \"q\" 'q' \"\"\" <script>x</script> \u2028 \u2029 \x01 \x1b[31m é 🙂 \u202E";

/** A model whose layer and loss spans hold hostile comments (comments inside a statement are part of its source). */
const model = `# top ${hostileComment}
model Hostile {
  input [1, 8, 8]
  c1: conv(4, # ${hostileComment}
    kernel=3)
  relu # ${hostileComment}
  p: maxpool(2)
  flatten
  affine(3)
  loss svm(# ${hostileComment}
    margin=1)
}
`;

/** The same model with plain comments: what every output is compared with, comments aside. */
const plain = model.replaceAll(hostileComment, "plain");

function transpiled(text: string, what: string): string {
  const out = ts.transpileModule(text, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, removeComments: true },
    reportDiagnostics: true,
    fileName: "m.ts",
  });
  const errors = (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  expect(errors, what).toEqual([]);
  return out.outputText;
}

/** Python's view of each file: ast.dump (no comments), or the SyntaxError. */
function pythonAst(paths: string[]): string[] {
  const script = `import ast, json, sys
out = []
for p in sys.argv[1:]:
    try:
        out.append(ast.dump(ast.parse(open(p, encoding="utf-8").read(), p)))
    except SyntaxError as e:
        out.append("SyntaxError: " + str(e))
print(json.dumps(out))`;
  return JSON.parse(execFileSync("python3", ["-c", script, ...paths], { encoding: "utf8" })) as string[];
}

/** Each SVG parsed by Python's XML parser: the text of every element, or the parse error. */
function xmlTexts(paths: string[]): string[][] {
  const script = `import json, sys
import xml.etree.ElementTree as ET
out = []
for p in sys.argv[1:]:
    try:
        out.append(["".join(e.itertext()) for e in ET.parse(p).getroot().iter("{http://www.w3.org/2000/svg}text")])
    except ET.ParseError as e:
        out.append(["ParseError: " + str(e)])
print(json.dumps(out))`;
  return JSON.parse(execFileSync("python3", ["-c", script, ...paths], { encoding: "utf8" })) as string[][];
}

/** Writes `text` as dir/sub/name and returns its path. */
function source(sub: string, name: string, text: string): string {
  const path = join(dir, sub, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

beforeAll(() => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
});

describe("the escaping modules", () => {
  it("commentText keeps the text on one line that no comment syntax can end", () => {
    expect(commentText("a\nb\rc\u2028d\u2029e")).toBe("a\\nb\\rc\\u2028d\\u2029e");
    expect(commentText("x*/y")).toBe("x*\\/y");
    expect(commentText("\x00\x1b\x7f\x85\u202E")).toBe("\\u0000\\u001B\\u007F\\u0085\\u202E");
    expect(commentText("модель 🙂 `${x}` \"'")).toBe("модель 🙂 `${x}` \"'");
  });

  it("xmlText leaves no markup and no character XML 1.0 forbids", () => {
    expect(xmlText(`<a href="x">&'`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
    expect(xmlText("\x01\x1b\uFFFE\ud800 é 🙂")).toBe("\\u0001\\u001B\\uFFFE\\uD800 é 🙂");
  });
});

describe("build: hostile file names and comments change no code", () => {
  it("every module and harness transpiles, and equals the plain name's with comments stripped", { timeout: 300_000 }, async () => {
    const plainPath = source("build-plain", "plain.cnn", plain);
    expect((await cnnc("build", plainPath, "-o", join(dir, "build-plain", "out"))).code).toBe(0);
    const reference = ["Hostile.ts", "Hostile.gradcheck.ts"].map((f) =>
      transpiled(readFileSync(join(dir, "build-plain", "out", f), "utf8"), `plain ${f}`),
    );
    for (const [i, name] of hostileNames.entries()) {
      const sub = `build-${i}`;
      const r = await cnnc("build", source(sub, name, model), "-o", join(dir, sub, "out"));
      expect(r.code, `${JSON.stringify(name)}: ${r.stdout}${r.stderr}`).toBe(0);
      ["Hostile.ts", "Hostile.gradcheck.ts"].forEach((f, k) => {
        const emitted = readFileSync(join(dir, sub, "out", f), "utf8");
        expect(transpiled(emitted, `${JSON.stringify(name)} ${f}`), `${JSON.stringify(name)}: ${f}`).toBe(reference[k]);
        const base = name.slice(name.lastIndexOf("/") + 1);
        expect(emitted.split("\n")[0]).toBe(`// Hostile.ts — generated by cnnc 0.1.0 from ${commentText(base)}. Do not edit; rebuild with \`cnnc build\`.`);
      });
    }
  });

  it("gradcheck builds and runs its harness under a name with a newline", async () => {
    const r = await cnnc("gradcheck", source("gradcheck", "a\nexport const injected = 1;\nb.cnn", model), "--samples", "2");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PASS: /);
  });
});

describe("export --pytorch: hostile file names and comments change no Python", () => {
  it("every module parses and has the plain name's syntax tree", async () => {
    const outputs: string[] = [];
    const cases = [["plain.cnn", plain] as const, ...hostileNames.flatMap((n) => [[n, plain] as const, [n, model] as const])];
    for (const [i, [name, text]] of cases.entries()) {
      const sub = `export-${i}`;
      const r = await cnnc("export", "--pytorch", source(sub, name, text), "-o", join(dir, sub, "out"));
      expect(r.code, `${JSON.stringify(name)}: ${r.stdout}${r.stderr}`).toBe(0);
      const files = readdirSync(join(dir, sub, "out"));
      expect(files).toHaveLength(1);
      outputs.push(join(dir, sub, "out", files[0]!));
    }
    const trees = pythonAst(outputs);
    expect(trees[0]).toMatch(/^Module\(/);
    trees.forEach((tree, i) => expect(tree, outputs[i]).toBe(trees[0]));
    expect(readFileSync(outputs[1]!, "utf8").split("\n")[0]).toBe(`# Generated by cnnc from ${commentText(join(dir, "export-1", hostileNames[0]!))} — do not edit; edit the .cnn and run`);
  });
});

describe("draw: hostile comments add no markup", () => {
  it("the picture parses as XML, for a model that checks and one that fails on a line with a hostile comment", async () => {
    const failing = model.replace("kernel=3)", "kernel=30)");
    const svgs: string[] = [];
    for (const [i, name] of hostileNames.entries()) {
      for (const [kind, text] of [["checks", model], ["fails", failing]] as const) {
        const out = join(dir, `draw-${i}-${kind}.svg`);
        const r = await cnnc("draw", source(`draw-${i}-${kind}`, name, text), "-o", out);
        expect(r.code, r.stdout).toBe(kind === "checks" ? 0 : 1);
        svgs.push(out);
      }
    }
    const texts = xmlTexts(svgs);
    texts.forEach((t, i) => expect(t[0], svgs[i]).not.toMatch(/^ParseError/));
    // the picture does not depend on the file's name
    texts.forEach((t, i) => expect(t, svgs[i]).toEqual(texts[i % 2]));
    // the loss card and the failing card show the statement as written, invisible characters made visible
    for (const t of texts.slice(0, 2)) {
      const all = t.join(" ");
      expect(all).toContain("<script>x</script>");
      expect(all).toContain("\\u0001");
      expect(all).toContain("\\u001B[31m");
      expect(all).toContain("\\u202E");
    }
  });
});

describe("fmt: hostile file names and comments", () => {
  it("formats a file under any name to the same bytes, keeping the comments as written", async () => {
    const messy = model.replace("  relu", "relu  ").replace("p: maxpool(2)", "p:maxpool( 2 )");
    const expected = source("fmt-plain", "plain.cnn", messy);
    expect((await cnnc("fmt", expected)).code).toBe(0);
    const formatted = readFileSync(expected, "utf8");
    expect(formatted).toContain(`# ${hostileComment}\n`);
    for (const [i, name] of hostileNames.entries()) {
      const path = source(`fmt-${i}`, name, messy);
      const r = await cnnc("fmt", path);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(readFileSync(path, "utf8")).toBe(formatted);
    }
  });
});

describe("check --format json: a hostile file name is a JSON string like any other", () => {
  it("parses, and names the file exactly", async () => {
    for (const [i, name] of hostileNames.entries()) {
      const path = source(`json-${i}`, name, model.replace("kernel=3)", "kernel=30)"));
      const r = await cnnc("check", "--format", "json", path);
      expect(r.code).toBe(1);
      const doc = JSON.parse(r.stdout) as { diagnostics: { file: string }[] };
      expect(doc.diagnostics[0]!.file).toBe(path);
    }
  });
});

describe("labels", () => {
  const badLabels = ["a\nb", "a\u2028b", "a*/b", "a`b", "a${b}", 'a"b', "a<script>b", "модель"];
  it.each(badLabels.map((l) => [JSON.stringify(l), l]))("label %s is an error, and no command writes a file", async (_shown, label) => {
    const text = model.replace("c1: conv", `${label}: conv`);
    const sub = `label-${badLabels.indexOf(label)}`;
    const path = source(sub, "m.cnn", text);
    const out = join(dir, sub, "out");
    for (const argv of [["build", path, "-o", out], ["export", "--pytorch", path, "-o", out]]) {
      const r = await cnnc(...argv);
      expect(r.code, argv[0]).toBe(1);
      expect(r.stdout).toMatch(/error\[E0[12]\d\d\]/);
      expect(existsSync(out), argv[0]).toBe(false);
    }
    // draw pictures a model up to its failing layer; when it writes one, it parses
    const svg = join(dir, sub, "m.svg");
    expect((await cnnc("draw", path, "-o", svg)).code).toBe(1);
    if (existsSync(svg)) expect(xmlTexts([svg])[0]![0]).not.toMatch(/^ParseError/);
    // fmt refuses a syntax error and writes nothing; text that parses ("a\nb" is two statements) keeps its meaning
    const codes = (t: string) => compile(t, "m.cnn").diagnostics.map((d) => d.code);
    const r = await cnnc("fmt", path);
    if (r.code === 1) expect(readFileSync(path, "utf8")).toBe(text);
    else expect(codes(readFileSync(path, "utf8"))).toEqual(codes(text));
  });
});
