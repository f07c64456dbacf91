// The editor features as pure functions of an analysis (what `cnnc lsp` and the
// playground both call), on cases the stdio session does not reach: a fix that
// adds an argument, a statement inside `repeat`, hover on an argument name, a
// block whose output is not its last layer, an imported block's offsets.
import { describe, expect, it } from "vitest";
import { fixEdits, type TextChange } from "../src/lsp/actions.ts";
import { analyze } from "../src/lsp/analysis.ts";
import { shapeHints } from "../src/lsp/hints.ts";
import { hover } from "../src/lsp/hover.ts";

function applyChanges(text: string, edits: readonly TextChange[]): string {
  let out = text;
  for (const e of [...edits].sort((x, y) => y.start - x.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

const TEXT = `model W {
  input [1, 8, 8]
  conv(4, kernel=3, stride=2)
  repeat 2 { c: conv(4, kernel=3, pad=1); maxpool(2) }
}
`;

describe("editor features", () => {
  const a = analyze(TEXT, "w.cnn");

  it("adds a missing argument before the ')' when a fix sets it", () => {
    // (8 - 3) / 2 + 1 = 3.5 → 3 windows reading rows 0..6; one more row of padding after gives (8 + 1 - 3) / 2 + 1 = 4 that read all 8
    const w = a.result.diagnostics.find((d) => d.code === "W0401" && d.span.line === 3)!;
    expect(w.fix).toEqual({ kind: "setArgs", title: "pad=(0, 1, 0, 1) (height 4 and width 4)", args: [{ name: "pad", value: "(0, 1, 0, 1)" }] });
    const fixed = applyChanges(TEXT, fixEdits(a, w.fix!, w.span)!);
    expect(fixed).toBe(TEXT.replace("stride=2)", "stride=2, pad=(0, 1, 0, 1))"));
    expect(analyze(fixed, "w.cnn").result.diagnostics.filter((d) => d.span.line === 3)).toEqual([]);
  });

  it("shows each copy of a repeated statement: the first and last shape when they differ", () => {
    // conv stride 2 → [4, 3, 3]; c_1 keeps 3 × 3, pool → 1 × 1; c_2 keeps 1 × 1; the second pool does not fit (E0302)
    expect(shapeHints(a).map((h) => [TEXT.slice(0, h.offset).split("\n").length, h.label])).toEqual([
      [1, "[1, 8, 8] → ✗"],
      [3, "→ [4, 3, 3]"],
      [4, "→ [4, 3, 3] … [4, 1, 1] (2 copies)"],
      [4, "→ [4, 1, 1]"],
    ]);
    const h = hover(a, TEXT.indexOf("c: conv") + 4)!;
    expect(h.markdown).toContain("2 copies (repeat): c_1 [4, 3, 3] → [4, 3, 3]; c_2 [4, 1, 1] → [4, 1, 1]");
    expect(h.markdown).toContain("input of c_1: conv1");
  });

  it("documents an argument under the cursor", () => {
    const h = hover(a, TEXT.indexOf("stride=2") + 2)!;
    expect(h.markdown).toBe("`conv` argument `stride`: step between windows, k or (h, w); default 1");
  });

  it("shows a block instance's output even when the block ends with a reference to an earlier value", () => {
    const text = `block Tap(c) {
  a: conv(c, kernel=1)
  maxpool(2)
  @a
}
model T {
  input [2, 8, 8]
  Tap(4)
  repeat 2 { Tap(3) }
  flatten
}
`;
    const b = analyze(text, "t.cnn");
    // Tap yields its conv's value (1 × 1 keeps 8 × 8), not the pool's [c, 4, 4]
    expect(shapeHints(b).map((h) => [text.slice(0, h.offset).split("\n").length, h.label])).toEqual([
      // conv 1 × 1: 2 → 4, 4 → 3, 3 → 3 channels: 12 + 15 + 12 params, 64·(4·2 + 3·4 + 3·3) MACs
      [6, "[2, 8, 8] → [192] · 39 params · 1,856 MACs"],
      [8, "→ [4, 8, 8]"],
      [9, "→ [3, 8, 8] ×2"],
      [10, "→ [192]"],
    ]);
    const h = hover(b, text.indexOf("Tap(3)") + 1)!;
    expect(h.markdown).toContain("2 copies:");
    // the second copy reads the first's 3 channels: (3 + 1)·3 params, 64·3·3 MACs; conv and pool
    expect(h.markdown).toContain("- copy 2: `[3, 8, 8] → [3, 8, 8]` · 2 layers · 12 params · 576 MACs");
  });

  it("keeps an imported block's layers off this file's statements at the same offsets", () => {
    const main = 'import "b.cnn"\nmodel M {\n  input [3, 8, 8]\n  B(4)\n  relu\n}\n';
    const at = main.indexOf("relu");
    // the block's conv starts at the same offset in its own file as `relu` in this one
    const block = `block B(c) {\n${" ".repeat(at - 13)}conv(c, kernel=3)\n}\n`;
    expect(block.indexOf("conv")).toBe(at);
    const m = analyze(main, "m.cnn", (path) => (path === "b.cnn" ? { bytes: block } : { error: "no such file" }));
    expect(m.result.diagnostics).toEqual([]);
    expect(shapeHints(m).map((h) => [main.slice(0, h.offset).split("\n").length, h.label])).toEqual([
      [2, "[3, 8, 8] → [4, 6, 6] · 112 params · 3,888 MACs"],
      [4, "→ [4, 6, 6]"],
      [5, "→ [4, 6, 6]"],
    ]);
    expect(hover(m, at + 1)!.markdown).toMatch(/^\*\*relu1\*\* in M/);
  });

  it("hover shows a real computed in arguments as the double it is (0.1 * 3 is 0.30000000000000004)", () => {
    const text = "block Drop(p) {\n  stochasticdepth(p)\n}\nmodel M {\n  input [4]\n  Drop(0.1 * 3)\n  stochasticdepth(2 * 0.5)\n}\n";
    const a = analyze(text, "t.cnn");
    expect(hover(a, text.indexOf("Drop(0") + 1)!.markdown).toContain("Drop(p=0.30000000000000004)");
    expect(hover(a, text.indexOf("stochasticdepth(2") + 1)!.markdown).toContain("stochasticdepth(p=1, mode=row)");
  });
});
