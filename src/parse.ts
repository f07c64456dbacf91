// Parsing: decoded text → tokens → CST (grammar/) → AST (src/cst-to-ast.ts).
// Guarantees: never throws, never recurses deeper than the nesting limit, and
// reports every syntax error of the file in one run (chevrotain's recovery), up
// to MAX_SYNTAX_ERRORS. Emits E0104–E0107, E0118–E0120 and E0124 here, the structural
// E01xx in src/cst-to-ast.ts.
import { EOF, type IRecognitionException, type IToken, type TokenType } from "chevrotain";
import {
  Add,
  Block,
  cnnLexer,
  Colon,
  Concat,
  Mul,
  Ident,
  If,
  Import,
  Input,
  LCurly,
  Loss,
  LParen,
  LSquare,
  Minus,
  Model,
  NumberLit,
  RCurly,
  Repeat,
  Rounding,
  RParen,
  RSquare,
  Seq,
} from "../grammar/tokens.ts";
import { CnnParser } from "../grammar/parser.ts";
import type { FileCstNode } from "../grammar/cst.d.ts";
import type { FileAst } from "./ast.ts";
import { diag, type Diagnostic, type PhaseResult, type Span } from "./diagnostics.ts";
import { LineMap, pointSpan } from "./source.ts";
import { cstToAst } from "./cst-to-ast.ts";

/** Limits named in their errors (docs/language.md#limits, grammar/README.md#limits-named-in-their-errors). */
export const MAX_IDENT_LENGTH = 256;
export const MAX_NESTING = 64;
/** More tokens than this is refused before parsing (10,000 layers written out with arguments fit easily). */
export const MAX_TOKENS = 200_000;
/** After this many syntax errors the parser stops; later ones are often consequences of earlier ones. */
export const MAX_SYNTAX_ERRORS = 100;

/** Everything the front end knows about one file; `cnnc fmt` reads tokens and comments too. */
export interface ParsedSource {
  file: string;
  text: string;
  lines: LineMap;
  /** significant tokens, in order, with startLine/startColumn (1-based) */
  tokens: IToken[];
  /** `#` and `//` comments, in order */
  comments: IToken[];
  /** the AST; models with syntax errors are left out */
  ast: FileAst;
  diagnostics: Diagnostic[];
}

/** text → FileAst with every E01xx diagnostic. Never throws. */
export function parse(text: string, file: string): PhaseResult<FileAst> {
  const parsed = parseSource(text, file);
  return { value: parsed.ast, diagnostics: parsed.diagnostics };
}

