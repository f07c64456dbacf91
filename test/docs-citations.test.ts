// The repository cites only itself. No tracked file names the product contract
// that lives outside it (a newcomer cannot follow such a reference); code and
// docs cite the project's pages instead (docs/language.md#limits, …), and every
// such `page.md#anchor` must name a heading that exists.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";

const tracked = execFileSync("git", ["ls-files", "-z"], { encoding: "utf8" })
  .split("\0")
  .filter((f) => f !== "" && !f.startsWith("node_modules/"));

const texts = new Map(
  tracked.flatMap((f) => {
    const bytes = readFileSync(f);
    return bytes.includes(0) ? [] : [[f, bytes.toString("utf8")] as const];
  }),
);

/** "## `cnnc gradcheck`" → "cnnc-gradcheck", GitHub's rule: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchorsOf(markdown: string): Set<string> {
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const h = /^#{1,6} (.+)$/.exec(line);
    if (h && !fenced) out.add(slug(h[1]!));
  }
  return out;
}

describe("citations", () => {
  it("no tracked file cites the contract kept outside the repository", () => {
    // spelt in two pieces so that this file does not cite it either
    const word = new RegExp(`\\b${"SP"}${"EC"}\\b`);
    expect(texts.size).toBeGreaterThan(100);
    const hits = [...texts].flatMap(([f, text]) =>
      text.split("\n").flatMap((line, i) => (word.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(hits).toEqual([]);
  });

  it("every page.md#anchor cited in the repository names a heading of that page", () => {
    const broken: string[] = [];
    let checked = 0;
    for (const [f, text] of texts) {
      for (const m of text.matchAll(/([\w./-]*\.md)#([\w-]+)/g)) {
        const [, page, anchor] = m as unknown as [string, string, string];
        // a link inside a markdown page is relative to it; a path in code is from the repository root
        const candidates = [normalize(join(dirname(f), page)), normalize(page)];
        const target = candidates.find((c) => texts.has(c));
        if (target === undefined) continue; // not one of ours (an external page)
        checked++;
        if (!anchorsOf(texts.get(target)!).has(anchor)) broken.push(`${f}: ${page}#${anchor}`);
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(broken).toEqual([]);
  });
});
