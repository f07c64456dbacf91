// Every model of examples/zoo against real torchvision, found at test time (a
// file added to the zoo is covered without touching this test): the file
// `examples/zoo/NAME.cnn` holds one model NAME, built by torchvision as
// `torchvision.models.NAME()` (googlenet and inception_v3 without their
// auxiliary classifiers, see test/torchvision/facts.py). Compared: the input
// (torchvision's size), the parameter count, the output shape, the
// state_dict() names with their shapes (num_batches_tracked aside) against the
// checked IR's parameters and running statistics, the output shape of
// every layer that owns a module's weight against that module's output in
// torchvision, and the drop probability of every stochasticdepth layer against
// the p of the StochasticDepth module of that name, bit for bit (also in the
// `cnnc export --pytorch` text of three of them). One Python process builds every model with a no-op nn.init and
// infers the shapes with a forward on meta tensors, so nothing is computed; it
// runs while the zoo compiles.
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { compileFile } from "../src/cli/sources.ts";
import { exportPytorch } from "../src/export/pytorch.ts";
import { ModelSchema, type Model } from "../src/ir.ts";
import { torchMissing, torchPython } from "./torch-python.ts";

const ZOO = "examples/zoo";
// torchvision's SqueezeNet stems really skip the last row and column of a 224x224 input (stride 2, no padding)
const WARNINGS: Record<string, string[]> = { squeezenet1_0: ["W0401"], squeezenet1_1: ["W0401"] };

interface Facts {
  error?: string;
  params: number;
  keys: [string, number[]][];
  input: number[];
  output: number[];
  /** module path → the output shape (batch left out) of each call */
  layers: Record<string, number[][]>;
  /** module path → p of each StochasticDepth the model applies */
  depth: Record<string, number>;
}

const names = readdirSync(ZOO)
  .filter((f) => f.endsWith(".cnn"))
  .map((f) => basename(f, ".cnn"))
  .sort();

// started before the zoo compiles, awaited by the tests
const facts: Promise<Record<string, Facts> | { missing: string }> | undefined = torchPython
  ? promisify(execFile)(torchPython, ["test/torchvision/facts.py", ...names], { encoding: "utf8", maxBuffer: 1 << 28 }).then(
      ({ stdout }) => JSON.parse(stdout) as Record<string, Facts> | { missing: string },
    )
  : undefined;
// a failure is reported by the tests that await it, not as an unhandled rejection
facts?.catch(() => {});

const zoo = names.map((name) => {
  const file = join(ZOO, `${name}.cnn`);
  const f = compileFile(file);
  return { name, file, f, model: f.models[0] as Model | undefined };
});

const byName = <T extends [string, ...unknown[]]>(a: T, b: T) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
const depths = (m: Model) => Object.fromEntries(m.layers.flatMap((l) => (l.args.op === "stochasticdepth" ? [[l.name, l.args.p]] : [])));
const tensors = (m: Model) => m.layers.flatMap((l) => [...l.params, ...l.state]).map((t): [string, number[]] => [t.name, t.shape]);

describe("examples/zoo against torchvision: input, parameters, output, state_dict names and shapes, layer shapes", () => {
  it("finds the zoo, every file checks (warnings only where expected), and each holds one model named after its file", () => {
    expect(zoo.length).toBeGreaterThanOrEqual(26);
    for (const z of zoo) {
      expect(z.f.diagnostics.map((d) => d.code), z.file).toEqual(WARNINGS[z.name] ?? []);
      expect(z.f.models.map((m) => m.name), z.file).toEqual([z.name]);
      expect(() => ModelSchema.parse(z.model), z.file).not.toThrow();
    }
  });

  if (facts === undefined) {
    it("DID NOT RUN: no python3 with torch and torchvision here", () => void torchMissing("the zoo against torchvision"));
    return;
  }

  it.each(names)("%s equals torchvision's model", async (name) => {
    const m = zoo.find((z) => z.name === name)!.model!;
    const all = await facts;
    if ("missing" in all) return void torchMissing("the zoo against torchvision (torch is there, torchvision is not)");
    const tv = all[name]!;
    expect(tv.error).toBeUndefined();
    expect(m.input, "input shape").toEqual(tv.input);
    expect(m.params, "parameter count").toBe(tv.params);
    expect(m.output, "output shape").toEqual(tv.output);
    expect(tensors(m).sort(byName), "state_dict names and shapes").toEqual([...tv.keys].sort(byName));
    // every layer named like a torchvision module (it owns `<name>.weight`) has that module's output shape
    const modules = m.layers.filter((l) => l.params.some((t) => t.name === `${l.name}.weight`));
    expect(modules.length).toBeGreaterThan(0);
    for (const l of modules) expect(tv.layers[l.name], `output of ${l.name}`).toEqual([l.output]);
    // the same doubles: toEqual tells 0.017647058823529415 from 0.01764705882352941
    expect(depths(m), "stochastic depth p by module").toEqual(tv.depth);
  });

  // the exported module writes each p as a literal that Python reads back; JavaScript's Number() reads a
  // decimal literal to the same nearest double, so reading it here checks what Python gets
  it.each(["convnext_tiny", "efficientnet_b0", "efficientnet_v2_s"])("%s exported with --pytorch applies torchvision's stochastic depth p's", async (name) => {
    const m = zoo.find((z) => z.name === name)!.model!;
    const all = await facts;
    if ("missing" in all) return void torchMissing("the zoo against torchvision (torch is there, torchvision is not)");
    const text = exportPytorch([m], { sourceName: `${name}.cnn` });
    const written = [...text.matchAll(/# (\S+): stochasticdepth → .*\n\s*if self\.training and (\S+) > 0:/g)].map(([, layer, p]) => [layer, Number(p)]);
    expect(written.length).toBeGreaterThanOrEqual(9);
    expect(Object.fromEntries(written), "p in the exported forward").toEqual(all[name]!.depth);
  });
});