/** Like `parse`, keeping the tokens and comments (for `cnnc fmt` and `--emit tokens`). */
export function parseSource(text: string, file: string): ParsedSource {
  const lines = new LineMap(text);
  const lexed = cnnLexer.tokenize(text);
  const tokens = lexed.tokens;
  const comments = lexed.groups.comments ?? [];
  const diagnostics: Diagnostic[] = [];
  const tokenSpan = (t: IToken): Span => lines.span(file, t.startOffset, t.startOffset + t.image.length);
  const result = (built: Pick<FileAst, "models" | "blocks" | "imports">): ParsedSource => ({
    file,
    text,
    lines,
    tokens,
    comments,
    ast: { file, text, models: built.models, blocks: built.blocks, imports: built.imports },
    diagnostics,
  });
  const nothing = { models: [], blocks: [], imports: [] };

  if (tokens.length > MAX_TOKENS) {
    diagnostics.push(
      diag("E0124", pointSpan(file), `file has ${grouped(tokens.length)} tokens; the limit is ${grouped(MAX_TOKENS)}`, {
        notes: ["a model has at most 10,000 layers after expanding repeat"],
        help: "write repeated blocks with `repeat N { ... }`",
      }),
    );
    return result(nothing);
  }

  addPositions(tokens, lines);
  addPositions(comments, lines);

  // Invalid characters come as tokens of their own group (grammar/tokens.ts);
  // the lexer itself cannot fail, but its errors would be reported the same way.
  const invalid = [
    ...(lexed.groups.invalid ?? []).map((t) => ({ offset: t.startOffset, length: t.image.length })),
    ...lexed.errors.map((e) => ({ offset: e.offset, length: e.length })),
  ];
  // Token-level problems, each capped at MAX_SYNTAX_ERRORS so that a file made
  // of nothing else stays fast and its report readable.
  // (the first MAX_SYNTAX_ERRORS + 1 of each kind hold the first of both together)
  const tokenProblems: Diagnostic[] = invalid
    .slice(0, MAX_SYNTAX_ERRORS + 1)
    .map((e) => invalidCharacter(text, e.offset, e.length, lines, file));
  const invalidCount = tokenProblems.length;
  for (const t of tokens) {
    if (tokenProblems.length - invalidCount > MAX_SYNTAX_ERRORS) break;
    if (t.tokenType === Ident && t.image.length > MAX_IDENT_LENGTH) {
      tokenProblems.push(
        diag("E0119", tokenSpan(t), `identifier is ${t.image.length} characters long; the limit is ${MAX_IDENT_LENGTH}`, {
          help: "use a shorter name",
        }),
      );
    } else if (t.tokenType === NumberLit) {
      const value = Number(t.image);
      if (!Number.isFinite(value)) {
        tokenProblems.push(diag("E0118", tokenSpan(t), `number ${abbreviate(t.image)} is too large: it is not a finite 64-bit float`));
      } else if (value > Number.MAX_SAFE_INTEGER && /^[0-9]+$/.test(t.image)) {
        tokenProblems.push(
          diag("E0118", tokenSpan(t), `integer ${abbreviate(t.image)} is too large: the limit is 2^53 - 1 = ${grouped(Number.MAX_SAFE_INTEGER)}`),
        );
      }
    }
  }
  tokenProblems.sort((a, b) => a.span.start - b.span.start);
  diagnostics.push(...tokenProblems.slice(0, MAX_SYNTAX_ERRORS));
  if (tokenProblems.length > MAX_SYNTAX_ERRORS) {
    diagnostics.push(
      diag(tokenProblems[MAX_SYNTAX_ERRORS].code, tokenProblems[MAX_SYNTAX_ERRORS].span, `too many invalid tokens: stopped after ${MAX_SYNTAX_ERRORS} (the limit)`, {
        help: "is this really a .cnn file?",
      }),
    );
  }

  // The parser recurses once per nested body or parenthesis, so the depth is
  // checked on the tokens first: a file past the limit is refused without being parsed.
  let depth = 0;
  for (const t of tokens) {
    if (t.tokenType === LCurly || t.tokenType === LParen) {
      if (++depth > MAX_NESTING) {
        const what = t.tokenType === LCurly ? "blocks are" : "brackets are";
        diagnostics.push(
          diag("E0120", tokenSpan(t), `${what} nested ${MAX_NESTING + 1} levels deep here; the limit is ${MAX_NESTING}`, {
            help:
              t.tokenType === LCurly
                ? "flatten the nested repeats (repeat 2 { repeat 3 { ... } } is repeat 6 { ... } when the body has no labels)"
                : "remove redundant parentheses",
          }),
        );
        return result(nothing);
      }
    } else if ((t.tokenType === RCurly || t.tokenType === RParen) && depth > 0) depth--;
  }

  errorBudget.remaining = MAX_SYNTAX_ERRORS;
  const cnnParser = parser();
  cnnParser.input = tokens;
  let cst: FileCstNode | undefined;
  let stoppedEarly = false;
  try {
    cst = cnnParser.file() as FileCstNode;
  } catch (e) {
    if (!(e instanceof TooManySyntaxErrors)) throw e;
    stoppedEarly = true;
  }
  const syntax = describeSyntaxErrors(cnnParser.errors, { file, text, lines, tokens });
  diagnostics.push(...syntax);
  if (stoppedEarly) {
    const last = syntax[syntax.length - 1];
    diagnostics.push(
      diag("E0105", last?.span ?? pointSpan(file), `too many syntax errors: the parser stopped at the limit of ${MAX_SYNTAX_ERRORS}`, {
        help: "fix the first errors and run again; later ones are often consequences",
      }),
    );
    return result(nothing);
  }

  const errorOffsets = syntax.map((d) => d.span.start);
  const built = cstToAst(cst!, { file, text, lines, errorOffsets });
  diagnostics.push(...built.diagnostics);
  if (tokens.length === 0 && invalid.length === 0) {
    diagnostics.push(
      diag("E0107", pointSpan(file), comments.length > 0 ? "file has no model: it holds only comments" : "file has no model: it is empty", {
        help: "a .cnn file holds at least one `model Name { input [C, H, W] ... }`",
      }),
    );
  }
  return result(built);
}

