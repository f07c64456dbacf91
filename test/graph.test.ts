// The graph language (docs/language.md#blocks … #limits): blocks, arithmetic,
// conditions, repeat indices, seq numbering, merges, references, imports,
// PyTorch-scoped names, limits and their diagnostics; the zoo's files check
// and share their blocks; random block-structured models.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileFile } from "../src/cli/sources.ts";
import type { Model } from "../src/ir.ts";
import { pythonRepr } from "../src/graph/eval.ts";
import { compile, type ReadImport } from "../src/pipeline.ts";

const run = (src: string, files: Record<string, string> = {}) => {
  const read: ReadImport = (path) => (path in files ? { bytes: files[path] } : { error: "no such file or directory" });
  return compile(src, "t.cnn", read);
};
const ok = (src: string, files: Record<string, string> = {}): Model => {
  const r = run(src, files);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  expect(r.models).toHaveLength(1);
  return r.models[0];
};
const codes = (src: string, files: Record<string, string> = {}) => run(src, files).diagnostics.map((d) => d.code);
const names = (m: Model) => m.layers.map((l) => l.name);
const paramNames = (m: Model) => m.layers.flatMap((l) => l.params.map((p) => p.name));

describe("blocks", () => {
  const unit = "block Unit(c, k = 3, bias = true) {\n  conv(c, kernel=k, pad=k // 2, bias=bias)\n  relu\n}\n";

  it("binds positional, named and default parameters (int, bool, tuple)", () => {
    const m = ok(`${unit}block Pool(size = (2, 2)) { maxpool(size) }
model N {
  input [3, 8, 8]
  a: Unit(4)
  b: Unit(6, k=1, bias=false)
  Pool
  p: Pool((2, 1))
}`);
    expect(names(m)).toEqual(["a.conv1", "a.relu1", "b.conv1", "b.relu1", "maxpool1", "p.maxpool1"]);
    expect(m.layers[0].args).toMatchObject({ op: "conv", filters: 4, kernel: [3, 3], pad: [1, 1, 1, 1], bias: true });
    expect(m.layers[2].args).toMatchObject({ op: "conv", filters: 6, kernel: [1, 1], pad: [0, 0, 0, 0], bias: false });
    expect(m.output).toEqual([6, 2, 4]);
  });

  it("a default may use the parameters before it", () => {
    const m = ok("block B(c, mid = c // 4) { conv(mid, kernel=1); conv(c, kernel=1) }\nmodel N { input [8, 4, 4]\n B(16) }");
    expect(m.layers.map((l) => l.output[0])).toEqual([4, 16]);
  });

  it("reports a missing, unknown, repeated or surplus argument of a block", () => {
    expect(codes(`${unit}model N { input [3, 8, 8]\n Unit() }`)).toEqual(["E0205"]);
    expect(codes(`${unit}model N { input [3, 8, 8]\n Unit(4, kernel=3) }`)).toEqual(["E0203"]);
    expect(codes(`${unit}model N { input [3, 8, 8]\n Unit(4, c=3) }`)).toEqual(["E0204"]);
    expect(codes(`${unit}model N { input [3, 8, 8]\n Unit(4, 3, true, 1) }`)).toEqual(["E0208"]);
    const d = run(`${unit}model N { input [3, 8, 8]\n Unit(4, bais=false) }`).diagnostics[0];
    expect(d.help).toBe("did you mean 'bias'?");
    expect(d.labels.map((l) => l.span.line)).toEqual([1]);
  });

  it("says which instance failed: `in instantiation of` with the arguments and the call site", () => {
    const d = run(`${unit}model N {\n  input [3, 8, 8]\n  Unit(4)\n  x: Unit(5, k=0)\n}`).diagnostics;
    expect(d.map((x) => [x.code, x.span.line])).toEqual([["E0207", 2]]);
    expect(d[0].notes).toContain("in instantiation of Unit(5, k=0) at t.cnn:8:3");
  });

  it("nests blocks, naming each level like a PyTorch module", () => {
    const m = ok(`${unit}block Pair(c) { first: Unit(c); second: Unit(c * 2) }
model N { input [3, 8, 8]
  stage: Pair(4) }`);
    expect(paramNames(m)).toEqual(["stage.first.conv1.weight", "stage.first.conv1.bias", "stage.second.conv1.weight", "stage.second.conv1.bias"]);
    expect(m.layers[2].scope?.map((s) => [s.kind, s.title, s.path])).toEqual([
      ["block", "Pair(4)", "stage"],
      ["block", "Unit(8)", "stage.second"],
    ]);
  });

  it("refuses a block that instantiates itself (E0219) and a name defined twice or shadowing an op (E0220)", () => {
    expect(codes("block A(c) { B(c) }\nblock B(c) { A(c) }\nmodel N { input [3, 8, 8]\n A(1) }")).toEqual(["E0219"]);
    expect(codes("block relu { tanh }\nmodel N { input [3]\n relu }")).toEqual(["E0220"]);
    const r = run("block U { relu }\nblock U { tanh }\nmodel N { input [3]\n U }");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["E0220"]);
    expect(r.models).toEqual([]);
  });
});

