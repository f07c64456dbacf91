// The generated grammar artefacts, computed from the parser and the tokens:
// railroad diagrams (HTML), typed CST declarations, the TextMate grammar.
// grammar/generate.ts writes them; test/grammar.test.ts fails when a committed
// copy differs from what this computes (a stale artefact).
import { createSyntaxDiagramsCode } from "chevrotain";
import { generateCstDts } from "@chevrotain/cst-dts-gen";
import { CnnParser } from "./parser.ts";
import { keywords } from "./tokens.ts";

/** Every op of the layer table (docs/language.md), plus the two losses; the merges add/concat/mul are keywords. */
export const opNames = [
  "conv", "maxpool", "avgpool", "globalavgpool", "pad", "batchnorm", "layernorm", "groupnorm",
  "affine", "flatten", "relu", "leakyrelu", "sigmoid", "tanh", "dropout",
  "convtranspose", "upsample", "adaptiveavgpool", "globalmaxpool", "softmax",
  "relu6", "clamp", "hardswish", "hardsigmoid", "silu", "elu", "selu", "softplus", "mish",
  "layernorm2d", "layerscale", "channelshuffle", "slice", "stochasticdepth", "pixelshuffle", "pixelunshuffle",
  "prelu", "gelu", "instancenorm",
  "permute", "linear", "layernormlast",
] as const;
export const lossNames = ["softmax", "svm"] as const;
export const roundingModes = ["floor", "ceil", "exact"] as const;
export const padWords = ["same", "valid"] as const;
export const booleans = ["true", "false"] as const;

const IDENT = "[A-Za-z_][A-Za-z0-9_]*";
const NUMBER = "\\b[0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?\\b";
const word = (words: readonly string[]) => `\\b(?:${words.join("|")})\\b`;
/** keywords with a pattern of their own; the rest are keyword.other */
const structural: readonly string[] = ["model", "block", "import", "repeat", "if", "else", "as", "add", "concat", "mul", "seq", "and", "or", "not"];

/**
 * A TextMate grammar (VS Code, Sublime, GitHub linguist, shiki) for .cnn.
 * Its regexes are written to mean the same in Oniguruma and JavaScript, so the
 * test can run them with RegExp.
 */
