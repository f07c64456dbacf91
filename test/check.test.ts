// The checker: names, repeat, arguments, diagnostics (text, spans, notes, help),
// limits, and one test per code it owns (the examples/invalid fixtures and the
// registry's own example/fix pairs).
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FileAst } from "../src/ast.ts";
import { check } from "../src/check.ts";
import { argumentCodes } from "../src/codes/arguments.ts";
import { layerCodes } from "../src/codes/layers.ts";
import { paddingLossCodes } from "../src/codes/padding-loss.ts";
import { shapeCodes } from "../src/codes/shapes.ts";
import type { Span } from "../src/diagnostics.ts";
import { compile } from "../src/pipeline.ts";

const run = (src: string) => compile(src, "t.cnn");
const codesOf = (src: string) => run(src).diagnostics.map((d) => d.code);
const names = (src: string) => {
  const r = run(src);
  expect(r.diagnostics).toEqual([]);
  return r.models[0].layers.map((l) => l.name);
};

describe("the README's E0301 example", () => {
  it("reproduces the E0301 diagnostic exactly", () => {
    const src = `# bad
model Bad {
  input [3, 20, 20]
  rounding exact
  c1: conv(7, kernel=6, stride=(3, 6), pad=(2, 3))
}
`;
    const r = run(src);
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0];
    expect(d.code).toBe("E0301");
    expect(d.message).toBe("conv 'c1' output width is not a whole number under rounding exact");
    expect([d.span.line, d.span.column, d.span.endLine, d.span.endColumn]).toEqual([5, 3, 5, 51]);
    expect(src.slice(d.span.start, d.span.end)).toBe("c1: conv(7, kernel=6, stride=(3, 6), pad=(2, 3))");
    expect(d.notes).toEqual(["width: (20 + 3 + 3 - 6) / 6 + 1 = 4.33"]);
    expect(d.help).toBe("pad=(2, 2) gives width 4, or `rounding floor` floors it (PyTorch's behaviour)");
    expect(r.partial).toHaveLength(1);
    expect(r.partial[0].layers).toEqual([]);
  });

  it("names the layer's own rounding=exact argument in the help when that is the cause", () => {
    const d = run("model A { input [3, 20, 20]; conv(7, kernel=6, stride=(3, 6), pad=(2, 3), rounding=exact) }").diagnostics[0];
    expect(d.help).toBe("pad=(2, 2) gives width 4, or `rounding=floor` floors it (PyTorch's behaviour)");
  });

  it("suggests the nearest padding for a pool, else a stride", () => {
    const d = run("model A { input [1, 9, 9]; rounding exact; maxpool(2, stride=4) }").diagnostics[0];
    // (9 - 2) / 4 + 1 = 2.75; pad total 1 gives 8/4 -> exact
    expect(d.code).toBe("E0301");
    expect(d.notes).toEqual(["height: (9 + 0 + 0 - 2) / 4 + 1 = 2.75", "width: (9 + 0 + 0 - 2) / 4 + 1 = 2.75"]);
    expect(d.help).toBe("pad=(0, 1, 0, 1) gives height 3 and width 3, or `rounding floor` floors it (PyTorch's behaviour)");
    const e = run("model A { input [1, 12, 12]; rounding exact; maxpool(2, stride=7) }").diagnostics[0];
    // (12 - 2) / 7: pad 1 per side allowed at most -> totals 0..2 give 10, 11, 12: none divisible by 7; stride 5 divides 10
    expect(e.help).toBe("stride=5 gives height 3 and width 3, or `rounding floor` floors it (PyTorch's behaviour)");
  });
});