describe("arithmetic and conditions", () => {
  const filters = (expr: string, params = "") =>
    ok(`block B(${params || "c = 12"}) { conv(${expr}, kernel=1) }\nmodel N { input [1, 2, 2]\n B }`).layers[0].output[0];

  it("computes + - * / // with precedence and parentheses", () => {
    expect(filters("2 + 3 * 4")).toBe(14);
    expect(filters("(2 + 3) * 4")).toBe(20);
    expect(filters("c / 4 - 1")).toBe(2);
    expect(filters("c // 5")).toBe(2);
    expect(filters("c - -3")).toBe(15);
    expect(filters("c * 4 // 3 * 2")).toBe(32);
  });

  it("`/` must divide exactly, a divisor is not 0, and names must be bound", () => {
    const d = run("block B(c = 7) { conv(c / 2, kernel=1) }\nmodel N { input [1, 2, 2]\n B }").diagnostics;
    expect(d.map((x) => x.code)).toEqual(["E0216"]);
    expect(d[0].message).toBe("7 / 2 is not a whole number");
    expect(d[0].help).toContain("// 2");
    expect(codes("block B(c = 7) { conv(c // 0, kernel=1) }\nmodel N { input [1, 2, 2]\n B }")).toEqual(["E0216"]);
    expect(codes("block B(c = 7) { conv(c * width, kernel=1) }\nmodel N { input [1, 2, 2]\n B }")).toEqual(["E0217"]);
    expect(codes("block B(c = true) { conv(c + 1, kernel=1) }\nmodel N { input [1, 2, 2]\n B }")).toEqual(["E0216"]);
  });

  it("`//` is floor division after an operand inside parentheses, a comment elsewhere", () => {
    const m = ok("model N { input [1, 2, 2]  // a comment\n conv(9 // 2, kernel=1) // another\n}");
    expect(m.layers[0].output).toEqual([4, 2, 2]);
    expect(ok("model N { input [1, 2, 2]\n conv(8, // the filters\n kernel=1) }").layers[0].output).toEqual([8, 2, 2]);
  });

  it("if / else if / else picks one part; a false if without else is nothing (the identity)", () => {
    const block = `block B(n) {
  if n == 1 { relu } else if n > 1 and not (n == 3) { tanh } else { sigmoid }
  if n != 1 or false { dropout(0.5) }
}`;
    const ops = (n: number) => ok(`${block}\nmodel N { input [4]\n B(${n}) }`).layers.map((l) => l.args.op);
    expect(ops(1)).toEqual(["relu"]);
    expect(ops(2)).toEqual(["tanh", "dropout"]);
    expect(ops(3)).toEqual(["sigmoid", "dropout"]);
    expect(codes(`block B(n) { if n { relu } }\nmodel N { input [4]\n B(2) }`)).toEqual(["E0216"]);
  });

  it("short-circuits `and` / `or` as Python does", () => {
    expect(ok("block B(p = false) { if p and undefined_name { relu } else { tanh } }\nmodel N { input [4]\n B }").layers[0].args.op).toBe("tanh");
  });
});

