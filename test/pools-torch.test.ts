// maxpool and avgpool against real PyTorch (F.max_pool2d, F.avg_pool2d with
// autograd, f64): which layers are accepted (cnnc's E0302 exactly where torch
// says "Output size is too small"), their output shapes, forward values and dx
// of the generated f64 module. The cases that matter are ceil-mode windows
// larger than the padded input (docs/language.md#windows-padding-and-rounding):
// PyTorch's examples, avgpool with count_pad both ways, padding, asymmetric
// padding (torch cannot pad a pool asymmetrically: the script pads first with
// F.pad, -inf for max; for count_pad=false it divides window sums by the pooled
// count of real cells), then random symmetric pools under ceil and floor.
// Without torch the test says so (and fails under CI=true): test/torch-python.ts.
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { emitModule } from "../src/emit/module.ts";
import { compile } from "../src/pipeline.ts";
import { prng } from "./reference/data.ts";
import { ModuleFolder } from "./reference/generated.ts";
import { torchMissing, torchPython } from "./torch-python.ts";

type Pair = [number, number];
interface PoolCase {
  op: "maxpool" | "avgpool";
  input: [number, number, number];
  kernel: Pair;
  stride: Pair;
  /** top, bottom, left, right */
  pad: [number, number, number, number];
  countPad: boolean;
  rounding: "ceil" | "floor";
}
interface TorchResult {
  error?: string;
  shape?: number[];
  y?: number[];
  dx?: number[];
}

const BATCH = 2;

const cnnText = (c: PoolCase) =>
  `model P {\n  input [${c.input.join(", ")}]\n  p: ${c.op}(kernel=(${c.kernel.join(", ")}), stride=(${c.stride.join(", ")}), ` +
  `pad=(${c.pad.join(", ")})${c.op === "avgpool" ? `, count_pad=${c.countPad}` : ""}, rounding=${c.rounding})\n}\n`;

/** Distinct input values (no ties for max), the same on both sides. */
const inputOf = (c: PoolCase, i: number) => {
  const r = prng(1000 + i);
  return Array.from({ length: BATCH * c.input[0] * c.input[1] * c.input[2] }, () => r.uniform(-2, 2));
};
/** The output gradient, a formula of the flat index, so neither side needs the other's shape first. */
const doutAt = (j: number) => Math.sin(1.3 * j + 0.5);

const SCRIPT = `
import json, sys, torch
import torch.nn.functional as F
out = []
for c in json.load(sys.stdin):
    t, b, l, r = c["pad"]
    k, s, ceil = tuple(c["kernel"]), tuple(c["stride"]), c["rounding"] == "ceil"
    x = torch.tensor(c["x"], dtype=torch.float64).reshape(${BATCH}, *c["input"]).requires_grad_()
    sym = t == b and l == r
    try:
        if c["op"] == "maxpool":
            if sym:
                y = F.max_pool2d(x, k, s, (t, l), ceil_mode=ceil)
            else:
                y = F.max_pool2d(F.pad(x, (l, r, t, b), value=float("-inf")), k, s, 0, ceil_mode=ceil)
        elif sym:
            y = F.avg_pool2d(x, k, s, (t, l), ceil_mode=ceil, count_include_pad=c["countPad"])
        elif c["countPad"]:
            y = F.avg_pool2d(F.pad(x, (l, r, t, b)), k, s, 0, ceil_mode=ceil)
        else:
            sums = F.avg_pool2d(F.pad(x, (l, r, t, b)), k, s, 0, ceil_mode=ceil, divisor_override=1)
            cells = F.avg_pool2d(F.pad(torch.ones_like(x), (l, r, t, b)), k, s, 0, ceil_mode=ceil, divisor_override=1)
            y = sums / cells
    except RuntimeError as e:
        out.append({"error": str(e).splitlines()[0]})
        continue
    dout = torch.sin(1.3 * torch.arange(y.numel(), dtype=torch.float64) + 0.5).reshape(y.shape)
    (y * dout).sum().backward()
    out.append({"shape": list(y.shape[1:]), "y": y.detach().reshape(-1).tolist(), "dx": x.grad.reshape(-1).tolist()})
print(json.dumps(out))
`;

function runTorch(cases: PoolCase[]): TorchResult[] {
  const input = JSON.stringify(cases.map((c, i) => ({ ...c, x: inputOf(c, i) })));
  return JSON.parse(execFileSync(torchPython!, ["-c", SCRIPT], { input, encoding: "utf8", maxBuffer: 1 << 26 })) as TorchResult[];
}

const P = (op: PoolCase["op"], input: PoolCase["input"], kernel: Pair, stride: Pair, pad: PoolCase["pad"], countPad = true): PoolCase => ({
  op,
  input,
  kernel,
  stride,
  pad,
  countPad,
  rounding: "ceil",
});

