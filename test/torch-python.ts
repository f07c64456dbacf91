// Which Python has PyTorch, for the tests that compare with real torch, and running a script in it. The
// `python3` on PATH first, then Debian's /usr/bin/python3 (apt's python3-torch
// installs there, while a pyenv or venv python3 may come first on PATH).
// Under CI=true a missing torch is a failure, not a silent skip: CI installs
// python3-torch (README, "Working on cnnc").
import { execFileSync } from "node:child_process";

function hasTorch(python: string): boolean {
  try {
    execFileSync(python, ["-c", "import torch"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The first Python that imports torch, or undefined. */
export const torchPython: string | undefined = ["python3", "/usr/bin/python3"].find(hasTorch);

/** Why a torch test did not run; throws under CI, where torch must be installed. */
export function torchMissing(what: string): string {
  const why = `${what} DID NOT RUN: neither python3 nor /usr/bin/python3 imports torch (apt-get install python3-torch)`;
  if (process.env.CI === "true") throw new Error(`${why}; CI must run it`);
  console.log(`NOTE: ${why}.`);
  return why;
}

/** A test's title, saying so when it cannot run here. */
export const torchTitle = (what: string) => (torchPython ? what : `${what}: DID NOT RUN, no python3 with torch here`);

/** Runs `script` in torchPython with `job` as JSON on stdin (and `args` after it) and parses the JSON it prints. */
export function runTorch<T>(script: string, job: unknown, args: string[] = []): T {
  return JSON.parse(execFileSync(torchPython!, ["-c", script, ...args], { input: JSON.stringify(job), encoding: "utf8", maxBuffer: 1 << 26 })) as T;
}
