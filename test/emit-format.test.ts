// formatTsAll (what `cnnc build` formats with) must give exactly prettier's
// bytes for each whole text, though it lays out each distinct top-level
// statement once (top-level.ts), writes the plain kernel functions itself
// (layout.ts) and shares an f32 statement with its f64 twin. Checked on every
// example and on random models, f32 and f64 modules and the harness, against
// prettier run on the whole text (formatTs).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatTs, formatTsAll } from "../src/emit/format.ts";
import { emitGradcheck } from "../src/emit/gradcheck.ts";
import { layoutFunction } from "../src/emit/layout.ts";
import { emitModule } from "../src/emit/module.ts";
import { splitTopLevel } from "../src/emit/top-level.ts";
import type { Model } from "../src/ir.ts";
import { compile } from "../src/pipeline.ts";
import { randomModelSpec, specToModel } from "./reference/models.ts";

const texts = [
  "export function f(a:number,b:number){return a+b}",
  "const xs = [1,2,3].map(x=>x*2)\n\n\n\nexport {xs}",
  "export type T = {a:string,b:Float32Array}",
];

/** What `cnnc build` formats for a model: the module in both dtypes and the f64 harness. */
function outputs(m: Model): string[] {
  const sourceName = `${m.name}.cnn`;
  return [emitModule(m, { dtype: "f32", sourceName }), emitModule(m, { dtype: "f64", sourceName }), emitGradcheck(m, { sourceName })];
}

const examples: Model[] = readdirSync("examples")
  .filter((f) => f.endsWith(".cnn"))
  .sort()
  .flatMap((f) => compile(readFileSync(join("examples", f)), f).models);

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

  it("rejects a text prettier cannot parse, whichever thread formats it", async () => {
    await expect(formatTsAll([texts[0]!, "const = ;"])).rejects.toThrow();
    await expect(formatTsAll(["const = ;", texts[1]!])).rejects.toThrow();
  });

  it("keeps prettier's blank lines and comments between statements, and statements that look alike", async () => {
    const text =
      "// head\n\n\nexport const a = 1;   // trailing\n\n\n// about b\n\n/** doc */\nexport function b() { return `}\nexport const c = 2;` }\n" +
      "const re = /}\\nexport/; const s = '}\\nexport';\n/* } */ export type T = Float64Array;\nexport type U = Float32Array;\n";
    expect(await formatTsAll([text, text.replace(/Float64/g, "Float16")])).toEqual([await formatTs(text), await formatTs(text.replace(/Float64/g, "Float16"))]);
  });

  it.each(examples.map((m) => [m.name, m] as const))("gives prettier's bytes for %s (module f32 and f64, harness)", async (_, m) => {
    const raw = outputs(m);
    expect(await formatTsAll(raw)).toEqual(await Promise.all(raw.map(formatTs)));
  });

  it("gives prettier's bytes for 12 random models (module f32 and f64, harness)", async () => {
    const raw = Array.from({ length: 12 }, (_, i) => outputs(specToModel(randomModelSpec(`Rand${i}`, 1000 + i * 7919)))).flat();
    expect(await formatTsAll(raw)).toEqual(await Promise.all(raw.map(formatTs)));
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

describe("layout.ts", () => {
  it("lays out like prettier the constructs it takes", async () => {
    const fn = `// k
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
}
`;
    expect(layoutFunction(fn)).toBe(await formatTs(fn));
  });

  it("leaves to prettier what it does not know (templates, objects, nested ternaries, long expressions, odd strings)", () => {
    for (const body of [
      "const s = `x${a}`;",
      "const o = { a: 1 };",
      "const t = a ? b : c ? d : e;",
      `const x = ${"a + ".repeat(40)}a;`,
      "const s = 'it\\'s';",
      "const f = (x: number) => x;",
      "x!.y = 1;",
    ]) {
      expect(layoutFunction(`function f(a: number): void {\n  ${body}\n}\n`), body).toBeUndefined();
    }
  });

  it("takes most of a large model's distinct statement bytes (the kernels), so prettier is off the hot path", () => {
    const vgg = examples.find((m) => m.name === "VGG16")!;
    const pieces = [...new Set(outputs(vgg).flatMap(splitTopLevel).map((p) => p.trim()))];
    const total = pieces.reduce((s, p) => s + p.length, 0);
    const laid = pieces.filter((p) => layoutFunction(p) !== undefined).reduce((s, p) => s + p.length, 0);
    expect(laid / total).toBeGreaterThan(0.5);
  });
});
