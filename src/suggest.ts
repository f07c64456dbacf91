// "Did you mean" by edit distance (Elm's Suggest.hs): names the user probably
// meant when they wrote an unknown op, argument, loss or keyword value.
// Pure functions; no diagnostics of its own.

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => {
    const row = new Array<number>(cols).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j < cols; j++) d[0][j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate closest to `word`, or undefined when nothing is close enough.
 * `aliases` maps other spellings (PyTorch's `Linear`, `padding`, ...) to a
 * candidate; they are matched case-insensitively and win over edit distance.
 */
export function suggest(
  word: string,
  candidates: readonly string[],
  aliases: ReadonlyMap<string, string> = new Map(),
): string | undefined {
  const lower = word.toLowerCase();
  const exactIgnoringCase = candidates.find((c) => c.toLowerCase() === lower);
  if (exactIgnoringCase !== undefined) return exactIgnoringCase;
  const alias = aliases.get(lower);
  if (alias !== undefined) return alias;
  // Up to a third of the word may be wrong (at least 1, at most 3 edits), so
  // that `maxpol` finds `maxpool` but `x` does not find `p`.
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const dist = editDistance(lower, c.toLowerCase());
    if (dist <= limit && dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  return best;
}
