// grammar/: the committed artefacts are what `npm run grammar` would write
// now, and the TextMate grammar gives every construct of the language its
// scope (its regexes run here through a small TextMate interpreter).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { grammarArtefacts, lossNames, opNames } from "../grammar/artefacts.ts";
import { losses, ops } from "../src/ops/index.ts";

describe("generated artefacts", () => {
  it.each(Object.entries(grammarArtefacts()))("%s is up to date (run `npm run grammar` after changing the grammar)", (path, content) => {
    expect(readFileSync(path, "utf8") === content, `${path} is stale`).toBe(true);
  });

  it("the railroad diagrams show every rule", () => {
    const html = readFileSync("grammar/diagrams.html", "utf8");
    for (const rule of [
      "file", "importStmt", "blockDef", "params", "param", "model", "body", "stmt", "inputStmt", "shape", "roundingStmt", "lossStmt",
      "repeatStmt", "ifStmt", "ref", "item", "layer", "seq", "merge", "args", "arg", "expr", "group",
    ]) {
      expect(html).toContain(`"name": "${rule}"`);
    }
  });

  it("the CST declarations type every rule's node", () => {
    const dts = readFileSync("grammar/cst.d.ts", "utf8");
    for (const node of ["FileCstNode", "BlockDefCstNode", "ModelCstNode", "LayerCstNode", "ArgsCstNode", "ExprCstNode", "GroupCstNode", "RepeatStmtCstNode", "IfStmtCstNode", "MergeCstNode", "SeqCstNode", "RefCstNode"]) {
      expect(dts).toContain(`export interface ${node} extends CstNode`);
    }
  });
});

// --- a minimal TextMate interpreter: match / begin-end / captures / include ---

interface Rule {
  name?: string;
  match?: string;
  begin?: string;
  end?: string;
  captures?: Record<string, { name: string }>;
  beginCaptures?: Record<string, { name: string }>;
  endCaptures?: Record<string, { name: string }>;
  patterns?: Rule[];
  include?: string;
}
interface Grammar {
  patterns: Rule[];
  repository: Record<string, Rule>;
}
interface Token {
  line: number;
  text: string;
  scopes: string[];
}

function flatten(rules: Rule[], g: Grammar): Rule[] {
  return rules.flatMap((r) => {
    if (r.include) {
      const target = g.repository[r.include.slice(1)];
      return target.patterns && !target.begin && !target.match ? flatten(target.patterns, g) : [target];
    }
    return [r];
  });
}

function tokenize(source: string, g: Grammar): Token[] {
  const tokens: Token[] = [];
  const stack: { rule: Rule; scopes: string[] }[] = [];
  source.split("\n").forEach((line, lineNo) => {
    let pos = 0;
    const emit = (from: number, to: number, scopes: string[]) => {
      if (to > from) tokens.push({ line: lineNo + 1, text: line.slice(from, to), scopes });
    };
    while (pos <= line.length) {
      const top = stack[stack.length - 1];
      const baseScopes = ["source.cnn", ...(top?.scopes ?? [])];
      const candidates = flatten(top ? top.rule.patterns ?? [] : g.patterns, g);
      let best: { index: number; m: RegExpExecArray; rule?: Rule; isEnd: boolean } | undefined;
      const tryRegex = (source: string, rule: Rule | undefined, isEnd: boolean) => {
        const re = new RegExp(source, "dg");
        re.lastIndex = pos;
        const m = re.exec(line);
        if (m && (!best || m.index < best.index)) best = { index: m.index, m, rule, isEnd };
      };
      if (top?.rule.end) tryRegex(top.rule.end, undefined, true); // end wins ties
      for (const r of candidates) tryRegex((r.match ?? r.begin)!, r, false);
      if (!best || best.m[0].length === 0) {
        emit(pos, line.length, baseScopes);
        break;
      }
      emit(pos, best.index, baseScopes);
      const { m } = best;
      const withCaptures = (scopes: string[], captures: Rule["captures"]) => {
        const spans = m.indices!;
        let at = m.index;
        const end = m.index + m[0].length;
        for (let k = 1; k < spans.length; k++) {
          const s = spans[k];
          if (!s || !captures?.[k]) continue;
          emit(at, s[0], scopes);
          emit(s[0], s[1], [...scopes, captures[k].name]);
          at = s[1];
        }
        const whole = captures?.[0] ? [...scopes, captures[0].name] : scopes;
        emit(at, end, whole);
      };
      if (best.isEnd) {
        const ended = stack.pop()!;
        withCaptures(baseScopes, ended.rule.endCaptures);
      } else if (best.rule!.match !== undefined) {
        const scopes = best.rule!.name ? [...baseScopes, best.rule!.name] : baseScopes;
        withCaptures(scopes, best.rule!.captures);
      } else {
        const scopes = best.rule!.name ? [...baseScopes, best.rule!.name] : baseScopes;
        withCaptures(scopes, best.rule!.beginCaptures);
        stack.push({ rule: best.rule!, scopes: scopes.slice(1) });
      }
      pos = m.index + m[0].length;
    }
  });
  return tokens;
}