// ---------------------------------------------------------------------------
// Syntax errors. Chevrotain's messages are replaced by ours: the message
// provider only records what was expected (as JSON), and describeSyntaxErrors
// words it from the rule the parser was in and the tokens around the error.

class TooManySyntaxErrors extends Error {}

/** How many more errors the parser may record before it stops (reset per parse). */
const errorBudget = { remaining: MAX_SYNTAX_ERRORS };

function spend(expected: TokenType[]): string {
  // Throwing a non-recognition error aborts the parse (chevrotain rethrows it),
  // which bounds both the error count and the recursion of in-repetition recovery.
  if (--errorBudget.remaining < 0) throw new TooManySyntaxErrors();
  return JSON.stringify(expected.map((t) => t.name));
}

/**
 * One parser for the process, built at the first parse (not when this module
 * loads) and reused by setting `input`. It skips chevrotain's grammar
 * validations, a third of its set-up: the grammar is fixed, and
 * grammar/artefacts.ts builds it with them on (a test regenerates the artefacts).
 */
let cnnParser: CnnParser | undefined;
const parser = (): CnnParser =>
  (cnnParser ??= new CnnParser(
    {
      buildMismatchTokenMessage: ({ expected }) => spend([expected]),
      buildNotAllInputParsedMessage: () => spend([Model]),
      buildNoViableAltMessage: ({ expectedPathsPerAlt }) => spend(expectedPathsPerAlt.flat().map((path) => path[0])),
      buildEarlyExitMessage: ({ expectedIterationPaths }) => spend(expectedIterationPaths.map((path) => path[0])),
    },
    true,
  ));

interface ErrorContext {
  file: string;
  text: string;
  lines: LineMap;
  tokens: IToken[];
}

/**
 * Turns chevrotain's recognition errors into diagnostics. Errors whose token is
 * on the line of an error already reported are dropped: after recovery they are
 * nearly always echoes of the first one (the same holds for a second error at
 * the end of the file).
 */
function describeSyntaxErrors(errors: IRecognitionException[], ctx: ErrorContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seenLines = new Set<number>();
  let sawEof = false;
  for (const e of errors) {
    const atEof = e.token.tokenType === EOF;
    if (atEof && sawEof) continue;
    const d = describeSyntaxError(e, ctx, out.length > 0);
    if (!d || (!atEof && seenLines.has(d.span.line))) continue;
    if (atEof) sawEof = true;
    seenLines.add(d.span.line);
    out.push(d);
  }
  return out;
}

