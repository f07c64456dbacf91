// stripTypes (src/cli/strip-types.ts), which lets `cnnc gradcheck` run a
// generated harness with plain node: node itself must accept the result as
// JavaScript, the code that remains must be the original's bytes in the same
// places, and the stripped harness must print exactly what tsx's run of the
// TypeScript prints.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { stripTypes } from "../src/cli/strip-types.ts";
import { emitGradcheck } from "../src/emit/gradcheck.ts";
import { compile } from "../src/pipeline.ts";
import { ModuleFolder } from "./reference/generated.ts";

const folder = new ModuleFolder("cnnc-strip-");
afterAll(() => folder.remove());

const harnesses = readdirSync("examples")
  .filter((f) => f.endsWith(".cnn"))
  .sort()
  .flatMap((f) => compile(readFileSync(join("examples", f)), f).models)
  .map((m) => ({ name: m.name, text: emitGradcheck(m, { sourceName: `${m.name}.cnn` }) }));

describe("stripTypes", () => {
  it("turns every example's harness into JavaScript node accepts, erasing only types", async () => {
    expect(harnesses.length).toBeGreaterThanOrEqual(8);
    for (const { name, text } of harnesses) {
      const js = await stripTypes(text);
      expect(js.length).toBe(text.length);
      // every character kept is the original one at the same offset; the rest became spaces
      let moved = -1;
      for (let i = 0; i < js.length && moved < 0; i++) if (js[i] !== " " && js[i] !== text[i]) moved = i;
      expect(moved, name).toBe(-1);
      expect(js).not.toMatch(/: FloatArray|export type |: number\b/);
      const file = folder.write(`${name}.gradcheck.mjs`, js);
      const r = spawnSync(process.execPath, ["--check", file], { encoding: "utf8" });
      expect(r.status, `${name}: ${r.stderr}`).toBe(0);
    }
  }, 120_000);

  it("the stripped harness prints what tsx's run of the TypeScript prints", async () => {
    const { name, text } = harnesses.find((h) => h.name === "LeNet5")!;
    const args = ["--samples", "3", "--seed", "7"];
    const js = folder.write(`${name}.gradcheck.mjs`, await stripTypes(text));
    const ts = folder.write(`${name}.gradcheck.ts`, text);
    const plain = spawnSync(process.execPath, [js, ...args], { encoding: "utf8" });
    const tsx = spawnSync(process.execPath, ["--import", fileURLToPath(import.meta.resolve("tsx")), ts, ...args], { encoding: "utf8" });
    expect(tsx.status, tsx.stderr).toBe(0);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/^PASS: /m);
    expect(plain.stdout).toBe(tsx.stdout);
  }, 60_000);

  it("refuses TypeScript that has no JavaScript left once erased", async () => {
    await expect(stripTypes("enum Colour { Red }\nexport const c = Colour.Red;\n")).rejects.toThrow(/TSEnumDeclaration/);
  });
});
