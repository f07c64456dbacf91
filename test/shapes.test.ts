// Shape rules against known answers and against a brute-force count of the
// windows a layer actually visits, written here from the definitions of docs/language.md
// (not from src/ops/window.ts's formula).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile } from "../src/pipeline.ts";

function run(src: string) {
  return compile(src, "t.cnn");
}

function only(src: string) {
  const r = run(src);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  expect(r.models).toHaveLength(1);
  return r.models[0];
}

describe("known answers", () => {
  it("[3,23,20] with conv(7, kernel=6, stride=(3,6), pad=(2,3)) gives [7,8,4]", () => {
    const m = only("model A { input [3, 23, 20]; conv(7, kernel=6, stride=(3, 6), pad=(2, 3)) }");
    expect(m.output).toEqual([7, 8, 4]);
    expect(m.layers[0].args).toMatchObject({ pad: [2, 2, 3, 3], stride: [3, 6], kernel: [6, 6] });
  });

  it("maxpool(2, stride=11) on [3,23,23] gives [3,2,2]", () => {
    expect(only("model A { input [3, 23, 23]; maxpool(2, stride=11) }").output).toEqual([3, 2, 2]);
  });

  it("a 5x5 input with a 3x3 kernel, pad 1, stride 2 gives 3x3", () => {
    expect(only("model A { input [1, 5, 5]; conv(1, kernel=3, pad=1, stride=2) }").output).toEqual([1, 3, 3]);
    expect(only("model A { input [1, 5, 5]; maxpool(3, pad=1, stride=2) }").output).toEqual([1, 3, 3]);
  });

  it("AlexNet's conv1 (227, kernel 11, stride 4) gives 55x55", () => {
    const m = only("model A { input [3, 227, 227]; conv(96, kernel=11, stride=4) }");
    expect(m.output).toEqual([96, 55, 55]);
    // 96 filters of 3x11x11 plus 96 biases; each of the 96*55*55 outputs sums 3*11*11 products
    expect(m.params).toBe(96 * 3 * 11 * 11 + 96);
    expect(m.macs).toBe(96 * 55 * 55 * 3 * 11 * 11);
  });

  it("VGG-16 is [512,7,7] before the classifier and has 138,357,544 parameters", async () => {
    const { readFileSync } = await import("node:fs");
    const m = only(readFileSync("examples/vgg16.cnn", "utf8"));
    const fc6 = m.layers.find((l) => l.name === "fc6");
    expect(fc6?.input).toEqual([512, 7, 7]);
    expect(m.params).toBe(138_357_544);
    expect(m.output).toEqual([1000]);
  });

  it("AlexNet (grouped as in the paper) has 60,965,224 parameters and ends in [256,6,6] before fc6", async () => {
    const { readFileSync } = await import("node:fs");
    const m = only(readFileSync("examples/alexnet.cnn", "utf8"));
    expect(m.layers.find((l) => l.name === "fc6")?.input).toEqual([256, 6, 6]);
    expect(m.params).toBe(60_965_224);
  });

  it("LeNet-5 of docs/language.md has 61,706 parameters", async () => {
    const { readFileSync } = await import("node:fs");
    const m = only(readFileSync("examples/lenet5.cnn", "utf8"));
    expect(m.params).toBe(156 + 2416 + 48120 + 10164 + 850);
    expect(m.layers.map((l) => l.output)).toEqual([
      [6, 28, 28], [6, 28, 28], [6, 14, 14], [16, 10, 10], [16, 10, 10], [16, 5, 5],
      [120], [120], [84], [84], [10],
    ]);
  });

  it("pad, globalavgpool, flatten, affine and the norms have the documented shapes and parameters", () => {
    const m = only(`model A {
      input [6, 7, 9]
      pad((1, 2, 3, 4))
      batchnorm
      groupnorm(3)
      layernorm
      globalavgpool
      batchnorm
      layernorm
      affine(5, bias=false)
      flatten
    }`);
    expect(m.layers.map((l) => l.output)).toEqual([[6, 10, 16], [6, 10, 16], [6, 10, 16], [6, 10, 16], [6], [6], [6], [5], [5]]);
    expect(m.layers[1].params.map((t) => [t.name, t.shape])).toEqual([["batchnorm1.weight", [6]], ["batchnorm1.bias", [6]]]);
    expect(m.layers[1].state.map((t) => [t.name, t.shape])).toEqual([["batchnorm1.running_mean", [6]], ["batchnorm1.running_var", [6]]]);
    expect(m.layers[7].params.map((t) => [t.name, t.shape])).toEqual([["affine1.weight", [5, 6]]]);
    expect(m.layers[7].macs).toBe(30);
  });

  it("affine flattens [C, H, W]; grouped conv weights are [F, C/groups, KH, KW]", () => {
    const m = only("model A { input [4, 5, 6]; c: conv(8, kernel=(3, 2), groups=2, dilation=(1, 2)); f: affine(3) }");
    expect(m.layers[0].output).toEqual([8, 3, 4]);
    expect(m.layers[0].params.map((t) => t.shape)).toEqual([[8, 2, 3, 2], [8]]);
    expect(m.layers[0].macs).toBe(8 * 3 * 4 * 2 * 3 * 2);
    expect(m.layers[1].params.map((t) => t.shape)).toEqual([[3, 96], [3]]);
  });

  it("`same` gives ceil(in / stride) with TensorFlow's split, whatever the rounding", () => {
    const m = only("model A { input [1, 10, 7]; rounding exact; conv(1, kernel=4, stride=3, pad=same) }");
    // height: out 4, total (4-1)*3 + 4 - 10 = 3 -> (1, 2); width: out 3, total 2*3 + 4 - 7 = 3 -> (1, 2)
    expect(m.output).toEqual([1, 4, 3]);
    expect(m.layers[0].args).toMatchObject({ pad: [1, 2, 1, 2] });
  });

  it("model-wide ceil applies to pools, convs floor; a layer's rounding overrides", () => {
    const m = only(`model A {
      input [1, 8, 8]
      rounding ceil
      maxpool(3, stride=2)          # ceil((8 - 3) / 2) + 1 = 4
      conv(1, kernel=2, stride=3)   # floor((4 - 2) / 3) + 1 = 1
    }`);
    expect(m.layers.map((l) => l.output)).toEqual([[1, 4, 4], [1, 1, 1]]);
    expect(m.layers.map((l) => (l.args as { rounding: string }).rounding)).toEqual(["ceil", "floor"]);
    const n = only("model B { input [1, 8, 8]; rounding ceil; maxpool(3, stride=2, rounding=floor) }");
    expect(n.output).toEqual([1, 3, 3]);
  });

  it("the pool ceil rule drops a last window that would start in the padding (PyTorch)", () => {
    // 5 + 1 + 1 = 7 padded; ceil((7 - 2) / 2) + 1 = 4 windows at 0, 2, 4, 6; the one at 6
    // starts in the right padding (real input is 1..5), so PyTorch keeps 3.
    expect(only("model A { input [1, 5, 5]; maxpool(2, pad=1, rounding=ceil) }").output).toEqual([1, 3, 3]);
  });

  it("a ceil window may be larger than the padded input, as in PyTorch (shapes printed by torch 1.13)", () => {
    // nn.MaxPool2d(4, stride=2, ceil_mode=True)(torch.zeros(1, 1, 3, 3)).shape == [1, 1, 1, 1], and so on
    expect(only("model A { input [1, 3, 3]; maxpool(4, stride=2, rounding=ceil) }").output).toEqual([1, 1, 1]);
    expect(only("model A { input [2, 3, 3]; avgpool(4, stride=2, rounding=ceil) }").output).toEqual([2, 1, 1]);
    expect(only("model A { input [1, 3, 8]; maxpool(5, stride=3, rounding=ceil) }").output).toEqual([1, 1, 2]);
    expect(only("model A { input [3, 1, 1]; maxpool(4, stride=3, pad=1, rounding=ceil) }").output).toEqual([3, 1, 1]);
    expect(only("model A { input [1, 1, 1]; rounding ceil; maxpool(2) }").output).toEqual([1, 1, 1]);
  });

  it("under floor such a window is still E0302, and under ceil one that overhangs by the stride or more", () => {
    const floor = run("model A { input [1, 3, 3]; maxpool(4, stride=2) }").diagnostics;
    expect(floor.map((d) => d.code)).toEqual(["E0302"]);
    expect(floor[0].message).toContain("the window does not fit in the input [1, 3, 3]");
    expect(floor[0].help).toContain("rounding=ceil gives height 1 and width 1 (PyTorch's ceil_mode)");
    // torch: MaxPool2d(5, stride=1, ceil_mode=True) on 1x1 is "Output size is too small" (-3), and so is stride 3 (0)
    const ceil = run("model A { input [1, 1, 1]; maxpool(5, stride=(1, 3), rounding=ceil) }").diagnostics;
    expect(ceil.map((d) => d.code)).toEqual(["E0302"]);
    expect(ceil[0].message).toBe("maxpool 'maxpool1' output height and width would be less than 1: the window runs past the input [1, 1, 1] by the stride or more");
    expect(ceil[0].notes[1]).toContain("under rounding ceil a window may run past it by at most stride - 1 = 2");
    expect(ceil[0].help).not.toContain("rounding=ceil");
  });
});