describe("real numbers (docs/language.md#real-numbers)", () => {
  const p = (expr: string, params = "sd = 0.1, k = 3, total = 18") =>
    ok(`block B(${params}) { stochasticdepth(${expr}) }\nmodel N { input [4]\n B }`).layers[0].args;
  const filters = (expr: string) => ok(`model N { input [1, 2, 2]\n conv(${expr}, kernel=1) }`).layers[0].output[0];
  const diags = (src: string) => run(src).diagnostics.map((d) => ({ code: d.code, line: d.span.line, col: d.span.column, message: d.message }));

  it("a decimal operand makes + - * / real, one f64 step at a time from the left, as Python (values from python3)", () => {
    expect(p("sd * k / (total - 1.0)")).toMatchObject({ p: 0.017647058823529415 }); // 0.1 * 3 / 17.0
    expect(p("0.1 + 0.2", "")).toMatchObject({ p: 0.30000000000000004 });
    expect(p("0.2 * 7 / 16", "")).toMatchObject({ p: 0.08750000000000001 });
    expect(p("-(0.25 - 0.5)", "")).toMatchObject({ p: 0.25 });
    expect(p("3 / 4.0", "")).toMatchObject({ p: 0.75 });
  });

  it("`//` is Python's float floor division and always an integer; `/` of two integers stays exact", () => {
    expect(filters("1 // 0.1")).toBe(9); // not floor(1 / 0.1) = 10
    expect(filters("-7.5 // 2 + 10")).toBe(6);
    expect(filters("7 // -2.0 + 10")).toBe(6);
    expect(filters("5.0 // 0.5")).toBe(10);
    expect(codes("model N { input [1, 2, 2]\n conv(3 / 2, kernel=1) }")).toEqual(["E0216"]);
    expect(codes("model N { input [1, 2, 2]\n conv(1 / 0.0, kernel=1) }")).toEqual(["E0216"]);
    expect(codes("model N { input [4]\n dropout(1e300 * 1e300) }")).toEqual(["E0216"]);
  });

  it("comparisons take integers and reals together", () => {
    const op = (cond: string) => ok(`model N { input [4]\n if ${cond} { relu } else { tanh } }`).layers[0].args.op;
    expect(op("2 == 2.0")).toBe("relu");
    expect(op("0.1 + 0.2 == 0.3")).toBe("tanh");
    expect(op("8 >= 0.9 * 8.8")).toBe("relu");
  });

  it("a computed real in an integer place is E0228 at the expression, whole or not; a literal 3.0 stays E0206", () => {
    const block = (body: string) => `block B(w = 0.5) {\n  ${body}\n}\nmodel N {\n  input [2, 8, 8]\n  B\n}`;
    expect(diags(block("conv(4 * w, kernel=1)"))).toEqual([{ code: "E0228", line: 2, col: 8, message: "conv argument 'filters' must be a whole number, got the real number 2.0" }]);
    expect(diags(block("conv(2, kernel=(1, 4 * w))"))[0]).toMatchObject({ code: "E0228", line: 2, col: 18 });
    expect(diags(block("repeat 4 * w { relu }"))[0]).toMatchObject({ code: "E0228", line: 2, col: 10, message: "a repeat count must be a whole number, got the real number 2.0" });
    expect(diags(block("conv(w, kernel=1)"))[0]).toMatchObject({ code: "E0228", message: "conv argument 'filters' must be a whole number, got the real number 0.5" });
    expect(diags(block("x{w}: relu"))[0]).toMatchObject({ code: "E0228", line: 2, col: 3 });
    expect(codes("model N { input [2, 8, 8]\n conv(3.0, kernel=1) }")).toEqual(["E0206"]);
    expect(run(block("conv(4 * w, kernel=1)")).diagnostics[0]!.help).toContain("//");
    expect(filters("(4 * 0.75) // 1")).toBe(3);
  });

  it("pythonRepr writes what Python 3's repr() writes (values from python3)", () => {
    const values = [1e-5, 0.0001, 1e16, 1234567890123456.0, 2.0, -0.5, 0.1 + 0.2, 1e22, 5e-324, 123.456, -0.0, 0.00012345];
    expect(values.map(pythonRepr)).toEqual(["1e-05", "0.0001", "1e+16", "1234567890123456.0", "2.0", "-0.5", "0.30000000000000004", "1e+22", "5e-324", "123.456", "-0.0", "0.00012345"]);
  });

  it("shows a computed real as Python's repr in the instance it names", () => {
    const d = run("block B(c, w) { conv(c * w, kernel=1) }\nblock A(w = 1e-5) { B(2, w * 1) }\nmodel N { input [2, 8, 8]\n A }").diagnostics;
    expect(d[0]!.message).toContain("got the real number 2e-05");
    expect(d[0]!.notes.join("\n")).toContain("B(2, 1e-05)");
  });
});

