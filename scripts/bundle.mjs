// Bundles the CLI (src/cli/main.ts and everything it imports except prettier,
// commander and the language server library, which stay npm dependencies) into
// dist/cli/: main.mjs, which defines the commands, and one chunk per piece a
// command loads with import() when it runs (chunk-<hash>.mjs beside it), so
// `cnnc --version` or `cnnc check` never load the code generator or the
// language server. Plain node starts it without a TypeScript loader. Run by
// `npm run bundle`, by `prepack` (so `npm pack` and `npm publish` always ship
// a fresh bundle), and by bin/cnnc in the repository whenever src/ or grammar/
// changed since the last bundle. Chunks are named by their content, so a new
// bundle never overwrites a chunk a running command may still load; every file
// is written beside its place and renamed into it, main.mjs last, so a command
// starting at the same moment never reads half a bundle. Chunks this bundle
// does not use are removed: all of them when run as a script (`npm run bundle`,
// `prepack`, so the package holds only its own), else those older than an hour.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const OUT = `${root}dist/cli`;
export const BUNDLE = `${OUT}/main.mjs`;
const HOUR = 3600_000;

/** `keepRecent`: keep unused chunks younger than an hour (a command started before this bundle may still load one). */
export async function bundle({ keepRecent = true } = {}) {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: { main: `${root}src/cli/main.ts` },
    bundle: true,
    splitting: true,
    outdir: OUT,
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunk-[hash]",
    platform: "node",
    format: "esm",
    target: "node20",
    // the language server library loads its parts with require() at run time, so it stays a dependency too
    external: ["prettier", "commander", "vscode-languageserver", "vscode-languageserver-textdocument"],
    write: false,
    logLevel: "warning",
  });
  mkdirSync(OUT, { recursive: true });
  const files = [...result.outputFiles].sort((a, b) => Number(a.path === BUNDLE) - Number(b.path === BUNDLE));
  for (const file of files) {
    const temp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temp, file.contents);
    renameSync(temp, file.path);
  }
  const ours = new Set(files.map((file) => basename(file.path)));
  for (const name of readdirSync(OUT)) {
    const path = `${OUT}/${name}`;
    if (name.startsWith("chunk-") && !ours.has(name) && (!keepRecent || Date.now() - statSync(path).mtimeMs > HOUR)) rmSync(path, { force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle({ keepRecent: false });
