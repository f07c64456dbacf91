// Where the extension finds `cnnc lsp` (kept free of the vscode API so it can be tested):
// the `cnnc.path` setting, else the workspace's own node_modules (so the editor
// checks with the cnnc version the project pins), else bin/cnnc when the
// workspace is cnnc itself.
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";

/** The command that runs cnnc, or a sentence saying where it was looked for. */
export function findServer(folders: readonly string[], configured: string): { command: string; args: string[] } | { missing: string } {
  if (configured !== "") {
    const candidates = isAbsolute(configured) ? [configured] : folders.map((f) => join(f, configured));
    const found = candidates.find((c) => existsSync(c));
    return found !== undefined ? { command: found, args: ["lsp", "--stdio"] } : { missing: `cnnc.path '${configured}' does not exist` };
  }
  for (const folder of folders) {
    const installed = join(folder, "node_modules", "cnnc", "bin", "cnnc");
    if (existsSync(installed)) return { command: "node", args: [installed, "lsp", "--stdio"] };
    if (packageName(join(folder, "package.json")) === "cnnc") return { command: "node", args: [join(folder, "bin", "cnnc"), "lsp", "--stdio"] };
  }
  return { missing: "cnnc is not installed in this workspace: run `npm install --save-dev cnnc`, or set cnnc.path" };
}

/** The `name` of a package.json, or undefined when there is none or it does not parse. */
function packageName(path: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path, "utf8")) as { name?: string }).name;
  } catch {
    return undefined;
  }
}
