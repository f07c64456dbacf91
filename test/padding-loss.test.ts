// Padding modes and cross-entropy options without PyTorch (test/padding-loss-torch.test.ts has
// the numbers against torch): what the checker accepts and refuses (E0252, E0253, argument
// errors), the IR it writes (options at PyTorch's default are absent), the labels `lossAndGrad`
// takes, the gradient check on a model with each mode and option (and its failure on a wrong
// backward) on both targets, and the PyTorch export's text.
import { afterAll, describe, expect, it } from "vitest";
import { keyArguments } from "../src/draw/svg.ts";
import { formatTs, formatTsAll } from "../src/emit/format.ts";
import { emitGradcheck } from "../src/emit/gradcheck.ts";
import { emitModule } from "../src/emit/module.ts";
import { emitWasmModule } from "../src/emit-wasm/module.ts";
import { exportPytorch } from "../src/export/pytorch.ts";
import type { Model, OpName } from "../src/ir.ts";
import { compile } from "../src/pipeline.ts";
import { ModuleFolder } from "./reference/generated.ts";

const folder = new ModuleFolder("cnnc-padding-loss-");
/** the wasm target's harnesses, each beside its module (./<Model>.ts) in a folder of its own */
const wasmFolders: ModuleFolder[] = [];
afterAll(() => [folder, ...wasmFolders].forEach((f) => f.remove()));

const diagnostics = (text: string) => compile(text, "t.cnn").diagnostics.map((d) => `${d.code} ${d.message}`);
const modelOf = (text: string): Model => {
  const r = compile(text, "t.cnn");
  expect(r.diagnostics.filter((d) => d.severity === "error"), text).toEqual([]);
  return r.models[0];
};

describe("checking padding modes", () => {
  it("reflect pads less than the size, circular at most the size, replicate any amount (E0252 names the side and the size)", () => {
    expect(diagnostics("model A { input [1, 3, 5]; pad((2, 2, 4, 4), mode=reflect) }")).toEqual([]);
    expect(diagnostics("model A { input [1, 3, 5]; pad((2, 3, 0, 0), mode=reflect) }")).toEqual([
      "E0252 pad 'pad1': reflect padding of 3 rows (bottom) needs an input of more than 3 rows, got [1, 3, 5]",
    ]);
    expect(diagnostics("model A { input [1, 3, 5]; pad((0, 0, 0, 5), mode=reflect) }")).toEqual([
      "E0252 pad 'pad1': reflect padding of 5 columns (right) needs an input of more than 5 columns, got [1, 3, 5]",
    ]);
    expect(diagnostics("model A { input [1, 3, 5]; pad((3, 3, 5, 5), mode=circular) }")).toEqual([]);
    expect(diagnostics("model A { input [1, 3, 5]; pad((0, 0, 6, 0), mode=circular) }")).toEqual([
      "E0252 pad 'pad1': circular padding of 6 columns (left) needs an input of more than 5 columns, got [1, 3, 5]",
    ]);
    expect(diagnostics("model A { input [1, 1, 1]; pad(7, mode=replicate) }")).toEqual([]);
    // conv: the limit applies to the resolved padding, `same` included
    expect(diagnostics("model A { input [1, 2, 8]; conv(2, kernel=5, pad=same, padding_mode=reflect) }")).toEqual([
      "E0252 conv 'conv1': reflect padding of 2 rows (top) needs an input of more than 2 rows, got [1, 2, 8]",
    ]);
    expect(diagnostics("model A { input [1, 3, 8]; conv(2, kernel=5, pad=same, padding_mode=reflect) }")).toEqual([]);
  });

  it("the mode is an enum with PyTorch's names; the IR holds it only when it is not zeros", () => {
    expect(diagnostics("model A { input [1, 4, 4]; pad(1, mode=mirror) }")[0]).toMatch(/^E0213 pad argument 'mode' does not accept 'mirror'/);
    expect(diagnostics("model A { input [1, 4, 4]; conv(2, kernel=3, padding_mode=reflection) }")[0]).toMatch(/did you mean 'reflect'\?|does not accept 'reflection'/);
    const m = modelOf("model A { input [1, 4, 4]; p: pad(1, mode=zeros); q: pad(1, mode=replicate); c: conv(2, kernel=3, padding_mode=circular); d: conv(2, kernel=1) }");
    expect(m.layers.map((l) => l.args)).toEqual([
      { op: "pad", pad: [1, 1, 1, 1] },
      { op: "pad", pad: [1, 1, 1, 1], mode: "replicate" },
      { op: "conv", filters: 2, kernel: [3, 3], stride: [1, 1], pad: [0, 0, 0, 0], dilation: [1, 1], groups: 1, bias: true, rounding: "floor", padding_mode: "circular" },
      { op: "conv", filters: 2, kernel: [1, 1], stride: [1, 1], pad: [0, 0, 0, 0], dilation: [1, 1], groups: 1, bias: true, rounding: "floor" },
    ]);
    // names and shapes are nn.Conv2d's whatever the mode
    expect(m.layers[2].params).toEqual([
      { name: "c.weight", shape: [2, 1, 3, 3] },
      { name: "c.bias", shape: [2] },
    ]);
  });
});

