// Labels with '-' between their parts (docs/language.md#names), as torchvision's RegNet names its blocks
// `trunk_output.block1.block1-0`: the lexer keeps `c-1` a subtraction, the names reach the IR, `cnnc fmt`
// keeps them, bad ones get a help, and `export --pytorch` registers them so that real torch (and
// torchvision's own regnet_y_400mf weights) load them under exactly these keys.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { cnnLexer } from "../grammar/tokens.ts";
import { compileFile } from "../src/cli/sources.ts";
import { exportPytorch } from "../src/export/pytorch.ts";
import { formatSource } from "../src/format/format.ts";
import type { Model } from "../src/ir.ts";
import { compile } from "../src/pipeline.ts";
import { emitModule } from "../src/emit/module.ts";
import { emitWasmModule } from "../src/emit-wasm/module.ts";
import ts from "typescript";
import { torchMissing, torchPython } from "./torch-python.ts";

const tokens = (text: string) => cnnLexer.tokenize(text).tokens.map((t) => `${t.tokenType.name}:${t.image}`);

const staged = `block Unit(c, stride = 1) {
  f: seq { conv(c, kernel=3, stride=stride, pad=1, bias=false); batchnorm }
  relu
}
block Stage(s, c, depth) {
  block{s}-0: Unit(c, stride=2)
  if depth > 1 {
    repeat depth - 1 as i { block{s}-{i}: Unit(c) }
  }
}
model Staged {
  input [3, 8, 8]
  stem-1: conv(4, kernel=1)
  trunk: seq {
    block1: Stage(1, 4, 2)
    block2: Stage(2, 6 - 1, 1)
  }
  globalavgpool
  fc: affine(3)
}
`;

function ok(text: string): Model {
  const r = compile(text, "t.cnn");
  expect(r.diagnostics).toEqual([]);
  return r.models[0]!;
}

