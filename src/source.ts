// Source decoding: bytes or a string → the text every later span indexes into.
// Guarantees: the text is valid UTF-8 (as decoded), holds no NUL, has no leading
// BOM, and is at most MAX_SOURCE_BYTES long. Emits E0101 (invalid UTF-8),
// E0102 (binary file), E0103 (file too large).
import { diag, type PhaseResult, type Span } from "./diagnostics.ts";

/** Files above this are refused before they are decoded or lexed. */
export const MAX_SOURCE_BYTES = 1024 * 1024;

const BOM = "\uFEFF";

/**
 * Decodes a .cnn source. Bytes must be strict UTF-8 (the error points at the
 * first invalid byte); a leading BOM is dropped; CRLF is kept (the lexer treats
 * CR as whitespace). A NUL byte means a binary file. Never throws.
 */
export function decodeSource(source: string | Uint8Array, file: string): PhaseResult<string> {
  const size = typeof source === "string" ? utf8Length(source) : source.length;
  if (size > MAX_SOURCE_BYTES) {
    return {
      diagnostics: [
        diag("E0103", pointSpan(file), `file is larger than the limit of 1 MiB (${MAX_SOURCE_BYTES.toLocaleString("en-US")} bytes)`, {
          help: "a .cnn file describes a network, not its weights; split it into several files if it really is this big",
        }),
      ],
    };
  }
  let text: string;
  if (typeof source === "string") {
    const bad = firstLoneSurrogate(source);
    if (bad >= 0) {
      const lines = new LineMap(source);
      return { diagnostics: [diag("E0101", lines.span(file, bad, bad + 1), "invalid UTF-8: the text holds an unpaired surrogate code unit")] };
    }
    text = source;
  } else {
    const bad = firstInvalidUtf8(source);
    if (bad >= 0) {
      // Everything before the bad byte is valid, so it decodes to the text the position is counted in.
      let before = new TextDecoder("utf-8", { ignoreBOM: true }).decode(source.subarray(0, bad));
      if (before.startsWith(BOM)) before = before.slice(1);
      const offset = before.length;
      const lines = new LineMap(before);
      const span = lines.span(file, offset, offset);
      span.endColumn += 1; // the bad byte itself (it has no decoded width)
      span.end += 1;
      return {
        diagnostics: [
          diag("E0101", span, `invalid UTF-8: byte 0x${source[bad].toString(16).padStart(2, "0")} at byte offset ${bad} does not start a valid UTF-8 sequence`, {
            help: "save the file as UTF-8; .cnn files need only ASCII outside comments",
          }),
        ],
      };
    }
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(source);
  }
  if (text.startsWith(BOM)) text = text.slice(1);
  const nul = text.indexOf("\0");
  if (nul >= 0) {
    const lines = new LineMap(text);
    return {
      diagnostics: [
        diag("E0102", lines.span(file, nul, nul + 1), "this looks like a binary file: it contains a NUL byte", {
          help: "cnnc reads .cnn text files; check the path",
        }),
      ],
    };
  }
  return { value: text, diagnostics: [] };
}

/** Maps offsets in a text to 1-based line:column (a line ends at LF; CRLF counts once). */
export class LineMap {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }

  /** 1-based line and column (in UTF-16 code units) of an offset. */
  position(offset: number): { line: number; column: number } {
    const i = this.lineIndex(offset);
    return { line: i + 1, column: offset - this.starts[i] + 1 };
  }

  /** The span of [start, end) in `file`. */
  span(file: string, start: number, end: number): Span {
    const a = this.lineIndex(start);
    const b = end === start ? a : this.lineIndex(end);
    return { file, line: a + 1, column: start - this.starts[a] + 1, endLine: b + 1, endColumn: end - this.starts[b] + 1, start, end };
  }

  /** 0-based index of the line holding `offset` (binary search over line starts). */
  private lineIndex(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** A zero-width span at the start of a file, for problems with the file as a whole. */
export function pointSpan(file: string): Span {
  return { file, line: 1, column: 1, endLine: 1, endColumn: 1, start: 0, end: 0 };
}

/** UTF-8 length of a string without allocating (lone surrogates count 3, as U+FFFD would). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
    if (n > MAX_SOURCE_BYTES) return n; // refused anyway; stop counting
  }
  return n;
}

function firstLoneSurrogate(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      i++;
      continue;
    }
    return i;
  }
  return -1;
}

/**
 * Offset of the first byte that does not start a well-formed UTF-8 sequence
 * (Unicode §3.9 table 3-7: no overlongs, no surrogates, nothing above U+10FFFF), or -1.
 */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return i; // truncated at the end of the file
      const d = b[i + k];
      if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}
