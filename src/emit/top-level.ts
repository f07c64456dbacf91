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
/** Characters after which `/` begins a regular expression rather than a division. */
const BEFORE_REGEX = new Set([..."(,=:[!&|?{};+-*%<>~^"]);
const KEYWORDS_BEFORE_REGEX = /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|new|delete|void|throw|instanceof|yield|await)$/;

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
  /** the last character of code, ignoring whitespace and comments */
  let last = "";
  /** whether code came since the last cut (a statement's trailing blank lines and comments belong to the next) */
  let code = false;
  let i = 0;
  const n = text.length;
  const skipString = (quote: string) => {
    for (i++; i < n && text[i] !== quote; i++) if (text[i] === "\\") i++;
    i++;
  };
  /** from inside a template literal: to its end (returns true) or to a `${` (false) */
  const skipTemplate = (): boolean => {
    for (; i < n; i++) {
      if (text[i] === "\\") i++;
      else if (text[i] === "`") {
        i++;
        return true;
      } else if (text[i] === "$" && text[i + 1] === "{") {
        i += 2;
        return false;
      }
    }
    return true;
  };
  while (i < n) {
    const c = text[i]!;
    if (c === "\n") {
      if (code && depth === 0 && templates.length === 0 && (last === ";" || last === "}") && STARTS.test(nextCode(text, i + 1))) {
        cuts.push(i + 1);
        code = false;
      }
      i++;
    } else if (c === " " || c === "\t" || c === "\r") {
      i++;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < n && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === "/" && (last === "" || BEFORE_REGEX.has(last) || KEYWORDS_BEFORE_REGEX.test(text.slice(Math.max(0, i - 12), i).trimEnd()))) {
      let inClass = false;
      for (i++; i < n && text[i] !== "\n"; i++) {
        if (text[i] === "\\") i++;
        else if (text[i] === "[") inClass = true;
        else if (text[i] === "]") inClass = false;
        else if (text[i] === "/" && !inClass) break;
      }
      i++;
      last = "/";
      code = true;
    } else if (c === '"' || c === "'") {
      skipString(c);
      last = c;
      code = true;
    } else if (c === "`") {
      i++;
      if (!skipTemplate()) templates.push(depth);
      last = "`";
      code = true;
    } else {
      code = true;
      if (c === "(" || c === "[" || c === "{") depth++;
      else if (c === ")" || c === "]") depth--;
      else if (c === "}") {
        if (templates.length > 0 && templates[templates.length - 1] === depth) {
          // the end of a `${}`: back inside the template literal
          templates.pop();
          i++;
          if (!skipTemplate()) templates.push(depth);
          last = "`";
          continue;
        }
        depth--;
      }
      last = c;
      i++;
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