/** The diagnostic for one recognition error; undefined for an echo of an earlier one. */
function describeSyntaxError(e: IRecognitionException, ctx: ErrorContext, afterOthers: boolean): Diagnostic | undefined {
  const { tokens, lines, file, text } = ctx;
  let expected: string[] = [];
  try {
    expected = JSON.parse(e.message) as string[];
  } catch {
    // a message from chevrotain itself; the rule stack below still words it
  }
  const rule = e.context.ruleStack[e.context.ruleStack.length - 1] ?? "file";
  const parentRule = e.context.ruleStack[e.context.ruleStack.length - 2];
  const atEof = e.token.tokenType === EOF;
  const index = atEof ? tokens.length : tokenIndexAt(tokens, e.token.startOffset);
  const prev = index > 0 ? tokens[index - 1] : undefined;
  const found = atEof ? "the end of the file" : `'${abbreviate(e.token.image)}'`;

  // Where a token is missing, point just after the token before it when the
  // token found is on a later line (or is the end of the file): that is where
  // the missing one goes. Where the token found is itself wrong, point at it.
  const foundSpan = atEof ? lines.span(file, text.length, text.length) : spanOfToken(e.token, lines, file);
  let missingSpan = foundSpan;
  if (prev && (atEof || lines.position(e.token.startOffset).line > lines.position(prev.startOffset).line)) {
    const end = prev.startOffset + prev.image.length;
    missingSpan = lines.span(file, end, end);
  }

  const expects = (name: string) => expected.includes(name);

  // The end of the file (or the next 'model') inside an open construct is E0106.
  if (atEof || (expects("RCurly") && e.token.tokenType === Model)) {
    const opener = atEof ? innermostOpener(tokens, index) : findOpener(tokens, index, RCurly);
    if (opener !== undefined) {
      const closer = closerOf(tokens[opener].tokenType);
      const where = atEof ? "the end of the file" : "the next 'model'";
      return diag("E0106", missingSpan, `unterminated ${describeOpener(tokens, opener)}: expected '${closer}' before ${where}`, {
        labels: [{ span: spanOfToken(tokens[opener], lines, file), message: "opened here" }],
        help: `add '${closer}'`,
      });
    }
    // nothing is open: an earlier error's recovery consumed the opener
    if (atEof && afterOthers) return undefined;
  }

  const message = (text: string, help?: string) => diag("E0105", missingSpan, text, help ? { help } : {});
  const unexpected = (text: string, help?: string) => diag("E0105", foundSpan, text, help ? { help } : {});
  const keywordFound = e.token.tokenType !== Ident && /^[a-z]+$/.test(e.token.image) && e.token.tokenType.name.toLowerCase() === e.token.image;

  switch (rule) {
    case "file":
      if (e.token.tokenType === RCurly) return unexpected("unexpected '}': there is no open block to close", "remove it, or check the braces above");
      return unexpected(`expected 'model', 'block' or 'import', found ${found}`, "every statement belongs inside a model: model Name { input [1, 28, 28] ... }");
    case "importStmt":
      return message(`expected a quoted path after 'import', found ${found}`, 'e.g. import "blocks/resnet.cnn"');
    case "blockDef":
      return message(
        `expected a block name after 'block', found ${found}`,
        keywordFound ? `'${e.token.image}' is a keyword; choose another name` : "e.g. block BasicBlock(planes, stride = 1) { ... }",
      );
    case "params":
    case "param":
      return message(`expected a parameter name, '=' or ')' in the parameters, found ${found}`, "parameters are written (name, name = default, ...)");
    case "model":
      return message(
        `expected a model name after 'model', found ${found}`,
        keywordFound ? `'${e.token.image}' is a keyword; choose another name` : "e.g. model LeNet5 { ... }",
      );
    case "body":
      if (expects("LCurly")) {
        if (parentRule === "repeatStmt") return message(`expected '{' after the repeat count, found ${found}`, "e.g. repeat 2 { conv(64, kernel=3) relu }");
        if (parentRule === "ifStmt") return message(`expected '{' after the condition, found ${found}`, "e.g. if stride != 1 { ... }");
        if (parentRule === "seq" || parentRule === "merge") return message(`expected '{' after '${prev?.image ?? "seq"}', found ${found}`);
        if (parentRule === "blockDef") return message(`expected '{' after the block's name or parameters, found ${found}`);
        return message(`expected '{' after the model name${prev ? ` '${prev.image}'` : ""}, found ${found}`);
      }
      return unexpected(
        `expected a statement or '}', found ${found}`,
        e.token.tokenType === LSquare && prev?.tokenType === Ident
          ? `arguments go in parentheses: ${prev.image}(...)`
          : e.token.tokenType === NumberLit || e.token.tokenType === LParen
            ? "a layer is written op or op(arguments), e.g. relu or conv(6, kernel=5)"
            : e.token.tokenType === RParen || e.token.tokenType === RSquare
              ? `remove the unmatched '${e.token.image}'`
              : e.token.image === ","
                ? "statements are separated by new lines or ';', not ','"
                : e.token.tokenType === Minus
                  ? "a label may hold '-' between its parts, with no spaces, right before ':' (block1-0: conv(8, kernel=1)); elsewhere '-' subtracts inside parentheses"
                  : undefined,
      );
    case "item":
      if (prev?.tokenType === Colon) {
        return message(
          `expected an op name after the label${index >= 2 ? ` '${tokens[index - 2].image}:'` : ""}, found ${found}`,
          keywordFound ? `'${e.token.image}' is a keyword, not an op` : undefined,
        );
      }
      return unexpected(`expected a statement (input, rounding, a layer, repeat, if, seq, add, concat or loss), found ${found}`);
    case "stmt":
      return unexpected(`expected a statement (input, rounding, a layer, repeat, if, seq, add, concat or loss), found ${found}`);
    case "ref":
      return message(`expected a label after '@', found ${found}`, "a reference names an earlier labelled statement, e.g. @shortcut");
    case "ifStmt":
      return message(`expected a condition or 'else' body, found ${found}`, "e.g. if stride != 1 { ... } else { ... }");
    case "inputStmt":
    case "shape":
      if (expects("LSquare")) return message(`expected an input shape after 'input', found ${found}`, "write input [C, H, W] or input [D], e.g. input [1, 28, 28]");
      if (expects("Number") && !expects("RSquare")) return message(`expected a number in the input shape, found ${found}`, "an input shape is [C, H, W] or [D], e.g. [1, 28, 28]");
      return message(`expected ',' or ']' in the input shape, found ${found}`);
    case "roundingStmt":
      return message(`expected a rounding mode (floor, ceil or exact) after 'rounding', found ${found}`);
    case "lossStmt":
      return message(`expected a loss name (softmax or svm) after 'loss', found ${found}`);
    case "repeatStmt":
      return message(`expected a repeat count after 'repeat', found ${found}`, "e.g. repeat 2 { conv(64, kernel=3) relu } or repeat n as i { ... }");
    case "layer":
      return message(
        `expected an op name after the label${index >= 2 && tokens[index - 2].tokenType === Ident ? ` '${tokens[index - 2].image}:'` : ""}, found ${found}`,
        keywordFound ? `'${e.token.image}' is a keyword, not an op` : undefined,
      );
    case "args": {
      const op = enclosingOp(tokens, index);
      const sameLine = missingSpan === foundSpan;
      const glued = prev !== undefined && prev.startOffset + prev.image.length === e.token.startOffset;
      let help: string | undefined;
      if (glued && prev.tokenType === NumberLit && /^x[0-9]+$/.test(e.token.image)) help = `write a pair as (${prev.image}, ${e.token.image.slice(1)})`;
      else if (e.token.image === ":" && prev?.tokenType === Ident) help = `an argument is written name=value: ${prev.image}=...`;
      else if (sameLine && [Ident, NumberLit, LParen].includes(e.token.tokenType)) {
        // `relu(` then `affine(10)` on the next line: the name was read as an
        // argument value, but it starts a line and opens its own arguments, so
        // the ')' is missing at the end of the line before it
        const beforeName = index >= 2 ? tokens[index - 2] : undefined;
        if (e.token.tokenType === LParen && prev?.tokenType === Ident && beforeName && lines.position(beforeName.startOffset).line < lines.position(prev.startOffset).line) {
          const end = beforeName.startOffset + beforeName.image.length;
          return diag("E0105", lines.span(file, end, end), `expected ')' after the arguments of ${op}, found '${prev.image}'`);
        }
        help = "separate arguments with ','";
      }
      return message(`expected ')' after the arguments of ${op}, found ${found}`, help);
    }
    case "arg":
    case "expr": {
      // the construct the expression belongs to: the innermost of these on the rule stack
      const owner = [...e.context.ruleStack].reverse().find((r) => ["arg", "repeatStmt", "ifStmt", "param", "group"].includes(r));
      if (owner === "repeatStmt") return message(`expected a repeat count after 'repeat', found ${found}`, "e.g. repeat 2 { conv(64, kernel=3) relu } or repeat n as i { ... }");
      if (owner === "ifStmt") return message(`expected a condition after 'if', found ${found}`, "e.g. if stride != 1 { ... }");
      if (owner === "param") return message(`expected a default value after '=', found ${found}`, "e.g. block B(planes, stride = 1) { ... }");
      if (owner === undefined) return message(`expected a value, found ${found}`, "a value is a number, a name, a tuple like (2, 2), or arithmetic such as c * 4");
      const op = enclosingOp(tokens, index);
      const argName = prev?.image === "=" && index >= 2 ? `'${tokens[index - 2].image}'` : "an argument";
      return message(
        `expected a value for ${argName} of ${op}, found ${found}`,
        prev?.image === "," && e.token.tokenType === RParen
          ? "remove the trailing ','"
          : "a value is a number (3, 0.5, 1e-5), a tuple like (2, 2), arithmetic (c * 4), or one of same, valid, floor, ceil, exact, true, false",
      );
    }
    case "group":
      if (expects("RParen") || expects("Comma")) return message(`expected ',' or ')' in the tuple, found ${found}`, "separate the values with ',', e.g. (2, 2)");
      return message(`expected a value in the parentheses, found ${found}`, "a tuple holds values, e.g. (2, 2) or (1, 1, 0, 0)");
    default:
      return message(`unexpected ${found}`);
  }
}

