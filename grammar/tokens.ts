// Tokens of the .cnn language (docs/language.md#files-and-tokens), and the lexer built from them.
// text → tokens (+ comments in their own group, kept for `cnnc fmt`) → lexing errors.
// The lexer never throws and never fails: characters that start no token become
// Invalid tokens (group "invalid"), which src/parse.ts reports as E0104.
import { createToken, Lexer, type TokenType } from "chevrotain";

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
export const Comment = createToken({
  name: "Comment",
  pattern: /(?:#|\/\/)[^\n\r]*/,
  group: "comments",
});

/** IDENT: ASCII [A-Za-z_][A-Za-z0-9_]*, not a keyword. */
export const Ident = createToken({ name: "Ident", pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

// Keywords. `longer_alt: Ident` makes `models`, `inputs`, `loss2` identifiers,
// so a keyword is only a keyword as a whole word.
export const Model = createToken({ name: "Model", pattern: /model/, longer_alt: Ident });
export const Input = createToken({ name: "Input", pattern: /input/, longer_alt: Ident });
export const Rounding = createToken({ name: "Rounding", pattern: /rounding/, longer_alt: Ident });
export const Repeat = createToken({ name: "Repeat", pattern: /repeat/, longer_alt: Ident });
export const Loss = createToken({ name: "Loss", pattern: /loss/, longer_alt: Ident });

/**
 * NUMBER: decimal digits with an optional fraction and exponent (`7`, `0.5`,
 * `1e-5`). Where the grammar asks for an INT, the parser still accepts any NUMBER
 * and src/cst-to-ast.ts rejects a fraction or exponent with E0114, which says
 * far more than "expected INT".
 */
export const NumberLit = createToken({ name: "Number", pattern: /[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/ });

/**
 * A run of characters that start no token (`-`, `.5`, `"`, non-ASCII outside
 * comments, a single `/`). Matching them as a token in their own group, instead
 * of leaving them to the lexer's error path, keeps a file full of them linear;
 * src/parse.ts reports each run as E0104.
 */
export const Invalid = createToken({
  name: "Invalid",
  pattern: /[^A-Za-z0-9_ \t\r\n\f\v{}()[\],:=;#/]+|\//,
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
    if (!/[A-Za-z0-9_ \t\r\n\f\v{}()[\],:=;#]/.test(ch)) chars.push(ch);
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

/**
 * Order matters: chevrotain tries the patterns in this order and takes the
 * first match. Whitespace and comments come first (`//` must not reach
 * anything else); keywords come before Ident (each with `longer_alt: Ident`);
 * Number and the punctuation do not overlap with anything; Invalid matches
 * only what nothing else can, so it is last.
 */
export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  Model,
  Input,
  Rounding,
  Repeat,
  Loss,
  Ident,
  NumberLit,
  LCurly,
  RCurly,
  LParen,
  RParen,
  LSquare,
  RSquare,
  Comma,
  Colon,
  Equals,
  Semicolon,
  Invalid,
];

/** The keywords, as written in source (docs/language.md#files-and-tokens). */
export const keywords = ["model", "input", "rounding", "repeat", "loss"] as const;

// positionTracking "onlyOffset": src/parse.ts computes line:column from offsets
// with one line table (so CRLF and columns are handled in one place).
// ensureOptimizations: fail at start-up, not silently slow, if a pattern
// cannot use the first-character optimisation.
export const cnnLexer = new Lexer(allTokens, {
  positionTracking: "onlyOffset",
  ensureOptimizations: true,
});