describe("names", () => {
  it("numbers unlabelled layers per op in expanded order and suffixes labels in repeat, outermost first", () => {
    expect(
      names(`model A {
        input [4]
        relu
        a: affine(4)
        repeat 2 {
          relu
          b: affine(4)
          repeat 2 { c: relu }
        }
        affine(4)
        relu
      }`),
    ).toEqual(["relu1", "a", "relu2", "b_1", "c_1_1", "c_1_2", "relu3", "b_2", "c_2_1", "c_2_2", "affine1", "relu4"]);
  });

  it("names parameters after the layer", () => {
    const r = run("model A { input [4]; repeat 2 { fc: affine(3) }; affine(2) }");
    expect(r.models[0].layers.flatMap((l) => l.params.map((p) => p.name))).toEqual([
      "fc_1.weight",
      "fc_1.bias",
      "fc_2.weight",
      "fc_2.bias",
      "affine1.weight",
      "affine1.bias",
    ]);
  });

  it("a label equal to a later automatic name is an error on the label", () => {
    const src = "model A { input [4]\n  relu2: affine(4)\n  relu\n  relu\n}";
    const r = run(src);
    expect(r.diagnostics.map((d) => [d.code, d.span.line])).toEqual([["E0212", 2]]);
    expect(r.diagnostics[0].message).toBe("layer name 'relu2' is used twice in model 'A'");
    expect(r.diagnostics[0].labels[0].message).toBe("the 2nd unlabelled relu is named 'relu2' automatically");
    expect(r.models).toEqual([]);
    expect(r.partial[0].layers.map((l) => l.name)).toEqual(["relu2", "relu1"]);
  });

  it("a repeated label colliding with a given one is reported once, however many copies", () => {
    const r = run("model A { input [4]; x_3: relu; repeat 5 { repeat 2 { x: relu } } }");
    // x_3 is not produced (x gets two suffixes), so nothing clashes here
    expect(r.diagnostics).toEqual([]);
    const s = run("model A { input [4]; x_3_1: relu; repeat 5 { repeat 2 { x: relu } } }");
    expect(s.diagnostics.map((d) => d.code)).toEqual(["E0212"]);
    const t = run("model A { input [4]; repeat 50 { a: relu; a: relu } }");
    expect(t.diagnostics.map((d) => d.code)).toEqual(["E0212"]);
  });

  it("duplicate model names: the second fails with a label at the first", () => {
    const r = run("model N { input [2] }\nmodel N { input [3] }");
    expect(r.diagnostics.map((d) => [d.code, d.span.line, d.labels[0]?.span.line])).toEqual([["E0201", 2, 1]]);
    expect(r.models.map((m) => m.input)).toEqual([[2]]);
    expect(r.partial.map((m) => m.input)).toEqual([[3]]);
  });
});

