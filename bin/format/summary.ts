/**
 * Counts per (region, type) from a report's per-resource outcomes. Pure: the table and the demo both
 * read these rows, and the unit tests check them without a server.
 */
import type { ResourceOutcome } from '../../lib/types.ts';

/** Skip reasons that mean the resource had keys to remove but was not reached (it still "matched"). */
const MATCHED_SKIP_REASONS: ReadonlySet<string> = new Set(['not-found', 'deadline', 'limit-exceeded']);

export interface GroupRow {
  region: string;
  type: string;
  /** Resources with at least one key to remove (planned, untagged, failed, or cut short). */
  matched: number;
  planned: number;
  untagged: number;
  skipped: number;
  failed: number;
  keysRemoved: number;
  /** Skipped resources by reason, e.g. `{ 'nothing-to-remove': 3 }`. */
  skipReasons: Record<string, number>;
}

/** Whether an outcome counts as matched: it had keys to remove, whatever became of it. */
export function isMatched(r: ResourceOutcome): boolean {
  if (r.status !== 'skipped') return true;
  return r.reason !== undefined && MATCHED_SKIP_REASONS.has(r.reason);
}

/** One row per (region, type), sorted by region then type, plus skip reasons per row. */
export function summarizeByGroup(resources: readonly ResourceOutcome[]): GroupRow[] {
  const rows = new Map<string, GroupRow>();
  for (const r of resources) {
    const id = `${r.region}\u0000${r.type}`;
    let row = rows.get(id);
    if (!row) {
      row = { region: r.region, type: r.type, matched: 0, planned: 0, untagged: 0, skipped: 0, failed: 0, keysRemoved: 0, skipReasons: {} };
      rows.set(id, row);
    }
    if (isMatched(r)) row.matched++;
    switch (r.status) {
      case 'planned':
        row.planned++;
        break;
      case 'untagged':
        row.untagged++;
        row.keysRemoved += r.keys.length;
        break;
      case 'failed':
        row.failed++;
        break;
      case 'skipped': {
        row.skipped++;
        const reason = r.reason ?? 'unspecified';
        row.skipReasons[reason] = (row.skipReasons[reason] ?? 0) + 1;
        break;
      }
    }
  }
  return [...rows.values()].sort((a, b) => a.region.localeCompare(b.region) || a.type.localeCompare(b.type));
}

/** Skip reasons summed over rows, most frequent first. */
export function totalSkipReasons(rows: readonly GroupRow[]): Array<[string, number]> {
  const sum: Record<string, number> = {};
  for (const row of rows) for (const [k, v] of Object.entries(row.skipReasons)) sum[k] = (sum[k] ?? 0) + v;
  return Object.entries(sum).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
