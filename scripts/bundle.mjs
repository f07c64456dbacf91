// Bundles the CLI (src/cli/main.ts and everything it imports except prettier,
// commander and the language server library, which stay npm dependencies) into dist/cli/main.mjs, one file
// that plain node starts without a TypeScript loader. Run by `npm run bundle`,
// by `prepack` (so `npm pack` and `npm publish` always ship a fresh bundle), and
// by bin/cnnc in the repository whenever src/ or grammar/ changed since the last
// bundle. The file is written beside its place and renamed into it, so a
// command running at the same moment never reads half a bundle.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
export const BUNDLE = `${root}dist/cli/main.mjs`;

export async function bundle() {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: [`${root}src/cli/main.ts`],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // the language server library loads its parts with require() at run time, so it stays a dependency too
    external: ["prettier", "commander", "vscode-languageserver", "vscode-languageserver-textdocument"],
    write: false,
    logLevel: "warning",
  });
  mkdirSync(`${root}dist/cli`, { recursive: true });
  const temp = `${BUNDLE}.${process.pid}.tmp`;
  writeFileSync(temp, result.outputFiles[0].contents);
  renameSync(temp, BUNDLE);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle();