/**
 * Sets startLine/startColumn/endLine/endColumn (1-based, inclusive end, as
 * chevrotain's "full" tracking would) from the one line table, in one pass.
 */
function addPositions(tokens: IToken[], lines: LineMap): void {
  for (const t of tokens) {
    const start = lines.position(t.startOffset);
    const end = lines.position(t.startOffset + Math.max(t.image.length - 1, 0));
    t.startLine = start.line;
    t.startColumn = start.column;
    t.endLine = end.line;
    t.endColumn = end.column;
  }
}

/** Index of the token starting at `offset` (tokens are sorted by offset). */
export function tokenIndexAt(tokens: IToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].startOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const pairs = new Map<TokenType, TokenType>([
  [RCurly, LCurly],
  [RParen, LParen],
  [RSquare, LSquare],
]);
const closerOf = (opener: TokenType): string => (opener === LCurly ? "}" : opener === LParen ? ")" : "]");

/** The unmatched opener of `close` before token `index`; a '(' or '[' search stops at a brace. */
function findOpener(tokens: IToken[], index: number, close: TokenType): number | undefined {
  const open = pairs.get(close)!;
  let depth = 0;
  for (let i = index - 1; i >= 0; i--) {
    const t = tokens[i].tokenType;
    if (t === close) depth++;
    else if (t === open) {
      if (depth === 0) return i;
      depth--;
    } else if (open !== LCurly && (t === LCurly || t === RCurly)) return undefined;
  }
  return undefined;
}

