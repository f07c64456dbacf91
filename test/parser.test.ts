// The front end up to the AST: source decoding, every construct's AST (written
// out by hand from docs/language.md#grammar), recovery, and every E01xx code through its
// examples/invalid/E01NN-*.cnn file and its inline `# ~ E01NN` markers.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeSource, MAX_SOURCE_BYTES } from "../src/source.ts";
import { parse, parseSource } from "../src/parse.ts";
import { syntaxCodes } from "../src/codes/syntax.ts";
import { argumentCodes } from "../src/codes/arguments.ts";
import { cliCodes } from "../src/codes/cli.ts";
import { codes } from "../src/codes/index.ts";
import { layerCodes } from "../src/codes/layers.ts";
import { paddingLossCodes } from "../src/codes/padding-loss.ts";
import { shapeCodes } from "../src/codes/shapes.ts";
import type { Diagnostic } from "../src/diagnostics.ts";

/** decode + parse, as the pipeline does */
function front(source: string | Uint8Array) {
  const decoded = decodeSource(source, "t.cnn");
  if (decoded.value === undefined) return { models: [], diagnostics: decoded.diagnostics };
  const parsed = parse(decoded.value, "t.cnn");
  return { models: parsed.value?.models ?? [], diagnostics: parsed.diagnostics };
}

const codesOf = (ds: Diagnostic[]) => ds.map((d) => d.code);

/** Deletes spans (and source offsets) recursively so ASTs compare by content. */
function stripSpans(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(stripSpans);
  if (x && typeof x === "object") {
    return Object.fromEntries(
      Object.entries(x)
        .filter(([k]) => k !== "span" && !k.endsWith("Span"))
        .map(([k, v]) => [k, stripSpans(v)]),
    );
  }
  return x;
}

const num = (text: string) => ({ kind: "number", value: Number(text), text, isInt: /^\d+$/.test(text) });

describe("decodeSource", () => {
  it("removes a leading BOM and keeps the text otherwise", () => {
    expect(decodeSource("\uFEFFmodel A {}", "f").value).toBe("model A {}");
    expect(decodeSource(new Uint8Array([0xef, 0xbb, 0xbf, 0x6d]), "f").value).toBe("m");
  });

  it("decodes multi-byte UTF-8 (in comments)", () => {
    const bytes = new TextEncoder().encode("# café 🎉\n");
    expect(decodeSource(bytes, "f")).toEqual({ value: "# café 🎉\n", diagnostics: [] });
  });

  it.each([
    ["a stray continuation byte", [0x61, 0x0a, 0x62, 0x80], 2, 2],
    ["a Latin-1 é", [0x23, 0x20, 0x63, 0xe9, 0x0a], 1, 4],
    ["an overlong '/'", [0xc0, 0xaf], 1, 1],
    ["a UTF-16 surrogate", [0x0a, 0x0a, 0xed, 0xa0, 0x80], 3, 1],
    ["a truncated 3-byte sequence at the end", [0x61, 0xe2, 0x82], 1, 2],
    ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80], 1, 1],
  ])("reports E0101 at the first bad byte: %s", (_, bytes, line, column) => {
    const r = decodeSource(new Uint8Array(bytes), "f");
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, d.span.line, d.span.column])).toEqual([["E0101", line, column]]);
  });

  it("counts the position after a BOM and after multi-byte characters", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("#é\n#ü"), 0xff]);
    const d = decodeSource(bytes, "f").diagnostics[0];
    expect([d.code, d.span.line, d.span.column]).toEqual(["E0101", 2, 3]);
  });

  it("reports an unpaired surrogate in a string as E0101", () => {
    expect(codesOf(decodeSource("model\uD800", "f").diagnostics)).toEqual(["E0101"]);
  });

  it("reports a NUL byte as a binary file (E0102) at its position", () => {
    const d = decodeSource(new Uint8Array([0x61, 0x0a, 0x62, 0x00]), "f").diagnostics;
    expect(d.map((x) => [x.code, x.span.line, x.span.column])).toEqual([["E0102", 2, 2]]);
  });

  it("refuses a file over 1 MiB (E0103) without decoding it, naming the limit", () => {
    const big = new Uint8Array(MAX_SOURCE_BYTES + 1).fill(0xff); // invalid UTF-8 too: size is checked first
    const d = decodeSource(big, "f").diagnostics;
    expect(codesOf(d)).toEqual(["E0103"]);
    expect(d[0].message).toContain("1 MiB");
    expect(decodeSource(new Uint8Array(MAX_SOURCE_BYTES).fill(0x20), "f").value).toHaveLength(MAX_SOURCE_BYTES);
    expect(codesOf(decodeSource("é".repeat(MAX_SOURCE_BYTES / 2 + 1), "f").diagnostics)).toEqual(["E0103"]);
  });
});