describe("checking cross-entropy options", () => {
  it("each option's range, and the IR leaves PyTorch's defaults out", () => {
    const loss = (options: string, input = "[3]") => `model A { input ${input}; loss softmax${options} }`;
    expect(diagnostics(loss("(label_smoothing=1)"))).toEqual(["E0207 loss softmax argument 'label_smoothing' must be in [0, 1), got 1"]);
    expect(diagnostics(loss("(weight=(1, -2, 1))"))[0]).toMatch(/^E0207 loss softmax argument 'weight' must hold numbers of at least 0, got -2/);
    expect(diagnostics(loss("(weight=2)"))[0]).toMatch(/^E0206 loss softmax argument 'weight' takes a tuple of numbers/);
    expect(diagnostics(loss("(ignore_index=-100)"))[0]).toMatch(/^E0207 loss softmax argument 'ignore_index' must be at least 0, got -100/);
    expect(diagnostics(loss("(reduction=none)"))[0]).toMatch(/^E0213 loss softmax argument 'reduction' does not accept 'none'/);
    expect(modelOf(loss("(label_smoothing=0, reduction=mean)")).loss!.args).toEqual({ op: "softmax" });
    expect(modelOf(loss("(label_smoothing=0.1, weight=(1, 0, 2.5), ignore_index=255, reduction=sum)")).loss!.args).toEqual({
      op: "softmax",
      label_smoothing: 0.1,
      weight: [1, 0, 2.5],
      ignore_index: 255,
      reduction: "sum",
    });
  });

  it("weights: one per class of the loss input, per position too, not all zero (E0253)", () => {
    expect(diagnostics("model A { input [4]; affine(3); loss softmax(weight=(1, 2)) }")).toEqual([
      "E0253 loss softmax has 2 class weights, but its input [3] has 3 classes",
    ]);
    expect(diagnostics("model A { input [4, 2, 2]; loss softmax(weight=(1, 2, 1)) }")).toEqual([
      "E0253 loss softmax has 3 class weights, but its input [4, 2, 2] has 4 classes",
    ]);
    expect(diagnostics("model A { input [2]; loss softmax(weight=(0, 0)) }")).toEqual(["E0253 loss softmax: every class weight is 0"]);
    expect(diagnostics("model A { input [4, 2, 2]; loss softmax(weight=(1, 2, 1, 0)) }")).toEqual([]);
  });

  it("softmax reads [K, H, W] per position; svm still needs [K] (E0307)", () => {
    expect(modelOf("model A { input [3, 2, 2]; loss softmax }").output).toEqual([3, 2, 2]);
    expect(diagnostics("model A { input [3, 2, 2]; loss svm }")[0]).toMatch(/^E0307 loss svm needs class scores \[K\], got \[3, 2, 2\]/);
  });
});

describe("labels of lossAndGrad", () => {
  it.each(["ts", "wasm"])("one per position of [K, H, W], the ignore_index accepted besides [0, K), anything else a RangeError naming the label (%s)", async (target) => {
    const model = modelOf("model Seg { input [3, 2, 2]; loss softmax(ignore_index=255) }");
    const text = target === "ts" ? emitModule(model, { dtype: "f64", sourceName: "seg.cnn" }) : emitWasmModule(model, { sourceName: "seg.cnn" });
    const gen = await folder.load(`Labels_${target}.ts`, text);
    const ws = gen.createWorkspace(2);
    const values = Array.from({ length: 24 }, (_, i) => Math.sin(i));
    const x = target === "ts" ? Float64Array.from(values) : Float32Array.from(values);
    expect(() => gen.lossAndGrad!({}, {}, x, new Int32Array(2), ws)).toThrow("Seg: y has length 2; expected 8 = batch 2 × 2 × 2 class indices");
    expect(() => gen.lossAndGrad!({}, {}, x, Int32Array.from([0, 1, 2, 3, 0, 1, 2, 0]), ws)).toThrow("Seg: y[3] = 3 is not a class index in [0, 3) or the ignore_index 255");
    const all = gen.lossAndGrad!({}, {}, x, Int32Array.from([0, 1, 2, 255, 0, 1, 2, 0]), ws);
    expect(Number.isFinite(all.loss)).toBe(true);
    // an ignored position has no gradient; the others do
    expect([0, 1, 2].map((k) => all.dx[k * 4 + 3])).toEqual([0, 0, 0]);
    expect(all.dx[0]).not.toBe(0);
    // the same labels with the ignored one moved: a different loss (the position matters; the result object is reused)
    const loss = all.loss;
    const moved = gen.lossAndGrad!({}, {}, x, Int32Array.from([0, 1, 255, 2, 0, 1, 2, 0]), ws).loss;
    expect(moved).not.toBeCloseTo(loss, 6);
  });
});

interface Harness {
  gradcheck(opts?: { batch?: number; samples?: number; seed?: number }): { pass: boolean; rows: { name: string; pass: boolean; skipped: number; checked: number }[] };
}

