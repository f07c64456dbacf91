// Renderers on hand-built diagnostics and IR (no parser or checker involved):
// the text layout of the README and docs/cli.md, the JSON document, GitHub commands, the summary
// table and the budget diagnostics. Expected strings are written by hand.
import { describe, expect, it } from "vitest";
import type { Diagnostic, Span } from "../src/diagnostics.ts";
import type { Code } from "../src/codes/index.ts";
import type { Layer, Model, PartialModel } from "../src/ir.ts";
import { renderDiagnostic, summaryLine } from "../src/render/text.ts";
import { JsonDocumentSchema, renderJson } from "../src/render/json.ts";
import { renderGithubDiagnostic } from "../src/render/github.ts";
import { renderSummaryTable } from "../src/render/table.ts";
import { formatBytes, formatCount, modelFacts, partialFacts } from "../src/render/format.ts";
import { colourStyle } from "../src/render/style.ts";
import { checkBudgets, parseCount } from "../src/cli/budget.ts";

const file = "examples/bad.cnn";
const bad = [
  "model Bad {",
  "  input [3, 20, 20]",
  "  rounding exact",
  "",
  "  c1: conv(7, kernel=6, stride=(3, 6), pad=(2, 3))",
  "  relu",
  "}",
].join("\n");

/** A span from 1-based line/column pairs in `text` (endColumn exclusive). */
function span(text: string, line: number, column: number, endLine: number, endColumn: number, f = file): Span {
  const lines = text.split(/\r?\n/);
  const offset = (l: number, c: number) => lines.slice(0, l - 1).reduce((n, s) => n + s.length + 1, 0) + c - 1;
  return { file: f, line, column, endLine, endColumn, start: offset(line, column), end: offset(endLine, endColumn) };
}

function d(code: string, s: Span, message: string, extra: Partial<Diagnostic> = {}): Diagnostic {
  return {
    code: code as Code,
    severity: code.startsWith("W") ? "warning" : "error",
    message,
    span: s,
    labels: [],
    notes: [],
    ...extra,
  };
}

const sources = new Map([[file, bad]]);

