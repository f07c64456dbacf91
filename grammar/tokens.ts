// Tokens of the .cnn language (docs/language.md#files-and-tokens), and the lexer built from them.
// text → tokens (+ comments in their own group, kept for `cnnc fmt`) → lexing errors.
// The lexer never throws and never fails: characters that start no token become
// Invalid tokens (group "invalid"), which src/parse.ts reports as E0104.
import { createToken, Lexer, type IToken, type TokenType } from "chevrotain";

// Whitespace, newlines (LF or CRLF; a lone CR is whitespace too) and `;`-free
// separators. Skipped: the grammar is newline-insensitive.
export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /[ \t\r\n\f\v]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

// `#` or `//` to the end of the line. Kept in the "comments" group (not
// skipped) so that the formatter can put every comment back where it was.
// Inside parentheses, right after an operand (a number, a name or `)`), `//` is
// floor division instead (`conv(c // 2, kernel=1)`); see docs/language.md#arithmetic.
export const Comment = createToken({
  name: "Comment",
  pattern: { exec: matchComment },
  start_chars_hint: ["#", "/"],
  line_breaks: false,
  group: "comments",
});

/** Parenthesis depth after the tokens matched so far, kept incrementally (the lexer calls once per `#` or `/`). */
const depthCache: { tokens: readonly IToken[] | undefined; n: number; depth: number } = { tokens: undefined, n: 0, depth: 0 };

function parenDepth(tokens: readonly IToken[]): number {
  if (depthCache.tokens !== tokens || depthCache.n > tokens.length) Object.assign(depthCache, { tokens, n: 0, depth: 0 });
  for (; depthCache.n < tokens.length; depthCache.n++) {
    const name = tokens[depthCache.n].tokenType.name;
    // braces reset the depth, so one unclosed `(` cannot turn the comments of later statements into operators
    if (name === "LParen") depthCache.depth++;
    else if (name === "RParen") depthCache.depth = Math.max(0, depthCache.depth - 1);
    else if (name === "LCurly" || name === "RCurly") depthCache.depth = 0;
  }
  return depthCache.depth;
}

