/**
 * Edit distance with a swap of two neighbouring letters counted as one edit (optimal string alignment,
 * the restricted Damerau–Levenshtein distance), for "did you mean" hints: `lobNmae` is one slip from
 * lobName, as `grupId` is from groupId, `concurency` from concurrency. Three rows of the table are all it needs.
 */
export function editDistance(a: string, b: string): number {
  let before = Array.from({ length: b.length + 1 }, () => 0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = Array.from({ length: b.length + 1 }, () => 0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2] + 1);
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length];
}


/** Most edits, per character of the longer name, for a name to count as close. */
export const CLOSE_EDITS_PER_CHARACTER = 1 / 4;

/** The name among `names` closest to `wanted` (case aside), if one is within a quarter of its length in edits; else none. */
export function closestName(wanted: string, names: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const name of names) {
    const score = editDistance(wanted.toLowerCase(), name.toLowerCase()) / Math.max(wanted.length, name.length);
    if (score <= CLOSE_EDITS_PER_CHARACTER && score < bestScore) {
      best = name;
      bestScore = score;
    }
  }
  return best;
}