/** One axis, brute force: walk the windows of docs/language.md and record which real rows their taps read. */
function bruteAxis(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  before: number,
  after: number,
  rounding: "floor" | "ceil" | "exact",
  isPool: boolean,
): { kind: "nofit" } | { kind: "notwhole" } | { kind: "ok"; out: number; lost: number } {
  const padded = size + before + after;
  const extent = dilation * (kernel - 1) + 1;
  const starts: number[] = [];
  if (rounding === "ceil") {
    // PyTorch's ceil_mode: a window counts while it runs past the end of the padded input by less
    // than the stride (so the first one may be larger than the whole padded input)...
    for (let x = 0; x + extent - padded < stride; x += stride) starts.push(x);
    // ...except a last one that would start in the end padding
    if (isPool && starts.length > 0 && starts[starts.length - 1] >= before + size) starts.pop();
  } else {
    for (let x = 0; x + extent <= padded; x += stride) starts.push(x);
  }
  if (starts.length === 0) return { kind: "nofit" };
  if (rounding === "exact" && starts[starts.length - 1] + extent !== padded) return { kind: "notwhole" };
  let lastRealRead = -1;
  for (const x of starts) {
    for (let j = 0; j < kernel; j++) {
      const row = x + j * dilation - before;
      if (row >= 0 && row < size) lastRealRead = Math.max(lastRealRead, row);
    }
  }
  return { kind: "ok", out: starts.length, lost: size - 1 - lastRealRead };
}

