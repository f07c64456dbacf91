// The cnnc command line: argv → one command → exit code.
// Every command is defined in commands.ts (name, options, help) and does its
// work in src/cli/<command>.ts, loaded only when it runs.
// Exit codes: 0 ok, 1 a problem inside a readable file, 2 a usage error or a
// path that cannot be read, 3 an internal error (a bug in cnnc).
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { registerCommands } from "./commands.ts";
import { EXIT, type CliContext, type CliIo } from "./context.ts";

const ISSUES = "the issue tracker";

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function buildProgram(cli: CliContext): Command {
  const program = new Command("cnnc")
    .description("compile .cnn network specs to specialised TypeScript, after proving their shapes")
    .version(version(), "-V, --version")
    .configureOutput({
      writeOut: (text) => cli.io.stdout(text),
      writeErr: (text) => cli.io.stderr(text),
    })
    .showHelpAfterError("(add --help for usage)")
    .exitOverride();
  // subcommands copy these settings when they are created, so configure first
  registerCommands(program, cli);
  return program;
}

/** Runs the CLI on `argv` (the arguments after `cnnc`) and returns the exit code. Never throws. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const cli: CliContext = { io, exitCode: EXIT.ok };
  try {
    const program = buildProgram(cli);
    await program.parseAsync([...argv], { from: "user" });
    return cli.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has already printed the message (or the help / version)
      // exit code 0 for --help, `help <command>` and --version; anything else is a usage error
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    io.stderr(internalError(error, io.env));
    return EXIT.internal;
  }
}

function internalError(error: unknown, env: CliIo["env"]): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = [`internal error: ${message} — this is a bug in cnnc, please report it at ${ISSUES} with the input file`];
  if (env.CNNC_DEBUG === "1" && error instanceof Error && error.stack) lines.push(error.stack);
  else lines.push("(set CNNC_DEBUG=1 to see where it happened)");
  return lines.join("\n") + "\n";
}

/** Colour only on a terminal, and never when NO_COLOR is set to anything but "" (no-color.org). */
export function wantsColour(isTTY: boolean, env: CliIo["env"]): boolean {
  return isTTY && (env.NO_COLOR === undefined || env.NO_COLOR === "");
}

/** The process entry point (bin/cnnc): real streams, colour on a TTY without NO_COLOR, exit code. */
export async function main(): Promise<void> {
  // `cnnc check … | head` closes the pipe early; that is not an error
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  // last resort for a failure outside run() (a rejected promise nobody awaited): still no raw stack
  const crash = (error: unknown) => {
    process.stderr.write(internalError(error, process.env));
    process.exit(EXIT.internal);
  };
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
  const io: CliIo = {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    colour: wantsColour(process.stdout.isTTY === true, process.env),
    env: process.env,
  };
  process.exitCode = await run(process.argv.slice(2), io);
}
