// The real oracles some tests compare against: PyTorch and torchvision for
// Debian's /usr/bin/python3 (the first python3 on PATH may be another one), and
// Debian's headless Chromium. .ci/run installs them when missing, so in CI
// (CI=true) a missing oracle fails the run; a local run without one skips
// those tests and says so once, loudly.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/** The interpreter that has Debian's python3-torch and python3-torchvision. */
export const PYTHON = "/usr/bin/python3";

function pythonImports(modules: readonly string[]): boolean {
  try {
    execFileSync(PYTHON, ["-c", modules.map((m) => `import ${m}`).join("; ")], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** In CI a missing oracle is an error; locally it is a clear note and `false`. */
function oracle(what: string, present: boolean, install: string): boolean {
  if (present) return true;
  const message = `${what} is not available here (install: ${install}); the tests that compare with it DID NOT RUN`;
  if (process.env.CI === "true") throw new Error(`CI: ${message}`);
  console.warn(`NOTE: ${message}`);
  return false;
}

let torchChecked: boolean | undefined;
/** Real PyTorch and torchvision for /usr/bin/python3. */
export function hasTorch(): boolean {
  torchChecked ??= oracle("PyTorch/torchvision for /usr/bin/python3", pythonImports(["torch", "torchvision"]), "apt-get install python3-torch python3-torchvision");
  return torchChecked;
}

/** Debian's chromium binary, or undefined (with a note; an error in CI). */
export function chromiumPath(): string | undefined {
  const path = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
  return oracle("Chromium (headless)", path !== undefined, "apt-get install chromium") ? path : undefined;
}
