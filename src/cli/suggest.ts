// "Did you mean …?" for misspelt flags and values: the closest known word by edit distance.

/** Levenshtein distance (insertions, deletions, substitutions) between two short strings. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known words `word` was likely meant to be: those it is a prefix of or that are a prefix of
 * it (at least 2 letters), else the closest one by edit distance if at most a third of its letters
 * are wrong; empty when nothing is close.
 */
export function closest(word: string, known: readonly string[]): string[] {
  const w = word.toLowerCase();
  const prefixed = known.filter((k) => w.length >= 2 && (k.toLowerCase().startsWith(w) || (k.length >= 3 && w.startsWith(k.toLowerCase()))));
  if (prefixed.length > 0) return prefixed;
  let best: string | undefined, bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(w, k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(Math.max(w.length, 3) / 3)) ? [best] : [];
}