describe("text renderer", () => {
  it("lays out the README's E0301 example exactly", () => {
    const diagnostic = d("E0301", span(bad, 5, 3, 5, 51), "conv 'c1' output width is not a whole number under rounding exact", {
      notes: ["width: (20 + 3 + 3 - 6) / 6 + 1 = 4.33"],
      help: "pad=(2, 2) gives width 4, or `rounding floor` floors it (PyTorch's behaviour)",
    });
    expect(renderDiagnostic(diagnostic, sources)).toBe(
      [
        "error[E0301]: conv 'c1' output width is not a whole number under rounding exact",
        "  --> examples/bad.cnn:5:3",
        "   |",
        " 5 |   c1: conv(7, kernel=6, stride=(3, 6), pad=(2, 3))",
        "   |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        "   = width: (20 + 3 + 3 - 6) / 6 + 1 = 4.33",
        "   = help: pad=(2, 2) gives width 4, or `rounding floor` floors it (PyTorch's behaviour)",
      ].join("\n"),
    );
  });

  it("underlines a multi-line span to the end of its first line", () => {
    const diagnostic = d("E0390", span(bad, 1, 1, 7, 2), "model 'Bad' has 2 parameters, over the budget of 1");
    expect(renderDiagnostic(diagnostic, sources).split("\n").slice(2, 5)).toEqual([
      "   |",
      " 1 | model Bad {",
      "   | ^^^^^^^^^^^",
    ]);
  });

  it("shows secondary labels with '-' and their message, and '...' between distant lines", () => {
    const diagnostic = d("E0390", span(bad, 1, 7, 1, 10), "model 'Bad' is over budget", {
      labels: [{ span: span(bad, 5, 3, 5, 5), message: "c1: 1,000 (100.0%)" }],
    });
    expect(renderDiagnostic(diagnostic, sources)).toBe(
      [
        "error[E0390]: model 'Bad' is over budget",
        "  --> examples/bad.cnn:1:7",
        "   |",
        " 1 | model Bad {",
        "   |       ^^^",
        "...",
        " 5 |   c1: conv(7, kernel=6, stride=(3, 6), pad=(2, 3))",
        "   |   -- c1: 1,000 (100.0%)",
      ].join("\n"),
    );
  });

  it("puts the primary underline before a label on the same line, and widens the gutter for 2-digit lines", () => {
    const text = Array.from({ length: 9 }, () => "").join("\n") + "\n  relu(x=1, y=2)";
    const diagnostic = d("W0401", span(text, 10, 8, 10, 11), "something about x", {
      labels: [{ span: span(text, 10, 13, 10, 16), message: "and y" }],
    });
    expect(renderDiagnostic(diagnostic, new Map([[file, text]]))).toBe(
      [
        "warning[W0401]: something about x",
        "   --> examples/bad.cnn:10:8",
        "    |",
        " 10 |   relu(x=1, y=2)",
        "    |        ^^^",
        "    |             --- and y",
      ].join("\n"),
    );
  });

  it("expands tabs and keeps the underline under the right characters; CRLF lines lose their CR", () => {
    const text = "model T {\r\n\tinput [1]\r\n}";
    const diagnostic = d("E0390", span(text, 2, 8, 2, 11), "x");
    expect(renderDiagnostic(diagnostic, new Map([[file, text]])).split("\n").slice(3)).toEqual([
      " 2 |     input [1]",
      "   |           ^^^",
    ]);
  });

  it("points one caret at an empty span (end of file)", () => {
    const text = "model T {\n  input [1]";
    const diagnostic = d("E0390", span(text, 2, 12, 2, 12), "expected '}'");
    expect(renderDiagnostic(diagnostic, new Map([[file, text]])).split("\n").slice(3)).toEqual([
      " 2 |   input [1]",
      "   |            ^",
    ]);
  });

  it("shows only the path, then notes, when the file could not be read", () => {
    const diagnostic = d("E0001", span("", 1, 1, 1, 1, "nope.cnn"), "cannot read `nope.cnn`: no such file or directory", {
      help: "check the path",
    });
    expect(renderDiagnostic(diagnostic, new Map())).toBe(
      [
        "error[E0001]: cannot read `nope.cnn`: no such file or directory",
        "  --> nope.cnn",
        "   |",
        "   = help: check the path",
      ].join("\n"),
    );
  });

  it("colours only when asked", () => {
    const diagnostic = d("E0301", span(bad, 5, 3, 5, 5), "m");
    expect(renderDiagnostic(diagnostic, sources)).not.toContain("\x1b[");
    const coloured = renderDiagnostic(diagnostic, sources, { style: colourStyle });
    expect(coloured).toContain("\x1b[1;31merror[E0301]\x1b[0m");
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, "")).toBe(renderDiagnostic(diagnostic, sources));
  });

  it("summarises counts per file", () => {
    expect(summaryLine({ errors: 2, warnings: 1 }, "examples/x.cnn")).toBe("error: 2 errors, 1 warning in examples/x.cnn");
    expect(summaryLine({ errors: 1, warnings: 0 }, "a.cnn")).toBe("error: 1 error in a.cnn");
    expect(summaryLine({ errors: 0, warnings: 2 }, "a.cnn")).toBe("warning: 2 warnings in a.cnn");
    expect(summaryLine({ errors: 0, warnings: 1 }, "a.cnn", { denyWarnings: true })).toBe(
      "error: 1 warning in a.cnn (warnings denied by --deny-warnings)",
    );
    expect(summaryLine({ errors: 0, warnings: 0 }, "a.cnn")).toBe("");
  });
});

// A hand-built checked model: [1,4,4] → conv(2, kernel=3) → [2,2,2] → relu → affine(3) → [3].
// conv: weight 2·1·3·3 = 18 + bias 2 = 20 params, MACs 2·2·2·(1·3·3) = 72.
// affine: weight 3·8 = 24 + bias 3 = 27 params, MACs 3·8 = 24.
const mfile = "examples/tiny.cnn";
const mtext = "model Tiny {\n  input [1, 4, 4]\n  c1: conv(2, kernel=3)\n  relu\n  fc: affine(3)\n}";
const conv: Layer = {
  name: "c1",
  args: { op: "conv", filters: 2, kernel: [3, 3], stride: [1, 1], pad: [0, 0, 0, 0], dilation: [1, 1], groups: 1, bias: true, rounding: "floor" },
  from: [-1],
  inputs: [[1, 4, 4]],
  input: [1, 4, 4],
  output: [2, 2, 2],
  params: [
    { name: "c1.weight", shape: [2, 1, 3, 3] },
    { name: "c1.bias", shape: [2] },
  ],
  state: [],
  macs: 72,
  span: span(mtext, 3, 3, 3, 24, mfile),
  source: "c1: conv(2, kernel=3)",
};
const relu: Layer = {
  name: "relu1",
  args: { op: "relu" },
  from: [0],
  inputs: [[2, 2, 2]],
  input: [2, 2, 2],
  output: [2, 2, 2],
  params: [],
  state: [],
  macs: 0,
  span: span(mtext, 4, 3, 4, 7, mfile),
  source: "relu",
};
const fc: Layer = {
  name: "fc",
  args: { op: "affine", features: 3, bias: true },
  from: [1],
  inputs: [[2, 2, 2]],
  input: [2, 2, 2],
  output: [3],
  params: [
    { name: "fc.weight", shape: [3, 8] },
    { name: "fc.bias", shape: [3] },
  ],
  state: [],
  macs: 24,
  span: span(mtext, 5, 3, 5, 16, mfile),
  source: "fc: affine(3)",
};
const tiny: Model = {
  name: "Tiny",
  file: mfile,
  span: span(mtext, 1, 1, 6, 2, mfile),
  input: [1, 4, 4],
  output: [3],
  layers: [conv, relu, fc],
  loss: null,
  params: 47,
  macs: 96,
};
const tinyPartial: PartialModel = { name: "Tiny", file: mfile, span: tiny.span, input: [1, 4, 4], layers: [conv, relu] };