const OPERAND_END = new Set(["Number", "Ident", "RParen"]);
const COMMENT_RE = /(?:#|\/\/)[^\n\r]*/y;

function matchComment(text: string, offset: number, tokens: IToken[]): RegExpExecArray | null {
  if (text.startsWith("//", offset) && tokens.length > 0 && parenDepth(tokens) > 0 && OPERAND_END.has(tokens[tokens.length - 1].tokenType.name)) return null;
  COMMENT_RE.lastIndex = offset;
  return COMMENT_RE.exec(text);
}

/** IDENT: ASCII [A-Za-z_][A-Za-z0-9_]*, not a keyword. */
export const Ident = createToken({ name: "Ident", pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

/**
 * A label with repeat-index placeholders or `-` between its parts, `denselayer{i}:`,
 * `block{s}-{i}:`, `block1-0:` (no spaces inside; a `-` is followed by a part, never
 * ends the label). Recognised only when a `:` follows, so `seq{relu}` still lexes as
 * `seq { relu }` and `c-1` in an expression is still a subtraction; or, without
 * placeholders, right after `@` (`@block1-0`), where no expression can follow.
 */
export const LabelTemplate = createToken({
  name: "LabelTemplate",
  pattern: { exec: matchLabel },
  line_breaks: false,
  start_chars_hint: [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"],
});

const LABEL_RE = /[A-Za-z_][A-Za-z0-9_]*(?:(?:\{[A-Za-z_][A-Za-z0-9_]*\}|-(?=[A-Za-z0-9_{]))[A-Za-z0-9_]*)+(?=[ \t]*:)/y;
const REF_LABEL_RE = /[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)+/y;

function matchLabel(text: string, offset: number, tokens: IToken[]): RegExpExecArray | null {
  const re = tokens.length > 0 && tokens[tokens.length - 1].tokenType.name === "At" ? REF_LABEL_RE : LABEL_RE;
  re.lastIndex = offset;
  return re.exec(text);
}

// Keywords. `longer_alt: Ident` makes `models`, `inputs`, `loss2` identifiers,
// so a keyword is only a keyword as a whole word.
const keyword = (name: string, word: string): TokenType => createToken({ name, pattern: new RegExp(word), longer_alt: Ident });
export const Model = keyword("Model", "model");
export const Input = keyword("Input", "input");
export const Rounding = keyword("Rounding", "rounding");
export const Repeat = keyword("Repeat", "repeat");
export const Loss = keyword("Loss", "loss");
export const Block = keyword("Block", "block");
export const Import = keyword("Import", "import");
export const If = keyword("If", "if");
export const Else = keyword("Else", "else");
export const Seq = keyword("Seq", "seq");
export const Add = keyword("Add", "add");
export const Concat = keyword("Concat", "concat");
export const Mul = keyword("Mul", "mul");
export const As = keyword("As", "as");
export const And = keyword("And", "and");
export const Or = keyword("Or", "or");
export const Not = keyword("Not", "not");

/** `"path"` of an import: no escapes, no line breaks. */
export const StringLit = createToken({ name: "String", pattern: /"[^"\n\r]*"/ });

/**
 * NUMBER: decimal digits with an optional fraction and exponent (`7`, `0.5`,
 * `1e-5`). Where the grammar asks for an INT, the parser still accepts any NUMBER
 * and src/cst-to-ast.ts rejects a fraction or exponent with E0114, which says
 * far more than "expected INT".
 */
export const NumberLit = createToken({ name: "Number", pattern: /[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/ });

/**
 * A run of characters that start no token (`.5`, `$`, an unterminated `"`,
 * a lone `!`, non-ASCII outside comments). Matching them as a token in their own group, instead
 * of leaving them to the lexer's error path, keeps a file full of them linear;
 * src/parse.ts reports each run as E0104.
 */
export const Invalid = createToken({
  name: "Invalid",
  pattern: /[^A-Za-z0-9_ \t\r\n\f\v{}()[\],:=;#/+\-*<>!@"]+|[!"]/,
  group: "invalid",
  start_chars_hint: invalidStartChars(),
});

/**
 * The characters an Invalid token can start with, for chevrotain's first-char
 * optimisation (it cannot analyse a complement set itself). Above U+00FF the
 * optimisation buckets UTF-16 code units in ranges of 255, so one code unit
 * every 128 hits every bucket.
 */
function invalidStartChars(): string[] {
  const chars: string[] = [];
  for (let c = 0; c < 256; c++) {
    const ch = String.fromCharCode(c);
    if (!/[A-Za-z0-9_ \t\r\n\f\v{}()[\],:=;#/+\-*<>@]/.test(ch)) chars.push(ch);
  }
  for (let c = 256; c < 0x10000; c += 128) chars.push(String.fromCharCode(c));
  chars.push("\uffff");
  return chars;
}

export const LCurly = createToken({ name: "LCurly", pattern: /\{/, label: "'{'" });
export const RCurly = createToken({ name: "RCurly", pattern: /\}/, label: "'}'" });
export const LParen = createToken({ name: "LParen", pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: /\)/, label: "')'" });
export const LSquare = createToken({ name: "LSquare", pattern: /\[/, label: "'['" });
export const RSquare = createToken({ name: "RSquare", pattern: /\]/, label: "']'" });
export const Comma = createToken({ name: "Comma", pattern: /,/, label: "','" });
export const Colon = createToken({ name: "Colon", pattern: /:/, label: "':'" });
export const Equals = createToken({ name: "Equals", pattern: /=/, label: "'='" });
export const Semicolon = createToken({ name: "Semicolon", pattern: /;/, label: "';'" });
export const At = createToken({ name: "At", pattern: /@/, label: "'@'" });
export const Plus = createToken({ name: "Plus", pattern: /\+/, label: "'+'" });
export const Minus = createToken({ name: "Minus", pattern: /-/, label: "'-'" });
export const Star = createToken({ name: "Star", pattern: /\*/, label: "'*'" });
export const SlashSlash = createToken({ name: "SlashSlash", pattern: /\/\//, label: "'//'" });
export const Slash = createToken({ name: "Slash", pattern: /\//, label: "'/'" });
/** == != <= >= < > (before `=`) */
export const Compare = createToken({ name: "Compare", pattern: /==|!=|<=|>=|<|>/, label: "a comparison" });

/**
 * Order matters: chevrotain tries the patterns in this order and takes the
 * first match. Whitespace and comments come first (a `//` the comment
 * matcher declines is floor division, SlashSlash, which comes before Slash);
 * LabelTemplate (it needs a `{` or `-`) and the keywords come before Ident (each
 * keyword with `longer_alt: Ident`); Compare comes before Equals (`==`);
 * Invalid matches only what nothing else can, so it is last.
 */
export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  LabelTemplate,
  Model,
  Input,
  Rounding,
  Repeat,
  Loss,
  Block,
  Import,
  If,
  Else,
  Seq,
  Add,
  Concat,
  Mul,
  As,
  And,
  Or,
  Not,
  Ident,
  NumberLit,
  StringLit,
  LCurly,
  RCurly,
  LParen,
  RParen,
  LSquare,
  RSquare,
  Comma,
  Colon,
  Compare,
  Equals,
  Semicolon,
  At,
  Plus,
  Minus,
  Star,
  SlashSlash,
  Slash,
  Invalid,
];

/** The keywords, as written in source (docs/language.md#files-and-tokens). */
export const keywords = [
  "model", "input", "rounding", "repeat", "loss",
  "block", "import", "if", "else", "seq", "add", "concat", "mul", "as", "and", "or", "not",
] as const;

// positionTracking "onlyOffset": src/parse.ts computes line:column from offsets
// with one line table (so CRLF and columns are handled in one place).
// ensureOptimizations: fail at start-up, not silently slow, if a pattern
// cannot use the first-character optimisation.
export const cnnLexer = new Lexer(allTokens, {
  positionTracking: "onlyOffset",
  ensureOptimizations: true,
});
