// The .cnn grammar (docs/language.md#grammar) as a chevrotain CstParser: tokens → CST.
// Holds no actions; src/cst-to-ast.ts visits the CST. Error recovery is on, so
// one run collects every syntax error (src/parse.ts words them as E01xx).
//
// Three deliberate relaxations, each re-checked in src/cst-to-ast.ts where the
// error can be explained better than "expected X":
//   - a model or repeat body is `stmt*` in any order (E0108–E0113 check the order,
//     and that input/rounding/loss do not appear inside a repeat);
//   - a Number is accepted where the grammar says INT (shape dims, repeat count; E0114);
//   - `;` is an empty statement, so it may separate (or end) statements.
import { CstParser, EOF, tokenMatcher, type IOrAlt, type IParserErrorMessageProvider, type ManySepMethodOpts, type AtLeastOneSepMethodOpts, type TokenType } from "chevrotain";
import {
  allTokens,
  Colon,
  Comma,
  Equals,
  Ident,
  Input,
  LCurly,
  Loss,
  LParen,
  LSquare,
  Model,
  NumberLit,
  RCurly,
  Repeat,
  Rounding,
  RParen,
  RSquare,
  Semicolon,
} from "./tokens.ts";

/** How far ahead error recovery looks for a re-sync point (see findReSyncTokenType). */
const RESYNC_WINDOW = 2048;

export class CnnParser extends CstParser {
  /**
   * The alternatives and separator options, built once per parser instead of at
   * every call (chevrotain's "caching arrays of alternatives" advice): they are
   * the parser's main allocation otherwise.
   */
  private cache: {
    stmt?: IOrAlt<unknown>[];
    argName?: IOrAlt<unknown>[];
    value?: IOrAlt<unknown>[];
    dims?: AtLeastOneSepMethodOpts<unknown>;
    args?: ManySepMethodOpts<unknown>;
  } = {};

  /** `errorMessageProvider`: src/parse.ts words the errors itself, so it passes its own. */
  constructor(errorMessageProvider?: IParserErrorMessageProvider) {
    super(allTokens, { recoveryEnabled: true, maxLookahead: 2, ...(errorMessageProvider ? { errorMessageProvider } : {}) });
    this.performSelfAnalysis();
  }

  /**
   * Chevrotain's recovery scans ahead for a token that may follow one of the
   * rules on the stack — to the end of the input if need be — at every error,
   * which is quadratic on adversarial input (100,000 × `relu =`). This looks at
   * most RESYNC_WINDOW tokens ahead and falls back to EOF, always a valid
   * re-sync point; in real files a follow token is a few tokens away, so
   * recovery is unchanged. It overrides an internal method of chevrotain
   * 11.2.0 (the version is pinned); test/parser-adversarial.test.ts fails if
   * the override stops applying.
   */
  findReSyncTokenType(): TokenType {
    const follows = (this as unknown as { flattenFollowSet(): TokenType[] }).flattenFollowSet();
    for (let k = 1; k <= RESYNC_WINDOW; k++) {
      const token = this.LA(k);
      if (token.tokenType === EOF) return EOF;
      for (const follow of follows) if (tokenMatcher(token, follow)) return follow;
    }
    return EOF;
  }

  /** file := model* */
  public file = this.RULE("file", () => {
    this.MANY(() => this.SUBRULE(this.model));
  });

  /** model := 'model' IDENT '{' stmt* '}' */
  public model = this.RULE("model", () => {
    this.CONSUME(Model);
    this.CONSUME(Ident);
    this.SUBRULE(this.block);
  });

  /** '{' stmt* '}' — the body of a model or a repeat */
  public block = this.RULE("block", () => {
    this.CONSUME(LCurly);
    this.MANY(() => this.SUBRULE(this.stmt));
    this.CONSUME(RCurly);
  });