describe("arguments", () => {
  it("positional = primary, which may also be named; defaults filled in", () => {
    const a = run("model A { input [1, 8, 8]; conv(filters=4, kernel=3) }").models[0].layers[0].args;
    const b = run("model A { input [1, 8, 8]; conv(4, kernel=3) }").models[0].layers[0].args;
    expect(a).toEqual(b);
    expect(a).toEqual({ op: "conv", filters: 4, kernel: [3, 3], stride: [1, 1], pad: [0, 0, 0, 0], dilation: [1, 1], groups: 1, bias: true, rounding: "floor" });
    const pool = run("model A { input [1, 8, 8]; maxpool(kernel=(2, 4)); avgpool(1, count_pad=false) }").models[0].layers;
    expect(pool[0].args).toEqual({ op: "maxpool", kernel: [2, 4], stride: [2, 4], pad: [0, 0, 0, 0], rounding: "floor" });
    expect(pool[1].args).toMatchObject({ count_pad: false });
    const misc = run("model A { input [4]; leakyrelu; dropout; batchnorm; layernorm(eps=1e-3); loss svm }").models[0];
    expect(misc.layers.map((l) => l.args)).toEqual([
      { op: "leakyrelu", alpha: 0.01 },
      { op: "dropout", p: 0.5 },
      { op: "batchnorm", eps: 1e-5, momentum: 0.1 },
      { op: "layernorm", eps: 1e-3 },
    ]);
    expect(misc.loss?.args).toEqual({ op: "svm", margin: 1 });
  });

  it("reports every argument error of a model, each on the smallest span", () => {
    const src = "model A {\n  input [1, 8, 8]\n  conv(4, kernel=3, strde=2)\n  maxpool(0)\n  relu(3)\n}";
    const r = run(src);
    const spans = r.diagnostics.map((d) => [d.code, src.slice(d.span.start, d.span.end), d.help]);
    expect(spans).toEqual([
      ["E0203", "strde", "did you mean 'stride'?"],
      ["E0207", "0", "use kernel=1 or more"],
      ["E0208", "3", "relu takes no arguments at all; remove it"],
    ]);
  });

  it("did you mean: edit distance and PyTorch spellings", () => {
    const help = (src: string) => run(src).diagnostics[0].help;
    // `linear` is nn.Linear itself (over the last axis); the other PyTorch spellings of a dense layer mean affine
    expect(help("model A { input [4]; Linear(3) }")).toBe("did you mean 'linear'?");
    expect(help("model A { input [4]; Dense(3) }")).toBe("did you mean 'affine'?");
    expect(help("model A { input [1, 4, 4]; conv2d(3, kernel=1) }")).toBe("did you mean 'conv'?");
    expect(codesOf("model A { input [1, 4, 4]; conv(3, kernel_size=1) }")).toEqual(["E0203"]);
    expect(help("model A { input [1, 4, 4]; conv(3, kernel_size=1) }")).toBe("did you mean 'kernel'?");
    expect(help("model A { input [4]; svm }")).toBe("svm is a loss: write `loss svm` as the model's last statement");
    expect(help("model A { input [1, 4, 4]; ConvTranspose2d(3, kernel=2) }")).toBe("did you mean 'convtranspose'?");
    expect(help("model A { input [1, 4, 4]; convtranspose(3, kernel=2, stride=2, output_padding=1) }")).toBe("did you mean 'output_pad'?");
    expect(help("model A { input [1, 4, 4]; upsample(scale_factor=2) }")).toBe("did you mean 'scale'?");
    expect(help("model A { input [1, 4, 4]; AdaptiveAvgPool2d(1) }")).toBe("did you mean 'adaptiveavgpool'?");
    expect(help("model A { input [4]; loss svn }")).toBe("did you mean 'svm'?");
    expect(help("model A { input [1, 4, 4]; maxpool(2, rounding=ceill) }")).toBe("did you mean 'ceil'?");
    expect(run("model A { input [4]; zzzzzz }").diagnostics[0].help).toBeUndefined();
  });

  it("type errors name what the argument takes", () => {
    const d = (src: string) => run(src).diagnostics[0];
    expect(d("model A { input [1, 4, 4]; conv(2.5, kernel=1) }").message).toBe("conv argument 'filters' must be a whole number, got 2.5");
    expect(d("model A { input [1, 4, 4]; pad(same) }").code).toBe("E0206");
    expect(d("model A { input [4]; affine(3, bias=1) }").help).toBe("write bias=true");
    expect(d("model A { input [1, 4, 4]; conv(3, kernel=(1, 1, 1, 1)) }").code).toBe("E0206");
    expect(d("model A { input [1, 4, 4]; conv(3, kernel=1, pad=(1, 1, 1)) }").code).toBe("E0206");
    expect(d("model A { input [4]; batchnorm(momentum=1.5) }").message).toBe("batchnorm argument 'momentum' must be in [0, 1], got 1.5");
    expect(d("model A { input [4]; layernorm(eps=0) }").code).toBe("E0207");
  });

  it("positional argument errors: second positional, or a duplicate of the primary", () => {
    expect(codesOf("model A { input [1, 4, 4]; conv(kernel=1, 3) }")).toEqual(["E0208"]);
    expect(codesOf("model A { input [1, 4, 4]; maxpool(2, kernel=2) }")).toEqual(["E0204"]);
    expect(codesOf("model A { input [1, 4, 4]; conv(kernel=1) }")).toEqual(["E0205"]);
  });

  it("pool padding is at most kernel/2 per side; ceil is for pools; filters % groups", () => {
    const d = run("model A { input [1, 8, 8]; maxpool(3, pad=(1, 2)) }").diagnostics[0];
    expect(d.code).toBe("E0209");
    expect(d.help).toBe("pad=(1, 1) is the most this kernel allows, or kernel=(3, 4) allows this padding");
    expect(codesOf("model A { input [1, 8, 8]; maxpool(3, pad=same, stride=1) }")).toEqual([]);
    expect(codesOf("model A { input [1, 9, 9]; rounding ceil; conv(1, kernel=3, stride=2) }")).toEqual([]);
    expect(codesOf("model A { input [4, 8, 8]; conv(6, kernel=1, groups=4) }")).toEqual(["E0211"]);
  });
});

