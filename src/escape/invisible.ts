// Characters no generated file may carry raw inside a comment or an SVG text:
// line terminators of any target language (LF, CR, U+2028, U+2029 end a
// TypeScript comment; a NUL is refused by Python), every other control
// character, characters XML 1.0 forbids (U+FFFE, U+FFFF, unpaired surrogates),
// and the bidirectional controls that make a line display differently from
// what it is ("Trojan Source"). They are written as visible escapes instead.

const INVISIBLE = /[\p{Cc}\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFFFE\uFFFF]|\p{Cs}/gu;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** The text on one line, every invisible character as an escape: a newline becomes `\n`, U+2028 `\u2028`. */
export function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
}
