// The command line end to end: in-process through run(argv, io) for speed,
// plus a handful of real `bin/cnnc` processes. Expected numbers come from the
// docs and the issue (LeNet-5: 61,706 parameters and 416,520 MACs by hand;
// VGG-16: 138,357,544 parameters), never from the code under test.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { codes } from "../src/codes/index.ts";
import { cliCodes } from "../src/codes/cli.ts";
import { run, wantsColour } from "../src/cli/main.ts";
import { JsonDocumentSchema } from "../src/render/json.ts";
import { cnnc, spawnCnnc, STACK } from "./cli-helpers.ts";

const examples = readdirSync("examples")
  .filter((n) => n.endsWith(".cnn"))
  .sort()
  .map((n) => `examples/${n}`);
const invalid = readdirSync("examples/invalid")
  .filter((n) => n.endsWith(".cnn"))
  .sort()
  .map((n) => `examples/invalid/${n}`);

const tmp = mkdtempSync(join(tmpdir(), "cnnc-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
function tmpFile(name: string, content: string | Uint8Array): string {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
}

/** Model names declared in a file, read with a regex (independent of the parser). */
function declaredModels(path: string): string[] {
  return [...readFileSync(path, "utf8").matchAll(/^\s*model\s+([A-Za-z_][A-Za-z0-9_]*)/gm)].map((m) => m[1]);
}

describe("usage errors exit 2 with commander's message, never a stack", () => {
  const cases: [string[], RegExp][] = [
    [[], /Usage: cnnc/],
    [["chek", "examples/lenet5.cnn"], /unknown command 'chek'[\s\S]*Did you mean check\?/],
    [["check"], /missing required argument 'file'/],
    [["check", "--bogus", "examples/lenet5.cnn"], /unknown option '--bogus'/],
    [["check", "--max-params", "lots", "examples/lenet5.cnn"], /--max-params <N>.*'lots' is invalid\. expected a whole number/],
    [["check", "--max-macs", "-5", "examples/lenet5.cnn"], /--max-macs/],
    [["check", "--max-params", "99999999999999999999", "examples/lenet5.cnn"], /is invalid/],
    [["check", "--format", "xml", "examples/lenet5.cnn"], /Allowed choices are text, json, github/],
    [["summary"], /missing required argument 'file'/],
    [["summary", "a.cnn", "b.cnn"], /too many arguments/],
    [["explain"], /missing required argument 'code'/],
  ];
  it.each(cases)("cnnc %j", async (argv, message) => {
    const r = await cnnc(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK);
  });

  it("prints help and version with exit 0", async () => {
    const help = await cnnc("--help");
    expect(help.code).toBe(0);
    for (const command of ["check", "summary", "explain"]) expect(help.stdout).toContain(command);
    for (const argv of [["check", "--help"], ["help", "check"]]) {
      const checkHelp = await cnnc(...argv);
      expect(checkHelp.code).toBe(0);
      expect(checkHelp.stdout).toMatch(/--deny-warnings[\s\S]*--max-params <N>[\s\S]*--max-macs <N>/);
    }
    const version = await cnnc("--version");
    expect(version).toEqual({ code: 0, stdout: `${JSON.parse(readFileSync("package.json", "utf8")).version}\n`, stderr: "" });
  });
});

describe("colour", () => {
  it("is on only for a terminal without NO_COLOR", () => {
    expect(wantsColour(true, {})).toBe(true);
    expect(wantsColour(true, { NO_COLOR: "1" })).toBe(false);
    expect(wantsColour(true, { NO_COLOR: "" })).toBe(true);
    expect(wantsColour(false, {})).toBe(false);
  });
  it("paints diagnostics and ok lines when on, and changes nothing else", async () => {
    let coloured = "";
    await run(["check", "examples/lenet5.cnn", "examples/invalid/E0301-not-whole.cnn"], {
      stdout: (t) => void (coloured += t),
      stderr: () => {},
      colour: true,
      env: {},
    });
    expect(coloured).toContain("\x1b[1;32mok\x1b[0m");
    expect(coloured).toContain("\x1b[1;31merror[E0301]\x1b[0m");
    const plain = await cnnc("check", "examples/lenet5.cnn", "examples/invalid/E0301-not-whole.cnn");
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, "")).toBe(plain.stdout);
  });
});

