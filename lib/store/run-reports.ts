/**
 * A run's reports in the store. One invocation writes one report: a run that is one invocation (the
 * CLI, the function's first invocation) writes `<runId>/report.json`; each fan-out shard, account shard
 * and continuation hop writes `<runId>/reports/<taskId>.json`, so the shards of a run, which share its
 * id, never overwrite each other. Readers merge every part (older stores hold only `report.json`).
 */
import type { CallCounts, Report, ResourceOutcome, Totals } from '../types.ts';
import type { RunStore } from './port.ts';
import { StoreKeys } from './port.ts';

/** One stored report and the invocation that wrote it (`report.json`: no task id). */
export interface ReportPart {
  taskId?: string;
  report: Report;
}

/** Where an invocation keeps its report: its own object when it has a task id, else the run's `report.json`. */
export function reportKey(runId: string, taskId: string | undefined): string {
  return taskId === undefined ? StoreKeys.report(runId) : StoreKeys.taskReport(runId, taskId);
}

const parse = (text: string | undefined): Report | undefined => {
  if (text === undefined) return undefined;
  try {
    const r = JSON.parse(text) as Report;
    return r && typeof r === 'object' && r.totals ? r : undefined;
  } catch {
    return undefined;
  }
};

/** Every report part of a run, `report.json` first, then by task id; unreadable objects are left out. */
export async function readReportParts(store: RunStore, runId: string): Promise<ReportPart[]> {
  const keys = await store.list(StoreKeys.taskReportPrefix(runId));
  const [root, ...parts] = await Promise.all([store.get(StoreKeys.report(runId)), ...keys.map((k) => store.get(k))]);
  const out: ReportPart[] = [];
  const first = parse(root);
  if (first) out.push({ report: first });
  keys.forEach((k, i) => {
    const report = parse(parts[i]);
    const taskId = k.slice(StoreKeys.taskReportPrefix(runId).length).replace(/\.json$/, '');
    if (report) out.push({ taskId, report });
  });
  return out;
}

/** A run's merged report: what every part did, with the parts listed; undefined when the run has none. */
export interface MergedReport extends Report {
  parts: Array<{ taskId?: string; ok: boolean; startedAt: string; durationMs: number; totals: Totals }>;
}

const sumCalls = (a: CallCounts, b: CallCounts): CallCounts => ({
  list: a.list + b.list,
  untag: a.untag + b.untag,
  throttled: a.throttled + b.throttled,
  retried: a.retried + b.retried,
});

const sumBy = (a: Partial<Record<string, number>> = {}, b: Partial<Record<string, number>> = {}) => {
  const out: Partial<Record<string, number>> = { ...a };
  for (const [k, n] of Object.entries(b)) out[k] = (out[k] ?? 0) + (n ?? 0);
  return out;
};

function sumTotals(a: Totals, b: Totals): Totals {
  return {
    scanned: a.scanned + b.scanned,
    matched: a.matched + b.matched,
    untagged: a.untagged + b.untagged,
    keysRemoved: a.keysRemoved + b.keysRemoved,
    skipped: a.skipped + b.skipped,
    failed: a.failed + b.failed,
    planned: (a.planned ?? 0) + (b.planned ?? 0),
    notMatched: (a.notMatched ?? 0) + (b.notMatched ?? 0),
    skippedBy: sumBy(a.skippedBy, b.skippedBy),
    calls: sumCalls(a.calls, b.calls),
  };
}

/** How final an outcome is across parts: a write's outcome, then a skip, then work a deadline left to a later hop. */
const rank = (o: ResourceOutcome) =>
  o.status === 'untagged' || o.status === 'failed' ? 3 : o.reason === 'deadline' ? 1 : 2;

/**
 * Each resource's one outcome over parts in start order: the most final one, the later among equals. A
 * hop lists again the pages its predecessor did not finish, so a resource can be reported by several.
 */
