// Robustness of the front end: any string, any bytes and mutations of every
// example give diagnostics and never throw; pathological inputs up to the
// 1 MiB limit finish fast (each case is timed against a budget).
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeSource, MAX_SOURCE_BYTES } from "../src/source.ts";
import { MAX_SYNTAX_ERRORS, MAX_TOKENS, parse } from "../src/parse.ts";
import { CnnParser } from "../grammar/parser.ts";
import { isCode } from "../src/codes/index.ts";
import type { Diagnostic } from "../src/diagnostics.ts";

function front(source: string | Uint8Array): Diagnostic[] {
  const decoded = decodeSource(source, "t.cnn");
  if (decoded.value === undefined) return decoded.diagnostics;
  return parse(decoded.value, "t.cnn").diagnostics;
}

/** Every diagnostic is well formed: a known code, a lowercase message, a span inside the text. */
function wellFormed(ds: Diagnostic[], length: number): void {
  for (const d of ds) {
    expect(isCode(d.code), d.code).toBe(true);
    expect(d.message[0], d.message).toBe(d.message[0].toLowerCase());
    expect(d.span.start).toBeGreaterThanOrEqual(0);
    expect(d.span.end).toBeGreaterThanOrEqual(d.span.start);
    expect(d.span.start).toBeLessThanOrEqual(length + 1);
    expect(d.span.line).toBeGreaterThanOrEqual(1);
    expect(d.span.column).toBeGreaterThanOrEqual(1);
  }
}

const alphabet = [
  "model", "input", "rounding", "repeat", "loss", "conv", "relu", "kernel", "=", ":", ",", ";", "{", "}", "(", ")",
  "[", "]", "1", "0", "2.5", "1e-5", "same", " ", "\n", "\r\n", "# c\n", "// c\n", "-", ".", "é", "\t",
];
/** Strings near the language: random sequences of its tokens and a few invalid characters. */
const nearCnn = fc.array(fc.constantFrom(...alphabet), { maxLength: 80 }).map((parts) => parts.join(" "));

describe("never throws", () => {
  it("on any string", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: "binary", maxLength: 200 }), nearCnn), (s) => {
        const ds = front(s);
        wellFormed(ds, s.length);
      }),
      { numRuns: 400 },
    );
  });

  it("on any byte array", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        wellFormed(front(bytes), bytes.length);
      }),
      { numRuns: 300 },
    );
  });

  it("reports at least one error for token soup that is not a valid file", () => {
    // a valid file needs `model X { input [...] ... }`; soup without '{' never is
    fc.assert(
      fc.property(nearCnn.filter((s) => !s.includes("{")), (s) => {
        expect(front(s).some((d) => d.severity === "error")).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  const examples = readdirSync("examples")
    .filter((n) => n.endsWith(".cnn"))
    .map((n) => `examples/${n}`);

  it("on random byte-level mutations of every example", () => {
    expect(examples.length).toBeGreaterThan(0);
    for (const path of examples) {
      const original = new Uint8Array(readFileSync(path));
      fc.assert(
        fc.property(
          fc.array(
            fc.record({ at: fc.nat(), kind: fc.constantFrom("flip", "delete", "insert"), byte: fc.integer({ min: 0, max: 255 }) }),
            { minLength: 1, maxLength: 6 },
          ),
          (mutations) => {
            let bytes = Array.from(original);
            for (const m of mutations) {
              const at = bytes.length === 0 ? 0 : m.at % bytes.length;
              if (m.kind === "flip") bytes[at] = m.byte;
              else if (m.kind === "delete") bytes.splice(at, 1);
              else bytes.splice(at, 0, m.byte);
            }
            wellFormed(front(new Uint8Array(bytes)), bytes.length);
          },
        ),
        { numRuns: 40 },
      );
    }
  });
});

describe("pathological inputs finish fast", () => {
  // ~0.3 s of CPU each; a quadratic path would take minutes. CPU time, not wall time, so that a loaded
  // machine (tests run in parallel) does not fail the test.
  const budgetMs = 4000;
  const fill = (prefix: string, unit: string, suffix = "") =>
    prefix + unit.repeat(Math.floor((MAX_SOURCE_BYTES - prefix.length - suffix.length) / unit.length)) + suffix;
  const cases: [string, string, string][] = [
    ["1 MiB of '('", fill("", "("), "E0124"],
    ["200,000 '(' (just at the token limit)", "(".repeat(MAX_TOKENS), "E0120"],
    ["1 MiB of '{'", fill("", "{"), "E0124"],
    ["190,000 '{'", "{".repeat(190_000), "E0120"],
    ["60,000 nested repeats", "model A { input [1] " + "repeat 1 { ".repeat(60_000), "E0120"],
    ["a tuple opened 190,000 deep", "model A { input [1] conv(" + "(".repeat(190_000), "E0120"],
    ["1 MiB of `relu =` (an error per statement)", fill("model A { input [1] ", "relu = ", "}"), "E0124"],
    ["95,000 × `relu =`", "model A { input [1] " + "relu = ".repeat(95_000) + "}", "E0105"],
    ["1 MiB of alternating invalid characters", fill("", "$a"), "E0124"],
    ["190,000 invalid characters", "$a".repeat(190_000), "E0104"],
    ["1 MiB of one identifier", fill("model ", "a"), "E0119"],
    ["1 MiB of digits", fill("model A { input [", "9", "] }"), "E0118"],
    ["1 MiB of `1e999`", fill("model A { input [1] relu(", "x=1e999,", ") }"), "E0124"],
    ["the token limit of `1e999`", "model A { input [1] relu(" + "x=1e999,".repeat(49_000) + ") }", "E0118"],
    ["a 1 MiB comment", fill("#", "x"), "E0107"],
    ["1 MiB of valid layers", fill("model A { input [1, 28, 28] ", "conv(6, kernel=(3, 3), pad=same)\n", "}"), "E0124"],
    ["the token limit of valid layers", "model A { input [1, 28, 28] " + "conv(6, kernel=(3, 3), pad=same)\n".repeat(12_400) + "}", ""],
  ];
  it.each(cases)("%s", (_, text, code) => {
    expect(text.length).toBeLessThanOrEqual(MAX_SOURCE_BYTES);
    const t0 = process.cpuUsage();
    const ds = front(text);
    const cpu = process.cpuUsage(t0);
    const ms = (cpu.user + cpu.system) / 1000;
    expect(ms).toBeLessThan(budgetMs);
    if (code) expect(ds.map((d) => d.code)).toContain(code);
    else expect(ds).toEqual([]);
    expect(ds.length).toBeLessThanOrEqual(2 * MAX_SYNTAX_ERRORS + 2);
  });

  it("caps syntax errors at the limit and says so", () => {
    const text = Array.from({ length: 300 }, () => "relu =").join("\n");
    const ds = front(`model A { input [1]\n${text}\n}`);
    expect(ds.length).toBe(MAX_SYNTAX_ERRORS + 1);
    expect(ds[ds.length - 1].message).toBe(`too many syntax errors: the parser stopped at the limit of ${MAX_SYNTAX_ERRORS}`);
  });

  it("keeps the bounded re-sync override in effect (chevrotain internals it relies on exist)", () => {
    const proto = Object.getPrototypeOf(CnnParser.prototype) as Record<string, unknown>;
    expect(typeof proto.findReSyncTokenType).toBe("function");
    expect(typeof proto.flattenFollowSet).toBe("function");
    expect(Object.prototype.hasOwnProperty.call(CnnParser.prototype, "findReSyncTokenType")).toBe(true);
  });
});
