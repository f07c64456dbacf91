// User text (a file name, a layer as written, a .cnn comment) inside a comment
// of a generated file: a TypeScript `//` line or `/** */` block, a Python `#`
// line. The result stays on one line and cannot close a block comment, so no
// file name or source text can end the comment and turn into code.
import { escapeInvisible } from "./invisible.ts";

// The text as one comment line: invisible characters escaped (see invisible.ts), and
// a star followed by a slash written `*\/`.
export function commentText(text: string): string {
  return escapeInvisible(text).replaceAll("*/", "*\\/");
}