const axisArb = fc.record({
  size: fc.integer({ min: 1, max: 30 }),
  kernel: fc.integer({ min: 1, max: 7 }),
  stride: fc.integer({ min: 1, max: 6 }),
  dilation: fc.integer({ min: 1, max: 3 }),
  before: fc.integer({ min: 0, max: 4 }),
  after: fc.integer({ min: 0, max: 4 }),
});

describe("shape rule = brute-force window count", () => {
  it("conv: floor and exact, any dilation and asymmetric padding", () => {
    fc.assert(
      fc.property(axisArb, axisArb, fc.constantFrom("floor" as const, "exact" as const), (h, w, rounding) => {
        const src = `model A { input [2, ${h.size}, ${w.size}]
          conv(3, kernel=(${h.kernel}, ${w.kernel}), stride=(${h.stride}, ${w.stride}), dilation=(${h.dilation}, ${w.dilation}),
               pad=(${h.before}, ${h.after}, ${w.before}, ${w.after}), rounding=${rounding}) }`;
        checkAgainstBrute(src, [h, w], rounding, false, 3);
      }),
      { numRuns: 150 },
    );
  });

  it("pools: floor, ceil and exact, padding at most kernel/2 per side", () => {
    const poolAxis = axisArb.map((a) => ({
      ...a,
      dilation: 1,
      before: Math.min(a.before, Math.floor(a.kernel / 2)),
      after: Math.min(a.after, Math.floor(a.kernel / 2)),
    }));
    fc.assert(
      fc.property(
        poolAxis,
        poolAxis,
        fc.constantFrom("floor" as const, "ceil" as const, "exact" as const),
        fc.constantFrom("maxpool", "avgpool"),
        (h, w, rounding, op) => {
          const src = `model A { input [2, ${h.size}, ${w.size}]
            ${op}((${h.kernel}, ${w.kernel}), stride=(${h.stride}, ${w.stride}),
               pad=(${h.before}, ${h.after}, ${w.before}, ${w.after}), rounding=${rounding}) }`;
          checkAgainstBrute(src, [h, w], rounding, true, 2);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("`same`: ceil(in / stride) windows, bottom/right gets the odd row, and no less padding would do", () => {
    fc.assert(
      fc.property(axisArb, (a) => {
        const r = run(`model A { input [1, ${a.size}, 1]; conv(1, kernel=(${a.kernel}, 1), stride=(${a.stride}, 1), dilation=(${a.dilation}, 1), pad=same) }`);
        const m = r.models[0];
        const [top, bottom] = m.layers[0].args.op === "conv" ? m.layers[0].args.pad : [NaN, NaN];
        const expected = Math.ceil(a.size / a.stride);
        expect(m.output[1]).toBe(expected);
        expect(bottom - top === 0 || bottom - top === 1).toBe(true);
        const visited = bruteAxis(a.size, a.kernel, a.stride, a.dilation, top, bottom, "floor", false);
        expect(visited).toMatchObject({ kind: "ok", out: expected });
        // rows can still go unread (stride > kernel, dilation gaps): W0401, whatever the rounding
        const lost = visited.kind === "ok" ? visited.lost : -1;
        expect(r.diagnostics.map((d) => d.code)).toEqual(lost > 0 ? ["W0401"] : []);
        if (top + bottom > 0) {
          const less = bruteAxis(a.size, a.kernel, a.stride, a.dilation, top, bottom - 1, "floor", false);
          expect(less.kind === "ok" ? less.out : 0).toBeLessThan(expected);
        }
      }),
      { numRuns: 100 },
    );
  });
});

type AxisCase = { size: number; kernel: number; stride: number; dilation: number; before: number; after: number };

function checkAgainstBrute(src: string, axes: AxisCase[], rounding: "floor" | "ceil" | "exact", isPool: boolean, channels: number) {
  const r = run(src);
  const brute = axes.map((a) => bruteAxis(a.size, a.kernel, a.stride, a.dilation, a.before, a.after, rounding, isPool));
  const codes = r.diagnostics.map((d) => d.code);
  if (brute.some((b) => b.kind === "nofit")) {
    expect(codes).toEqual(["E0302"]);
    return;
  }
  if (brute.some((b) => b.kind === "notwhole")) {
    expect(codes).toEqual(["E0301"]);
    return;
  }
  const ok = brute as { kind: "ok"; out: number; lost: number }[];
  expect(r.models).toHaveLength(1);
  expect(r.models[0].output).toEqual([channels, ok[0].out, ok[1].out]);
  // a 1-wide window (kernel 1) subsamples on purpose: its unread rows are not reported
  const lostOn = ok.map((b, i) => (axes[i].dilation * (axes[i].kernel - 1) + 1 > 1 ? b.lost : 0));
  const lost = rounding === "floor" && lostOn.some((n) => n > 0);
  expect(codes).toEqual(lost ? ["W0401"] : []);
  if (lost) {
    const text = r.diagnostics[0].message;
    for (const [i, unit] of [[0, "row"], [1, "column"]] as const) {
      const n = lostOn[i];
      if (n === 1) expect(text).toContain(`the last ${unit}`);
      if (n > 1) expect(text).toContain(`the last ${n} ${unit}s`);
    }
  }
}

describe("the help's concrete fix works", () => {
  type Args = Record<string, string>;
  const source = (op: string, size: [number, number], rounding: string, args: Args) =>
    `model A { input [1, ${size[0]}, ${size[1]}]; rounding ${rounding}; ${op}(${op === "conv" ? "2, " : ""}${Object.entries(args)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ")}) }`;
  /** "pad=(0, 1, 0, 1) with stride=2" → { pad: "(0, 1, 0, 1)", stride: "2" } */
  const changes = (text: string): Args =>
    Object.fromEntries(text.split(" with ").map((c) => [c.slice(0, c.indexOf("=")), c.slice(c.indexOf("=") + 1)]));
  /** "height 3 and width 4" → expected output dims by axis */
  const announced = (text: string) => Object.fromEntries([...text.matchAll(/(height|width) (\d+)/g)].map((m) => [m[1], Number(m[2])]));
  const caseArb = fc.record({
    op: fc.constantFrom("conv", "maxpool"),
    h: axisArb,
    w: axisArb,
  }).map(({ op, h, w }) => {
    const pool = op === "maxpool";
    const clamp = (a: AxisCase) => (pool ? { ...a, dilation: 1, before: Math.min(a.before, a.kernel >> 1), after: Math.min(a.after, a.kernel >> 1) } : a);
    const [ch, cw] = [clamp(h), clamp(w)];
    const args: Args = {
      kernel: `(${ch.kernel}, ${cw.kernel})`,
      stride: `(${ch.stride}, ${cw.stride})`,
      pad: `(${ch.before}, ${ch.after}, ${cw.before}, ${cw.after})`,
    };
    if (!pool) args.dilation = `(${ch.dilation}, ${cw.dilation})`;
    return { op, size: [ch.size, cw.size] as [number, number], args };
  });

  const expectOutput = (src: string, gives: string) => {
    const r = run(src);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const out = r.models[0].output;
    const want = announced(gives);
    if (want.height !== undefined) expect(out[1]).toBe(want.height);
    if (want.width !== undefined) expect(out[2]).toBe(want.width);
    return r;
  };

  it("E0301 (exact): the suggested pad or stride divides exactly and gives the announced size", () => {
    fc.assert(
      fc.property(caseArb, ({ op, size, args }) => {
        const d = run(source(op, size, "exact", args)).diagnostics.find((x) => x.code === "E0301");
        if (d === undefined) return;
        const m = /^(.*?) gives (.*?), or `rounding floor` floors it/.exec(d.help ?? "");
        expect(m).not.toBeNull();
        expectOutput(source(op, size, "exact", { ...args, ...changes(m![1]) }), m![2]);
      }),
      { numRuns: 200 },
    );
  });

  it("E0302 (no window): each suggested pad, kernel or rounding gives the announced size", () => {
    const tried = new Set<string>();
    fc.assert(
      fc.property(caseArb, fc.constantFrom("floor", "exact", "ceil"), ({ op, size, args }, rounding) => {
        if (rounding === "ceil" && op === "conv") return;
        const d = run(source(op, size, rounding, args)).diagnostics.find((x) => x.code === "E0302");
        if (d === undefined) return;
        const fixes = (d.help ?? "").split("; or downsample")[0].split(", or ");
        for (const f of fixes.filter((x) => x.includes(" gives "))) {
          const [change, gives] = f.split(" gives ");
          tried.add(`${rounding} ${Object.keys(changes(change)).join("+")}`);
          const fixed = run(source(op, size, rounding, { ...args, ...changes(change) }));
          expect(fixed.diagnostics.map((x) => x.code)).not.toContain("E0302");
          if (fixed.models.length === 1) expectOutput(source(op, size, rounding, { ...args, ...changes(change) }), gives);
        }
      }),
      // seeded: the coverage check below needs a run that reaches every kind of fix (a ceil window overhanging by the stride is rare)
      { numRuns: 300, seed: 7 },
    );
    // every kind of fix was offered and tried at least once
    for (const kind of ["floor pad", "floor kernel", "floor rounding", "exact kernel", "ceil kernel"]) expect([...tried]).toContain(kind);
  });

  it("W0401 (rows lost under floor): the suggested pad reads every row and column", () => {
    fc.assert(
      fc.property(caseArb, ({ op, size, args }) => {
        const d = run(source(op, size, "floor", args)).diagnostics.find((x) => x.code === "W0401");
        if (d === undefined) return;
        const m = /^(pad=\S+(?: \S+)*?) reads (?:it|them) \((.*?)\)/.exec(d.help ?? "");
        if (m === null) {
          expect(d.help).toMatch(/rounding=ceil|stride no larger/);
          return;
        }
        const r = expectOutput(source(op, size, "floor", { ...args, ...changes(m[1]) }), m[2]);
        expect(r.diagnostics).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