describe("the AST of every construct", () => {
  it("parses the LeNet-5 of docs/language.md with labels, positional and named args, comments and loss", () => {
    const src = `# LeNet-5
model LeNet5 {
  input [1, 28, 28]            # C, H, W
  c1: conv(6, kernel=5, pad=2) // a label
  relu
  maxpool(2)
  out: affine(10)
  loss softmax
}
`;
    const { models, diagnostics } = front(src);
    expect(diagnostics).toEqual([]);
    expect(stripSpans(models)).toEqual([
      {
        name: "LeNet5",
        input: { dims: [num("1"), num("28"), num("28")] },
        body: [
          {
            kind: "layer",
            label: { text: "c1" },
            op: "conv",
            args: [{ value: num("6") }, { name: "kernel", value: num("5") }, { name: "pad", value: num("2") }],
          },
          { kind: "layer", op: "relu", args: [] },
          { kind: "layer", op: "maxpool", args: [{ value: num("2") }] },
          { kind: "layer", label: { text: "out" }, op: "affine", args: [{ value: num("10") }] },
        ],
        loss: { op: "softmax", args: [] },
      },
    ]);
  });

  it("parses rounding, decimals, exponents, pairs, 4-tuples, identifiers and svm args", () => {
    const src =
      "model M { input [3, 9, 9]; rounding ceil; c: conv(4, kernel=(3, 1), pad=(1, 1, 0, 0), bias=false);" +
      " maxpool(kernel=2, pad=same, rounding=floor) batchnorm(eps=1e-5, momentum=0.1) dropout(0.5) loss svm(margin=1.5) }";
    const { models, diagnostics } = front(src);
    expect(diagnostics).toEqual([]);
    const m = stripSpans(models[0]) as Record<string, unknown>;
    expect(m.rounding).toEqual({ mode: "ceil" });
    expect(m.body).toEqual([
      {
        kind: "layer",
        label: { text: "c" },
        op: "conv",
        args: [
          { value: num("4") },
          { name: "kernel", value: { kind: "tuple", items: [num("3"), num("1")] } },
          { name: "pad", value: { kind: "tuple", items: [num("1"), num("1"), num("0"), num("0")] } },
          { name: "bias", value: { kind: "ident", name: "false" } },
        ],
      },
      {
        kind: "layer",
        op: "maxpool",
        args: [
          { name: "kernel", value: num("2") },
          { name: "pad", value: { kind: "ident", name: "same" } },
          { name: "rounding", value: { kind: "ident", name: "floor" } },
        ],
      },
      {
        kind: "layer",
        op: "batchnorm",
        args: [
          { name: "eps", value: { kind: "number", value: 0.00001, text: "1e-5", isInt: false } },
          { name: "momentum", value: { kind: "number", value: 0.1, text: "0.1", isInt: false } },
        ],
      },
      { kind: "layer", op: "dropout", args: [{ value: { kind: "number", value: 0.5, text: "0.5", isInt: false } }] },
    ]);
    expect(m.loss).toEqual({ op: "svm", args: [{ name: "margin", value: { kind: "number", value: 1.5, text: "1.5", isInt: false } }] });
  });

  it("parses nested repeats, several models, [D] inputs and empty argument lists", () => {
    const src = "model A { input [784] repeat 2 { a: affine(10) repeat 3 { relu() } } }\nmodel B { input [1, 2, 3] flatten }";
    const { models, diagnostics } = front(src);
    expect(diagnostics).toEqual([]);
    expect(stripSpans(models)).toEqual([
      {
        name: "A",
        input: { dims: [num("784")] },
        body: [
          {
            kind: "repeat",
            count: num("2"),
            body: [
              { kind: "layer", label: { text: "a" }, op: "affine", args: [{ value: num("10") }] },
              { kind: "repeat", count: num("3"), body: [{ kind: "layer", op: "relu", args: [] }] },
            ],
          },
        ],
      },
      { name: "B", input: { dims: [num("1"), num("2"), num("3")] }, body: [{ kind: "layer", op: "flatten", args: [] }] },
    ]);
  });

  it("gives exact spans (1-based, end exclusive), CRLF and BOM included", () => {
    const src = "\uFEFFmodel A {\r\n  input [4]\r\n  c1: conv(6, kernel=5)\r\n}\r\n";
    const decoded = decodeSource(new TextEncoder().encode(src), "f.cnn").value!;
    const r = parse(decoded, "f.cnn");
    expect(r.diagnostics).toEqual([]);
    const m = r.value!.models[0];
    expect(m.span).toMatchObject({ line: 1, column: 1, endLine: 4, endColumn: 2 });
    const layer = m.body[0];
    expect(layer.span).toMatchObject({ file: "f.cnn", line: 3, column: 3, endLine: 3, endColumn: 24 });
    expect(decoded.slice(layer.span.start, layer.span.end)).toBe("c1: conv(6, kernel=5)");
    if (layer.kind !== "layer") throw new Error("expected a layer");
    expect(decoded.slice(layer.args[1].span.start, layer.args[1].span.end)).toBe("kernel=5");
    expect(layer.args[1].nameSpan).toMatchObject({ line: 3, column: 15, endColumn: 21 });
    expect(m.input.span).toMatchObject({ line: 2, column: 3, endColumn: 12 });
    expect(r.value!.text).toBe(decoded);
  });

  it("gives tokens and comments 1-based line:column positions (for --emit tokens)", () => {
    const p = parseSource("model A {\r\n  input [4] # c\n}", "f");
    expect(p.tokens.map((t) => [t.image, t.startLine, t.startColumn, t.endColumn])).toEqual([
      ["model", 1, 1, 5],
      ["A", 1, 7, 7],
      ["{", 1, 9, 9],
      ["input", 2, 3, 7],
      ["[", 2, 9, 9],
      ["4", 2, 10, 10],
      ["]", 2, 11, 11],
      ["}", 3, 1, 1],
    ]);
    expect(p.comments.map((t) => [t.image, t.startLine, t.startColumn])).toEqual([["# c", 2, 13]]);
  });

  it("treats keywords as whole words only", () => {
    const { models, diagnostics } = front("model models { input [1] inputs: repeats(loss2=1) }");
    expect(diagnostics).toEqual([]);
    expect(models[0].name).toBe("models");
    expect(models[0].body[0]).toMatchObject({ label: { text: "inputs" }, op: "repeats", args: [{ name: "loss2" }] });
  });
});