export function textMateGrammar(): object {
  return {
    $schema: "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
    name: "cnn",
    scopeName: "source.cnn",
    fileTypes: ["cnn"],
    patterns: [
      { include: "#comment" },
      { include: "#model" },
      { include: "#block" },
      { include: "#import" },
      { include: "#reference" },
      { include: "#keyword" },
      { include: "#shape" },
      { include: "#label" },
      { include: "#op" },
      { include: "#arguments" },
      { include: "#constant" },
      { include: "#number" },
      { include: "#operator" },
      { include: "#punctuation" },
    ],
    repository: {
      comment: {
        patterns: [
          { name: "comment.line.number-sign.cnn", match: "#.*$" },
          { name: "comment.line.double-slash.cnn", match: "//.*$" },
        ],
      },
      model: {
        match: `\\b(model)\\s+(${IDENT})`,
        captures: {
          1: { name: "keyword.declaration.model.cnn" },
          2: { name: "entity.name.type.model.cnn" },
        },
      },
      block: {
        match: `\\b(block)\\s+(${IDENT})`,
        captures: {
          1: { name: "keyword.declaration.block.cnn" },
          2: { name: "entity.name.function.block.cnn" },
        },
      },
      import: {
        match: '\\b(import)\\s+("[^"]*")',
        captures: { 1: { name: "keyword.control.import.cnn" }, 2: { name: "string.quoted.double.cnn" } },
      },
      reference: {
        match: `(@)(${IDENT}(?:-[A-Za-z0-9_]+)*)`,
        captures: { 1: { name: "punctuation.definition.reference.cnn" }, 2: { name: "variable.other.reference.cnn" } },
      },
      // inside parentheses `//` after an operand is floor division, not a comment
      floorDivision: { name: "keyword.operator.arithmetic.cnn", match: "(?<=[A-Za-z0-9_)])\\s*//" },
      operator: {
        patterns: [
          { name: "keyword.operator.comparison.cnn", match: "==|!=|<=|>=|<|>" },
          { name: "keyword.operator.arithmetic.cnn", match: "[-+*/]" },
        ],
      },
      keyword: {
        patterns: [
          // `loss softmax`: the loss name right after the keyword
          {
            match: `\\b(loss)\\s+(${IDENT})`,
            captures: { 1: { name: "keyword.other.loss.cnn" }, 2: { name: "support.function.loss.cnn" } },
          },
          {
            match: `\\b(rounding)\\s+(${IDENT})`,
            captures: { 1: { name: "keyword.other.rounding.cnn" }, 2: { name: "constant.language.rounding.cnn" } },
          },
          { name: "keyword.control.repeat.cnn", match: "\\brepeat\\b" },
          { name: "keyword.control.conditional.cnn", match: word(["if", "else"]) },
          { name: "keyword.control.as.cnn", match: word(["as"]) },
          { name: "keyword.other.merge.cnn", match: word(["add", "concat", "mul"]) },
          { name: "keyword.other.seq.cnn", match: word(["seq"]) },
          { name: "keyword.operator.logical.cnn", match: word(["and", "or", "not"]) },
          { name: "keyword.other.cnn", match: word(keywords.filter((k) => !structural.includes(k))) },
        ],
      },
      shape: {
        name: "meta.shape.cnn",
        begin: "\\[",
        end: "\\]",
        beginCaptures: { 0: { name: "punctuation.section.brackets.begin.cnn" } },
        endCaptures: { 0: { name: "punctuation.section.brackets.end.cnn" } },
        patterns: [{ include: "#comment" }, { include: "#number" }, { include: "#punctuation" }],
      },
      label: {
        match: `\\b(${IDENT}(?:(?:\\{${IDENT}\\}|-(?=[A-Za-z0-9_{]))[A-Za-z0-9_]*)*)\\s*(:)`,
        captures: { 1: { name: "entity.name.tag.label.cnn" }, 2: { name: "punctuation.separator.label.cnn" } },
      },
      op: {
        patterns: [
          { name: "support.function.op.cnn", match: word(opNames) },
          { name: "support.function.loss.cnn", match: word(lossNames) },
        ],
      },
      arguments: {
        name: "meta.arguments.cnn",
        begin: "\\(",
        end: "\\)",
        beginCaptures: { 0: { name: "punctuation.section.parens.begin.cnn" } },
        endCaptures: { 0: { name: "punctuation.section.parens.end.cnn" } },
        patterns: [
          { include: "#floorDivision" },
          { include: "#operator" },
          { include: "#comment" },
          {
            match: `\\b(${IDENT})\\s*(=)(?!=)`,
            captures: { 1: { name: "variable.parameter.argument.cnn" }, 2: { name: "keyword.operator.assignment.cnn" } },
          },
          { include: "#tuple" },
          { include: "#constant" },
          { include: "#number" },
          { include: "#punctuation" },
        ],
      },
      tuple: {
        name: "meta.tuple.cnn",
        begin: "\\(",
        end: "\\)",
        beginCaptures: { 0: { name: "punctuation.section.tuple.begin.cnn" } },
        endCaptures: { 0: { name: "punctuation.section.tuple.end.cnn" } },
        patterns: [
          { include: "#floorDivision" },
          { include: "#operator" },
          { include: "#comment" },
          { include: "#tuple" },
          { include: "#constant" },
          { include: "#number" },
          { include: "#punctuation" },
        ],
      },
      constant: {
        patterns: [
          { name: "constant.language.boolean.cnn", match: word(booleans) },
          { name: "constant.language.padding.cnn", match: word(padWords) },
          { name: "constant.language.rounding.cnn", match: word(roundingModes) },
        ],
      },
      number: {
        patterns: [
          { name: "constant.numeric.float.cnn", match: "\\b[0-9]+(?:\\.[0-9]+(?:[eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+)\\b" },
          { name: "constant.numeric.integer.cnn", match: NUMBER },
        ],
      },
      punctuation: {
        patterns: [
          { name: "punctuation.section.block.begin.cnn", match: "\\{" },
          { name: "punctuation.section.block.end.cnn", match: "\\}" },
          { name: "punctuation.separator.comma.cnn", match: "," },
          { name: "punctuation.terminator.statement.cnn", match: ";" },
        ],
      },
    },
  };
}

/** path (relative to the repository root) → content, for every generated artefact. */
export function grammarArtefacts(): Record<string, string> {
  const cnnParser = new CnnParser();
  return {
    // chevrotain's page already opens with "This is a generated file"
    "grammar/diagrams.html": createSyntaxDiagramsCode(cnnParser.getSerializedGastProductions()),
    "grammar/cst.d.ts":
      "// generated by `npm run grammar` from grammar/parser.ts (generateCstDts); do not edit\n" +
      generateCstDts(cnnParser.getGAstProductions()),
    "grammar/cnn.tmLanguage.json": JSON.stringify(textMateGrammar(), null, 2) + "\n",
  };
}
