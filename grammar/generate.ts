// Writes the generated grammar artefacts (see grammar/artefacts.ts and grammar/README.md).
// Run with `npm run grammar` after changing grammar/tokens.ts or grammar/parser.ts.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { grammarArtefacts } from "./artefacts.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
for (const [path, content] of Object.entries(grammarArtefacts())) {
  writeFileSync(join(root, path), content);
  console.log(`wrote ${path}`);
}
