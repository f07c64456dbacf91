// drawSvg: well-formed XML (a tiny checker written here), one card per layer with
// its label, op, arguments, shape and parameters, volumes that shrink spatially
// and deepen in channels, the failing layer in red with its diagnostic, escaping,
// and a golden (read it by eye; render it with `rsvg-convert` to look at it).
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile } from "../src/pipeline.ts";
import { drawSvg, type DrawFailure } from "../src/draw/svg.ts";
import { xmlText } from "../src/escape/xml.ts";
import type { PartialModel } from "../src/ir.ts";
import { conv, handModel, lenetWithBatchnorm, maxpool } from "./interop-ir.ts";
import { GraphBuilder } from "./reference/graphs.ts";

/** Checks XML well-formedness: one root, properly nested tags, quoted attributes, known entities. Returns the element names. */
export function checkXml(text: string): string[] {
  let rest = text.replace(/^<\?xml[^?]*\?>\s*/, "");
  const stack: string[] = [];
  const elements: string[] = [];
  let roots = 0;
  const checkText = (t: string) => {
    const bad = t.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, "");
    if (/[<&]/.test(bad)) throw new Error(`unescaped markup in text: ${JSON.stringify(t.slice(0, 60))}`);
  };
  while (rest.length > 0) {
    const lt = rest.indexOf("<");
    if (lt < 0) {
      checkText(rest);
      if (rest.trim() !== "") throw new Error("text after the root element");
      break;
    }
    checkText(rest.slice(0, lt));
    if (stack.length === 0 && rest.slice(0, lt).trim() !== "") throw new Error("text outside the root element");
    const gt = rest.indexOf(">", lt);
    if (gt < 0) throw new Error("unterminated tag");
    const tag = rest.slice(lt + 1, gt);
    rest = rest.slice(gt + 1);
    if (tag.startsWith("/")) {
      const name = tag.slice(1).trim();
      if (stack.pop() !== name) throw new Error(`mismatched </${name}>`);
      continue;
    }
    const m = /^([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_:][\w.:-]*="[^"<]*")*)\s*(\/?)$/.exec(tag);
    if (!m) throw new Error(`malformed tag <${tag.slice(0, 80)}>`);
    const attrs = [...m[2]!.matchAll(/([\w.:-]+)="([^"]*)"/g)];
    const names = attrs.map((a) => a[1]);
    if (new Set(names).size !== names.length) throw new Error(`duplicate attribute in <${m[1]}>`);
    for (const a of attrs) checkText(a[2]!);
    if (stack.length === 0) roots++;
    elements.push(m[1]!);
    if (m[3] !== "/") stack.push(m[1]!);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.at(-1)}>`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
  return elements;
}

/** The text content of every <text> element, unescaped. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]!.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&"),
  );
}

/** Front-face rects of the volumes, in row order (cards have rx, volumes do not). */
function volumes(svg: string): { w: number; h: number }[] {
  return [...svg.matchAll(/<rect x="[\d.-]+" y="[\d.-]+" width="([\d.]+)" height="([\d.]+)" fill="(?!none)[^"]*" stroke="[^"]*"\/>/g)].map((m) => ({
    w: Number(m[1]),
    h: Number(m[2]),
  }));
}

describe("checkXml (the test's own checker)", () => {
  it("rejects what is not well-formed", () => {
    expect(() => checkXml("<svg><g></svg>")).toThrow(/mismatched/);
    expect(() => checkXml("<svg><text>a < b</text></svg>")).toThrow();
    expect(() => checkXml('<svg a="1" a="2"/>')).toThrow(/duplicate/);
    expect(() => checkXml("<svg>R&D</svg>")).toThrow(/unescaped/);
    expect(() => checkXml("<a/><b/>")).toThrow(/root/);
    expect(checkXml('<svg x="1"><g/><text>a &amp; b</text></svg>')).toEqual(["svg", "g", "text"]);
  });
});

describe("drawSvg", () => {
  const lenet = lenetWithBatchnorm();

  it("is well-formed SVG with one card per layer, plus input and loss", () => {
    const svg = drawSvg([{ model: lenet }]);
    const elements = checkXml(svg);
    expect(elements[0]).toBe("svg");
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    const all = texts(svg);
    expect(all[0]).toBe("model LeNetBN — 51,914 params");
    expect(all).toContain("c1 · conv");
    expect(all).toContain("6 filters 5×5, pad 2");
    expect(all).toContain("→ [6, 28, 28] · 156 params");
    expect(all).toContain("f5 · affine");
    expect(all).toContain("→ [120] · 48,120 params");
    expect(all).toContain("maxpool2 · maxpool");
    expect(all).toContain("loss softmax");
    const heads = all.filter((t) => t.includes(" · ") && !t.startsWith("→"));
    expect(heads).toEqual(lenet.layers.map((l) => `${l.name} · ${l.args.op}`));
  });

  it("draws volumes that shrink spatially and deepen in channels", () => {
    const svg = drawSvg([{ model: lenet }]);
    const v = volumes(svg);
    // rows: input, c1, bn1, relu1, maxpool1, c3, relu2, maxpool2, f5, relu3, out
    expect(v).toHaveLength(11);
    expect(v[1]!.w).toBe(v[0]!.w); // 28 → 28
    expect(v[4]!.w).toBeLessThan(v[3]!.w); // 28 → 14
    expect(v[5]!.w).toBeLessThan(v[4]!.w); // 14 → 10
    expect(v[7]!.h).toBeLessThan(v[6]!.h); // 10 → 5
    expect(v[10]!.h).toBeLessThan(v[8]!.h); // [10] bar shorter than [120]
    const depth = (shapeRow: number) => {
      const polys = [...svg.matchAll(/<polygon points="([^"]+)"/g)].map((m) => m[1]!.split(" ").map((p) => p.split(",").map(Number)));
      const top = polys.filter((_, i) => i % 2 === 0)[shapeRow]!;
      return top[1]![0]! - top[0]![0]!;
    };
    expect(depth(5)).toBeGreaterThan(depth(1)); // 16 channels deeper than 6
    expect(depth(1)).toBeGreaterThan(depth(0)); // 6 channels deeper than 1
  });

  it("draws the failing layer in red with its diagnostic after the layers that checked", () => {
    const full = handModel("Broken", [1, 28, 28], [["c1", conv(6, 5)], ["p", maxpool(2)]]);
    const partial: PartialModel = { name: "Broken", file: full.file, span: full.span, input: full.input, layers: full.layers };
    const failure: DrawFailure = {
      code: "E0301",
      message: "conv 'c3' output height is 0, it must be at least 1",
      notes: ["height: (12 - 50) / 1 + 1 = -37"],
      source: "c3: conv(16, kernel=50)",
      line: 5,
    };
    const svg = drawSvg([{ model: lenet }, { model: partial, failure }]);
    checkXml(svg);
    const all = texts(svg);
    expect(all).toContain("model Broken — does not check");
    expect(all).toContain("line 5: c3: conv(16, kernel=50)");
    expect(all.join(" ")).toContain("error[E0301]: conv 'c3' output height is 0, it must be at least 1");
    expect(all).toContain("= height: (12 - 50) / 1 + 1 = -37");
    expect(svg).toMatch(/<text[^>]*class="head bad"[^>]*>line 5: c3/);
    expect(svg).toMatch(/fill="#fde9e1" stroke="#c00000" stroke-width="2"/);
    // the checked layers of the failing model are still drawn, and nothing after the failure
    expect(all.filter((t) => t === "p · maxpool")).toHaveLength(1);
    expect(all.indexOf("p · maxpool")).toBeLessThan(all.indexOf("line 5: c3: conv(16, kernel=50)"));
  });

  it("draws the upsampling layers with their key arguments", () => {
    const text = `model Up {
  input [4, 5, 5]
  up: convtranspose(6, kernel=3, stride=2, pad=1, output_pad=1, groups=2)
  b: upsample(2, mode=bilinear)
  a: adaptiveavgpool((3, 4))
  s: softmax
  g: globalmaxpool
}
`;
    const svg = drawSvg([{ model: compile(text, "up.cnn").models[0] }]);
    checkXml(svg);
    const all = texts(svg);
    expect(all).toContain("6 filters 3×3, stride 2, pad 1, output_pad 1, groups 2");
    expect(all).toContain("→ [6, 10, 10] · 114 params");
    expect(all).toContain("×2, bilinear");
    expect(all).toContain("to 3×4");
    expect(all).toContain("s · softmax");
    expect(all).toContain("g · globalmaxpool");
  });

  it("escapes every string it writes", () => {
    expect(xmlText(`a<b>&"c'`)).toBe("a&lt;b&gt;&amp;&quot;c&apos;");
    const m = handModel("M", [4], [["fc", { op: "affine", features: 2, bias: true }]]);
    const svg = drawSvg([{ model: m, failure: { code: "E0201", message: "unknown op `<&>`", notes: ['"quoted" & \'single\''], source: "x: f<o>o(a=\"1\")", line: 2 } }]);
    checkXml(svg);
    expect(texts(svg).join("\n")).toContain("line 2: x: f<o>o(a=\"1\")");
  });

  it("matches the golden for LeNet with batchnorm (read it by eye)", async () => {
    await expect(drawSvg([{ model: lenet }])).toMatchFileSnapshot("fixtures/draw/lenet-bn.svg");
  });
});