describe("syntax errors", () => {
  it("reports every error of a file in one run, each on its own line with a clear message", () => {
    const src = [
      "model A {", //                        1
      "  input [1, 28, 28]", //              2
      "  c1: conv(6 kernel=5)", //           3: missing ','
      "  relu", //                           4
      "  maxpool(2", //                      5: missing ')'
      "  affine(units=)", //                 6: missing value
      "}", //                                7
      "model B {", //                        8
      "  input [10]", //                     9
      "  dropout(p=(0.5)))", //              10: one ')' too many
      "}", //                                11
      "relu", //                             12: outside a model
    ].join("\n");
    const d = front(src).diagnostics;
    expect(d.map((x) => [x.code, x.span.line, x.message])).toEqual([
      ["E0105", 3, "expected ')' after the arguments of 'conv', found 'kernel'"],
      ["E0105", 5, "expected ')' after the arguments of 'maxpool', found 'affine'"],
      ["E0105", 6, "expected a value for 'units' of 'affine', found ')'"],
      ["E0105", 10, "expected a statement or '}', found ')'"],
      ["E0105", 12, "expected 'model', 'block' or 'import', found 'relu'"],
    ]);
    expect(d[0].help).toBe("separate arguments with ','");
    // a missing token is pointed at just after the token before it
    expect(d[1].span).toMatchObject({ line: 5, column: 12, endLine: 5, endColumn: 12 });
    expect(d[0].span).toMatchObject({ line: 3, column: 14, endColumn: 20 });
  });

  it("words errors by where they happen", () => {
    const cases: [string, string][] = [
      ["model { input [1] }", "expected a model name after 'model', found '{'"],
      ["model A input [1] }", "expected '{' after the model name 'A', found 'input'"],
      ["model A { input 1 }", "expected an input shape after 'input', found '1'"],
      ["model A { input [] }", "expected a number in the input shape, found ']'"],
      ["model A { input [1 2] }", "expected ',' or ']' in the input shape, found '2'"],
      ["model A { input [1] rounding }", "expected a rounding mode (floor, ceil or exact) after 'rounding', found '}'"],
      ["model A { input [1] loss (1) }", "expected a loss name (softmax or svm) after 'loss', found '('"],
      ["model A { input [1] repeat { relu } }", "expected a repeat count after 'repeat', found '{'"],
      ["model A { input [1] repeat 2 relu }", "expected '{' after the repeat count, found 'relu'"],
      ["model A { input [1] c1: loss }", "expected an op name after the label 'c1:', found 'loss'"],
      ["model A { input [1] pad((1 2)) }", "expected ',' or ')' in the tuple, found '2'"],
      ["model A { input [1] pad((1, 2 3)) }", "expected ',' or ')' in the tuple, found '3'"],
      ["model A { input [1] relu = }", "expected a statement or '}', found '='"],
      ["model A { input [1] } }", "unexpected '}': there is no open block to close"],
      ["model model { input [1] }", "expected a model name after 'model', found 'model'"],
    ];
    for (const [src, message] of cases) {
      const d = front(src).diagnostics;
      expect(d.map((x) => x.code), src).toEqual(["E0105"]);
      expect(d[0].message, src).toBe(message);
    }
  });

  it("gives a help for the usual slips", () => {
    const cases: [string, string][] = [
      ["model A { input [1] conv(6, kernel: 5) }", "an argument is written name=value: kernel=..."],
      ["model A { input [1] conv(6,) }", "remove the trailing ','"],
      ["model A { input [1] pad((1, 1,)) }", "remove the trailing ','"],
      ["model A { input [1] conv(6, kernel=3x3) }", "write a pair as (3, 3)"],
      ["model A { input [1] conv(6 kernel=3) }", "separate arguments with ','"],
      ["model A { input [1] relu, relu }", "statements are separated by new lines or ';', not ','"],
      ["model A { input [1] conv[6] }", "arguments go in parentheses: conv(...)"],
      ["model A { input [1] conv 6 }", "a layer is written op or op(arguments), e.g. relu or conv(6, kernel=5)"],
    ];
    for (const [src, help] of cases) {
      const d = front(src).diagnostics;
      expect(d.map((x) => x.code), src).toEqual(["E0105"]);
      expect(d[0].help, src).toBe(help);
    }
  });

  it("points at the end of the line when a ')' is missing before a layer on the next line", () => {
    const d = front("model A {\n  input [1]\n  relu(\n  affine(10)\n}").diagnostics;
    expect(d.map((x) => [x.code, x.span.line, x.span.column, x.message, x.help])).toEqual([
      ["E0105", 3, 8, "expected ')' after the arguments of 'relu', found 'affine'", undefined],
    ]);
  });

  it("reports an unterminated construct (E0106) with a label where it opened", () => {
    const cases: [string, string, [number, number]][] = [
      ["model A {\n  input [1]\n  relu\n", "unterminated model 'A': expected '}' before the end of the file", [1, 9]],
      ["model A {\n  input [1]\n  relu\nmodel B { input [1] }", "unterminated model 'A': expected '}' before the next 'model'", [1, 9]],
      ["model A {\n  input [1]\n  conv(6, kernel=", "unterminated arguments of 'conv': expected ')' before the end of the file", [3, 7]],
      ["model A {\n  input [1, 2", "unterminated input shape: expected ']' before the end of the file", [2, 9]],
      ["model A { input [1] repeat 2 {\n relu", "unterminated repeat block: expected '}' before the end of the file", [1, 30]],
    ];
    for (const [src, message, [line, column]] of cases) {
      const d = front(src).diagnostics;
      expect(d.map((x) => x.code), src).toEqual(["E0106"]);
      expect(d[0].message).toBe(message);
      expect(d[0].labels.map((l) => [l.span.line, l.span.column, l.message])).toEqual([[line, column, "opened here"]]);
    }
  });

  it("names invalid characters and gives a help for the usual suspects", () => {
    const d = front("model A { input [1] leakyrelu(alpha=$1) conv(.5) 'x' é ~~~ }").diagnostics;
    expect(d.map((x) => [x.code, x.message])).toEqual([
      ["E0104", "invalid character '$'"],
      ["E0104", "invalid character '.'"],
      ["E0104", "invalid character '''"],
      ["E0104", "invalid character '''"],
      ["E0104", "invalid character U+00E9 'é'"],
      ["E0104", "invalid character '~' (and 2 more after it)"],
    ]);
    expect(d[1].help).toContain("0.5");
    expect(d[2].help).toContain("double quotes");
    expect(d[4].help).toContain("comments");
  });

  it("leaves a model with a syntax error out of the AST but keeps the others", () => {
    const r = parse("model A { input [1] relu( }\nmodel B { input [2] relu }", "f");
    expect(r.value!.models.map((m) => m.name)).toEqual(["B"]);
    expect(codesOf(r.diagnostics)).toEqual(["E0105"]);
  });

  it("does not check a shape that recovery repaired, but does check the rest of the model", () => {
    expect(codesOf(front("model A {\n input [1, 28 28]\n repeat 0 { relu }\n}").diagnostics)).toEqual(["E0105", "E0116"]);
  });

  it("does not check statement order in a model with a syntax error (recovery may have dropped statements)", () => {
    expect(codesOf(front("model A { input [1, 2, 3] conv(6 kernel=5) input [1] }").diagnostics)).toEqual(["E0105"]);
  });
});