describe("repeat indices, seq numbering and names", () => {
  it("repeat N as i fills label placeholders, counting from 1", () => {
    const m = ok(`block Dense(g) { norm: batchnorm; conv: conv(g, kernel=1, bias=false) }
model N { input [4, 2, 2]
  block1: seq { repeat 3 as i { denselayer{i}: Dense(2 * i) } }
}`);
    expect(paramNames(m).filter((n) => n.endsWith("conv.weight"))).toEqual([
      "block1.denselayer1.conv.weight",
      "block1.denselayer2.conv.weight",
      "block1.denselayer3.conv.weight",
    ]);
    expect(m.layers.filter((l) => l.args.op === "conv").map((l) => l.output[0])).toEqual([2, 4, 6]);
  });

  it("numbers seq members from 0 like nn.Sequential, parameter-free layers included", () => {
    const m = ok("model N { input [3, 8, 8]\n features: seq { conv(4, kernel=3, pad=1); relu; maxpool(2); repeat 2 { conv(4, kernel=3, pad=1); relu } }\n classifier: seq { flatten; dropout(0.5); affine(10) } }");
    expect(names(m)).toEqual([
      "features.0", "features.1", "features.2", "features.3", "features.4", "features.5", "features.6",
      "classifier.0", "classifier.1", "classifier.2",
    ]);
    expect(paramNames(m)).toEqual(["features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias", "features.5.weight", "features.5.bias", "classifier.2.weight", "classifier.2.bias"]);
  });

  it("a block instance in a seq is named by its index; its layers below it", () => {
    const m = ok("block U(c) { c1: conv(c, kernel=1); relu }\nmodel N { input [3, 4, 4]\n layer1: seq { U(4); U(4) } }");
    expect(names(m)).toEqual(["layer1.0.c1", "layer1.0.relu1", "layer1.1.c1", "layer1.1.relu1"]);
  });

  it("an unlabelled instance outside a seq names its layers in the enclosing scope, and collisions are errors", () => {
    expect(names(ok("block U { a: relu }\nmodel N { input [4]\n U; b: tanh }"))).toEqual(["a", "b"]);
    const d = run("block U { a: relu }\nmodel N { input [4]\n U\n U }").diagnostics;
    expect(d.map((x) => [x.code, x.span.line])).toEqual([["E0212", 1]]);
    expect(d[0].message).toBe("layer name 'a' is used twice in model 'N'");
  });

  it("labels inside an unindexed repeat keep today's `_<copy>` names", () => {
    expect(names(ok("model N { input [4]\n repeat 2 { a: affine(4) } }"))).toEqual(["a_1", "a_2"]);
  });
});