describe("drawSvg on the examples, through the real front end", () => {
  const drawExample = (file: string) => {
    const result = compile(readFileSync(`examples/${file}`), `examples/${file}`);
    expect(result.models.length).toBeGreaterThan(0);
    return drawSvg(result.models.map((model) => ({ model })));
  };

  it("lenet5.cnn matches its golden (read it by eye)", async () => {
    const svg = drawExample("lenet5.cnn");
    checkXml(svg);
    await expect(svg).toMatchFileSnapshot("fixtures/draw/lenet5.svg");
  });

  it("the pictures in docs/interop/ are current (vgg16, lenet5)", async () => {
    await expect(drawExample("vgg16.cnn")).toMatchFileSnapshot("../docs/interop/vgg16.svg");
    await expect(drawExample("lenet5.cnn")).toMatchFileSnapshot("../docs/interop/lenet5.svg");
  });

  it("every example draws as well-formed SVG with a card per layer", () => {
    for (const file of readdirSync("examples").filter((f) => f.endsWith(".cnn"))) {
      const result = compile(readFileSync(`examples/${file}`), `examples/${file}`);
      const svg = drawSvg(result.models.map((model) => ({ model })));
      checkXml(svg);
      const heads = texts(svg).filter((t) => / · [a-z]+$/.test(t));
      expect(heads, file).toEqual(result.models.flatMap((m) => m.layers.map((l) => `${l.name} · ${l.args.op}`)));
    }
  });
});