describe("structural checks", () => {
  it("reports only E0111 when rounding comes before input", () => {
    expect(codesOf(front("model A { rounding ceil input [1] relu }").diagnostics)).toEqual(["E0111"]);
  });

  it("reports a layer after loss once, and a second loss separately", () => {
    expect(codesOf(front("model A { input [1] loss softmax relu relu loss svm }").diagnostics)).toEqual(["E0113", "E0114"]);
  });

  it("checks INT positions but accepts decimals in arguments", () => {
    expect(codesOf(front("model A { input [1, 2.5, 3e2] repeat 1.5 { relu } }").diagnostics)).toEqual(["E0115", "E0115", "E0115"]);
    expect(front("model A { input [1, 2, 3] dropout(p=5e-1) }").diagnostics).toEqual([]);
    expect(front("model A { input [3e2] }").diagnostics[0].help).toBe("write 300");
  });

  it("reports numbers beyond the safe range, and accepts the largest safe integer", () => {
    expect(codesOf(front("model A { input [9007199254740992] }").diagnostics)).toEqual(["E0118"]);
    expect(codesOf(front("model A { input [1] relu(x=1e309) }").diagnostics)).toEqual(["E0118"]);
    expect(front("model A { input [9007199254740991] }").diagnostics).toEqual([]);
  });

  it("accepts identifiers of 256 characters and refuses 257", () => {
    expect(front(`model ${"a".repeat(256)} { input [1] }`).diagnostics).toEqual([]);
    expect(codesOf(front(`model ${"a".repeat(257)} { input [1] }`).diagnostics)).toEqual(["E0119"]);
  });

  it("accepts 64 levels of blocks and refuses 65", () => {
    const nest = (n: number) => "model A { input [1] " + "repeat 1 { ".repeat(n - 1) + "relu" + " }".repeat(n - 1) + " }";
    expect(front(nest(64)).diagnostics).toEqual([]);
    expect(codesOf(front(nest(65)).diagnostics)).toEqual(["E0120"]);
  });

  it("checks the input rank and zero dims, and suggests the fix", () => {
    expect(front("model A { input [28, 28] }").diagnostics[0].help).toBe("for a one-channel image write [1, 28, 28]");
    expect(front("model A { input [8, 3, 32, 32] }").diagnostics[0].help).toBe("leave out the batch dimension: [3, 32, 32]");
    expect(codesOf(front("model A { input [0] }").diagnostics)).toEqual(["E0122"]);
  });

  it("reports an empty file and a comments-only file as E0107, not a whitespace-only model", () => {
    expect(codesOf(front("").diagnostics)).toEqual(["E0107"]);
    expect(codesOf(front("  \n\t\r\n").diagnostics)).toEqual(["E0107"]);
    expect(front("# a\n// b\n").diagnostics[0].message).toBe("file has no model: it holds only comments");
  });
});

