// formatTsAll (what `cnnc build` formats with) must give exactly prettier's
// bytes for each whole text, though it lays out each distinct top-level
// statement once (top-level.ts), writes almost all of them itself (layout.ts)
// and shares an f32 statement with its f64 twin. Prettier stays the authority:
// every statement layout.ts answers for is compared with prettier's output of
// it, over every example, every zoo model, random models, both dtypes, both
// targets and both harnesses; whole texts are compared on a few of them.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileFile } from "../src/cli/sources.ts";
import { formatTs, formatTsAll } from "../src/emit/format.ts";
import { emitGradcheck } from "../src/emit/gradcheck.ts";
import { layoutPiece } from "../src/emit/layout.ts";
import { emitModule } from "../src/emit/module.ts";
import { splitTopLevel } from "../src/emit/top-level.ts";
import { emitWasmModule } from "../src/emit-wasm/module.ts";
import type { Model } from "../src/ir.ts";
import { randomModelSpec, specToModel } from "./reference/models.ts";

const texts = [
  "export function f(a:number,b:number){return a+b}",
  "const xs = [1,2,3].map(x=>x*2)\n\n\n\nexport {xs}",
  "export type T = {a:string,b:Float32Array}",
];

/** What `cnnc build` formats for a model: the module in both dtypes and the f64 harness; with `wasm`, the wasm module and its harness too. */
function outputs(m: Model, wasm = false): string[] {
  const sourceName = `${m.name}.cnn`;
  const ts = [emitModule(m, { dtype: "f32", sourceName }), emitModule(m, { dtype: "f64", sourceName }), emitGradcheck(m, { sourceName })];
  if (!wasm) return ts;
  return [...ts, emitWasmModule(m, { sourceName }), emitGradcheck(m, { sourceName, target: "wasm" })];
}

const examples: Model[] = readdirSync("examples")
  .filter((f) => f.endsWith(".cnn"))
  .sort()
  .flatMap((f) => compileFile(join("examples", f)).models);
/** the zoo's kinds of network (all of it would take minutes): residual, fire-module concat, inception, dense concat, batch norm */
const zoo = ["resnet18", "squeezenet1_1", "googlenet", "densenet121", "vgg11_bn"].flatMap((name) => compileFile(`examples/zoo/${name}.cnn`).models);
const randomModels = (count: number, seed: number): Model[] =>
  fc.sample(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { numRuns: count, seed }).map((s, i) => specToModel(randomModelSpec(`Rand${i}`, s)));

/** The distinct top-level statements of some texts, each the way formatTsAll keys it (trimmed, the float type a placeholder). */
function distinctPieces(all: readonly string[]): string[] {
  const key = (p: string) => p.trim().replace(/\bFloat(?:32|64)Array\b/g, "Float__Array").replace(/\bf(?:32|64)\b/g, "f__");
  return [...new Set(all.flatMap(splitTopLevel).map(key))];
}

/** A fixed sample of `count` of them (prettier on every statement of the zoo would take minutes). */
function sample<T>(items: readonly T[], count: number, seed: number): T[] {
  return fc.sample(fc.shuffledSubarray([...items], { minLength: Math.min(count, items.length), maxLength: Math.min(count, items.length) }), { numRuns: 1, seed })[0]!;
}

/** Every statement layout.ts lays out, checked against prettier; returns the bytes of those it left to prettier. */
async function checkPieces(pieces: readonly string[]): Promise<{ refused: string[] }> {
  const refused: string[] = [];
  for (const piece of pieces) {
    const laid = layoutPiece(piece);
    if (laid === undefined) refused.push(piece);
    else expect(laid, piece.slice(0, 200)).toBe(await formatTs(piece));
  }
  return { refused };
}

describe("formatTsAll", () => {
  it("returns formatTs's output for each text, in order", async () => {
    const expected = [
      "export function f(a: number, b: number) {\n  return a + b;\n}\n",
      "const xs = [1, 2, 3].map((x) => x * 2);\n\nexport { xs };\n",
      "export type T = { a: string; b: Float32Array };\n",
    ];
    expect(await formatTsAll(texts)).toEqual(expected);
    expect(await Promise.all(texts.map(formatTs))).toEqual(expected);
  });

  it("rejects a text prettier cannot parse", async () => {
    await expect(formatTsAll([texts[0]!, "const = ;"])).rejects.toThrow();
    await expect(formatTsAll(["const = ;", texts[1]!])).rejects.toThrow();
  });

  it("keeps prettier's blank lines and comments between statements, and statements that look alike", async () => {
    const text =
      "// head\n\n\nexport const a = 1;   // trailing\n\n\n// about b\n\n/** doc */\nexport function b() { return `}\nexport const c = 2;` }\n" +
      "const re = /}\\nexport/; const s = '}\\nexport';\n/* } */ export type T = Float64Array;\nexport type U = Float32Array;\n";
    expect(await formatTsAll([text, text.replace(/Float64/g, "Float16")])).toEqual([await formatTs(text), await formatTs(text.replace(/Float64/g, "Float16"))]);
  });

  it("gives prettier's bytes for whole texts: a small example and 2 random models, both dtypes, both targets, the harnesses", async () => {
    const small = examples.filter((m) => m.name === "MnistMlp");
    const raw = [...small, ...randomModels(2, 7)].flatMap((m) => outputs(m, true));
    expect(await formatTsAll(raw)).toEqual(await Promise.all(raw.map(formatTs)));
  }, 240_000);
});