export function finalOutcomes(byStart: readonly ReportPart[]): ResourceOutcome[] {
  const out = new Map<string, ResourceOutcome>();
  for (const p of byStart)
    for (const o of p.report.resources) {
      const k = `${o.region}\u0000${o.type}\u0000${o.id}`;
      const had = out.get(k);
      if (!had || rank(o) >= rank(had)) out.set(k, o);
    }
  return [...out.values()];
}

/** Totals recounted from final outcomes; what the parts did (listing, calls) stays summed. */
function recount(summed: Totals, outcomes: readonly ResourceOutcome[]): Totals {
  const t: Totals = { ...summed, untagged: 0, keysRemoved: 0, skipped: 0, failed: 0, planned: 0, skippedBy: {} };
  const by = t.skippedBy as Record<string, number>;
  for (const o of outcomes) {
    if (o.status === 'untagged') {
      t.untagged++;
      t.keysRemoved += (o.removed ?? o.keys).length;
    } else if (o.status === 'failed') t.failed++;
    else if (o.status === 'planned') t.planned = (t.planned ?? 0) + 1;
    else if (o.status === 'skipped') {
      t.skipped++;
      by[o.reason ?? 'unspecified'] = (by[o.reason ?? 'unspecified'] ?? 0) + 1;
    }
  }
  return t;
}

/**
 * The parts merged (pure): each resource once with its most final outcome and the counts recounted
 * from those (summed instead when a part's list was cut to its cap: then a resource a later hop listed
 * again counts twice), listing and calls summed, errors of every part, ok only when every part was, the
 * span from the first start to the last end. A part that handed on (`continuation`) is followed
 * by its hop's part; the merged report carries a continuation only when the last part to start has one.
 */
export function mergeReports(parts: readonly ReportPart[]): MergedReport | undefined {
  if (parts.length === 0) return undefined;
  const byStart = [...parts].sort((x, y) => (x.report.startedAt < y.report.startedAt ? -1 : 1));
  const first = byStart[0]?.report as Report;
  const last = byStart[byStart.length - 1]?.report as Report;
  let totals = { ...first.totals, calls: { ...first.totals.calls } };
  for (const p of byStart.slice(1)) totals = sumTotals(totals, p.report.totals);
  const cut = byStart.some((p) => p.report.resourcesTruncated);
  const outcomes = finalOutcomes(byStart);
  const start = Date.parse(first.startedAt);
  const end = Math.max(...byStart.map((p) => Date.parse(p.report.startedAt) + p.report.durationMs));
  const merged: MergedReport = {
    ...last,
    ok: byStart.every((p) => p.report.ok),
    runId: first.runId,
    policy: first.policy,
    dryRun: first.dryRun,
    startedAt: first.startedAt,
    durationMs: Number.isFinite(end - start) ? Math.max(0, end - start) : last.durationMs,
    totals: cut ? totals : recount(totals, outcomes),
    resources: cut ? byStart.flatMap((p) => p.report.resources) : outcomes,
    errors: byStart.flatMap((p) => p.report.errors),
    parts: byStart.map((p) => ({
      ...(p.taskId !== undefined ? { taskId: p.taskId } : {}),
      ok: p.report.ok,
      startedAt: p.report.startedAt,
      durationMs: p.report.durationMs,
      totals: p.report.totals,
    })),
  };
  if (cut) merged.resourcesTruncated = true;
  const shards = byStart.find((p) => p.report.shards)?.report.shards;
  if (shards) merged.shards = shards;
  delete merged.continuedBy;
  const error = byStart.find((p) => p.report.error)?.report.error;
  if (error) merged.error = error;
  else delete merged.error;
  return merged;
}

/** Reads and merges a run's reports; undefined when the store holds none for it. */
export async function readRunReport(store: RunStore, runId: string): Promise<MergedReport | undefined> {
  return mergeReports(await readReportParts(store, runId));
}