/** Ceil windows larger than the padded input along at least one axis. */
const directed: PoolCase[] = [
  // the four of the issue: MaxPool2d(4, 2) on 3x3, AvgPool2d(4, 2) on 2x3x3, MaxPool2d(5, 3) on 3x8, MaxPool2d(4, 3, padding=1) on 3x1x1
  P("maxpool", [1, 3, 3], [4, 4], [2, 2], [0, 0, 0, 0]),
  P("avgpool", [2, 3, 3], [4, 4], [2, 2], [0, 0, 0, 0]),
  P("maxpool", [1, 3, 8], [5, 5], [3, 3], [0, 0, 0, 0]),
  P("maxpool", [3, 1, 1], [4, 4], [3, 3], [1, 1, 1, 1]),
  // avgpool with padding: count_pad divides by the window clipped to the padded input, else by the real cells
  P("avgpool", [2, 2, 4], [5, 5], [3, 3], [1, 1, 1, 1], true),
  P("avgpool", [2, 2, 4], [5, 5], [3, 3], [1, 1, 1, 1], false),
  P("avgpool", [1, 1, 3], [4, 3], [3, 2], [1, 1, 1, 1], false),
  P("maxpool", [2, 2, 1], [3, 6], [2, 4], [1, 1, 2, 2]),
  // asymmetric padding
  P("maxpool", [1, 1, 3], [5, 4], [3, 2], [2, 1, 0, 2]),
  P("avgpool", [2, 2, 2], [3, 4], [2, 3], [1, 0, 0, 1], true),
  P("avgpool", [2, 2, 2], [3, 4], [2, 3], [1, 0, 0, 1], false),
  P("avgpool", [1, 1, 2], [6, 3], [4, 2], [3, 1, 1, 0], false),
];

/** Random symmetric pools (torch pads symmetrically): small inputs, large kernels, ceil and floor. */
function randomCases(n: number): PoolCase[] {
  const r = prng(20261201);
  const int = (lo: number, hi: number) => lo + r.int(hi - lo + 1);
  return Array.from({ length: n }, () => {
    const kernel: Pair = [int(1, 6), int(1, 6)];
    const ph = int(0, kernel[0] >> 1);
    const pw = int(0, kernel[1] >> 1);
    return {
      op: r.next() < 0.5 ? "maxpool" : "avgpool",
      input: [int(1, 2), int(1, 5), int(1, 5)],
      kernel,
      stride: [int(1, 4), int(1, 4)],
      pad: [ph, ph, pw, pw],
      countPad: r.next() < 0.5,
      rounding: r.next() < 0.75 ? "ceil" : "floor",
    };
  });
}

const folder = new ModuleFolder("cnnc-pools-torch-");
afterAll(() => folder.remove());

/** cnnc's verdict on one case: E0302 or the output shape, forward and dx of the generated f64 module. */
async function cnncRun(c: PoolCase, i: number, file: string): Promise<{ codes: string[]; shape?: number[]; y?: number[]; dx?: number[] }> {
  const r = compile(cnnText(c), `${file}.cnn`);
  const codes = r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code);
  if (codes.length > 0) return { codes };
  const model = r.models[0];
  const gen = await folder.load(`${file}.ts`, emitModule(model, { dtype: "f64", sourceName: `${file}.cnn` }));
  const x = Float64Array.from(inputOf(c, i));
  const ws = gen.createWorkspace(BATCH);
  const y = Array.from(gen.forward({}, {}, x, ws, false));
  const dout = Float64Array.from({ length: y.length }, (_, j) => doutAt(j));
  const dx = Array.from(gen.backward!({}, {}, x, dout, ws).dx);
  return { codes, shape: model.output, y, dx };
}

function expectClose(what: string, got: number[], want: number[]) {
  expect(got.length, what).toBe(want.length);
  const worst = Math.max(0, ...got.map((g, j) => Math.abs(g - want[j]) / (1 + Math.abs(want[j]))));
  expect(worst, what).toBeLessThan(1e-12);
}

describe("pools against real PyTorch", () => {
  const title = (what: string) => (torchPython ? what : `${what}: DID NOT RUN, no python3 with torch here`);

  it(title("ceil windows larger than the padded input: shapes, forward and dx equal torch's"), async () => {
    if (!torchPython) return void torchMissing("pools-torch");
    const torch = runTorch(directed);
    for (const [i, c] of directed.entries()) {
      const want = torch[i];
      const text = cnnText(c);
      expect(want.error, `torch refused\n${text}`).toBeUndefined();
      // each case really has a window larger than the padded input
      const over = [0, 1].some((a) => c.kernel[a] > c.input[a + 1] + c.pad[2 * a] + c.pad[2 * a + 1]);
      expect(over, text).toBe(true);
      const got = await cnncRun(c, i, `Directed${i}`);
      expect(got.codes, text).toEqual([]);
      expect(got.shape, text).toEqual(want.shape);
      expectClose(`forward\n${text}`, got.y!, want.y!);
      expectClose(`dx\n${text}`, got.dx!, want.dx!);
    }
  });

  it(title("random pools: cnnc refuses (E0302) exactly what torch refuses, and otherwise computes what torch does"), async () => {
    if (!torchPython) return void torchMissing("pools-torch");
    const cases = randomCases(100);
    const torch = runTorch(cases);
    const tally = { refused: 0, accepted: 0, larger: 0 };
    for (const [i, c] of cases.entries()) {
      const want = torch[i];
      const text = cnnText(c);
      const got = await cnncRun(c, i, `Random${i}`);
      if (want.error !== undefined) {
        expect(want.error, text).toMatch(/Output size is too small/);
        expect(got.codes, text).toEqual(["E0302"]);
        tally.refused++;
        continue;
      }
      expect(got.codes, text).toEqual([]);
      expect(got.shape, text).toEqual(want.shape);
      expectClose(`forward\n${text}`, got.y!, want.y!);
      expectClose(`dx\n${text}`, got.dx!, want.dx!);
      tally.accepted++;
      if ([0, 1].some((a) => c.kernel[a] > c.input[a + 1] + 2 * c.pad[2 * a])) tally.larger++;
    }
    // the draw reaches all three kinds of case
    expect(tally.refused).toBeGreaterThan(10);
    expect(tally.accepted).toBeGreaterThan(40);
    expect(tally.larger).toBeGreaterThan(5);
    console.log(`pools-torch: ${cases.length} random pools, ${tally.accepted} accepted (${tally.larger} with a window larger than the padded input), ${tally.refused} refused, as torch`);
  });
});
