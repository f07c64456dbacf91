// Runs the CLI in-process (fast) or as a real process through bin/cnnc (slow,
// only for the few tests that need the real launcher, streams and exit code).
import { spawnSync } from "node:child_process";
import { run } from "../src/cli/main.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cnnc(...argv: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    colour: false,
    env: {},
  });
  return { code, stdout, stderr };
}

export function spawnCnnc(argv: string[], env: Record<string, string> = {}): CliResult & { ms: number } {
  const started = Date.now();
  const r = spawnSync(process.execPath, ["bin/cnnc", ...argv], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "", ...env },
    timeout: 20_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

/** A raw stack trace line, which bad input must never produce. */
export const STACK = /^\s+at .+[:(]\d+/m;
