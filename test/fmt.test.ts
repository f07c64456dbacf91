// cnnc fmt: the canonical layout (expected texts written by hand), idempotence,
// meaning preserved (the checked IR without spans and source text is equal
// before and after) and every comment kept — over every example and over
// random models in random layouts — and the command's exit codes and writes.
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, lstatSync, chmodSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { formatSource } from "../src/format/format.ts";
import { compile } from "../src/pipeline.ts";
import { decodeSource } from "../src/source.ts";
import { cnnLexer } from "../grammar/tokens.ts";
import { arbModelSpec, modelText } from "./reference/models.ts";
import { cnnc } from "./cli-helpers.ts";

function fmt(text: string): string {
  const r = formatSource(text, "t.cnn");
  if (r.text === undefined) throw new Error(`did not format: ${r.diagnostics.map((d) => d.message).join("; ")}`);
  return r.text;
}

function withoutSpans(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(withoutSpans);
  if (x && typeof x === "object") {
    return Object.fromEntries(
      Object.entries(x)
        .filter(([k]) => k !== "span" && k !== "source" && !k.endsWith("Span"))
        .map(([k, v]) => [k, withoutSpans(v)]),
    );
  }
  return x;
}

/** What a file means: the checked IR (and partial models) without positions, and the codes reported. */
function meaning(text: string) {
  const r = compile(text, "t.cnn");
  return { models: withoutSpans(r.models), partial: withoutSpans(r.partial), codes: r.diagnostics.map((d) => d.code) };
}

const commentsOf = (text: string) => (cnnLexer.tokenize(text).groups.comments ?? []).map((c) => c.image.trimEnd());

/** fmt's three promises for one text. */
function assertFmtContract(text: string): string {
  const once = fmt(text);
  expect(fmt(once), "idempotent").toBe(once);
  expect(meaning(once), "same meaning").toEqual(meaning(text));
  expect(commentsOf(once).sort(), "same comments").toEqual(commentsOf(text).sort());
  return once;
}

