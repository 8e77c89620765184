/**
 * Counts per (region, type) from per-resource outcomes, fed one at a time while a run goes (so the CLI
 * never holds a million outcomes to print a table) or all at once from a report. Keeps only the first
 * few changes and failures for listing. Pure: the unit tests check it without a server.
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

/** Tallies outcomes into rows per (region, type) and keeps the first `keep` changes and failures. */
export class OutcomeTally {
  readonly keep: number;
  readonly #rows = new Map<string, GroupRow>();
  /** The first `keep` resources planned or untagged, in arrival order. */
  readonly changes: ResourceOutcome[] = [];
  changeCount = 0;
  /** The first `keep` failed resources. */
  readonly failed: ResourceOutcome[] = [];
  failedCount = 0;
  /** False when built from a report whose resource list was cut: the rows then undercount. */
  complete = true;

  constructor(keep = 20) {
    this.keep = keep;
  }

  /** A tally of a list already in hand (a report's `resources`). */
  static of(resources: readonly ResourceOutcome[], keep = 20): OutcomeTally {
    const t = new OutcomeTally(keep);
    for (const r of resources) t.add(r);
    return t;
  }

  add(r: ResourceOutcome): void {
    const id = `${r.region}\u0000${r.type}`;
    let row = this.#rows.get(id);
    if (!row) {
      row = {
        region: r.region,
        type: r.type,
        matched: 0,
        planned: 0,
        untagged: 0,
        skipped: 0,
        failed: 0,
        notMatched: 0,
        keysRemoved: 0,
        skipReasons: {},
      };
      this.#rows.set(id, row);
    }
    if (!isMatched(r)) {
      row.notMatched++;
      return;
    }
    row.matched++;
    switch (r.status) {
      case 'planned':
      case 'untagged':
        if (r.status === 'planned') row.planned++;
        else {
          row.untagged++;
          row.keysRemoved += r.keys.length;
        }
        this.changeCount++;
        if (this.changes.length < this.keep) this.changes.push(r);
        break;
      case 'failed':
        row.failed++;
        this.failedCount++;
        if (this.failed.length < this.keep) this.failed.push(r);
        break;
      case 'skipped': {
        row.skipped++;
        const reason = r.reason ?? 'unspecified';
        row.skipReasons[reason] = (row.skipReasons[reason] ?? 0) + 1;
        break;
      }
    }
  }

  /** One row per (region, type), sorted by region then type. */
  rows(): GroupRow[] {
    return [...this.#rows.values()].sort((a, b) => a.region.localeCompare(b.region) || a.type.localeCompare(b.type));
  }
}

/** One row per (region, type), sorted by region then type, plus skip reasons per row. */
export function summarizeByGroup(resources: readonly ResourceOutcome[]): GroupRow[] {
  return OutcomeTally.of(resources).rows();
}

/** Skip reasons summed over rows, most frequent first. */
export function totalSkipReasons(rows: readonly GroupRow[]): Array<[string, number]> {
  const sum: Record<string, number> = {};
  for (const row of rows) for (const [k, v] of Object.entries(row.skipReasons)) sum[k] = (sum[k] ?? 0) + v;
  return Object.entries(sum).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
