// Highlighting for .cnn in CodeMirror: the token classes of the TextMate
// grammar (grammar/cnn.tmLanguage.json) as a stream tokenizer: comments,
// keywords, op names, labels, argument names, constants, numbers and import paths.
import { StreamLanguage, type StreamParser } from "@codemirror/language";
import { keywords } from "../grammar/tokens.ts";
import { losses, ops } from "../src/ops/index.ts";

const KEYWORDS = new Set<string>(keywords);
const OPS = new Set<string>([...Object.keys(ops), ...Object.keys(losses)]);
const CONSTANTS = new Set(["true", "false", "same", "valid", "floor", "ceil", "exact"]);

const parser: StreamParser<null> = {
  name: "cnn",
  startState: () => null,
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.match("#") || stream.match("//")) {
      stream.skipToEnd();
      return "comment";
    }
    if (stream.match(/^"[^"\n]*"?/)) return "string"; // an import's path
    if (stream.match(/^[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/)) return "number";
    const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/) as RegExpMatchArray | null;
    if (word) {
      const w = word[0];
      if (KEYWORDS.has(w)) return "keyword";
      if (stream.match(/^\s*:/, false)) return "labelName";
      if (stream.match(/^\s*=/, false)) return "propertyName";
      if (CONSTANTS.has(w)) return "atom";
      if (OPS.has(w)) return "function(variableName)";
      return "variableName";
    }
    stream.next();
    return /[{}()[\],:;=]/.test(stream.current()) ? "punctuation" : "invalid";
  },
  languageData: { commentTokens: { line: "#" } },
};

export const cnnLanguage = StreamLanguage.define(parser);
