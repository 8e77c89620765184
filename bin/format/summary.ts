/**
 * Counts per (region, type) from a report's per-resource outcomes. Pure: the table and the demo both
 * read these rows, and the unit tests check them without a server.
 */
import type { ResourceOutcome } from '../../lib/types.ts';

export interface GroupRow {
  region: string;
  type: string;
  /** Resources that passed the policy's `match` (whatever became of them), as the report counts them. */
  matched: number;
  planned: number;
  untagged: number;
  /** Matched resources left alone (nothing to remove, protected, vanished, deadline, limit). */
  skipped: number;
  failed: number;
  /** Seen but outside `match`: counted apart, as in the report's totals. */
  notMatched: number;
  keysRemoved: number;
  /** Skipped resources by reason, e.g. `{ 'nothing-to-remove': 3 }`. */
  skipReasons: Record<string, number>;
}

/** Whether an outcome counts as matched: every resource but those outside the policy's `match`. */
export function isMatched(r: ResourceOutcome): boolean {
  return !(r.status === 'skipped' && r.reason === 'not-matched');
}

/** One row per (region, type), sorted by region then type, plus skip reasons per row. */
export function summarizeByGroup(resources: readonly ResourceOutcome[]): GroupRow[] {
  const rows = new Map<string, GroupRow>();
  for (const r of resources) {
    const id = `${r.region}\u0000${r.type}`;
    let row = rows.get(id);
    if (!row) {
      row = { region: r.region, type: r.type, matched: 0, planned: 0, untagged: 0, skipped: 0, failed: 0, notMatched: 0, keysRemoved: 0, skipReasons: {} };
      rows.set(id, row);
    }
    if (!isMatched(r)) {
      row.notMatched++;
      continue;
    }
    row.matched++;
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
