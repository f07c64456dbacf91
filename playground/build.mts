// `npm run playground:build`: the static playground in dist/playground/
// (index.html, style.css, main.js, worker.js). The compiler is bundled for the
// browser with esbuild; the examples and the model zoo (with the block files
// its models import) are built in; nothing is loaded from elsewhere at run
// time, so any static server (or none but a browser cache) works offline.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = fileURLToPath(new URL("..", import.meta.url));
export const OUT = `${root}dist/playground`;

/**
 * The emitter reads cnnc's version from package.json with node:fs when it
 * loads; in the browser that read is answered from the package.json of this build.
 */
const nodeFsShim: Plugin = {
  name: "node-fs-shim",
  setup(b) {
    const pkg = readFileSync(`${root}package.json`, "utf8");
    b.onResolve({ filter: /^node:fs$/ }, () => ({ path: "node:fs", namespace: "shim" }));
    b.onLoad({ filter: /.*/, namespace: "shim" }, () => ({
      contents: `const pkg = ${JSON.stringify(pkg)}; export function readFileSync() { return pkg; }`,
      loader: "js",
    }));
  },
};

/** The .cnn files of a folder of examples/, by their path in it ("blocks/resnet.cnn"); `deep` includes subfolders. */
function cnnFiles(folder: string, deep: boolean): Record<string, string> {
  const dir = `${root}examples/${folder}`;
  const files = (readdirSync(dir, { recursive: deep }) as string[]).map((f) => f.split("\\").join("/")).filter((f) => f.endsWith(".cnn")).sort();
  return Object.fromEntries(files.map((f) => [f, readFileSync(`${dir}/${f}`, "utf8")]));
}

/** The menu: examples/*.cnn by name, then the zoo's models as "zoo/<name>" (whatever files examples/zoo holds when this runs). */
export function menu(): Record<string, string> {
  const zoo = Object.entries(cnnFiles("zoo", false)).map(([f, text]) => [`zoo/${f}`, text]);
  return { ...cnnFiles("", false), ...Object.fromEntries(zoo) };
}

/** What the playground's document can import: every file under examples/zoo, by its path there (the document sits in that folder). */
export function library(): Record<string, string> {
  return cnnFiles("zoo", true);
}

export async function buildPlayground(): Promise<string> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const common = {
    bundle: true,
    format: "esm" as const,
    platform: "browser" as const,
    target: "es2022",
    minify: true,
    plugins: [nodeFsShim],
    logLevel: "warning" as const,
  };
  await build({ ...common, entryPoints: [`${here}main.ts`], outfile: `${OUT}/main.js`, define: { EXAMPLES: JSON.stringify(menu()) } });
  await build({ ...common, entryPoints: [`${here}worker.ts`], outfile: `${OUT}/worker.js`, define: { LIBRARY: JSON.stringify(library()) } });
  for (const f of ["index.html", "style.css"]) copyFileSync(`${here}${f}`, `${OUT}/${f}`);
  return OUT;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(`wrote ${await buildPlayground()}`);