/** The innermost bracket of any kind still open before token `index`. */
function innermostOpener(tokens: IToken[], index: number): number | undefined {
  const closers: TokenType[] = [];
  for (let i = index - 1; i >= 0; i--) {
    const t = tokens[i].tokenType;
    if (pairs.has(t)) closers.push(t);
    else if (t === LCurly || t === LParen || t === LSquare) {
      if (closers.length === 0) return i;
      closers.pop();
    }
  }
  return undefined;
}

/** "model 'A'", "repeat block", "arguments of 'conv'", "input shape", "tuple" for the opener at `i`. */
function describeOpener(tokens: IToken[], i: number): string {
  const t = tokens[i].tokenType;
  const before = tokens[i - 1];
  if (t === LCurly) {
    if (before?.tokenType === Ident && tokens[i - 2]?.tokenType === Model) return `model '${before.image}'`;
    if (before?.tokenType === Ident && tokens[i - 2]?.tokenType === Block) return `block '${before.image}'`;
    if (before?.tokenType === Seq || before?.tokenType === Add || before?.tokenType === Concat || before?.tokenType === Mul) return `'${before.image}' body`;
    for (let k = i - 1; k >= 0 && k >= i - 64; k--) {
      const kt = tokens[k].tokenType;
      if (kt === LCurly || kt === RCurly) break;
      if (kt === Repeat) return "repeat block";
      if (kt === If) return "'if' body";
      if (kt === Block) return `block '${tokens[k + 1]?.image ?? ""}'`;
    }
    return "'{ … }' chain";
  }
  if (t === LSquare) return "input shape";
  if (before?.tokenType === Ident) return `arguments of '${before.image}'`;
  return "tuple";
}

