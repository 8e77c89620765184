/**
 * The report as people read it: one table per run with a row per (region, type), then skip reasons,
 * failures, errors, call counts and duration. Pure string building; the commands decide where it goes.
 */
import type { WriteEstimate } from '../../lib/estimate.ts';
import type { Report, ResourceOutcome } from '../../lib/types.ts';
import { cleanMessage } from './clean-message.ts';
import { OutcomeTally, totalSkipReasons } from './summary.ts';

export interface RenderOptions {
  /** Failed resources listed one per line before "... and N more". */
  maxFailedListed?: number;
}

/** Pads cells into aligned columns; numeric columns are right-aligned. */
export function renderColumns(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  numeric: readonly boolean[],
): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** `1234` ms -> `1.2 s`; under a second stays in ms. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A tally of the report's own (possibly cut) resource list. */
function tallyOfReport(report: Report, keep: number): OutcomeTally {
  const t = OutcomeTally.of(report.resources, keep);
  t.complete = report.resourcesTruncated !== true;
  return t;
}

/**
 * Renders a report as a table. The rows come from `tally` (fed every outcome while the run went), else
 * from `report.resources`; the total row always uses the report's exact `totals`.
 */
export function renderReport(
  report: Report,
  tally?: OutcomeTally | readonly ResourceOutcome[],
  options: RenderOptions = {},
): string {
  const maxFailed = options.maxFailedListed ?? 20;
  const source =
    tally === undefined
      ? tallyOfReport(report, maxFailed)
      : Array.isArray(tally)
        ? OutcomeTally.of(tally, maxFailed)
        : (tally as OutcomeTally);
  const out: string[] = [];
  const mode = report.dryRun ? 'plan (dry run: nothing was changed)' : 'run';
  out.push(`policy ${report.policy} · ${mode} · run id ${report.runId}`);
  out.push('');

  const doneHeader = report.dryRun ? 'planned' : 'untagged';
  const rows = source.rows();
  const t = report.totals;
  const body = rows.map((r) => [
    r.region,
    r.type,
    String(r.matched),
    String(report.dryRun ? r.planned : r.untagged),
    String(r.skipped),
    String(r.failed),
  ]);
  const doneTotal = report.dryRun ? (t.planned ?? rows.reduce((n, r) => n + r.planned, 0)) : t.untagged;
  body.push(['total', '', String(t.matched), String(doneTotal), String(t.skipped), String(t.failed)]);
  out.push(
    ...renderColumns(['region', 'type', 'matched', doneHeader, 'skipped', 'failed'], body, [
      false,
      false,
      true,
      true,
      true,
      true,
    ]),
  );
  if (!source.complete)
    out.push(`(rows count the first ${report.resources.length} resources; the total row counts all of them)`);
  out.push('');

  // The totals' breakdown is exact even when the resource list was cut; older reports lack it.
  const reasons = t.skippedBy
    ? Object.entries(t.skippedBy)
        .filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0 && e[0] !== 'not-matched')
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    : totalSkipReasons(rows);
  if (reasons.length > 0) out.push(`skipped: ${reasons.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const notMatched = t.notMatched ?? rows.reduce((n, r) => n + r.notMatched, 0);
  if (notMatched > 0) out.push(`outside the policy's match (not counted above): ${notMatched}`);

  out.push(...failedLines(report, source, maxFailed), ...errorLines(report, maxFailed));

  const c = t.calls;
  out.push(
    `resources: scanned ${t.scanned} · matched ${t.matched} · ${report.dryRun ? `planned ${doneTotal}` : `untagged ${t.untagged} · keys removed ${t.keysRemoved}`} · skipped ${t.skipped} · failed ${t.failed}`,
  );
  out.push(`calls: list ${c.list} · untag ${c.untag} · throttled ${c.throttled} · retried ${c.retried}`);
  out.push(`duration: ${formatDuration(report.durationMs)} · result: ${report.ok ? 'ok' : 'NOT OK'}`);
  if (report.continuation)
    out.push(
      `stopped before the end (hop ${report.continuation.hop}): ${report.continuation.done.length} (region, type) units done, the rest not listed; running the policy again finishes it (clean resources cost no write call)`,
    );
  return `${out.join('\n')}\n`;
}

