// `cnnc export --pytorch` and `cnnc draw` end to end (in-process through run()):
// files written or not, exit codes 0 / 1 / 2, --model selection, no stack traces.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { cnnc, STACK } from "./cli-helpers.ts";

const dir = resolve(".tmp/interop-cli");
const broken = `model Good {
  input [1, 28, 28]
  c1: conv(6, kernel=5)
  relu
  out: affine(10)
}
model Bad {
  input [1, 28, 28]
  c1: conv(6, kernel=5)
  maxpool(2)
  c3: conv(16, kernel=50)
  out: affine(10)
  loss softmax
}
`;

beforeEach(() => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "broken.cnn"), broken);
  writeFileSync(join(dir, "syntax.cnn"), "model X { input [1, 2, 3] conv(4, kernel=) }\n");
});

describe("cnnc export --pytorch", () => {
  it("writes DIR/<file>.py with every model and exits 0", async () => {
    const r = await cnnc("export", "--pytorch", "examples/norms-and-pools.cnn", "-o", dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote ${join(dir, "norms_and_pools.py")} (GroupNormNet, DilatedFeatures)\n`);
    const text = readFileSync(join(dir, "norms_and_pools.py"), "utf8");
    expect(text).toContain("class GroupNormNet(nn.Module):");
    expect(text).toContain("class DilatedFeatures(nn.Module):");
  });

  it("--model keeps one model; an unknown name is E0003 with a suggestion, exit 2, nothing written", async () => {
    const one = await cnnc("export", "--pytorch", "examples/norms-and-pools.cnn", "-o", dir, "--model", "DilatedFeatures");
    expect(one.code).toBe(0);
    expect(readFileSync(join(dir, "norms_and_pools.py"), "utf8")).not.toContain("class GroupNormNet");
    rmSync(join(dir, "norms_and_pools.py"));
    const bad = await cnnc("export", "--pytorch", "examples/norms-and-pools.cnn", "-o", dir, "--model", "DilatedFeature");
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain("error[E0003]: no model named `DilatedFeature`");
    expect(bad.stdout).toContain("did you mean `--model DilatedFeatures`?");
    expect(existsSync(join(dir, "norms_and_pools.py"))).toBe(false);
  });

  it("writes nothing and exits 1 when a model of the file does not check", async () => {
    const r = await cnnc("export", "--pytorch", join(dir, "broken.cnn"), "-o", dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("error[E03");
    expect(r.stdout).not.toMatch(STACK);
    expect(existsSync(join(dir, "broken.py"))).toBe(false);
  });

  it("exits 2 for an unreadable path and requires --pytorch", async () => {
    const missing = await cnnc("export", "--pytorch", join(dir, "nope.cnn"), "-o", dir);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain("E0001");
    const noTarget = await cnnc("export", "examples/lenet5.cnn", "-o", dir);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain("--pytorch");
  });
});

describe("cnnc draw", () => {
  it("writes the SVG of every model and exits 0", async () => {
    const out = join(dir, "lenet5.svg");
    const r = await cnnc("draw", "examples/lenet5.cnn", "-o", out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote ${out} (LeNet5)\n`);
    expect(readFileSync(out, "utf8")).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg /);
  });

  it("draws a failing model up to its failing layer in red, still writes the picture, and exits 1", async () => {
    const out = join(dir, "broken.svg");
    const r = await cnnc("draw", join(dir, "broken.cnn"), "-o", out);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("error[E03");
    expect(r.stdout).toContain(`wrote ${out} (Good, Bad)`);
    const svg = readFileSync(out, "utf8");
    expect(svg).toContain("model Bad — does not check");
    expect(svg).toMatch(/class="head bad">line 11: c3: conv\(16, kernel=50\)/);
    const good = await cnnc("draw", join(dir, "broken.cnn"), "--model", "Good", "-o", join(dir, "good.svg"));
    expect(readFileSync(join(dir, "good.svg"), "utf8")).not.toContain("does not check");
    expect(good.stdout).toContain("wrote");
  });

  it("writes nothing for a file that does not parse (exit 1) or cannot be read (exit 2)", async () => {
    const r = await cnnc("draw", join(dir, "syntax.cnn"), "-o", join(dir, "syntax.svg"));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("error[E01");
    expect(existsSync(join(dir, "syntax.svg"))).toBe(false);
    const missing = await cnnc("draw", join(dir, "nope.cnn"), "-o", join(dir, "nope.svg"));
    expect(missing.code).toBe(2);
    expect(existsSync(join(dir, "nope.svg"))).toBe(false);
  });

  it("requires -o and reports an unknown --model as E0003 (exit 2)", async () => {
    const noOut = await cnnc("draw", "examples/lenet5.cnn");
    expect(noOut.code).toBe(2);
    const bad = await cnnc("draw", "examples/lenet5.cnn", "--model", "lenet5", "-o", join(dir, "x.svg"));
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain("did you mean `--model LeNet5`?");
    expect(existsSync(join(dir, "x.svg"))).toBe(false);
  });
});