describe("the help's fix for group and pool-padding errors works", () => {
  it("E0211 / E0304: each suggested filters= or groups= checks", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 8 }), (channels, filters, groups) => {
        const src = (f: number, g: number) => `model A { input [${channels}, 4, 4]; conv(${f}, kernel=1, groups=${g}) }`;
        const d = run(src(filters, groups)).diagnostics[0];
        if (d === undefined) return;
        expect(["E0211", "E0304"]).toContain(d.code);
        const suggestions = [...(d.help ?? "").matchAll(/(filters|groups)=(\d+)/g)];
        expect(suggestions.length).toBeGreaterThan(0);
        for (const [, name, value] of suggestions) {
          const fixed = name === "filters" ? src(Number(value), groups) : src(filters, Number(value));
          // a fix for E0211 may still meet E0304 (that one depends on the input), never E0211 again
          expect(codesOf(fixed)).not.toContain(d.code);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("E0304 (groupnorm): the suggested group count divides the channels", () => {
    for (const [c, g] of [[6, 4], [10, 3], [7, 2], [12, 5]]) {
      const d = run(`model A { input [${c}, 2, 2]; groupnorm(${g}) }`).diagnostics[0];
      const fixed = /groupnorm\((\d+)\)/.exec(d.help ?? "")![1];
      expect(codesOf(`model A { input [${c}, 2, 2]; groupnorm(${fixed}) }`)).toEqual([]);
    }
  });

  it("E0209: both the clamped padding and the larger kernel are accepted", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5), fc.nat(5)), (k, p) => {
        const src = (kernel: string, pad: string) => `model A { input [1, 40, 40]; maxpool(${kernel}, pad=${pad}) }`;
        const d = run(src(String(k), `(${p.join(", ")})`)).diagnostics.find((x) => x.code === "E0209");
        if (d === undefined) return;
        const m = /^pad=(\S+|\(.*?\)) is the most this kernel allows, or kernel=(\S+|\(.*?\)) allows this padding$/.exec(d.help ?? "");
        expect(m).not.toBeNull();
        expect(codesOf(src(String(k), m![1]))).not.toContain("E0209");
        expect(codesOf(src(m![2], `(${p.join(", ")})`))).not.toContain("E0209");
      }),
      { numRuns: 150 },
    );
  });
});

describe("shapes", () => {
  it("the first shape error stops the model; its earlier layers are the partial model", () => {
    const r = run("model A { input [1, 4, 4]; c: conv(2, kernel=3); relu; maxpool(3); conv(1, kernel=9) }");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["E0302"]);
    expect(r.partial[0].layers.map((l) => l.name)).toEqual(["c", "relu1"]);
    expect(r.diagnostics[0].labels[0]).toMatchObject({ message: "the input [2, 2, 2] comes from here" });
    // the 3x3 pool on [2, 2, 2]: torch's MaxPool2d(3, ceil_mode=True) keeps one window there
    expect(r.diagnostics[0].help).toBe(
      "pad=(0, 1, 0, 1) gives height 1 and width 1, or kernel=2 gives height 1 and width 1, " +
        "or rounding=ceil gives height 1 and width 1 (PyTorch's ceil_mode); or downsample less before this layer",
    );
  });

  it("channels not divisible by groups suggests a group count that divides both", () => {
    const d = run("model A { input [6, 4, 4]; conv(12, kernel=1, groups=4) }").diagnostics[0];
    expect(d.code).toBe("E0304");
    expect(d.help).toBe("groups=3 divides both the 6 input channels and the 12 filters");
  });

  it("wrong rank and loss input", () => {
    expect(codesOf("model A { input [8]; maxpool(2) }")).toEqual(["E0303"]);
    expect(codesOf("model A { input [8]; globalavgpool }")).toEqual(["E0303"]);
    expect(codesOf("model A { input [8]; groupnorm(2) }")).toEqual(["E0303"]);
    expect(codesOf("model A { input [8]; pad(1) }")).toEqual(["E0303"]);
    expect(codesOf("model A { input [2, 2, 2]; loss svm }")).toEqual(["E0307"]);
    expect(codesOf("model A { input [2, 2, 2]; loss softmax }")).toEqual([]);
    expect(codesOf("model A { input [2, 2, 2]; flatten; loss softmax }")).toEqual([]);
  });

  it("a shape error inside repeat says which copy", () => {
    const d = run("model A { input [1, 8, 8]\n repeat 5 { maxpool(2) } }").diagnostics[0];
    expect(d.code).toBe("E0302");
    expect(d.message).toContain("maxpool 'maxpool4'");
    expect(d.notes).toContain("in copy 4 of `repeat 5` (line 2)");
  });

  it("W0401 is a warning: the model still checks", () => {
    const r = run("model A { input [1, 5, 5]; maxpool(2) }");
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([["W0401", "warning"]]);
    expect(r.models).toHaveLength(1);
  });
});