describe("JSON renderer", () => {
  it("prints the JSON document of docs/cli.md, with failing models cut before the failing layer", () => {
    const diagnostic = d("E0301", span(mtext, 5, 3, 5, 16, mfile), "boom", { notes: ["n1"] });
    const text = renderJson([diagnostic], [modelFacts(tiny), partialFacts(tinyPartial)]);
    const doc = JsonDocumentSchema.strict().parse(JSON.parse(text));
    expect(doc.diagnostics).toEqual([
      { file: mfile, line: 5, column: 3, endLine: 5, endColumn: 16, severity: "error", code: "E0301", message: "boom", notes: ["n1"], help: null },
    ]);
    expect(doc.models[0]).toEqual({
      file: mfile,
      name: "Tiny",
      input: [1, 4, 4],
      output: [3],
      params: 47,
      macs: 96,
      layers: [
        { label: "c1", op: "conv", line: 3, output: [2, 2, 2], params: 20, macs: 72 },
        { label: "relu1", op: "relu", line: 4, output: [2, 2, 2], params: 0, macs: 0 },
        { label: "fc", op: "affine", line: 5, output: [3], params: 27, macs: 24 },
      ],
    });
    expect(doc.models[1]).toMatchObject({ name: "Tiny", output: [2, 2, 2], params: 20, macs: 72 });
    expect(doc.models[1].layers.map((l) => l.label)).toEqual(["c1", "relu1"]);
  });
});

describe("GitHub renderer", () => {
  it("prints one workflow command per diagnostic, notes and help folded in with %0A", () => {
    const diagnostic = d("E0301", span(bad, 5, 3, 5, 51), "width is 4.33, not whole", {
      notes: ["width: (20 + 3 + 3 - 6) / 6 + 1 = 4.33"],
      help: "pad=(2, 2) gives 100% of it",
    });
    expect(renderGithubDiagnostic(diagnostic)).toBe(
      "::error file=examples/bad.cnn,line=5,col=3,endLine=5,endColumn=50,title=E0301::width is 4.33, not whole" +
        "%0A= width: (20 + 3 + 3 - 6) / 6 + 1 = 4.33%0A= help: pad=(2, 2) gives 100%25 of it",
    );
  });
  it("prints warnings as ::warning and escapes ',' and ':' in properties", () => {
    const diagnostic = d("W0401", { ...span(bad, 2, 3, 2, 8), file: "a,b:c.cnn" }, "rows lost");
    expect(renderGithubDiagnostic(diagnostic)).toBe(
      "::warning file=a%2Cb%3Ac.cnn,line=2,col=3,endLine=2,endColumn=7,title=W0401::rows lost",
    );
  });
});

describe("summary table", () => {
  it("lists layers, totals and f32 activation memory per sample", () => {
    // activations: input 16·4 = 64 B, c1 8·4 = 32 B, relu 32 B, fc 3·4 = 12 B; total 140 B
    expect(renderSummaryTable(modelFacts(tiny))).toBe(
      [
        "Tiny  [1,4,4] → [3]  (examples/tiny.cnn)",
        "layer  op                 output   params  MACs  activation",
        "input                     [1,4,4]                      64 B",
        "c1     conv(2, kernel=3)  [2,2,2]      20    72        32 B",
        "relu1  relu               [2,2,2]       0     0        32 B",
        "fc     affine(3)          [3]          27    24        12 B",
        "───────────────────────────────────────────────────────────",
        "total                                  47    96       140 B",
      ].join("\n"),
    );
  });
  it("stops a failing model's table before the failing layer and says so", () => {
    const lines = renderSummaryTable(partialFacts(tinyPartial)).split("\n");
    expect(lines[0]).toBe("Tiny  [1,4,4] → ✗  (examples/tiny.cnn)");
    expect(lines.map((l) => l.split(/\s+/)[0].replace(/^─+$/, "(rule)"))).toEqual(["Tiny", "layer", "input", "c1", "relu1", "(rule)", "total", "stops"]);
    expect(lines[6]).toMatch(/^total so far\s+20\s+72\s+128 B$/);
  });
});

