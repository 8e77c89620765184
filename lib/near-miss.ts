/**
 * "Did you mean": the candidates closest to a misspelt word, by optimal-string-alignment distance
 * (a swap of two neighbours costs one, as in `protcet`), case-insensitively, so `Ipam` finds `IPAM`.
 * Pure.
 */

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      let best = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, ((d[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = best;
    }
  }
  return (d[rows - 1] as number[])[cols - 1] as number;
}

/**
 * The candidates nearest to `input` (all at the same, smallest distance): an exact case-insensitive
 * match, else at most one edit per three characters (at least one, at most three).
 */
export function nearMisses(input: string, candidates: readonly string[], max = 3): string[] {
  const lower = input.toLowerCase();
  const reach = Math.min(3, Math.max(1, Math.floor(input.length / 3)));
  const scored: Array<[string, number]> = [];
  for (const c of candidates) {
    if (c === input) continue;
    const dist = c.toLowerCase() === lower ? 0 : editDistance(lower, c.toLowerCase());
    if (dist <= reach) scored.push([c, dist]);
  }
  scored.sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0]));
  // Only the nearest: `cn-hangzou` is one edit from cn-hangzhou and two from cn-guangzhou.
  const best = scored[0]?.[1];
  return scored
    .filter(([, d]) => d === best)
    .slice(0, max)
    .map(([c]) => c);
}

/** The one closest candidate, or undefined when none is near. */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  return nearMisses(input, candidates, 1)[0];
}