describe("the upsampling layers", () => {
  it("convtranspose: PyTorch's output size, weight [C, F/groups, KH, KW], MACs per input pixel", () => {
    const r = run("model A { input [4, 7, 7]; up: convtranspose(6, kernel=3, stride=2, pad=1, output_pad=1, groups=2) }");
    expect(r.diagnostics).toEqual([]);
    const l = r.models[0].layers[0];
    // (7 - 1)·2 - 2 + 1·(3 - 1) + 1 + 1 = 14
    expect(l.output).toEqual([6, 14, 14]);
    expect(l.params).toEqual([
      { name: "up.weight", shape: [4, 3, 3, 3] },
      { name: "up.bias", shape: [6] },
    ]);
    expect(l.macs).toBe(4 * 7 * 7 * 3 * 9);
    // an asymmetric crop and a dilation: (5 - 1)·1 - 3 + 2·(2 - 1) + 0 + 1 = 4 rows, (5 - 1)·3 - 0 + 2 + 2 + 1 = 17 columns
    const asym = run("model A { input [1, 5, 5]; convtranspose(1, kernel=2, stride=(1, 3), pad=(1, 2, 0, 0), dilation=2, output_pad=(0, 2)) }");
    expect(asym.diagnostics).toEqual([]);
    expect(asym.models[0].output).toEqual([1, 4, 17]);
  });

  it("convtranspose: output_pad ≥ max(stride, dilation) is E0230 with the largest allowed value as the fix", () => {
    const d = run("model A { input [4, 7, 7]; convtranspose(4, kernel=3, stride=(2, 1), output_pad=(2, 1)) }").diagnostics;
    expect(d.map((x) => x.code)).toEqual(["E0230"]);
    expect(d[0].message).toBe("convtranspose output_pad (2, 1) must be smaller than the stride or the dilation");
    expect(d[0].notes).toEqual(["height: output_pad 2 >= max(stride 2, dilation 1)", "width: output_pad 1 >= max(stride 1, dilation 1)"]);
    expect(d[0].help).toBe("output_pad=(1, 0) is the most this stride and dilation allow");
    expect(codesOf("model A { input [4, 7, 7]; convtranspose(4, kernel=3, stride=2, output_pad=(1, 0)) }")).toEqual([]);
    // the dilation alone allows it too (PyTorch: smaller than either)
    expect(codesOf("model A { input [4, 7, 7]; convtranspose(4, kernel=3, dilation=3, output_pad=2) }")).toEqual([]);
  });

  it("convtranspose: groups, a crop larger than the output, `same`, a vector input", () => {
    expect(codesOf("model A { input [4, 7, 7]; convtranspose(6, kernel=3, groups=4) }")).toEqual(["E0211"]);
    expect(codesOf("model A { input [6, 7, 7]; convtranspose(4, kernel=3, groups=4) }")).toEqual(["E0304"]);
    const crop = run("model A { input [1, 2, 9]; ct: convtranspose(1, kernel=2, pad=(1, 2, 0, 0)) }").diagnostics;
    expect(crop.map((x) => x.code)).toEqual(["E0302"]);
    expect(crop[0].notes[0]).toBe("height: (2 - 1) * 1 - 1 - 2 + 1 * (2 - 1) + 0 + 1 = 0");
    expect(crop[0].help).toBe("pad at most 2 in total along the height");
    expect(codesOf("model A { input [1, 4, 4]; convtranspose(1, kernel=2, pad=same) }")).toEqual(["E0206"]);
    expect(codesOf("model A { input [8]; convtranspose(1, kernel=2) }")).toEqual(["E0303"]);
  });

  it("upsample, adaptiveavgpool, globalmaxpool and softmax: shapes and argument checks", () => {
    const r = run(`model A {
  input [3, 5, 6]
  upsample((2, 3), mode=bilinear)
  adaptiveavgpool((4, 7))
  softmax
  globalmaxpool
  softmax
}`);
    expect(r.diagnostics).toEqual([]);
    expect(r.models[0].layers.map((l) => l.output)).toEqual([[3, 10, 18], [3, 4, 7], [3, 4, 7], [3], [3]]);
    expect(r.models[0].layers.every((l) => l.params.length === 0 && l.macs === 0)).toBe(true);
    expect(codesOf("model A { input [3, 5, 5]; upsample(0) }")).toEqual(["E0207"]);
    expect(codesOf("model A { input [3, 5, 5]; upsample(2, mode=bicubic) }")).toEqual(["E0213"]);
    expect(codesOf("model A { input [3, 5, 5]; adaptiveavgpool }")).toEqual(["E0205"]);
    expect(codesOf("model A { input [3]; globalmaxpool }")).toEqual(["E0303"]);
    expect(codesOf("model A { input [3]; upsample(2) }")).toEqual(["E0303"]);
  });
});

