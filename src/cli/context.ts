// What every command gets: where to write, whether to colour, and the exit
// code it sets. Commands never touch `process` directly, so the whole CLI runs
// in-process under test through `run(argv, io)` in main.ts.

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** colour stdout (a TTY and no NO_COLOR) */
  colour: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

export interface CliContext {
  io: CliIo;
  /** set by the command's action; the process exits with it */
  exitCode: number;
}

/** Exit codes (docs/cli.md#exit-codes), one place. */
export const EXIT = {
  ok: 0,
  /** something is wrong inside a readable file (or a warning with --deny-warnings) */
  failed: 1,
  /** usage error, a path that cannot be read, --model naming no model */
  usage: 2,
  /** a bug in cnnc */
  internal: 3,
} as const;
