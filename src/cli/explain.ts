// `cnnc explain CODE`: the registry entry of a diagnostic code — title,
// explanation, an example that triggers it and the fix. Exit 2 for an
// unknown code, with a "did you mean".
import type { Command } from "commander";
import { codes, isCode } from "../codes/index.ts";
import { styleFor } from "../render/style.ts";
import { suggest } from "../suggest.ts";
import { EXIT, type CliContext, type CliIo } from "./context.ts";

export function register(program: Command, cli: CliContext): void {
  program
    .command("explain")
    .description("the longer explanation of a diagnostic code, with an example and its fix")
    .argument("<code>", "a diagnostic code, e.g. E0301")
    .action((code: string) => {
      cli.exitCode = runExplain(code, cli.io);
    });
}

/** "e0301" → "E0301"; "301" → "E0301" (or "W0301" if only that exists) */
function normalise(text: string): string {
  const upper = text.trim().toUpperCase();
  if (!/^\d{1,4}$/.test(upper)) return upper;
  const digits = upper.padStart(4, "0");
  return isCode(`W${digits}`) && !isCode(`E${digits}`) ? `W${digits}` : `E${digits}`;
}

const indent = (text: string) =>
  text
    .split("\n")
    .map((l) => (l === "" ? "" : `    ${l}`))
    .join("\n");

export function runExplain(text: string, io: CliIo): number {
  const code = normalise(text);
  const style = styleFor(io.colour);
  if (!isCode(code)) {
    const guess = suggest(code, Object.keys(codes));
    const lines = [`error: unknown diagnostic code \`${text}\``];
    if (guess !== undefined) lines.push(`help: did you mean \`${guess}\` (${codes[guess as keyof typeof codes].title})?`);
    lines.push(`known codes: ${Object.keys(codes).sort().join(", ")}`);
    io.stderr(lines.join("\n") + "\n");
    return EXIT.usage;
  }
  const entry = codes[code];
  io.stdout(
    [
      style.bold(`${code}: ${entry.title}`),
      entry.explanation,
      `${style.bold("Example")} (triggers ${code}):`,
      indent(entry.example),
      `${style.bold("Fix")}:`,
      indent(entry.fix),
    ].join("\n\n") + "\n",
  );
  return EXIT.ok;
}