describe("layout.ts", () => {
  it("needs prettier for no statement of any example or of five zoo models (both dtypes, both targets, the harnesses)", () => {
    // anything refused costs prettier's cold start (a quarter of a second and more) on every build of it
    const refused = distinctPieces([...examples, ...zoo].flatMap((m) => outputs(m, true))).filter((p) => layoutPiece(p) === undefined);
    expect(refused.map((p) => p.slice(0, 80))).toEqual([]);
  }, 240_000);

  it("lays out the examples' statements exactly as prettier does (all of three, a fixed sample of the rest and of five zoo models)", async () => {
    const all = (ms: Model[]) => distinctPieces(ms.flatMap((m) => outputs(m, true)));
    const full = all(examples.filter((m) => ["LeNet5", "GroupNormNet", "DilatedFeatures"].includes(m.name)));
    const done = new Set(full);
    const rest = all(examples).filter((p) => !done.has(p));
    await checkPieces([...full, ...sample(rest, 40, 3), ...sample(all(zoo), 40, 5)]);
  }, 240_000);

  it("lays out random models' statements exactly as prettier does", async () => {
    await checkPieces(distinctPieces(randomModels(8, 11).flatMap((m) => outputs(m, true))));
  }, 240_000);

  it("lays out like prettier the constructs it takes, breaking lines where prettier does", async () => {
    const pieces = [
      `// k
/** doc
   * lines */
export function k(a: number, b: number, c: Float32Array, out: Float32Array, i: number, n: number): void {
  const x = (a * b) / c[i], y = a + (b % n), z = a - (b - n), w = (a + b) * n, v = -(a + b);
  let m: number = a < b ? a : b, q = (a ? b : n) + 1;   // trailing
  for (let j = 0; j < n; j++) out[j] = a * b * c[j] + (a << (b >> 1));


  // own line
  if (a >= 0 && a < n && b !== 0) { out[i] += x; } else if (b > 0) { out[i] = y; } else { out[i] = z; }
  for (let j = 0, t = 0; j < n; j++, t += 2) { if (j > t) continue; out[t] = Math.max(out[t], w * v); }
  someLongFunctionName(out, c, a + b + n + m + q + i + x + y + z + w + v + a + b + n + m + q + i, a * b - i);
}`,
      `export const info: { name: string; shape: number[]; kind: "a" | "b" } = { name: 'it"s', shape: [1, 2, 3], kind: "a" };`,
      `const o = {\n  a: 1, b: [{ x: 1, y: 2 }, { x: 3, y: 4 }], ...rest };`,
      `function g(rows: Row[]): string {\n  const widths = rows.map((r) => r.cells.filter((c) => c.length > 0).map((c) => c.trim().length).reduce((a, b) => a + b, 0));\n  return rows.map((r) => r.name).join(", ") + " and " + widths.join(", ") + " and some more text to go past the line";\n}`,
      `if (x !== undefined && someFunction(x.value, x.other, "a string that is long enough") && y > 1000000) throw new RangeError(\`bad \${x.value}\`);`,
      `export type Options = {\n  /** the batch */\n  batch?: number;\n\n  onRow?: (row: Row) => void;\n  [name: string]: unknown;\n};`,
      `const tensors: { name: string; values: Float64Array }[] = info.params.map((t) => ({\n  name: t.name,\n  values: p[t.name as keyof Params],\n}));`,
      `const f = (cells: string[]): string => cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();`,
    ];
    for (const piece of pieces) expect(layoutPiece(piece), piece.slice(0, 60)).toBe(await formatTs(piece));
  });

  it("leaves to prettier what it does not know", () => {
    for (const piece of [
      "class A {}",
      "const t = a ? (b ? c : d) : e;",
      "const s = `multi\nline`;",
      "const f = (x: number) => (y: number) => x + y;",
      "label: for (;;) break label;",
      "const x = { get a() { return 1; } };",
      "const y = a /* inner */ + b;",
      "const z = a?.b ?? c || d;",
      `const w = "${"wide 漢字 ".repeat(3)}";`,
    ]) {
      expect(layoutPiece(piece), piece).toBeUndefined();
    }
  });
});

describe("splitTopLevel", () => {
  it("cuts before each top-level declaration and nowhere inside strings, templates, comments or regular expressions", () => {
    const text = "const a = '}\\nexport';\nconst b = `${'}'}\nexport ${1}`;\n/* }\nexport */ const c = /}\\nexport/;\n\n// c\nexport function d() {\n  return 1;\n}\nexport const e = 2;\n";
    const pieces = splitTopLevel(text);
    expect(pieces.join("")).toBe(text);
    expect(pieces.map((p) => p.trim().split("\n")[0])).toEqual(["const a = '}\\nexport';", "const b = `${'}'}", "/* }", "// c", "export const e = 2;"]);
  });
});