/** "'conv'" for an error inside conv's argument list, else "the layer". */
function enclosingOp(tokens: IToken[], index: number): string {
  const open = findOpener(tokens, Math.min(index, tokens.length), RParen);
  if (open === undefined) return "the layer";
  // inside a tuple: the argument list's '(' is one further out
  const outer = tokens[open - 1]?.tokenType === Ident ? open : findOpener(tokens, open, RParen);
  const op = outer !== undefined ? tokens[outer - 1] : undefined;
  return op?.tokenType === Ident ? `'${op.image}'` : "the layer";
}

function spanOfToken(t: IToken, lines: LineMap, file: string): Span {
  return lines.span(file, t.startOffset, t.startOffset + t.image.length);
}

function invalidCharacter(text: string, offset: number, length: number, lines: LineMap, file: string): Diagnostic {
  const run = text.slice(offset, offset + length);
  const ch = String.fromCodePoint(run.codePointAt(0)!);
  const shown = /^[\x21-\x7e]$/.test(ch) ? `'${ch}'` : `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}${/\p{L}|\p{N}|\p{P}|\p{S}/u.test(ch) ? ` '${ch}'` : ""}`;
  const message = run.length > ch.length ? `invalid character ${shown} (and ${[...run].length - 1} more after it)` : `invalid character ${shown}`;
  let help: string | undefined;
  if (ch === "." && /[0-9]/.test(text[offset + 1] ?? "")) help = "write a leading zero: 0.5, not .5";
  else if (ch === '"' || ch === "'") help = "the only strings in .cnn are import paths, in double quotes on one line; names are written without quotes";
  else if (ch.codePointAt(0)! > 0x7f) help = "only comments may hold non-ASCII text; identifiers are ASCII letters, digits and '_'";
  return diag("E0104", lines.span(file, offset, offset + length), message, help ? { help } : {});
}

/** 200000 → "200,000" */
function grouped(n: number): string {
  return n.toLocaleString("en-US");
}

/** A long token shortened for a message: the first 20 characters and the length. */
function abbreviate(image: string): string {
  return image.length <= 40 ? image : `${image.slice(0, 20)}… (${image.length} characters)`;
}
