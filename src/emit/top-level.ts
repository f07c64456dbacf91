// top-level: emitted TypeScript → its top-level statements as pieces of the
// original text, so that src/emit/format.ts can give each distinct statement
// to prettier once. Prettier lays out a top-level statement from that
// statement's text alone; between two of them it writes one newline, and one
// blank line when the line after the first statement is blank. So formatting
// the pieces and joining them that way gives prettier's bytes for the whole
// text (a test compares the two on every example and random models).
//
// The scan knows strings, template literals (with nested `${}`), comments and
// regular-expression literals, and cuts only where every bracket is closed,
// the statement ended with `;` or `}`, and the next code token is a keyword
// that starts a declaration (so no cut can change where a statement ends).
// A cut in the wrong place would leave a piece prettier cannot parse; the
// caller then formats the whole text instead.

/** Keywords that start a statement and cannot continue the one before it. */
const STARTS = /^(?:export|function|const|let|type|interface|class|import|declare|enum|async function)\b/;
/** Characters after which `/` begins a regular expression rather than a division (as char codes; -1: the start). */
const BEFORE_REGEX = new Set([-1, ...[..."(,=:[!&|?{};+-*%<>~^"].map((ch) => ch.charCodeAt(0))]);
const KEYWORDS_BEFORE_REGEX = /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|new|delete|void|throw|instanceof|yield|await)$/;

// char codes the scan stops at (it reads the text as codes: this runs on every
// emitted character, before any JIT has warmed up)
const NL = 10, TAB = 9, CR = 13, SPACE = 32, QUOTE = 34, DOLLAR = 36, APOSTROPHE = 39, OPEN_PAREN = 40, CLOSE_PAREN = 41, STAR = 42;
const SLASH = 47, SEMICOLON = 59, OPEN_BRACKET = 91, BACKSLASH = 92, CLOSE_BRACKET = 93, BACKTICK = 96, OPEN_BRACE = 123, CLOSE_BRACE = 125;

/** Whether a character only continues code (an identifier, a number, an operator): the scan just steps over it. */
const plain = (c: number) =>
  c !== NL && c !== SPACE && c !== TAB && c !== CR && c !== SLASH && c !== QUOTE && c !== APOSTROPHE && c !== BACKTICK &&
  c !== OPEN_PAREN && c !== CLOSE_PAREN && c !== OPEN_BRACKET && c !== CLOSE_BRACKET && c !== OPEN_BRACE && c !== CLOSE_BRACE;

/**
 * The text cut at the starts of top-level statements (each piece but the first
 * begins on the line after the previous statement ended, with that statement's
 * leading blank lines and comments). The pieces concatenate to `text`.
 */
export function splitTopLevel(text: string): string[] {
  const cuts: number[] = [];
  let depth = 0;
  /** the bracket depth at which each open template literal's `${` was entered */
  const templates: number[] = [];
  /** the last character of code (a char code), ignoring whitespace and comments; -1 before any */
  let last = -1;
  /** whether code came since the last cut (a statement's trailing blank lines and comments belong to the next) */
  let code = false;
  let i = 0;
  const n = text.length;
  const skipString = (quote: number) => {
    for (i++; i < n && text.charCodeAt(i) !== quote; i++) if (text.charCodeAt(i) === BACKSLASH) i++;
    i++;
  };
  /** from inside a template literal: to its end (returns true) or to a `${` (false) */
  const skipTemplate = (): boolean => {
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === BACKSLASH) i++;
      else if (c === BACKTICK) {
        i++;
        return true;
      } else if (c === DOLLAR && text.charCodeAt(i + 1) === OPEN_BRACE) {
        i += 2;
        return false;
      }
    }
    return true;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === NL) {
      if (code && depth === 0 && templates.length === 0 && (last === SEMICOLON || last === CLOSE_BRACE) && STARTS.test(nextCode(text, i + 1))) {
        cuts.push(i + 1);
        code = false;
      }
      i++;
    } else if (c === SPACE || c === TAB || c === CR) {
      i++;
    } else if (c === SLASH && text.charCodeAt(i + 1) === SLASH) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? n : end;
    } else if (c === SLASH && text.charCodeAt(i + 1) === STAR) {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === SLASH && (BEFORE_REGEX.has(last) || KEYWORDS_BEFORE_REGEX.test(text.slice(Math.max(0, i - 12), i).trimEnd()))) {
      let inClass = false;
      for (i++; i < n && text.charCodeAt(i) !== NL; i++) {
        const r = text.charCodeAt(i);
        if (r === BACKSLASH) i++;
        else if (r === OPEN_BRACKET) inClass = true;
        else if (r === CLOSE_BRACKET) inClass = false;
        else if (r === SLASH && !inClass) break;
      }
      i++;
      last = SLASH;
      code = true;
    } else if (c === QUOTE || c === APOSTROPHE) {
      skipString(c);
      last = c;
      code = true;
    } else if (c === BACKTICK) {
      i++;
      if (!skipTemplate()) templates.push(depth);
      last = BACKTICK;
      code = true;
    } else {
      code = true;
      if (c === OPEN_PAREN || c === OPEN_BRACKET || c === OPEN_BRACE) depth++;
      else if (c === CLOSE_PAREN || c === CLOSE_BRACKET) depth--;
      else if (c === CLOSE_BRACE) {
        if (templates.length > 0 && templates[templates.length - 1] === depth) {
          // the end of a `${}`: back inside the template literal
          templates.pop();
          i++;
          if (!skipTemplate()) templates.push(depth);
          last = BACKTICK;
          continue;
        }
        depth--;
      }
      last = c;
      i++;
      // the rest of an identifier, number or operator changes nothing but `last`
      while (i < n && plain(text.charCodeAt(i))) last = text.charCodeAt(i++);
    }
  }
  const pieces: string[] = [];
  let from = 0;
  for (const cut of cuts) {
    pieces.push(text.slice(from, cut));
    from = cut;
  }
  pieces.push(text.slice(from));
  return pieces;
}

/** The code after `from`, past blank lines and comments (only its start is looked at). */
function nextCode(text: string, from: number): string {
  let i = from;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text.startsWith("//", i)) {
      const end = text.indexOf("\n", i);
      if (end < 0) return "";
      i = end + 1;
    } else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) return "";
      i = end + 2;
    } else {
      return text.slice(i, i + 16);
    }
  }
}

/** Whether a piece after the first starts with a blank line (prettier keeps one there). */
export function startsWithBlankLine(piece: string): boolean {
  return /^[ \t\r]*\n/.test(piece);
}