describe("internal errors", () => {
  const throwing = (env: Record<string, string>) => {
    let stderr = "";
    const io = {
      stdout: () => {
        throw new Error("boom");
      },
      stderr: (t: string) => void (stderr += t),
      colour: false,
      env,
    };
    return { io, stderr: () => stderr };
  };
  it("are caught at the top: a bug report request and exit 3, the stack only with CNNC_DEBUG=1", async () => {
    const quiet = throwing({});
    expect(await run(["explain", "E0301"], quiet.io)).toBe(3);
    expect(quiet.stderr()).toMatch(/^internal error: boom — this is a bug in cnnc, please report it at the issue tracker with the input file\n/);
    expect(quiet.stderr()).not.toMatch(STACK);
    const debug = throwing({ CNNC_DEBUG: "1" });
    expect(await run(["explain", "E0301"], debug.io)).toBe(3);
    expect(debug.stderr()).toMatch(STACK);
  });
});

describe("explain", () => {
  it.each(Object.keys(codes))("%s prints its registry entry", async (code) => {
    const entry = codes[code as keyof typeof codes];
    const r = await cnnc("explain", code);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(`${code}: ${entry.title}\n`)).toBe(true);
    const words = (t: string) => t.split(/\s+/).join(" ");
    expect(words(r.stdout)).toContain(words(entry.explanation));
    expect(r.stdout).toContain(entry.example.split("\n")[0]);
    expect(r.stdout).toContain(entry.fix.split("\n")[0]);
  });
  it("accepts lower case and bare numbers", async () => {
    expect((await cnnc("explain", "e0301")).stdout).toMatch(/^E0301: /);
    expect((await cnnc("explain", "401")).stdout).toMatch(/^W0401: /);
  });
  it("refuses an unknown code with exit 2 and a suggestion", async () => {
    const r = await cnnc("explain", "E0399");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown diagnostic code `E0399`\nhelp: did you mean `E03\d\d`/);
    const far = await cnnc("explain", "banana");
    expect(far.code).toBe(2);
    expect(far.stderr).toContain("known codes: E0001");
  });
});

