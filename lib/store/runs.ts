/**
 * The runs a store holds, for `vpc-tag-cleanup runs`: id, policy, time, counts (from the run's reports,
 * every shard's and hop's summed, when there are any, else from the journal), and whether it was restored.
 */
import { readJournal } from '../journal/reader.ts';
import type { RestoreReport } from '../restore/types.ts';
import type { RunStore } from './port.ts';
import { StoreKeys } from './port.ts';
import { readRunReport } from './run-reports.ts';

export interface RunSummary {
  runId: string;
  policy?: string;
  startedAt?: string;
  ok?: boolean;
  untagged?: number;
  keysRemoved?: number;
  failed?: number;
  /** Reports the run's invocations left (shards, hops): their counts are summed above. */
  reports?: number;
  /** Resources the journal holds a before-image for. */
  journaled: number;
  restored: boolean;
  restoredAt?: string;
}

const parse = <T>(text: string | undefined): T | undefined => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
};

export async function listRuns(store: RunStore): Promise<RunSummary[]> {
  const keys = await store.list('');
  const ids = [...new Set(keys.map((k) => k.split('/')[0] ?? '').filter(Boolean))];
  const out: RunSummary[] = [];
  for (const runId of ids) {
    const journal = await readJournal(store, runId);
    // Every part: a fanned-out or continued run keeps one report per invocation.
    const report = await readRunReport(store, runId);
    const restores = keys.filter((k) => k.startsWith(StoreKeys.restorePrefix(runId)));
    let restoredAt: string | undefined;
    for (const k of restores) {
      const r = parse<RestoreReport>(await store.get(k));
      if (r && !r.dryRun && (!restoredAt || r.startedAt > restoredAt)) restoredAt = r.startedAt;
    }
    const journaled = new Set(journal.intents.flatMap((i) => i.resources.map((r) => `${i.region}|${i.type}|${r.id}`)))
      .size;
    const first = journal.runs[0];
    const s: RunSummary = { runId, journaled, restored: restoredAt !== undefined };
    const policy = report?.policy ?? first?.policy;
    if (policy !== undefined) s.policy = policy;
    const startedAt = report?.startedAt ?? first?.at;
    if (startedAt !== undefined) s.startedAt = startedAt;
    if (report) {
      s.ok = report.ok;
      s.untagged = report.totals.untagged;
      s.keysRemoved = report.totals.keysRemoved;
      s.failed = report.totals.failed;
      s.reports = report.parts.length;
    }
    if (restoredAt) s.restoredAt = restoredAt;
    out.push(s);
  }
  return out.sort((a, b) => ((a.startedAt ?? '') < (b.startedAt ?? '') ? 1 : -1));
}
