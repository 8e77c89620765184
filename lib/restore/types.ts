/** What a restore answers: per resource an outcome, counts, calls, errors (DESIGN.md "restore outcomes"). */
import type { ResourceType } from '../catalog.ts';
import type { ReportError } from '../types.ts';

export const RestoreStatus = {
  Restored: 'restored',
  Skipped: 'skipped',
  Failed: 'failed',
  /** A dry run: these tags would be put back. */
  Planned: 'planned',
} as const;
export type RestoreStatus = (typeof RestoreStatus)[keyof typeof RestoreStatus];

export const RestoreSkipReason = {
  /** A removed key is on the resource again with another value: not overwritten. */
  Conflict: 'conflict',
  /** Putting the keys back would take the resource over its tag limit. */
  TagLimit: 'tag-limit',
  /** The resource is gone. */
  NotFound: 'not-found',
  /** Every removed key is back with its value already (a second restore, or a removal that never happened). */
  AlreadyRestored: 'already-restored',
  Deadline: 'deadline',
} as const;
export type RestoreSkipReason = (typeof RestoreSkipReason)[keyof typeof RestoreSkipReason];

export interface RestoreConflict {
  key: string;
  /** The value the run removed. */
  removed: string;
  /** The value the resource carries now (left as it is). */
  current: string;
}

export interface RestoreOutcome {
  region: string;
  type: ResourceType;
  id: string;
  status: RestoreStatus;
  reason?: string;
  /** The tags put back (restored), or that would be (planned). */
  tags: Record<string, string>;
  conflicts?: RestoreConflict[];
  /** Keys already back with the removed value. */
  alreadyBack?: string[];
  /** Tag limit: what the resource carries now and the limit. */
  tagCount?: number;
  code?: string;
  requestId?: string;
}

export interface RestoreReport {
  ok: boolean;
  kind: 'restore';
  runId: string;
  restoreId: string;
  store: string;
  dryRun: boolean;
  startedAt: string;
  durationMs: number;
  totals: {
    resources: number;
    restored: number;
    planned: number;
    skipped: number;
    failed: number;
    keysRestored: number;
    skippedBy: Record<string, number>;
    calls: { list: number; tag: number; throttled: number; retried: number };
  };
  resources: RestoreOutcome[];
  errors: ReportError[];
  error?: { code: string; message: string };
}