describe("numbers", () => {
  it("formats counts and sizes", () => {
    expect(formatCount(0)).toBe("0");
    expect(formatCount(999)).toBe("999");
    expect(formatCount(61706)).toBe("61,706");
    expect(formatCount(138357544)).toBe("138,357,544");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(3136)).toBe("3.1 KiB");
    expect(formatBytes(6422528)).toBe("6.1 MiB");
  });
  it("parses budgets", () => {
    expect(parseCount("1000000")).toBe(1_000_000);
    expect(parseCount("1_000_000")).toBe(1_000_000);
    expect(parseCount("1,000")).toBe(1000);
    expect(parseCount("25M")).toBe(25_000_000);
    expect(parseCount("3k")).toBe(3000);
    expect(parseCount("0")).toBe(0);
    for (const bad of ["", "-1", "1.5", "1e6", "abc", "1__0", "99999999999999999999", "9007199254740993"]) {
      expect(parseCount(bad), bad).toBeUndefined();
    }
  });
});

describe("budgets", () => {
  it("flags a model over --max-params and labels its costliest layers", () => {
    const [over] = checkBudgets([tiny], { maxParams: 40 });
    expect(over.code).toBe("E0390");
    expect(over.message).toBe("model 'Tiny' has 47 parameters, over the budget of 40");
    expect(over.labels.map((l) => l.message)).toEqual(["fc: 27 (57.4%)", "c1: 20 (42.6%)"]);
    expect(over.notes).toEqual(["--max-params is 40; the model is 7 over"]);
    expect(over.help).toBe("shrink the costliest layers first (fc, c1), or raise --max-params");
  });
  it("flags MACs, and nothing at or under budget", () => {
    expect(checkBudgets([tiny], { maxParams: 47, maxMacs: 96 })).toEqual([]);
    expect(checkBudgets([tiny], { maxMacs: 95 }).map((x) => x.code)).toEqual(["E0391"]);
  });
});

describe("long source lines", () => {
  it("are cut to a window around the primary mark, with '...' where text is left out", () => {
    const text = `${" ".repeat(130)}repeat 1 {${" ".repeat(100)}# end`;
    const diagnostic = d("E0390", span(text, 1, 131, 1, 137), "too deep");
    const [, , , source, marks] = renderDiagnostic(diagnostic, new Map([[file, text]])).split("\n");
    // the window starts 16 columns before the mark: "..." + 16 spaces, then the span
    expect(source).toBe(` 1 | ...${" ".repeat(16)}repeat 1 {${" ".repeat(74)}...`);
    expect(marks).toBe(`   | ${" ".repeat(19)}^^^^^^`);
  });
  it("clip a span longer than the window at its end", () => {
    const name = "a".repeat(257);
    const text = `  ${name}: relu`;
    const diagnostic = d("E0390", span(text, 1, 3, 1, 260), "identifier too long");
    const [, , , source, marks] = renderDiagnostic(diagnostic, new Map([[file, text]])).split("\n");
    expect(source).toBe(` 1 |   ${"a".repeat(98)}...`);
    expect(marks).toBe(`   |   ${"^".repeat(98)}`);
  });
});

describe("labels in another file", () => {
  it("get their own ':::' frame", () => {
    const other = "model O {\n  input [1]\n}";
    const diagnostic = d("E0390", span(bad, 6, 3, 6, 7), "x", {
      labels: [{ span: span(other, 2, 3, 2, 8, "other.cnn"), message: "defined here" }],
    });
    expect(renderDiagnostic(diagnostic, new Map([[file, bad], ["other.cnn", other]]))).toBe(
      [
        "error[E0390]: x",
        "  --> examples/bad.cnn:6:3",
        "   |",
        " 6 |   relu",
        "   |   ^^^^",
        "  ::: other.cnn:2:3",
        "   |",
        " 2 |   input [1]",
        "   |   ----- defined here",
      ].join("\n"),
    );
  });
});

describe("control characters", () => {
  it("are shown as control pictures, never written raw (no terminal escapes from a hostile file)", () => {
    const text = "model B {\x00\x01\x1b[2J\x7f\n}";
    const diagnostic = d("E0390", span(text, 1, 10, 1, 11), "bad byte \x1b[31m", { notes: ["n\x07"], help: "h\x1b" });
    const out = renderDiagnostic(diagnostic, new Map([[file, text]]));
    expect(out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(out).toContain(" 1 | model B {␀␁␛[2J␡");
    expect(out).toContain("   |          ^");
    expect(out).toContain("error[E0390]: bad byte ␛[31m");
    expect(out).toContain("= n␇");
    const github = renderGithubDiagnostic(diagnostic);
    expect(github).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(github).toContain("::bad byte ␛[31m%0A= n␇%0A= help: h␛");
  });
});