describe("gradient check", () => {
  const text = `model Modes {
  input [2, 4, 5]
  a: pad((1, 2, 0, 3), mode=reflect)
  b: conv(3, kernel=3, stride=(1, 2), pad=(2, 0, 1, 1), padding_mode=replicate)
  c: pad((0, 1, 2, 0), mode=circular)
  d: conv(4, kernel=2, pad=1, padding_mode=reflect)
  e: conv(3, kernel=3, pad=same, dilation=2, groups=1, padding_mode=circular)
  loss softmax(label_smoothing=0.2, weight=(0.5, 2, 1), ignore_index=1, reduction=sum)
}
`;
  const harness = (perturb?: OpName, target: "ts" | "wasm" = "ts") => {
    const sourceName = "modes.cnn";
    if (target === "ts") return folder.load<Harness>(`Modes_${perturb ?? "ok"}.gradcheck.ts`, emitGradcheck(modelOf(text), { sourceName, perturb }));
    const own = new ModuleFolder("cnnc-padding-loss-wasm-");
    wasmFolders.push(own);
    own.write("Modes.ts", emitWasmModule(modelOf(text), { sourceName, perturb }));
    return own.load<Harness>("Modes.gradcheck.ts", emitGradcheck(modelOf(text), { sourceName, perturb, target: "wasm" }));
  };

  it.each(["ts", "wasm"] as const)("passes on a model with every padding mode and every cross-entropy option, per position (%s)", async (target) => {
    const report = (await harness(undefined, target)).gradcheck({ batch: 2, samples: 8 });
    expect(report.rows.map((r) => r.name)).toEqual(["loss", "b.weight", "b.bias", "d.weight", "d.bias", "e.weight", "e.bias", "dx"]);
    expect(report.rows.every((r) => r.checked > 0)).toBe(true);
    expect(report.pass).toBe(true);
  });

  it("the emitted module lays out as prettier would (the block around the padded copy, the class weights)", async () => {
    // small, since prettier on a whole module is what takes the time
    const model = modelOf("model Tiny { input [1, 3, 3]; c: conv(3, kernel=2, pad=1, padding_mode=reflect); loss softmax(weight=(0.5, 2, 1)) }");
    const raw = [emitModule(model, { dtype: "f32", sourceName: "tiny.cnn" })];
    expect(raw[0]).toContain("const lossClassWeight = new Float64Array([0.5, 2, 1]);");
    expect(await formatTsAll(raw)).toEqual(await Promise.all(raw.map(formatTs)));
  });

  it.each(["ts", "wasm"] as const)("fails on a wrong backward of the padded convs and of the pad layers (%s)", async (target) => {
    for (const op of ["conv", "pad"] as const) {
      const report = (await harness(op, target)).gradcheck({ batch: 2, samples: 8 });
      expect(report.rows.find((r) => r.name === "dx")?.pass, op).toBe(false);
    }
  });
});

describe("picture", () => {
  it("names the mode beside the padding", () => {
    const m = modelOf("model A { input [1, 4, 4]; pad((1, 2, 0, 3), mode=reflect); conv(2, kernel=3, pad=1, padding_mode=circular); pad(1) }");
    expect(m.layers.map((l) => keyArguments(l.args))).toEqual(["(1, 2, 0, 3), reflect", "2 filters 3×3, pad 1 circular", "1"]);
  });
});

describe("PyTorch export", () => {
  it("writes torch's modules and F.pad's modes, and F.cross_entropy's keywords with the defaults left out", () => {
    const py = exportPytorch(
      [
        modelOf(`model E {
  input [2, 6, 6]
  p: pad(1, mode=reflect)
  q: pad((1, 0, 2, 1), mode=replicate)
  r: pad(1, mode=circular)
  c: conv(2, kernel=3, pad=1, padding_mode=reflect)
  d: conv(2, kernel=3, pad=(1, 0, 0, 1), padding_mode=circular)
  loss softmax(label_smoothing=0.1, weight=(1, 0.5), ignore_index=3)
}`),
      ],
      { sourceName: "e.cnn" },
    );
    expect(py).toContain("nn.ReflectionPad2d((1, 1, 1, 1))");
    expect(py).toContain("nn.ReplicationPad2d((2, 1, 1, 0))");
    expect(py).toContain('x = F.pad(x, (1, 1, 1, 1), mode="circular")');
    expect(py).toContain('padding=(1, 1), dilation=(1, 1), groups=1, bias=True, padding_mode="reflect")');
    expect(py).toContain('x = F.pad(x, (0, 1, 1, 0), mode="circular")');
    expect(py).toContain(
      "return F.cross_entropy(logits, y, weight=torch.tensor([1, 0.5], dtype=logits.dtype, device=logits.device), ignore_index=3, label_smoothing=0.1)",
    );
    expect(py).toContain('"""Softmax cross-entropy, mean over the positions (y: [N, H, W] class indices) (`loss softmax`)."""');
  });
});