describe("merges and references", () => {
  it("add sums equal shapes; an empty chain is the identity; `from` names the producers", () => {
    const m = ok("model N { input [4, 6, 6]\n stem: conv(4, kernel=1)\n add { { conv(4, kernel=3, pad=1); relu }; {} }\n relu }");
    expect(m.layers.map((l) => [l.name, l.args.op, l.from])).toEqual([
      ["stem", "conv", [-1]],
      ["conv1", "conv", [0]],
      ["relu1", "relu", [1]],
      ["add1", "add", [2, 0]],
      ["relu2", "relu", [3]],
    ]);
    expect(m.layers[3].inputs).toEqual([[4, 6, 6], [4, 6, 6]]);
    expect(m.layers[2].scope?.map((s) => s.title)).toEqual(["branch 1 of add"]);
  });

  it("concat joins channels; a reference brings back an earlier value; a chain may start with one", () => {
    const m = ok(`model U { input [2, 8, 8]
  enc: conv(4, kernel=3, pad=1)
  maxpool(2)
  conv(8, kernel=3, pad=1)
  up: concat { { @enc; maxpool(2); conv(3, kernel=1) }; conv(5, kernel=1) }
}`);
    expect(m.layers.map((l) => l.from)).toEqual([[-1], [0], [1], [0], [3], [2], [4, 5]]);
    expect(m.output).toEqual([8, 4, 4]);
    expect(codes("model U { input [2, 8, 8]\n enc: conv(4, kernel=3, pad=1)\n maxpool(2)\n concat { @enc; {} } }")).toEqual(["E0309"]);
  });

  it("E0308 names both operands, points at each producer, and proposes the projection", () => {
    const d = run(`model N {
  input [64, 56, 56]
  add {
    { conv(128, kernel=3, stride=2, pad=1, bias=false); batchnorm }
    {}
  }
}`).diagnostics;
    expect(d.map((x) => x.code)).toEqual(["E0308"]);
    expect(d[0].message).toBe("add needs equal shapes: branch 1 ('batchnorm1') is [128, 28, 28] but branch 2 (the identity) is [64, 56, 56]");
    expect(d[0].labels.map((l) => [l.span.line, l.message])).toEqual([
      [4, "branch 1 ('batchnorm1') gives [128, 28, 28]"],
      [2, "branch 2 (the identity) gives [64, 56, 56]"],
    ]);
    expect(d[0].notes[0]).toBe("add sums elementwise: 64 channels ≠ 128, 56×56 ≠ 28×28 (height × width)");
    expect(d[0].help).toBe("a 1x1 `conv(128, kernel=1, stride=2, bias=false)` on branch 2 (the identity) gives [128, 28, 28]");
    // the suggested projection really fixes it
    ok("model N {\n  input [64, 56, 56]\n  add {\n    { conv(128, kernel=3, stride=2, pad=1, bias=false); batchnorm }\n    conv(128, kernel=1, stride=2, bias=false)\n  }\n}");
  });

  it("reports a merge with one branch, an unknown reference and a model ending with a reference", () => {
    expect(codes("model N { input [4]\n add { affine(4) } }")).toEqual(["E0221"]);
    const d = run("model N { input [4]\n stem: affine(4)\n add { affine(4); @stme } }").diagnostics;
    expect(d.map((x) => [x.code, x.help])).toEqual([["E0218", "did you mean '@stem'?"]]);
    expect(codes("model N { input [4]\n a: affine(4)\n tanh\n @a }")).toEqual(["E0222"]);
  });
});

describe("imports", () => {
  const blocks = "block U(c) {\n  conv(c, kernel=1)\n}\n";

  it("makes an imported file's blocks visible (paths relative to the importing file)", () => {
    const r = compile('import "lib/u.cnn"\nmodel N { input [1, 2, 2]\n U(3) }', "nets/n.cnn", (p) => (p === "nets/lib/u.cnn" ? { bytes: blocks } : { error: "missing" }));
    expect(r.diagnostics).toEqual([]);
    expect(r.models[0].layers[0].output).toEqual([3, 2, 2]);
    expect(r.imported.map((f) => f.file)).toEqual(["nets/lib/u.cnn"]);
  });

  it("reports an imported file's own errors where they are, a missing file (E0223) and a cycle (E0224)", () => {
    const r = run('import "u.cnn"\nmodel N { input [1, 2, 2]\n U(3) }', { "u.cnn": "block U(c) {\n  conv(c kernel=1)\n}\n" });
    expect(r.diagnostics.map((d) => [d.code, d.span.file, d.span.line])).toEqual([["E0105", "u.cnn", 2]]);
    expect(codes('import "nowhere.cnn"\nmodel N { input [4]\n relu }')).toEqual(["E0223"]);
    const cyc = run('import "a.cnn"\nmodel N { input [4]\n relu }', { "a.cnn": 'import "b.cnn"\n', "b.cnn": 'import "a.cnn"\n' }).diagnostics;
    expect(cyc.map((d) => [d.code, d.span.file])).toEqual([["E0224", "b.cnn"]]);
    expect(cyc[0].message).toBe("import cycle: t.cnn → a.cnn → b.cnn → a.cnn");
  });
});