describe("check", () => {
  it("passes every example with one aligned line per model", async () => {
    const r = await cnnc("check", ...examples);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    const expected = examples.flatMap((f) => declaredModels(f).map((name) => ({ name, f })));
    expect(lines.length).toBe(expected.length);
    lines.forEach((line, i) => {
      // graphs end with their block instances and merges
      expect(line).toMatch(/^ok {2}\S+ +\[[\d,]+\] +→ \[[\d,]+\] +[\d,]+ params +[\d,]+ MACs {2}\([^)]+\)( {2}(\d+ block instances?(, \d+ merges?)?|\d+ merges?))?$/);
      expect(line.split(/\s+/)[1]).toBe(expected[i].name);
      expect(line).toContain(`MACs  (${expected[i].f})`);
    });
    // the columns line up: every line has its arrow at the same place
    expect(new Set(lines.map((l) => l.indexOf("→"))).size).toBe(1);
  });

  it("reports LeNet-5's hand-counted parameters and MACs", async () => {
    const r = await cnnc("check", "examples/lenet5.cnn");
    expect(r.stdout).toMatch(/^ok {2}LeNet5 {2}\[1,28,28\] → \[10\] {2}61,706 params {2}416,520 MACs {2}\(examples\/lenet5\.cnn\)\n$/);
  });

  it("fails every invalid example in one run and prints every marked code", async () => {
    const r = await cnnc("check", ...invalid);
    expect(r.code).toBe(1);
    for (const f of invalid) {
      const marked = [...readFileSync(f, "latin1").matchAll(/[#/]\s*~\s*([EW]\d{4})/g)].map((m) => m[1]);
      const fromName = /([EW]\d{4})[^/]*\.cnn$/.exec(f)?.[1];
      for (const code of marked.length > 0 ? marked : fromName ? [fromName] : []) {
        expect(r.stdout, `${code} of ${f}`).toMatch(new RegExp(`(error|warning)\\[${code}\\]`));
      }
    }
    expect(r.stdout).toMatch(/error: [\d,]+ errors?(, [\d,]+ warnings?)? in \d+ of \d+ files\n$/);
    expect(r.stdout).not.toMatch(STACK);
  });

  it("prints the JSON document of docs/cli.md (zod-validated), with LeNet-5's automatic layer names", async () => {
    const r = await cnnc("check", "--format", "json", ...examples, "examples/invalid/" + readdirSync("examples/invalid")[0]);
    expect(r.code).toBe(1);
    const doc = JsonDocumentSchema.strict().parse(JSON.parse(r.stdout));
    expect(doc.diagnostics.length).toBeGreaterThan(0);
    const lenet = doc.models.find((m) => m.name === "LeNet5")!;
    expect(lenet).toMatchObject({ file: "examples/lenet5.cnn", input: [1, 28, 28], output: [10], params: 61706, macs: 416520 });
    expect(lenet.layers.map((l) => l.label)).toEqual(["c1", "relu1", "maxpool1", "c3", "relu2", "maxpool2", "f5", "relu3", "f6", "relu4", "out"]);
    expect(lenet.layers[0]).toEqual({ label: "c1", op: "conv", line: expect.any(Number), output: [6, 28, 28], params: 156, macs: 117600 });
  });

  it("lists a failing model's layers up to the failing one in JSON", async () => {
    const f = tmpFile("partial.cnn", "model A {\n  input [1, 8, 8]\n  conv(4, kernel=3)\n  relu\n  conv(4, kernel=9)\n}\nmodel B {\n  input [4]\n  affine(2)\n}\n");
    const r = await cnnc("check", "--format", "json", f);
    expect(r.code).toBe(1);
    const doc = JsonDocumentSchema.parse(JSON.parse(r.stdout));
    expect(doc.models.map((m) => m.name)).toEqual(["A", "B"]);
    expect(doc.models[0].layers.map((l) => [l.label, l.output])).toEqual([
      ["conv1", [4, 6, 6]],
      ["relu1", [4, 6, 6]],
    ]);
    expect(doc.diagnostics.map((d) => [d.line, d.code.slice(0, 3)])).toEqual([[5, "E03"]]);
  });

  it("prints GitHub workflow commands", async () => {
    const r = await cnnc("check", "--format", "github", ...invalid);
    expect(r.code).toBe(1);
    const commands = r.stdout.split("\n").filter((l) => l.startsWith("::"));
    expect(commands.length).toBeGreaterThanOrEqual(invalid.length);
    for (const c of commands) {
      expect(c).toMatch(/^::(error|warning) file=[^,]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[EW]\d{4}::\S/);
    }
  });

  it("fails on warnings only with --deny-warnings", async () => {
    // a model whose only problem is W0401: maxpool(2) on 5 rows reads 4 of them
    const f = tmpFile("warn.cnn", "model W {\n  input [1, 5, 5]\n  maxpool(2)\n}\n");
    const plain = await cnnc("check", f);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^ok {2}W /);
    expect(plain.stdout).toContain("warning[W0401]");
    expect(plain.stdout).toMatch(/warning: 1 warning in .*warn\.cnn\n$/);
    const denied = await cnnc("check", "--deny-warnings", f);
    expect(denied.code).toBe(1);
    expect(denied.stdout).toMatch(/error: 1 warning in .*warn\.cnn \(warnings denied by --deny-warnings\)\n$/);
  });

  it("enforces --max-params and --max-macs", async () => {
    const over = await cnnc("check", "--max-params", "60k", "--max-macs", "416_519", "examples/lenet5.cnn");
    expect(over.code).toBe(1);
    expect(over.stdout).toContain("error[E0390]: model 'LeNet5' has 61,706 parameters, over the budget of 60,000");
    expect(over.stdout).toContain("error[E0391]: model 'LeNet5' has 416,520 MACs, over the budget of 416,519");
    expect(over.stdout).toContain("f5: 48,120 (78.0%)");
    expect(over.stdout).not.toMatch(/^ok/m);
    const under = await cnnc("check", "--max-params", "61706", "--max-macs", "416520", "examples/lenet5.cnn");
    expect(under.code).toBe(0);
  });
});

describe("summary", () => {
  it("tabulates VGG-16 with its 138,357,544 parameters", async () => {
    const r = await cnnc("summary", "examples/vgg16.cnn");
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^\S+ {2}\[3,224,224\] → \[1000\]/);
    expect(lines[1]).toMatch(/^layer +op +output +params +MACs +activation$/);
    expect(r.stdout).toContain("[512,7,7]");
    expect(lines.at(-2)).toMatch(/^total +138,357,544 +[\d,]+ +[\d.]+ MiB$/);
    expect(lines.at(-1)).toMatch(/^workspace {2}f32: [\d.]+ MiB at batch 1 \(/);
  });

  it("stops a failing model's table at the failing layer, then shows the diagnostic", async () => {
    const f = tmpFile("partial-summary.cnn", "model A {\n  input [1, 8, 8]\n  conv(4, kernel=3)\n  relu\n  conv(4, kernel=9)\n}\n");
    const r = await cnnc("summary", f);
    expect(r.code).toBe(1);
    const rows = r.stdout.split("\n");
    expect(rows[0]).toMatch(/^A {2}\[1,8,8\] → ✗/);
    expect(rows.slice(2, 5).map((l) => l.split(/\s+/)[0])).toEqual(["input", "conv1", "relu1"]);
    expect(r.stdout).toMatch(/stops before the layer that fails:\n\nerror\[E03\d\d\]/);
    expect(r.stdout).toContain(`${f}:5:3`);
  });

  it("check, summary and draw accept PyTorch's ceil pools whose window is larger than the padded input", async () => {
    // the shapes torch prints for nn.MaxPool2d(4, stride=2, ceil_mode=True)(torch.zeros(1, 1, 3, 3)) and the others
    const f = tmpFile(
      "ceil-windows.cnn",
      "model MaxK4 {\n  input [1, 3, 3]\n  maxpool(4, stride=2, rounding=ceil)\n}\n" +
        "model AvgK4 {\n  input [2, 3, 3]\n  avgpool(4, stride=2, rounding=ceil)\n}\n" +
        "model MaxK5 {\n  input [1, 3, 8]\n  maxpool(5, stride=3, rounding=ceil)\n}\n" +
        "model MaxK4Pad {\n  input [3, 1, 1]\n  maxpool(4, stride=3, pad=1, rounding=ceil)\n}\n",
    );
    const check = await cnnc("check", f);
    expect(check.code).toBe(0);
    expect(check.stdout.match(/→ \[[\d,]+\]/g)).toEqual(["→ [1,1,1]", "→ [2,1,1]", "→ [1,1,2]", "→ [3,1,1]"]);
    const summary = await cnnc("summary", f, "--model", "MaxK5");
    expect(summary.code).toBe(0);
    expect(summary.stdout).toMatch(/^maxpool1 +maxpool\(5, stride=3, rounding=ceil\) +\[1,1,2\]/m);
    const svg = join(tmp, "ceil-windows.svg");
    const draw = await cnnc("draw", f, "-o", svg);
    expect(draw.code).toBe(0);
    const picture = readFileSync(svg, "utf8");
    expect(picture).toContain("5×5, stride 3, ceil");
    expect(picture).toContain("→ [1, 1, 2]");
  });

  it("selects one model with --model, and exits 2 with a suggestion for a name the file lacks", async () => {
    const two = tmpFile("two.cnn", "model Alpha {\n  input [4]\n  affine(2)\n}\nmodel Beta {\n  input [4]\n  affine(3)\n}\n");
    const beta = await cnnc("summary", two, "--model", "Beta");
    expect(beta.code).toBe(0);
    expect(beta.stdout).toMatch(/^Beta {2}\[4\] → \[3\]/);
    expect(beta.stdout).not.toContain("Alpha");
    const typo = await cnnc("summary", two, "--model", "Betta");
    expect(typo.code).toBe(2);
    expect(typo.stdout).toContain("error[E0003]: no model named `Betta`");
    expect(typo.stdout).toContain("help: did you mean `--model Beta`?");
  });
});

describe("bad input: a diagnostic, exit 1 or 2, no stack trace, within a second", () => {
  const dir = join(tmp, "a-directory");
  mkdirSync(dir, { recursive: true });
  const nested = "model N {\n  input [1]\n" + "repeat 2 {\n".repeat(5000) + "relu\n" + "}\n".repeat(5000) + "}\n";
  const cases: [string, () => string, number, RegExp][] = [
    ["a missing path", () => join(tmp, "missing.cnn"), 2, /error\[E0001\]: cannot read .*: no such file or directory/],
    ["a directory", () => dir, 2, /error\[E0002\]: .* is a directory/],
    ["a binary file", () => tmpFile("bin.cnn", new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0xff, 0xfe, 0])), 1, /error\[E01\d\d\]/],
    ["an empty file", () => tmpFile("empty.cnn", ""), 1, /error\[E01\d\d\]/],
    ["a comments-only file", () => tmpFile("comments.cnn", "# nothing here\n// nor here\n"), 1, /error\[E01\d\d\]/],
    ["a number past the safe-integer range", () => tmpFile("big.cnn", "model B {\n  input [99999999999999999999, 1, 1]\n}\n"), 1, /error\[E0\d{3}\]/],
    ["dimensions whose product overflows", () => tmpFile("overflow.cnn", "model O {\n  input [65536, 65536, 65536]\n  relu\n}\n"), 1, /error\[E0\d{3}\]/],
    ["an affine whose weight overflows", () => tmpFile("wide.cnn", "model W {\n  input [2000000000]\n  affine(2000000000)\n}\n"), 1, /error\[E0\d{3}\]/],
    ["a repeat expanding to millions of layers", () => tmpFile("repeat.cnn", "model R {\n  input [1]\n  repeat 1000000 {\n    repeat 1000000 { relu }\n  }\n}\n"), 1, /error\[E0\d{3}\]/],
    ["repeats nested 5,000 deep", () => tmpFile("nested.cnn", nested), 1, /error\[E0\d{3}\]/],
    ["invalid UTF-8", () => tmpFile("latin1.cnn", Buffer.from("model M {\n  input [1] # caf\xe9\n}\n", "latin1")), 1, /error\[E01\d\d\]: .*[\s\S]*:2:/],
  ];
  it.each(cases)("%s", async (_, make, exitCode, message) => {
    const path = make();
    const started = performance.now();
    const r = await cnnc("check", path);
    const ms = performance.now() - started;
    expect(r.code).toBe(exitCode);
    expect(r.stdout).toMatch(message);
    expect(r.stdout + r.stderr).not.toMatch(STACK);
    expect(r.stdout + r.stderr).not.toContain("internal error");
    expect(ms).toBeLessThan(1000);
  });

  it("summary refuses a missing path and a directory with exit 2", async () => {
    expect((await cnnc("summary", join(tmp, "missing.cnn"))).stdout).toContain("error[E0001]");
    expect((await cnnc("summary", tmp)).code).toBe(2);
  });

  it("unreadable and broken files together: exit 2, every problem reported", async () => {
    const r = await cnnc("check", join(tmp, "missing.cnn"), "examples/lenet5.cnn", tmpFile("empty2.cnn", ""));
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^ok {2}LeNet5/);
    expect(r.stdout).toContain("error[E0001]");
    expect(r.stdout).toMatch(/error\[E01\d\d\]/);
  });
});