  /** stmt := input | rounding | loss | repeat | layer | ';' */
  public stmt = this.RULE("stmt", () => {
    this.OR((this.cache.stmt ??= [
      { ALT: () => this.SUBRULE(this.inputStmt) },
      { ALT: () => this.SUBRULE(this.roundingStmt) },
      { ALT: () => this.SUBRULE(this.lossStmt) },
      { ALT: () => this.SUBRULE(this.repeatStmt) },
      { ALT: () => this.SUBRULE(this.layer) },
      { ALT: () => this.CONSUME(Semicolon) },
    ]));
  });

  /** 'input' shape */
  public inputStmt = this.RULE("inputStmt", () => {
    this.CONSUME(Input);
    this.SUBRULE(this.shape);
  });

  /** shape := '[' INT (',' INT)* ']' */
  public shape = this.RULE("shape", () => {
    this.CONSUME(LSquare);
    this.AT_LEAST_ONE_SEP((this.cache.dims ??= { SEP: Comma, DEF: () => this.CONSUME(NumberLit) }));
    this.CONSUME(RSquare);
  });

  /** 'rounding' IDENT */
  public roundingStmt = this.RULE("roundingStmt", () => {
    this.CONSUME(Rounding);
    this.CONSUME(Ident);
  });

  /** 'loss' IDENT args? */
  public lossStmt = this.RULE("lossStmt", () => {
    this.CONSUME(Loss);
    this.CONSUME(Ident);
    this.OPTION(() => this.SUBRULE(this.args));
  });

  /** repeat := 'repeat' INT '{' stmt* '}' */
  public repeatStmt = this.RULE("repeatStmt", () => {
    this.CONSUME(Repeat);
    this.CONSUME(NumberLit);
    this.SUBRULE(this.block);
  });

  /** layer := (IDENT ':')? IDENT args? */
  public layer = this.RULE("layer", () => {
    this.OPTION(() => {
      this.CONSUME(Ident, { LABEL: "label" });
      this.CONSUME(Colon);
    });
    this.CONSUME2(Ident, { LABEL: "op" });
    this.OPTION2(() => this.SUBRULE(this.args));
  });

  /** args := '(' (arg (',' arg)*)? ')' */
  public args = this.RULE("args", () => {
    this.CONSUME(LParen);
    this.MANY_SEP((this.cache.args ??= { SEP: Comma, DEF: () => this.SUBRULE(this.arg) }));
    this.CONSUME(RParen);
  });

  /**
   * arg := (IDENT '=')? value. A keyword may name an argument too (`rounding=ceil`
   * is the per-layer rounding of docs/language.md; before '=' a keyword is unambiguous).
   */
  public arg = this.RULE("arg", () => {
    this.OPTION(() => {
      this.OR((this.cache.argName ??= [
        { ALT: () => this.CONSUME(Ident, { LABEL: "name" }) },
        { ALT: () => this.CONSUME(Rounding, { LABEL: "name" }) },
        { ALT: () => this.CONSUME(Input, { LABEL: "name" }) },
        { ALT: () => this.CONSUME(Loss, { LABEL: "name" }) },
        { ALT: () => this.CONSUME(Repeat, { LABEL: "name" }) },
        { ALT: () => this.CONSUME(Model, { LABEL: "name" }) },
      ]));
      this.CONSUME(Equals);
    });
    this.SUBRULE(this.value);
  });

  /** value := NUMBER | '(' NUMBER (',' NUMBER)+ ')' | IDENT */
  public value = this.RULE("value", () => {
    this.OR((this.cache.value ??= [
      { ALT: () => this.CONSUME(NumberLit) },
      { ALT: () => this.SUBRULE(this.tuple) },
      { ALT: () => this.CONSUME(Ident) },
    ]));
  });

  /** '(' NUMBER (',' NUMBER)+ ')' */
  public tuple = this.RULE("tuple", () => {
    this.CONSUME(LParen);
    this.CONSUME(NumberLit);
    this.AT_LEAST_ONE(() => {
      this.CONSUME(Comma);
      this.CONSUME2(NumberLit);
    });
    this.CONSUME(RParen);
  });
}