describe("the TextMate grammar", () => {
  const grammar = JSON.parse(readFileSync("grammar/cnn.tmLanguage.json", "utf8")) as Grammar & { scopeName: string };
  const source = `# LeNet-ish, every construct
model Net {  // the name
  input [1, 28, 28]
  rounding floor
  c1: conv(6, kernel=(3, 1), pad=same, stride=2, bias=true, rounding=ceil)
  pad((1, 1, 0, 0))
  repeat 2 { relu; dropout(p=0.5) }
  batchnorm(eps=1e-5)
  loss svm(margin=1)
}`;
  const tokens = tokenize(source, grammar);
  /** the innermost scopes of the n-th token whose text is `text` (on `line` if given) */
  const scopesOf = (text: string, line?: number, nth = 0): string[] => {
    const found = tokens.filter((t) => t.text === text && (line === undefined || t.line === line));
    expect(found.length, `no token '${text}'${line ? ` on line ${line}` : ""}`).toBeGreaterThan(nth);
    return found[nth].scopes;
  };

  it("is a valid grammar for .cnn files", () => {
    expect(grammar.scopeName).toBe("source.cnn");
    expect((grammar as unknown as { fileTypes: string[] }).fileTypes).toEqual(["cnn"]);
  });

  it.each([
    ["# LeNet-ish, every construct", 1, "comment.line.number-sign.cnn"],
    ["// the name", 2, "comment.line.double-slash.cnn"],
    ["model", 2, "keyword.declaration.model.cnn"],
    ["Net", 2, "entity.name.type.model.cnn"],
    ["input", 3, "keyword.other.cnn"],
    ["[", 3, "punctuation.section.brackets.begin.cnn"],
    ["28", 3, "constant.numeric.integer.cnn"],
    ["rounding", 4, "keyword.other.rounding.cnn"],
    ["floor", 4, "constant.language.rounding.cnn"],
    ["c1", 5, "entity.name.tag.label.cnn"],
    [":", 5, "punctuation.separator.label.cnn"],
    ["conv", 5, "support.function.op.cnn"],
    ["6", 5, "constant.numeric.integer.cnn"],
    ["kernel", 5, "variable.parameter.argument.cnn"],
    ["=", 5, "keyword.operator.assignment.cnn"],
    ["same", 5, "constant.language.padding.cnn"],
    ["true", 5, "constant.language.boolean.cnn"],
    ["ceil", 5, "constant.language.rounding.cnn"],
    ["pad", 6, "support.function.op.cnn"],
    ["repeat", 7, "keyword.control.repeat.cnn"],
    ["{", 7, "punctuation.section.block.begin.cnn"],
    [";", 7, "punctuation.terminator.statement.cnn"],
    ["relu", 7, "support.function.op.cnn"],
    ["p", 7, "variable.parameter.argument.cnn"],
    ["0.5", 7, "constant.numeric.float.cnn"],
    ["1e-5", 8, "constant.numeric.float.cnn"],
    ["loss", 9, "keyword.other.loss.cnn"],
    ["svm", 9, "support.function.loss.cnn"],
    ["margin", 9, "variable.parameter.argument.cnn"],
  ])("scopes %j on line %i as %s", (text, line, scope) => {
    expect(scopesOf(text, line)).toContain(scope);
  });

  it("scopes the graph constructs: import, block, merges, seq, if, references, arithmetic, placeholders", () => {
    const graph = tokenize(
      `import "blocks/resnet.cnn"
block Unit(c, stride = 1) {
  add {
    { conv(c // 2, kernel=1) }  // a comment
    if stride != 1 and not wide { @stem }
  }
  repeat 2 as i { dense{i}: seq { Unit(c * 4) } }
  block{i}-0: Unit(c - 1)
  add { @block1-0 }
}`,
      grammar,
    );
    const scopes = (text: string, line: number): string[] => graph.find((t) => t.text.trim() === text && t.line === line)?.scopes ?? [];
    expect(scopes("import", 1)).toContain("keyword.control.import.cnn");
    expect(scopes('"blocks/resnet.cnn"', 1)).toContain("string.quoted.double.cnn");
    expect(scopes("block", 2)).toContain("keyword.declaration.block.cnn");
    expect(scopes("Unit", 2)).toContain("entity.name.function.block.cnn");
    expect(scopes("add", 3)).toContain("keyword.other.merge.cnn");
    expect(scopes("//", 4)).toContain("keyword.operator.arithmetic.cnn");
    expect(scopes("// a comment", 4)).toContain("comment.line.double-slash.cnn");
    expect(scopes("if", 5)).toContain("keyword.control.conditional.cnn");
    expect(scopes("!=", 5)).toContain("keyword.operator.comparison.cnn");
    expect(scopes("and", 5)).toContain("keyword.operator.logical.cnn");
    expect(scopes("not", 5)).toContain("keyword.operator.logical.cnn");
    expect(scopes("stem", 5)).toContain("variable.other.reference.cnn");
    expect(scopes("as", 7)).toContain("keyword.control.as.cnn");
    expect(scopes("dense{i}", 7)).toContain("entity.name.tag.label.cnn");
    expect(scopes("seq", 7)).toContain("keyword.other.seq.cnn");
    expect(scopes("*", 7)).toContain("keyword.operator.arithmetic.cnn");
    expect(scopes("block{i}-0", 8)).toContain("entity.name.tag.label.cnn");
    expect(scopes("-", 8)).toContain("keyword.operator.arithmetic.cnn");
    expect(scopes("block1-0", 9)).toContain("variable.other.reference.cnn");
  });

  it("scopes `pad` as an argument name before '=' and as an op before '('", () => {
    expect(scopesOf("pad", 5)).toContain("variable.parameter.argument.cnn");
    expect(scopesOf("pad", 5)).not.toContain("support.function.op.cnn");
    expect(scopesOf("pad", 6)).toContain("support.function.op.cnn");
  });

  it("scopes argument lists and tuples (also a tuple's numbers)", () => {
    expect(scopesOf("2", 5)).toContain("meta.arguments.cnn");
    expect(scopesOf("3", 5)).toEqual(expect.arrayContaining(["meta.arguments.cnn", "meta.tuple.cnn", "constant.numeric.integer.cnn"]));
    expect(scopesOf("(", 6, 1)).toContain("punctuation.section.tuple.begin.cnn");
    expect(scopesOf("0", 6)).toContain("meta.tuple.cnn");
    expect(scopesOf("28", 3)).toContain("meta.shape.cnn");
  });

  it("scopes every op of the layer table in docs/language.md", () => {
    const ops = ["conv", "maxpool", "avgpool", "globalavgpool", "pad", "batchnorm", "layernorm", "groupnorm", "affine", "flatten", "relu", "leakyrelu", "sigmoid", "tanh", "dropout"];
    const toks = tokenize(`model A {\n${ops.map((op) => `  ${op}\n`).join("")}}`, grammar);
    for (const op of ops) expect(toks.find((t) => t.text === op)?.scopes, op).toContain("support.function.op.cnn");
  });

  it("highlights exactly the ops and losses of the checker's registry (a new op must be added here too)", () => {
    // the merges are keywords (`add { … }`), highlighted as such
    expect([...opNames, "add", "concat", "mul"].sort()).toEqual(Object.keys(ops).sort());
    expect([...lossNames].sort()).toEqual(Object.keys(losses).sort());
  });

  it("does not scope a keyword inside a longer identifier, nor inside a comment", () => {
    const toks = tokenize("model models {\n  inputs: relu # input model loss\n}", grammar);
    expect(toks.find((t) => t.text === "models")?.scopes).toContain("entity.name.type.model.cnn");
    expect(toks.find((t) => t.text === "inputs")?.scopes).toContain("entity.name.tag.label.cnn");
    expect(toks.find((t) => t.text.startsWith("# input"))?.scopes).toContain("comment.line.number-sign.cnn");
  });
});