describe("every CLI code is triggered by a test", () => {
  const triggers: Record<keyof typeof cliCodes, () => string[]> = {
    E0001: () => ["check", join(tmp, "nope.cnn")],
    E0002: () => ["check", tmp],
    E0003: () => ["summary", "examples/lenet5.cnn", "--model", "Nope"],
    E0004: () => ["gradcheck", "examples/lenet5.cnn", "--batch", "1000000000"],
    E0390: () => ["check", "--max-params", "1", "examples/lenet5.cnn"],
    E0391: () => ["check", "--max-macs", "1", "examples/lenet5.cnn"],
  };
  it.each(Object.keys(cliCodes))("%s", async (code) => {
    const argv = triggers[code as keyof typeof cliCodes];
    expect(argv, `a trigger for ${code}`).toBeDefined();
    const r = await cnnc(...argv());
    expect(r.stdout).toContain(`error[${code}]`);
    expect(r.code).toBe(code.startsWith("E00") ? 2 : 1);
  });
});

describe("random argv never crashes the CLI", () => {
  it("exits 0, 1 or 2, never with an internal error", async () => {
    const token = fc.oneof(
      fc.constantFrom(
        "check", "summary", "explain", "--format", "json", "github", "text", "--deny-warnings", "--max-params",
        "--max-macs", "--model", "LeNet5", "10k", "-1", "E0301", "examples/lenet5.cnn", "examples/vgg16.cnn",
        "examples/invalid", "nope.cnn", "--", "-", "",
      ),
      // never another command by chance: build/fmt/draw/export write files, gradcheck spawns
      fc.string({ maxLength: 12 }).filter((t) => !["build", "fmt", "draw", "export", "gradcheck"].includes(t)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 6 }), async (argv) => {
        const r = await cnnc(...argv);
        expect([0, 1, 2]).toContain(r.code);
        expect(r.stderr).not.toContain("internal error");
        expect(r.stdout + r.stderr).not.toMatch(STACK);
      }),
      { numRuns: 150 },
    );
  });
});

