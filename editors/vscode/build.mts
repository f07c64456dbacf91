// `npm run vscode:package`: builds the VS Code extension into
// dist/cnnc-vscode-<version>.vsix. Copies the current TextMate grammar from
// grammar/ (so the package never ships a stale one), bundles the client with
// esbuild (vscode-languageclient inside, `vscode` provided by the editor), and
// packs with @vscode/vsce. Offline: nothing is downloaded.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = fileURLToPath(new URL("../..", import.meta.url));

export async function packageExtension(): Promise<string> {
  mkdirSync(`${here}syntaxes`, { recursive: true });
  copyFileSync(`${root}grammar/cnn.tmLanguage.json`, `${here}syntaxes/cnn.tmLanguage.json`);
  await build({
    entryPoints: [`${here}src/extension.ts`],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode"],
    outfile: `${here}out/extension.js`,
    minify: true,
    logLevel: "warning",
  });
  const { version } = JSON.parse(readFileSync(`${here}package.json`, "utf8")) as { version: string };
  mkdirSync(`${root}dist`, { recursive: true });
  const out = `${root}dist/cnnc-vscode-${version}.vsix`;
  execFileSync(process.execPath, [`${root}node_modules/@vscode/vsce/vsce`, "package", "--no-dependencies", "--allow-missing-repository", "--out", out], {
    cwd: here,
    stdio: ["ignore", "inherit", "inherit"],
  });
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await packageExtension();