describe("limits, counted before expanding", () => {
  it("refuses 20,000 layers through blocks at once", () => {
    const t0 = performance.now();
    const d = run("block B { repeat 200 { relu } }\nmodel N { input [4]\n repeat 100 { B } }").diagnostics;
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(d.map((x) => x.code)).toEqual(["E0215"]);
    expect(d[0].message).toBe("model 'N' has 20,000 layers after expanding repeat; the limit is 10,000");
  });

  it("counts a runaway indexed repeat without expanding it", () => {
    const t0 = performance.now();
    expect(codes("block B(n) { repeat n as i { if i > 0 { relu } } }\nmodel N { input [4]\n B(1000000000) }")).toEqual(["E0215"]);
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it("refuses more than 10,000 block instances even when they hold no layer", () => {
    expect(codes("block E { if false { relu } }\nmodel N { input [4]\n relu\n repeat 20000 { E } }")).toEqual(["E0215"]);
  });
});

describe("the zoo", () => {
  // Every zoo file's diagnostics, parameters, shapes and names are checked against torchvision in test/torchvision-zoo.test.ts.
  it("shares its blocks: the ResNets import blocks/resnet.cnn, GoogLeNet and Inception v3 blocks/inception.cnn", () => {
    const shared = { resnet18: "resnet", resnet50: "resnet", googlenet: "inception", inception_v3: "inception" };
    for (const [name, family] of Object.entries(shared)) {
      expect(readFileSync(`examples/zoo/${name}.cnn`, "utf8")).toContain(`import "blocks/${family}.cnn"`);
      expect(compileFile(`examples/zoo/${name}.cnn`).imported?.map((i) => i.file)).toEqual([`examples/zoo/blocks/${family}.cnn`]);
    }
  });
});

describe("random block-structured models", () => {
  /** One stage: a residual unit, a concat of two convs, a seq, or an instance of a block, with its parameter count. */
  type Stage = { text: string; out: number; params: number };
  const conv = (cin: number, cout: number, k: number) => cout * cin * k * k + cout;
  const stage = fc.oneof(
    fc.constant((c: number): Stage => ({ text: `add { { conv(${c}, kernel=3, pad=1); relu }; {} }`, out: c, params: conv(c, c, 3) })),
    fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })).map(
      ([a, b]) => (c: number): Stage => ({ text: `concat { conv(${a}, kernel=1); { conv(${b}, kernel=3, pad=1); relu } }`, out: a + b, params: conv(c, a, 1) + conv(c, b, 3) }),
    ),
    fc.integer({ min: 1, max: 4 }).map((w) => (c: number): Stage => ({ text: `seq { conv(${w}, kernel=1); relu }`, out: w, params: conv(c, w, 1) })),
    fc.integer({ min: 1, max: 3 }).map((m) => (c: number): Stage => ({ text: `Res(${c}, mult=${m})`, out: c, params: conv(c, c * m, 1) + conv(c * m, c, 1) })),
  );
  const RES = "block Res(c, mult = 2) {\n  add {\n    { expand: conv(c * mult, kernel=1); relu; project: conv(c, kernel=1) }\n    {}\n  }\n}\n";

  it("check, with the parameter count the stages add up to and unique names", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(stage, { minLength: 1, maxLength: 6 }), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), (c0, stages, labelled) => {
        let c = c0;
        let params = 0;
        const lines = stages.map((make, i) => {
          const s = make(c);
          c = s.out;
          params += s.params;
          // instances of Res (labelled layers inside) and seqs (numbered members) need a scope of their own: always labelled
          return `  ${labelled[i] || /^(Res|seq)/.test(s.text) ? `s${i}: ` : ""}${s.text}`;
        });
        const m = ok(`${RES}model R {\n  input [${c0}, 5, 5]\n${lines.join("\n")}\n}`);
        expect(m.params).toBe(params);
        expect(m.output).toEqual([c, 5, 5]);
        expect(new Set(names(m)).size).toBe(m.layers.length);
        m.layers.forEach((l, i) => expect(l.from.every((f) => f < i)).toBe(true));
      }),
      { numRuns: 60 },
    );
  });

  it("never make the front end throw, whatever the token soup", () => {
    const words = ["block", "B", "(", ")", "{", "}", "add", "concat", "seq", "if", "else", "repeat", "as", "i", "@", "x", ":", "x{i}", "=", "==", "+", "-", "*", "/", "//", "and", "not", "1", "2", "conv", "relu", "import", '"a.cnn"', "model", "M", "input", "[", "]", ",", ";", "\n"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...words), { maxLength: 60 }), (toks) => {
        const r = run(toks.join(" "), { "a.cnn": toks.slice(0, 10).join(" ") });
        for (const d of r.diagnostics) expect(d.code).toMatch(/^[EW]\d{4}$/);
      }),
      { numRuns: 400 },
    );
  });
});
