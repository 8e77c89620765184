/**
 * One report for a many-account run, from the store's index and shard records: rows by account × region
 * × type, the failed accounts and why, every shard with its task id (and whether its record arrived).
 * `mergeAccountsRun` is pure; `readAccountsRun` reads the records from the store first.
 */
import type { RunStore } from '../store/port.ts';
import type { AccountsIndex, FailedAccount, ShardRecord, TypeTally } from './records.ts';
import { AccountKeys, emptyTally } from './records.ts';

export interface MergedRow extends TypeTally {
  accountId: string;
  region: string;
  type: string;
}

export interface MergedShard {
  accountId: string;
  region: string;
  taskId: string;
  /** `done`: its record is in the store; `missing`: not (yet): still running, or lost. */
  state: 'done' | 'missing';
  ok?: boolean;
  errors?: number;
}

export interface MergedReport {
  kind: 'accounts-report';
  ok: boolean;
  runId: string;
  policy: string;
  roleName: string;
  accounts: { total: number; ok: number; failed: number };
  failedAccounts: FailedAccount[];
  rows: MergedRow[];
  totals: TypeTally & { calls: { list: number; untag: number; throttled: number; retried: number } };
  shards: MergedShard[];
}

export function mergeAccountsRun(index: AccountsIndex, records: readonly ShardRecord[]): MergedReport {
  // A shard continued by FC has one record per hop: their counts add up; it is done once a hop did not continue.
  const byShard = new Map<string, ShardRecord[]>();
  for (const r of records) {
    const key = `${r.accountId}/${r.region}`;
    byShard.set(key, [...(byShard.get(key) ?? []), r]);
  }
  const rows: MergedRow[] = [];
  const totals = { ...emptyTally(), calls: { list: 0, untag: 0, throttled: 0, retried: 0 } };
  const shards: MergedShard[] = [];
  const failed = new Map(index.failed.map((f) => [f.accountId, f]));
  for (const s of index.shards) {
    const hops = (byShard.get(`${s.accountId}/${s.region}`) ?? []).sort((a, b) => a.hop - b.hop);
    const access = hops.find((h) => h.accessFailure)?.accessFailure;
    if (access && !failed.has(access.accountId)) failed.set(access.accountId, access);
    const finished = hops.some((h) => !h.report.continuation);
    if (hops.length === 0 || !finished) {
      shards.push({ ...s, state: 'missing' });
      if (hops.length === 0) continue;
    } else {
      const errors = hops.reduce((n, h) => n + h.report.errors.length, 0);
      shards.push({ ...s, state: 'done', ok: !access && hops.every((h) => h.report.ok), errors });
    }
    const byType: Record<string, TypeTally> = {};
    for (const h of hops) {
      for (const [type, t] of Object.entries(h.byType)) {
        const acc = byType[type] ?? emptyTally();
        for (const k of Object.keys(t) as Array<keyof TypeTally>) acc[k] += t[k];
        byType[type] = acc;
      }
      const c = h.report.totals.calls;
      totals.calls.list += c.list;
      totals.calls.untag += c.untag;
      totals.calls.throttled += c.throttled;
      totals.calls.retried += c.retried;
    }
    for (const type of Object.keys(byType).sort()) {
      const t = byType[type] as TypeTally;
      rows.push({ accountId: s.accountId, region: s.region, type, ...t });
      for (const k of Object.keys(t) as Array<keyof TypeTally>) totals[k] += t[k];
    }
  }
  const failedAccounts = [...failed.values()].sort((a, b) => a.accountId.localeCompare(b.accountId));
  const members = new Set(index.members);
  const accountsFailed = failedAccounts.filter((f) => members.has(f.accountId)).length;
  return {
    kind: 'accounts-report',
    ok: failedAccounts.length === 0 && shards.every((s) => s.state === 'done' && s.ok === true),
    runId: index.runId,
    policy: index.policy,
    roleName: index.roleName,
    accounts: { total: index.members.length, ok: index.members.length - accountsFailed, failed: accountsFailed },
    failedAccounts,
    rows,
    totals,
    shards,
  };
}

/** The merged report as a table for people. */
export function renderMerged(m: MergedReport): string {
  const out: string[] = [];
  out.push(`policy ${m.policy} · run id ${m.runId} · role ${m.roleName}`);
  out.push(`accounts: ${m.accounts.total} (${m.accounts.ok} reached, ${m.accounts.failed} failed)`);
  out.push('');
  const head = ['account', 'region', 'type', 'matched', 'untagged', 'planned', 'skipped', 'failed'];
  const body = m.rows.map((r) =>
    [r.accountId, r.region, r.type, r.matched, r.untagged, r.planned, r.skipped, r.failed].map(String),
  );
  const t = m.totals;
  body.push(['total', '', '', t.matched, t.untagged, t.planned, t.skipped, t.failed].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < 3 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  out.push(line(head), ...body.map(line));
  if (m.failedAccounts.length > 0) {
    out.push('', 'failed accounts:');
    for (const f of m.failedAccounts)
      out.push(`  ${f.accountId}  ${f.code}: ${f.message}${f.requestId ? ` (request id ${f.requestId})` : ''}`);
  }
  const missing = m.shards.filter((s) => s.state === 'missing');
  if (missing.length > 0) {
    out.push('', 'shards without a record (still running, or lost):');
    for (const s of missing) out.push(`  ${s.accountId} ${s.region}  task ${s.taskId}`);
  }
  const bad = m.shards.filter((s) => s.state === 'done' && s.ok === false);
  if (bad.length > 0) {
    out.push('', 'shards that did not finish cleanly:');
    for (const s of bad) out.push(`  ${s.accountId} ${s.region}  task ${s.taskId}  (${s.errors ?? 0} errors)`);
  }
  out.push(
    '',
    `calls: list ${t.calls.list}, untag ${t.calls.untag}, throttled ${t.calls.throttled}, retried ${t.calls.retried}`,
  );
  return `${out.join('\n')}\n`;
}

/** A many-account run's merged report from the store, or undefined when the run has no accounts index. */
export async function readAccountsRun(store: RunStore, runId: string): Promise<MergedReport | undefined> {
  const text = await store.get(AccountKeys.index(runId));
  if (text === undefined) return undefined;
  const index = JSON.parse(text) as AccountsIndex;
  const keys = await store.list(AccountKeys.shardPrefix(runId));
  const records: ShardRecord[] = [];
  for (const key of keys) {
    const body = await store.get(key);
    if (body !== undefined) records.push(JSON.parse(body) as ShardRecord);
  }
  return mergeAccountsRun(index, records);
}