describe("the canonical layout", () => {
  it("formats statements, arguments, tuples, blank lines and models", () => {
    const src = [
      "model  A{input[1,28,28];rounding   ceil",
      "c1 : conv( 6 ,kernel = 5,pad=(1,2) ) relu() ; dropout(p=0.5)",
      "",
      "",
      "",
      "repeat 2{relu",
      "affine(10,bias=false)}   loss svm(margin=1)}",
      "model B { input [10] ; relu }",
    ].join("\n");
    expect(fmt(src)).toBe(
      [
        "model A {",
        "  input [1, 28, 28]",
        "  rounding ceil",
        "  c1: conv(6, kernel=5, pad=(1, 2))",
        "  relu",
        "  dropout(p=0.5)",
        "",
        "  repeat 2 {",
        "    relu",
        "    affine(10, bias=false)",
        "  }",
        "  loss svm(margin=1)",
        "}",
        "",
        "model B {",
        "  input [10]",
        "  relu",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("keeps every comment where it was: own-line, trailing (aligned per paragraph), inside a statement, at the end", () => {
    const src = `# file header

# about A
model A {   # the model
  input [1, 28, 28]   # shape
  c1: conv(6, kernel=5) # conv
  relu; relu  // after the second relu


  # own line, after a blank line
  repeat 2 { relu
    affine(10,  # inside the arguments
      bias=false)
  } # end of the repeat
  # before the closing brace
} # end of A
model B { input [10] relu }
// end of file
`;
    expect(fmt(src)).toBe(
      "# file header\n" +
      "\n" +
      "# about A\n" +
      "model A {                # the model\n" +
      "  input [1, 28, 28]      # shape\n" +
      "  c1: conv(6, kernel=5)  # conv\n" +
      "  relu\n" +
      "  relu                   // after the second relu\n" +
      "\n" +
      "  # own line, after a blank line\n" +
      "  repeat 2 {\n" +
      "    relu\n" +
      "    # inside the arguments\n" +
      "    affine(10, bias=false)\n" +
      "  }  # end of the repeat\n" +
      "  # before the closing brace\n" +
      "}    # end of A\n" +
      "\n" +
      "model B {\n" +
      "  input [10]\n" +
      "  relu\n" +
      "}\n" +
      "\n" +
      "// end of file\n",
    );
  });

  it("aligns trailing comments two spaces after the widest commented line of their paragraph", () => {
    const out = fmt("model A {\n input [1] # a\n affine(100) # b\n relu\n\n dropout # c\n}\n");
    expect(out).toBe("model A {\n  input [1]    # a\n  affine(100)  # b\n  relu\n\n  dropout  # c\n}\n");
  });

  it("keeps a one-line repeat of layers on one line, and opens other repeats", () => {
    expect(fmt("model A { input [1]\n repeat 2 {conv(8,kernel=3) ;relu}\n}")).toBe(
      "model A {\n  input [1]\n  repeat 2 { conv(8, kernel=3); relu }\n}\n",
    );
    expect(fmt("model A { input [1]\n repeat 2 { repeat 3 { relu } }\n}")).toBe(
      "model A {\n  input [1]\n  repeat 2 {\n    repeat 3 { relu }\n  }\n}\n",
    );
  });

  it("writes numbers exactly as written, keeps CRLF line endings and drops a BOM", () => {
    expect(fmt("model A {\r\n input [1]\r\n batchnorm(eps=1E-05, momentum=0.10)\r\n}")).toBe(
      "model A {\r\n  input [1]\r\n  batchnorm(eps=1E-05, momentum=0.10)\r\n}\r\n",
    );
    const decoded = decodeSource(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("model A { input [1] }")]), "f").value!;
    expect(fmt(decoded)).toBe("model A {\n  input [1]\n}\n");
  });

  it("refuses a file with a syntax or structural error (E01xx) and returns its diagnostics", () => {
    for (const src of ["model A { input [1] relu( }", "model A { relu input [1] }", "", "# only a comment"]) {
      const r = formatSource(src, "t.cnn");
      expect(r.text, src).toBeUndefined();
      expect(r.diagnostics.some((d) => d.code.startsWith("E01")), src).toBe(true);
    }
  });

  it("formats a file whose models fail the checker (arguments and shapes are not fmt's business)", () => {
    expect(fmt("model A {input [1, 4, 4] conv(3, kernel=9) frobnicate}")).toBe(
      "model A {\n  input [1, 4, 4]\n  conv(3, kernel=9)\n  frobnicate\n}\n",
    );
  });
});

describe("idempotent, meaning-preserving, comment-preserving", () => {
  const files = [
    ...readdirSync("examples").filter((n) => n.endsWith(".cnn")).map((n) => `examples/${n}`),
    ...readdirSync("examples/invalid").filter((n) => n.endsWith(".cnn")).map((n) => `examples/invalid/${n}`),
  ];
  it.each(files)("%s", (path) => {
    const decoded = decodeSource(new Uint8Array(readFileSync(path)), path);
    if (decoded.value === undefined) return; // not text: fmt refuses it (tested above)
    const r = formatSource(decoded.value, path);
    if (r.text === undefined) {
      expect(r.diagnostics.some((d) => d.code.startsWith("E01"))).toBe(true);
      return;
    }
    assertFmtContract(decoded.value);
  });

  const separators = [" ", "  ", "\n", "\n\n", "\n\n\n", "\t", " # c\n", "// d\n", "\r\n", "  # e\n\n"];
  /** The first layer wrapped in `repeat 1 { }` (a statement per line in modelText's output). */
  const withRepeat = (text: string) => {
    const lines = text.split("\n");
    const i = lines.findIndex((l, k) => k >= 2 && /^  \w+:/.test(l));
    if (i >= 0) lines[i] = `  repeat 1 { ${lines[i].trim()} }`;
    return lines.join("\n");
  };
  /** The same tokens with random whitespace and comments between them (`//` is floor division inside parentheses, so `#` there). */
  const scrambled = (text: string, picks: number[]) => {
    let k = 0;
    let depth = 0;
    return cnnLexer
      .tokenize(text)
      .tokens.map((t, i) => {
        let sep = i === 0 ? "" : separators[picks[i % picks.length] % separators.length].replace(/[cde]\n/, () => `c${k++}\n`);
        if (depth > 0) sep = sep.replace("//", "#");
        if (t.image === "(") depth++;
        if (t.image === ")") depth--;
        return sep + t.image;
      })
      .join("");
  };

  it("over random models in random layouts", () => {
    fc.assert(
      fc.property(
        arbModelSpec("R", { maxLayers: 6 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        (spec, picks, wrap) => {
          const text = scrambled(wrap ? withRepeat(modelText(spec)) : modelText(spec), picks);
          assertFmtContract(text);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("cnnc fmt", () => {
  const dir = mkdtempSync(join(tmpdir(), "cnnc-fmt-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ugly = "model A {input [1]  relu}\n";
  const pretty = "model A {\n  input [1]\n  relu\n}\n";

  it("--check lists the files that would change, writes nothing, and exits 1", async () => {
    writeFileSync(join(dir, "a.cnn"), ugly);
    writeFileSync(join(dir, "b.cnn"), pretty);
    const r = await cnnc("fmt", "--check", join(dir, "a.cnn"), join(dir, "b.cnn"));
    expect(r).toEqual({ code: 1, stdout: `${join(dir, "a.cnn")}\n`, stderr: "" });
    expect(readFileSync(join(dir, "a.cnn"), "utf8")).toBe(ugly);
    expect((await cnnc("fmt", "--check", join(dir, "b.cnn"))).code).toBe(0);
  });

  it("finds every shipped example already in the canonical layout", async () => {
    const examples = readdirSync("examples").filter((f) => f.endsWith(".cnn")).map((f) => join("examples", f));
    expect(await cnnc("fmt", "--check", ...examples)).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("rewrites files in place, keeps the mode, leaves no temporary file, and exits 0", async () => {
    writeFileSync(join(dir, "c.cnn"), ugly);
    chmodSync(join(dir, "c.cnn"), 0o640);
    const r = await cnnc("fmt", join(dir, "c.cnn"));
    expect(r).toEqual({ code: 0, stdout: `formatted ${join(dir, "c.cnn")}\n`, stderr: "" });
    expect(readFileSync(join(dir, "c.cnn"), "utf8")).toBe(pretty);
    expect(statSync(join(dir, "c.cnn")).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).filter((n) => n.includes("tmp"))).toEqual([]);
    expect(await cnnc("fmt", join(dir, "c.cnn"))).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("follows a symbolic link and keeps it a link", async () => {
    writeFileSync(join(dir, "target.cnn"), ugly);
    symlinkSync(join(dir, "target.cnn"), join(dir, "link.cnn"));
    expect((await cnnc("fmt", join(dir, "link.cnn"))).code).toBe(0);
    expect(lstatSync(join(dir, "link.cnn")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, "target.cnn"), "utf8")).toBe(pretty);
  });

  it("does not rewrite a file with syntax errors: prints them and exits 1", async () => {
    const bad = "model A { input [1] relu( }\n";
    writeFileSync(join(dir, "bad.cnn"), bad);
    writeFileSync(join(dir, "d.cnn"), ugly);
    const r = await cnnc("fmt", join(dir, "bad.cnn"), join(dir, "d.cnn"));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("error[E0105]");
    expect(r.stdout).toContain(`formatted ${join(dir, "d.cnn")}`);
    expect(readFileSync(join(dir, "bad.cnn"), "utf8")).toBe(bad);
  });

  it("does not rewrite a file that is not valid UTF-8, even where the bad byte is in a comment", async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode("model A {input [1]} # caf"), 0xe9, 0x0a]);
    writeFileSync(join(dir, "latin1.cnn"), bytes);
    const r = await cnnc("fmt", join(dir, "latin1.cnn"));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("error[E0101]");
    expect(new Uint8Array(readFileSync(join(dir, "latin1.cnn")))).toEqual(bytes);
  });

  it("exits 2 for a path that cannot be read, and still formats the others", async () => {
    writeFileSync(join(dir, "e.cnn"), ugly);
    const r = await cnnc("fmt", join(dir, "missing.cnn"), dir, join(dir, "e.cnn"));
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("error[E0001]");
    expect(r.stdout).toContain("error[E0002]");
    expect(readFileSync(join(dir, "e.cnn"), "utf8")).toBe(pretty);
  });
});

describe("the graph syntax", () => {
  const ugly = `import   "blocks/x.cnn"
# a residual block
block   Res( c,stride=1 , project=false ){
add{ {conv1:conv(c,kernel=3,stride=stride,pad=1)  # main
relu}
if project or stride!=1{downsample:seq{conv(c,kernel=1,stride=stride);batchnorm}} else {}
}
relu}
block Stem(){conv(8,kernel=3)}
model M{input[3,8,8]
Stem()
repeat 2as i{b{i}:Res(8*i//i,stride=(1))}
add { @b1 ; {} }
if 1<2 and not false { relu } else if true { tanh } else { sigmoid }
}
`;
  const pretty = `import "blocks/x.cnn"
# a residual block
block Res(c, stride = 1, project = false) {
  add {
    {
      conv1: conv(c, kernel=3, stride=stride, pad=1)  # main
      relu
    }
    if project or stride != 1 {
      downsample: seq { conv(c, kernel=1, stride=stride); batchnorm }
    } else {
    }
  }
  relu
}

block Stem {
  conv(8, kernel=3)
}

model M {
  input [3, 8, 8]
  Stem
  repeat 2 as i { b{i}: Res(8 * i // i, stride=(1)) }
  add { @b1; {} }
  if 1 < 2 and not false {
    relu
  } else if true {
    tanh
  } else {
    sigmoid
  }
}
`;

  it("has one canonical layout: imports, blocks with parameters, merges, chains, seq on one line, repeat as, if/else if/else, references", () => {
    expect(fmt(ugly)).toBe(pretty);
  });

  it("is idempotent, keeps every comment and keeps the meaning", () => {
    expect(fmt(pretty)).toBe(pretty);
    expect(commentsOf(fmt(ugly))).toEqual(commentsOf(ugly));
    const blocksOnly = (t: string) => t.replace(/^import .*\n/m, "");
    expect(meaning(blocksOnly(fmt(ugly)))).toEqual(meaning(blocksOnly(ugly)));
    expect(meaning(blocksOnly(ugly)).codes).toEqual([]);
  });

  it("keeps floor division inside parentheses apart from a `//` comment", () => {
    const text = "model M {\n  input [1, 2, 2]\n  conv(9 // 2, kernel=1)  // four filters\n}\n";
    expect(fmt(text)).toBe(text);
    expect(commentsOf(text)).toEqual(["// four filters"]);
  });
});