describe("labels with '-'", () => {
  it("lexes a label with '-' as one token only before ':', so '-' elsewhere still subtracts", () => {
    expect(tokens("block{s}-{i}: a-b : c-1")).toEqual(["LabelTemplate:block{s}-{i}", "Colon::", "LabelTemplate:a-b", "Colon::", "Ident:c", "Minus:-", "Number:1"]);
    expect(tokens("block1-0:")).toEqual(["LabelTemplate:block1-0", "Colon::"]);
    expect(tokens("conv(c-1, kernel=k-1)").filter((t) => t.startsWith("Minus"))).toHaveLength(2);
    // a '-' must be followed by a part: these are not labels
    expect(tokens("a-:")).toEqual(["Ident:a", "Minus:-", "Colon::"]);
    expect(tokens("a--b:")).toEqual(["Ident:a", "Minus:-", "Minus:-", "Ident:b", "Colon::"]);
  });

  it("names the layers with the '-' kept, placeholders filled, inside blocks and seqs", () => {
    const m = ok(staged);
    expect(m.layers.flatMap((l) => l.params.map((p) => p.name))).toEqual([
      "stem-1.weight",
      "stem-1.bias",
      "trunk.block1.block1-0.f.0.weight",
      "trunk.block1.block1-0.f.1.weight",
      "trunk.block1.block1-0.f.1.bias",
      "trunk.block1.block1-1.f.0.weight",
      "trunk.block1.block1-1.f.1.weight",
      "trunk.block1.block1-1.f.1.bias",
      "trunk.block2.block2-0.f.0.weight",
      "trunk.block2.block2-0.f.1.weight",
      "trunk.block2.block2-0.f.1.bias",
      "fc.weight",
      "fc.bias",
    ]);
    // `6 - 1` is still arithmetic
    expect(m.layers.find((l) => l.name === "trunk.block2.block2-0.f.0")!.output).toEqual([5, 2, 2]);
  });

  it("a reference @ may name such a label; after '@' no ':' is needed", () => {
    expect(tokens("@block1-0 @a")).toEqual(["At:@", "LabelTemplate:block1-0", "At:@", "Ident:a"]);
    const m = ok("model M { input [4]\n block1-0: affine(4)\n relu\n add { @block1-0; {} } }");
    expect(m.layers.map((l) => `${l.name}<${l.from.join(",")}`)).toEqual(["block1-0<-1", "relu1<0", "add1<0,1"]);
    const d = compile("model M { input [4]\n block1-0: affine(4)\n @block1-1 }", "t.cnn").diagnostics;
    expect(d.map((x) => [x.code, x.help])).toEqual([["E0218", "did you mean '@block1-0'?"]]);
  });

  it("appends _<copy> in an index-free repeat and reports duplicates (E0212)", () => {
    expect(ok("model M { input [4]\n repeat 2 { a-b: relu } }").layers.map((l) => l.name)).toEqual(["a-b_1", "a-b_2"]);
    expect(compile("model M { input [4]\n a-1: relu\n a-1: relu }", "t.cnn").diagnostics.map((d) => d.code)).toEqual(["E0212"]);
  });

  it("the generated modules (TypeScript and wasm targets) are valid TypeScript: a dash never reaches an identifier", () => {
    const model = compile(staged, "staged.cnn").models[0]!;
    const plain = emitModule(model, { dtype: "f32", sourceName: "staged.cnn" });
    expect(plain).toContain("function forward_trunk$block1$block1$$0$f$0("); // a dot is `$`, a dash `$$`
    for (const text of [plain, emitWasmModule(model, { sourceName: "staged.cnn" })]) {
      const out = ts.transpileModule(text, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
      expect((out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))).toEqual([]);
    }
  });

  it("cnnc fmt keeps the labels and is idempotent", () => {
    const ugly = "block S(s){block{s}-0:conv(4,kernel=1)\nrepeat 2 as i{block{s}-{i}  :  relu}}\nmodel M{input[3,4,4]\nstem-1:conv(4,kernel=1)\nS(1)}\n";
    const pretty = `block S(s) {
  block{s}-0: conv(4, kernel=1)
  repeat 2 as i { block{s}-{i}: relu }
}

model M {
  input [3, 4, 4]
  stem-1: conv(4, kernel=1)
  S(1)
}
`;
    expect(formatSource(ugly, "t.cnn").text).toBe(pretty);
    expect(formatSource(pretty, "t.cnn").text).toBe(pretty);
  });

  it("gives a help where a '-' cannot be part of a label", () => {
    for (const bad of ["block1-: relu", "a - b: relu", "a--b: relu", "@a-"]) {
      const d = compile(`model M {\n  input [4]\n  ${bad}\n}\n`, "t.cnn").diagnostics;
      expect(d.map((x) => x.code), bad).toEqual(["E0105"]);
      expect(d[0]!.help, bad).toContain("a label may hold '-' between its parts");
      expect(d[0]!.span.line, bad).toBe(3);
    }
  });

  it("export --pytorch registers the names for real torch; torchvision's regnet_y_400mf weights load and agree", () => {
    if (torchPython === undefined) return void torchMissing("export of labels with '-'");
    const dir = resolve(".tmp/label-dash");
    mkdirSync(dir, { recursive: true });
    const staged_ = ok(staged);
    const zoo = compileFile("examples/zoo/regnet_y_400mf.cnn").models[0]!;
    writeFileSync(join(dir, "staged.py"), exportPytorch([staged_], { sourceName: "t.cnn" }));
    writeFileSync(join(dir, "regnet.py"), exportPytorch([zoo], { sourceName: "regnet_y_400mf.cnn" }));
    const script = `import json, sys, torch
sys.path.insert(0, sys.argv[1])
import staged, regnet
out = {}
m = staged.MODELS["Staged"]().eval()
out["staged"] = [k for k in m.state_dict() if not k.endswith("num_batches_tracked")]
out["staged_out"] = list(m(torch.randn(2, 3, 8, 8)).shape)
try:
    import torchvision
except ImportError:
    print(json.dumps(out)); sys.exit(0)
torch.manual_seed(0)
tv = torchvision.models.regnet_y_400mf().eval()
with torch.no_grad():
    for p in tv.parameters(): p.normal_(0, 0.1)
    for b in tv.modules():
        if isinstance(b, torch.nn.BatchNorm2d):
            b.running_mean.normal_(0, 0.1); b.running_var.uniform_(0.5, 1.5)
ours = regnet.MODELS["regnet_y_400mf"]().eval()
ours.load_state_dict(tv.state_dict(), strict=True)
x = torch.randn(1, 3, 224, 224)
with torch.no_grad():
    a, b = tv(x), ours(x)
out["regnet_keys"] = list(ours.state_dict()) == list(tv.state_dict())
out["regnet_diff"] = (a - b).abs().max().item() / a.abs().max().item()
print(json.dumps(out))
`;
    const out = JSON.parse(execFileSync(torchPython, ["-c", script, dir], { encoding: "utf8" })) as Record<string, unknown>;
    expect(out.staged).toEqual(staged_.layers.flatMap((l) => [...l.params, ...l.state].map((t) => t.name)));
    expect(out.staged_out).toEqual([2, 3]);
    if (!("regnet_keys" in out)) return void torchMissing("regnet_y_400mf against torchvision (torchvision is not installed)");
    expect(out.regnet_keys).toBe(true);
    expect(out.regnet_diff).toBeLessThan(1e-4);
  });
});