describe("graphs", () => {
  /** x → a (1×1 conv), x → b1 → b2, x → pool; concat(a, b2, pool, x) → fc */
  function inception() {
    const g = new GraphBuilder("Inc", [4, 8, 8]);
    const a = g.op("a", "conv", -1, [["filters", 2], ["kernel", 1]]);
    const b1 = g.op("b1", "conv", -1, [["filters", 2], ["kernel", 1]]);
    const b2 = g.op("b2", "conv", b1, [["filters", 3], ["kernel", 3], ["pad", 1]]);
    const c = g.op("c", "maxpool", -1, [["kernel", 3], ["stride", 1], ["pad", 1]]);
    const cat = g.merge("cat", "concat", [a, b2, c, -1]);
    g.op("fc", "affine", cat, [["features", 3]]);
    return g.model({ op: "softmax" });
  }
  /** The top-left corner of a layer's card, read from the SVG. */
  const card = (svg: string, name: string, op: string) => {
    const text = new RegExp(`<text x="([\\d.]+)" y="([\\d.]+)" class="head">${name} · ${op}</text>`).exec(svg);
    if (text === null) throw new Error(`no card for ${name}`);
    return { x: Number(text[1]), y: Number(text[2]) };
  };

  it("draws branches side by side and the merge below all of them, with an arrow per operand", () => {
    const svg = drawSvg([{ model: inception() }]);
    checkXml(svg);
    const [a, b1, b2, c, cat] = [card(svg, "a", "conv"), card(svg, "b1", "conv"), card(svg, "b2", "conv"), card(svg, "c", "maxpool"), card(svg, "cat", "concat")];
    // the three branches start on one row (all above b2, which follows b1), in three lanes
    expect(Math.max(a.y, b1.y, c.y)).toBeLessThan(b2.y);
    expect(new Set([a.x, b1.x, c.x]).size).toBe(3);
    // b2 continues b1's lane; the merge is in the first operand's lane, below the longest branch
    expect(b2.x).toBe(b1.x);
    expect(cat.x).toBe(a.x);
    expect(cat.y).toBeGreaterThan(b2.y);
    // one arrow per edge: 3 from x, b1→b2, 4 into the concat, cat→fc, fc→loss
    expect(svg.match(/<polyline /g)?.length).toBe(10);
    expect(svg).toContain("along channels");
    // the picture is three lanes wide
    expect(Number(/<svg [^>]*width="(\d+)"/.exec(svg)![1])).toBeGreaterThan(3 * 600);
  });

  it("a plain stack gets no edges and one lane (its picture is unchanged)", () => {
    const svg = drawSvg([{ model: lenetWithBatchnorm() }]);
    expect(svg).not.toContain("<polyline");
  });
});