describe("limits are refused fast", () => {
  const timed = (src: string) => {
    const t0 = performance.now();
    const r = run(src);
    return { r, ms: performance.now() - t0 };
  };

  it("repeat 1000000 { repeat 1000000 { ... } } is refused before expanding", () => {
    const { r, ms } = timed("model A { input [4]; repeat 1000000 { repeat 1000000 { relu } } }");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["E0215"]);
    expect(r.diagnostics[0].message).toBe("model 'A' has 1,000,000,000,000 layers after expanding repeat; the limit is 10,000");
    expect(ms).toBeLessThan(1000);
  });

  it("deeply nested repeats multiply past 2^53 and are still counted exactly", () => {
    const depth = 60;
    const src = `model A { input [4]; ${"repeat 2 { ".repeat(depth)}relu${" }".repeat(depth)} }`;
    const { r, ms } = timed(src);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["E0215"]);
    expect(r.diagnostics[0].message).toContain(`${(2n ** 60n).toLocaleString("en-US")} layers`);
    expect(ms).toBeLessThan(1000);
  });

  it("exactly 10,000 layers is allowed", () => {
    const { r } = timed("model A { input [4]; repeat 100 { repeat 100 { relu } } }");
    expect(r.diagnostics).toEqual([]);
    expect(r.models[0].layers).toHaveLength(10_000);
  });

  it("huge tensors and MAC counts are refused without allocating", () => {
    const { r, ms } = timed(
      "model A { input [65536, 65536, 65536] }\nmodel B { input [100000]; affine(100000) }\nmodel C { input [1, 1, 1]; conv(1, kernel=40000, pad=40000) }\nmodel D { input [3, 1000, 1000]; conv(100000, kernel=1) }",
    );
    expect(r.diagnostics.map((d) => d.code)).toEqual(["E0305", "E0305", "E0306", "E0305"]);
    expect(r.diagnostics[3].message).toBe(
      "conv 'conv1' output [100000, 1000, 1000] has 100,000,000,000 elements per sample; the limit is 2,147,483,647 (2^31 - 1)",
    );
    expect(ms).toBeLessThan(1000);
  });
});

