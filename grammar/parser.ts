// The .cnn grammar (docs/language.md#grammar) as a chevrotain CstParser: tokens → CST.
// Holds no actions; src/cst-to-ast.ts visits the CST. Error recovery is on, so
// one run collects every syntax error (src/parse.ts words them as E01xx).
//
// Three deliberate relaxations, each re-checked in src/cst-to-ast.ts where the
// error can be explained better than "expected X":
//   - every body (model, block, repeat, if, seq, merge, chain) is `stmt*` in any
//     order (E0108–E0113 check the order, and that input/rounding/loss appear only
//     at a model's top level);
//   - a Number is accepted where the language says INT (shape dims; E0115), and
//     an expression where a count is due (repeat; evaluated by the checker);
//   - `;` is an empty statement, so it may separate (or end) statements.
// Expressions recurse only through parentheses, which src/parse.ts counts
// against the nesting limit before parsing; operators and prefixes loop.
import { CstParser, EOF, tokenMatcher, type IOrAlt, type IParserErrorMessageProvider, type ManySepMethodOpts, type AtLeastOneSepMethodOpts, type TokenType } from "chevrotain";
import {
  Add,
  allTokens,
  And,
  As,
  At,
  Block,
  Colon,
  Comma,
  Compare,
  Concat,
  Mul,
  Else,
  Equals,
  Ident,
  If,
  Import,
  Input,
  LabelTemplate,
  LCurly,
  Loss,
  LParen,
  LSquare,
  Minus,
  Model,
  Not,
  NumberLit,
  Or,
  Plus,
  RCurly,
  Repeat,
  Rounding,
  RParen,
  RSquare,
  Semicolon,
  Seq,
  Slash,
  SlashSlash,
  Star,
  StringLit,
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
    top?: IOrAlt<unknown>[];
    stmt?: IOrAlt<unknown>[];
    item?: IOrAlt<unknown>[];
    label?: IOrAlt<unknown>[];
    ref?: IOrAlt<unknown>[];
    merge?: IOrAlt<unknown>[];
    argName?: IOrAlt<unknown>[];
    atom?: IOrAlt<unknown>[];
    binop?: IOrAlt<unknown>[];
    prefix?: IOrAlt<unknown>[];
    prefix2?: IOrAlt<unknown>[];
    atom2?: IOrAlt<unknown>[];
    elseBody?: IOrAlt<unknown>[];
    dims?: AtLeastOneSepMethodOpts<unknown>;
    args?: ManySepMethodOpts<unknown>;
    params?: ManySepMethodOpts<unknown>;
  } = {};

  /**
   * `errorMessageProvider`: src/parse.ts words the errors itself, so it passes its own.
   * `skipValidations`: skip chevrotain's checks of the grammar (ambiguities, left
   * recursion) at set-up; only for a grammar already checked by a parser built without it.
   */
  constructor(errorMessageProvider?: IParserErrorMessageProvider, skipValidations = false) {
    super(allTokens, { recoveryEnabled: true, maxLookahead: 2, skipValidations, ...(errorMessageProvider ? { errorMessageProvider } : {}) });
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

  /** file := (import | blockDef | model)* */
  public file = this.RULE("file", () => {
    this.MANY(() =>
      this.OR((this.cache.top ??= [
        { ALT: () => this.SUBRULE(this.importStmt) },
        { ALT: () => this.SUBRULE(this.blockDef) },
        { ALT: () => this.SUBRULE(this.model) },
      ])),
    );
  });

  /** import := 'import' STRING */
  public importStmt = this.RULE("importStmt", () => {
    this.CONSUME(Import);
    this.CONSUME(StringLit);
  });

  /** blockDef := 'block' IDENT params? body */
  public blockDef = this.RULE("blockDef", () => {
    this.CONSUME(Block);
    this.CONSUME(Ident);
    this.OPTION(() => this.SUBRULE(this.params));
    this.SUBRULE(this.body);
  });

  /** params := '(' (param (',' param)*)? ')' */
  public params = this.RULE("params", () => {
    this.CONSUME(LParen);
    this.MANY_SEP((this.cache.params ??= { SEP: Comma, DEF: () => this.SUBRULE(this.param) }));
    this.CONSUME(RParen);
  });

  /** param := IDENT ('=' expr)? */
  public param = this.RULE("param", () => {
    this.CONSUME(Ident);
    this.OPTION(() => {
      this.CONSUME(Equals);
      this.SUBRULE(this.expr);
    });
  });

  /** model := 'model' IDENT body */
  public model = this.RULE("model", () => {
    this.CONSUME(Model);
    this.CONSUME(Ident);
    this.SUBRULE(this.body);
  });

  /** body := '{' stmt* '}' — of a model, block, repeat, if, seq, merge or chain */
  public body = this.RULE("body", () => {
    this.CONSUME(LCurly);
    this.MANY(() => this.SUBRULE(this.stmt));
    this.CONSUME(RCurly);
  });

  /** stmt := input | rounding | loss | repeat | if | '@' IDENT | body | item | ';' */
  public stmt = this.RULE("stmt", () => {
    this.OR((this.cache.stmt ??= [
      { ALT: () => this.SUBRULE(this.inputStmt) },
      { ALT: () => this.SUBRULE(this.roundingStmt) },
      { ALT: () => this.SUBRULE(this.lossStmt) },
      { ALT: () => this.SUBRULE(this.repeatStmt) },
      { ALT: () => this.SUBRULE(this.ifStmt) },
      { ALT: () => this.SUBRULE(this.ref) },
      { ALT: () => this.SUBRULE(this.body) },
      { ALT: () => this.SUBRULE(this.item) },
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

  /** repeat := 'repeat' expr ('as' IDENT)? body */
  public repeatStmt = this.RULE("repeatStmt", () => {
    this.CONSUME(Repeat);
    this.SUBRULE(this.expr);
    this.OPTION(() => {
      this.CONSUME(As);
      this.CONSUME(Ident);
    });
    this.SUBRULE(this.body);
  });

  /** if := 'if' expr body ('else' (if | body))? */
  public ifStmt = this.RULE("ifStmt", () => {
    this.CONSUME(If);
    this.SUBRULE(this.expr);
    this.SUBRULE(this.body);
    this.OPTION(() => {
      this.CONSUME(Else);
      this.OR((this.cache.elseBody ??= [
        { ALT: () => this.SUBRULE(this.ifStmt, { LABEL: "elseIf" }) },
        { ALT: () => this.SUBRULE2(this.body, { LABEL: "elseBody" }) },
      ]));
    });
  });

  /** ref := '@' (IDENT | label with '-') — the value an earlier labelled statement produced */
  public ref = this.RULE("ref", () => {
    this.CONSUME(At);
    this.OR((this.cache.ref ??= [{ ALT: () => this.CONSUME(Ident) }, { ALT: () => this.CONSUME(LabelTemplate) }]));
  });

  /** item := (label ':')? (layer | seq | merge); a layer is an op or a block instance; `block` may be a label */
  public item = this.RULE("item", () => {
    this.OPTION(() => {
      this.OR((this.cache.label ??= [
        { ALT: () => this.CONSUME(Ident, { LABEL: "label" }) },
        { ALT: () => this.CONSUME(LabelTemplate, { LABEL: "label" }) },
        // torchvision's modules call a submodule `block` (MobileNetV3, EfficientNet, RegNet); before ':' the keyword is a label
        { ALT: () => this.CONSUME(Block, { LABEL: "label" }) },
      ]));
      this.CONSUME(Colon);
    });
    this.OR2((this.cache.item ??= [
      { ALT: () => this.SUBRULE(this.layer) },
      { ALT: () => this.SUBRULE(this.seq) },
      { ALT: () => this.SUBRULE(this.merge) },
    ]));
  });

  /** layer := IDENT args? */
  public layer = this.RULE("layer", () => {
    this.CONSUME(Ident, { LABEL: "op" });
    this.OPTION(() => this.SUBRULE(this.args));
  });

  /** seq := 'seq' body — members named 0, 1, … like nn.Sequential */
  public seq = this.RULE("seq", () => {
    this.CONSUME(Seq);
    this.SUBRULE(this.body);
  });

  /** merge := ('add' | 'concat' | 'mul') body — each statement of the body is a branch */
  public merge = this.RULE("merge", () => {
    this.OR((this.cache.merge ??= [
      { ALT: () => this.CONSUME(Add, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(Concat, { LABEL: "op" }) },
      { ALT: () => this.CONSUME(Mul, { LABEL: "op" }) },
    ]));
    this.SUBRULE(this.body);
  });

  /** args := '(' (arg (',' arg)*)? ')' */
  public args = this.RULE("args", () => {
    this.CONSUME(LParen);
    this.MANY_SEP((this.cache.args ??= { SEP: Comma, DEF: () => this.SUBRULE(this.arg) }));
    this.CONSUME(RParen);
  });

  /**
   * arg := (IDENT '=')? expr. A keyword may name an argument too (`rounding=ceil`
   * is the per-layer rounding; before '=' a keyword is unambiguous).
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
    this.SUBRULE(this.expr);
  });

  /**
   * expr := prefix* operand (binop prefix* operand)*, where prefix is '-' or
   * 'not', operand is NUMBER | IDENT | group, and binop one of or and == != < <=
   * > >= + - * / //. Flat on purpose (no node per operand or per precedence
   * level): src/cst-to-ast.ts orders the pieces by offset and applies the
   * precedences (docs/language.md#arithmetic).
   */
  public expr = this.RULE("expr", () => {
    this.MANY(() =>
      this.OR((this.cache.prefix ??= [
        { ALT: () => this.CONSUME(Minus, { LABEL: "prefix" }) },
        { ALT: () => this.CONSUME(Not, { LABEL: "prefix" }) },
      ])),
    );
    this.OR2((this.cache.atom ??= [
      { ALT: () => this.CONSUME(NumberLit, { LABEL: "operand" }) },
      { ALT: () => this.CONSUME(Ident, { LABEL: "operand" }) },
      { ALT: () => this.SUBRULE(this.group, { LABEL: "operand" }) },
    ]));
    this.MANY2(() => {
      this.OR3((this.cache.binop ??= [
        { ALT: () => this.CONSUME(Or, { LABEL: "op" }) },
        { ALT: () => this.CONSUME(And, { LABEL: "op" }) },
        { ALT: () => this.CONSUME(Compare, { LABEL: "op" }) },
        { ALT: () => this.CONSUME(Plus, { LABEL: "op" }) },
        { ALT: () => this.CONSUME2(Minus, { LABEL: "op" }) },
        { ALT: () => this.CONSUME(Star, { LABEL: "op" }) },
        { ALT: () => this.CONSUME(SlashSlash, { LABEL: "op" }) },
        { ALT: () => this.CONSUME(Slash, { LABEL: "op" }) },
      ]));
      this.MANY3(() =>
        this.OR4((this.cache.prefix2 ??= [
          { ALT: () => this.CONSUME3(Minus, { LABEL: "prefix" }) },
          { ALT: () => this.CONSUME2(Not, { LABEL: "prefix" }) },
        ])),
      );
      this.OR5((this.cache.atom2 ??= [
        { ALT: () => this.CONSUME2(NumberLit, { LABEL: "operand" }) },
        { ALT: () => this.CONSUME2(Ident, { LABEL: "operand" }) },
        { ALT: () => this.SUBRULE2(this.group, { LABEL: "operand" }) },
      ]));
    });
  });

  /** group := '(' expr (',' expr)* ')' */
  public group = this.RULE("group", () => {
    this.CONSUME(LParen);
    this.SUBRULE(this.expr);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.expr);
    });
    this.CONSUME(RParen);
  });
}
