// `cnnc explain CODE`: the registry entry of a diagnostic code — title,
// explanation, an example that triggers it and the fix. Exit 2 for an
// unknown code, with a "did you mean".
import { codes, isCode } from "../codes/index.ts";
import { styleFor } from "../render/style.ts";
import { suggest } from "../suggest.ts";
import { EXIT, type CliIo } from "./context.ts";

/** "e0301" → "E0301"; "w401" → "W0401"; "301" → "E0301" (or "W0301" if only that exists) */
function normalise(text: string): string {
  const m = /^([EW]?)(\d{1,4})$/.exec(text.trim().toUpperCase());
  if (!m) return text.trim().toUpperCase();
  const digits = m[2].padStart(4, "0");
  if (m[1] !== "") return `${m[1]}${digits}`;
  return isCode(`W${digits}`) && !isCode(`E${digits}`) ? `W${digits}` : `E${digits}`;
}

const indent = (text: string) =>
  text
    .trimEnd()
    .split("\n")
    .map((l) => (l === "" ? "" : `    ${l}`))
    .join("\n");

/** Wraps prose at 80 columns, keeping paragraphs (blank lines) and lines that look like code (indented). */
function wrap(text: string, width = 80): string {
  return text
    .trimEnd()
    .split("\n\n")
    .map((paragraph) => {
      if (/^\s/m.test(paragraph)) return paragraph;
      const lines: string[] = [];
      let line = "";
      for (const word of paragraph.split(/\s+/)) {
        if (line !== "" && line.length + 1 + word.length > width) {
          lines.push(line);
          line = word;
        } else line = line === "" ? word : `${line} ${word}`;
      }
      return [...lines, line].join("\n");
    })
    .join("\n\n");
}

export function runExplain(text: string, io: CliIo): number {
  const code = normalise(text);
  const style = styleFor(io.colour);
  if (!isCode(code)) {
    const guess = suggest(code, Object.keys(codes));
    const lines = [`error: unknown diagnostic code \`${text}\``];
    if (guess !== undefined) lines.push(`help: did you mean \`${guess}\` (${codes[guess as keyof typeof codes].title})?`);
    else lines.push(`known codes: ${Object.keys(codes).sort().join(", ")}`);
    io.stderr(lines.join("\n") + "\n");
    return EXIT.usage;
  }
  const entry = codes[code];
  io.stdout(
    [
      style.bold(`${code}: ${entry.title}`),
      wrap(entry.explanation),
      `${style.bold("Example")} (triggers ${code}):`,
      indent(entry.example),
      `${style.bold("Fix")}:`,
      indent(entry.fix),
    ].join("\n\n") + "\n",
  );
  return EXIT.ok;
}