describe("every code the checker owns", () => {
  const owned = [...Object.keys(argumentCodes), ...Object.keys(shapeCodes), ...Object.keys(layerCodes), ...Object.keys(paddingLossCodes)];
  const fixtures = readdirSync("examples/invalid").filter((f) => /^(E02|E03|W04)/.test(f));

  it("has exactly one fixture per code in examples/invalid", () => {
    expect(fixtures.map((f) => f.slice(0, 5)).sort()).toEqual([...owned].sort());
  });

  for (const file of fixtures) {
    it(`${file}: the diagnostics are exactly the inline markers`, () => {
      const src = readFileSync(`examples/invalid/${file}`, "utf8");
      const expected = src
        .split("\n")
        .flatMap((line, i) => [...line.matchAll(/# ~ ([EW]\d{4})/g)].map((m) => `${i + 1}:${m[1]}`));
      const got = compile(src, file).diagnostics.map((d) => `${d.span.line}:${d.code}`);
      expect(got).toEqual(expected);
      expect(expected[0].endsWith(file.slice(0, 5))).toBe(true);
    });
  }

  for (const code of owned) {
    const info = (argumentCodes as Record<string, { example: string; fix: string; title: string; explanation: string }>)[code] ??
      (shapeCodes as Record<string, { example: string; fix: string }>)[code] ??
      (layerCodes as Record<string, { example: string; fix: string }>)[code] ??
      (paddingLossCodes as Record<string, { example: string; fix: string }>)[code];
    it(`${code}: the registry example triggers it and the fix checks cleanly`, () => {
      // named like its fixture, so that an example importing itself (E0224) means the same file
      const fixture = fixtures.find((f) => f.startsWith(code)) ?? "t.cnn";
      expect(compile(info.example, fixture).diagnostics.map((d) => d.code)).toContain(code);
      const fixSource = info.fix.slice(info.fix.search(/^(model|block|import) /m));
      const fixed = run(fixSource);
      expect(fixed.diagnostics).toEqual([]);
      expect(fixed.models.length).toBeGreaterThan(0);
    });
  }
});

describe("the examples", () => {
  for (const file of readdirSync("examples").filter((f) => f.endsWith(".cnn"))) {
    it(`${file} checks with no diagnostic at all`, () => {
      const r = compile(readFileSync(`examples/${file}`, "utf8"), file);
      expect(r.diagnostics).toEqual([]);
      expect(r.partial).toEqual([]);
      // a layer's source is its text as written, except inside a block instance (the arguments
      // substituted) and for merges (abbreviated `concat { … }`)
      const written = (l: (typeof r.models)[number]["layers"][number]) =>
        !(l.scope ?? []).some((s) => s.kind === "block") && l.args.op !== "add" && l.args.op !== "concat";
      for (const m of r.models) {
        expect(m.layers.filter(written).every((l) => readFileSync(`examples/${file}`, "utf8").includes(l.source))).toBe(true);
      }
    });
  }
});

describe("docs/language.md", () => {
  const doc = readFileSync("docs/language.md", "utf8");
  const blocks = [...doc.matchAll(/```cnn\n([\s\S]*?)```/g)].map((m) => m[1]);

  it("has examples, and every one checks with no diagnostic", () => {
    expect(blocks.length).toBeGreaterThan(10);
    for (const block of blocks) expect(run(block).diagnostics).toEqual([]);
  });

  it("documents every op, loss and argument of the registry", async () => {
    const { ops, losses } = await import("../src/ops/index.ts");
    for (const def of Object.values(ops)) {
      // a section of its own, or a row of the activations table
      expect(doc).toMatch(new RegExp(`(### |\\| )\`${def.name}[\`(]`));
      for (const arg of def.args) expect(doc).toContain(`\`${arg.name}\``);
    }
    for (const def of Object.values(losses)) {
      expect(doc).toContain(`\`loss ${def.name}`);
      for (const arg of def.args) expect(doc).toContain(`\`${arg.name}\``);
    }
    for (const code of [...Object.keys(argumentCodes), ...Object.keys(shapeCodes), ...Object.keys(layerCodes)]) expect(doc).toContain(code);
  });
});

describe("internal errors", () => {
  it("an AST the parser should have refused is a compiler bug, not a diagnostic", () => {
    const span: Span = { file: "x", line: 1, column: 1, endLine: 1, endColumn: 2, start: 0, end: 1 };
    const ast: FileAst = {
      file: "x",
      text: "m",
      models: [
        {
          name: "M",
          nameSpan: span,
          span,
          input: { dims: [1, 2].map((v) => ({ kind: "number" as const, value: v, text: String(v), isInt: true, span })), span },
          body: [],
        },
      ],
      blocks: [],
      imports: [],
    };
    expect(() => check(ast)).toThrow(/^internal error:/);
  });
});