describe("examples/invalid/E01*.cnn", () => {
  const dir = "examples/invalid";
  const names = readdirSync(dir).filter((n) => /^E01\d\d-.*\.cnn$/.test(n)).sort();

  it("has one file per syntax code", () => {
    expect(names.map((n) => n.slice(0, 5))).toEqual(Object.keys(syntaxCodes).sort());
  });

  it.each(names)("%s reports exactly its marked codes, on their lines", (name) => {
    const bytes = new Uint8Array(readFileSync(`${dir}/${name}`));
    const marked = bytes.length > MAX_SOURCE_BYTES
      ? [[name.slice(0, 5), 1]] // a file too large is refused as a whole, at 1:1
      : Buffer.from(bytes).toString("latin1").split(/\r?\n/).flatMap((line, i) => {
          const m = /# ~ (E\d{4})$/.exec(line);
          return m ? [[m[1], i + 1]] : [];
        });
    expect(marked.length).toBeGreaterThan(0);
    expect(marked.every(([code]) => code === name.slice(0, 5))).toBe(true);
    const reported = front(bytes).diagnostics.map((d) => [d.code, d.span.line]);
    expect(reported).toEqual(marked);
  });
});

describe("the code registry", () => {
  it("defines each code in one range file only (the merged registry would silently keep the last)", () => {
    const files = [syntaxCodes, argumentCodes, shapeCodes, layerCodes, paddingLossCodes, cliCodes];
    const all = files.flatMap((f) => Object.keys(f));
    expect(all.filter((c, i) => all.indexOf(c) !== i)).toEqual([]);
    expect(Object.keys(codes).sort()).toEqual([...all].sort());
  });
});

describe("the E01xx registry", () => {
  it("gives every code a title, an explanation, an example and a fix", () => {
    for (const [code, info] of Object.entries(syntaxCodes)) {
      expect(code).toMatch(/^E01\d\d$/);
      for (const field of [info.title, info.explanation, info.example, info.fix]) expect(field.length, code).toBeGreaterThan(5);
      expect(info.title[0]).toBe(info.title[0].toLowerCase());
    }
  });

  it("has examples that really produce their code (where an example is a .cnn text)", () => {
    for (const [code, info] of Object.entries(syntaxCodes)) {
      if (!info.example.startsWith("model") && !info.example.startsWith("#")) continue;
      if (info.example.includes("…") || info.example.includes("\\x")) continue;
      expect(codesOf(front(info.example).diagnostics), code).toContain(code);
    }
  });
});