/** The failed resources, at most `maxFailed` of them, with their code and request id. */
function failedLines(report: Report, source: OutcomeTally, maxFailed: number): string[] {
  const out: string[] = [];
  const t = report.totals;
  const failed = source.failed;
  if (failed.length > 0) {
    out.push(`failed (${t.failed}):`);
    const failedRows = failed
      .slice(0, maxFailed)
      .map((r) => [r.region, r.type, r.id, r.code ?? r.reason ?? '', r.requestId ? `request ${r.requestId}` : '']);
    out.push(
      ...renderColumns(['', '', '', '', ''], failedRows, [false, false, false, false, false])
        .slice(1)
        .map((l) => `  ${l}`),
    );
    const shown = Math.min(failed.length, maxFailed);
    if (t.failed > shown) out.push(`  ... and ${t.failed - shown} more (--json lists them all)`);
  }
  return out;
}

/** The run's error and its per-unit errors, at most `maxFailed` of them. */
function errorLines(report: Report, maxFailed: number): string[] {
  const out: string[] = [];
  if (report.error) out.push(`error: ${report.error.code}: ${cleanMessage(report.error.message)}`);
  if (report.errors.length > 0) {
    out.push(`errors (${report.errors.length}):`);
    for (const e of report.errors.slice(0, maxFailed)) {
      const where = [e.region, e.type].filter(Boolean).join(' ');
      out.push(
        `  ${e.code}${where ? ` (${where})` : ''}: ${cleanMessage(e.message)}${e.requestId ? ` [request ${e.requestId}]` : ''}`,
      );
    }
    if (report.errors.length > maxFailed) out.push(`  ... and ${report.errors.length - maxFailed} more`);
  }
  return out;
}

/**
 * What a dry run would change: one line per resource with the keys that would go, at most `max` lines.
 * The dry run's promise is that people see the resources and keys, not only counts.
 */
export function renderChanges(outcomes: OutcomeTally | readonly ResourceOutcome[], max = 20): string {
  const tally = outcomes instanceof OutcomeTally ? outcomes : OutcomeTally.of(outcomes, max);
  const count = tally.changeCount;
  if (count === 0) return 'nothing to change\n';
  const shown = tally.changes.slice(0, max);
  const verb = shown.every((r) => r.status === 'planned') ? 'would remove' : 'removed';
  const lines = renderColumns(
    ['region', 'type', 'id', 'keys'],
    shown.map((r) => [r.region, r.type, r.id, r.keys.join(', ')]),
    [false, false, false, false],
  );
  const head = `${verb} (${count} resource${count === 1 ? '' : 's'}${count > shown.length ? `, first ${shown.length} shown` : ''}):`;
  const more = count > shown.length ? [`... and ${count - shown.length} more (--json lists them all)`] : [];
  return `${[head, ...lines.map((l) => `  ${l}`), ...more].join('\n')}\n`;
}

/** Bad input, one line per issue, each naming the field. */
/** What applying a plan costs: its write calls and their time at the quotas, slowest buckets first. */
export function renderEstimate(e: WriteEstimate, maxBuckets = 5): string {
  if (e.calls === 0) return 'to apply: no write call\n';
  const lines = [
    `to apply: ${e.calls} write call${e.calls === 1 ? '' : 's'}, at least ${formatDuration(e.seconds * 1000)} at the published quotas`,
    ...e.buckets
      .slice(0, maxBuckets)
      .map(
        (b) =>
          `  ${b.region} ${b.product} ${b.action}: ${b.calls} call${b.calls === 1 ? '' : 's'} at ${b.perMinute}/min, ${formatDuration(b.seconds * 1000)}`,
      ),
  ];
  if (e.buckets.length > maxBuckets) lines.push(`  ... and ${e.buckets.length - maxBuckets} more quota buckets`);
  return `${lines.join('\n')}\n`;
}

export function renderIssues(message: string, issues: ReadonlyArray<{ path: string; message: string }>): string {
  const lines = [message, ...issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`)];
  return `${lines.join('\n')}\n`;
}
