// formatTsAll (the two-thread prettier used by `cnnc build`) must give exactly
// formatTs's bytes, in order, and fail like it on text prettier cannot parse.
import { describe, expect, it } from "vitest";
import { formatTs, formatTsAll } from "../src/emit/format.ts";

const texts = [
  "export function f(a:number,b:number){return a+b}",
  "const xs = [1,2,3].map(x=>x*2)\n\n\n\nexport {xs}",
  "export type T = {a:string,b:Float32Array}",
];

describe("formatTsAll", () => {
  it("returns formatTs's output for each text, in order, across both threads", async () => {
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
});