describe("random byte mutations of every example", () => {
  it("give ok or diagnostics (exit 0 or 1), never an internal error or a stack", async () => {
    const sources = examples.map((f) => new Uint8Array(readFileSync(f)));
    const mutation = fc.record({
      file: fc.nat({ max: sources.length - 1 }),
      edits: fc.array(
        fc.record({ at: fc.nat(), kind: fc.constantFrom("set", "insert", "delete"), byte: fc.integer({ min: 0, max: 255 }) }),
        { minLength: 1, maxLength: 4 },
      ),
    });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(mutation, async ({ file, edits }) => {
        let bytes = [...sources[file]];
        for (const e of edits) {
          const at = e.at % (bytes.length + 1);
          if (e.kind === "set" && at < bytes.length) bytes[at] = e.byte;
          else if (e.kind === "insert") bytes.splice(at, 0, e.byte);
          else bytes.splice(at, 1);
        }
        const path = tmpFile(`mutant-${n++ % 8}.cnn`, new Uint8Array(bytes));
        const r = await cnnc("check", "--format", n % 2 === 0 ? "text" : "json", path);
        expect([0, 1]).toContain(r.code);
        expect(r.stderr).toBe("");
        expect(r.stdout).not.toMatch(STACK);
      }),
      { numRuns: 200 },
    );
  });
});

describe("bin/cnnc as a real process", () => {
  it("checks the examples (exit 0), without colour when not a TTY", () => {
    const r = spawnCnnc(["check", ...examples]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok {2}/);
    expect(r.stdout).not.toContain("\x1b[");
  });
  it("fails the invalid examples (exit 1) and a missing path (exit 2)", () => {
    expect(spawnCnnc(["check", ...invalid]).code).toBe(1);
    const missing = spawnCnnc(["check", "no/such/file.cnn"]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain("error[E0001]: cannot read `no/such/file.cnn`: no such file or directory");
  });
  it("reports a usage error with exit 2 and no stack", () => {
    const r = spawnCnnc(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    expect(r.stderr).not.toMatch(STACK);
  });
});
