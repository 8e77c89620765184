/** A restore report and a store's runs as people read them (pure string building). */
import type { RestoreReport } from '../../lib/restore/types.ts';
import type { RunSummary } from '../../lib/store/runs.ts';
import { formatDuration, renderColumns } from './table.ts';

const tagText = (tags: Record<string, string>) =>
  Object.entries(tags)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');

export function renderRestore(r: RestoreReport, maxListed = 20): string {
  const out: string[] = [];
  out.push(`restore of run ${r.runId}${r.dryRun ? ' (dry run: nothing was changed)' : ''} from ${r.store}`);
  const t = r.totals;
  out.push(
    `${t.resources} resources: ${r.dryRun ? `${t.planned} would be restored` : `${t.restored} restored (${t.keysRestored} keys)`}, ${t.skipped} skipped, ${t.failed} failed`,
  );
  const reasons = Object.entries(t.skippedBy).sort();
  if (reasons.length > 0) out.push(`skipped: ${reasons.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const notable = r.resources.filter((o) => o.status === 'failed' || o.conflicts?.length || o.reason === 'tag-limit');
  if (notable.length > 0) {
    out.push('');
    const rows = notable
      .slice(0, maxListed)
      .map((o) => [
        o.region,
        o.type,
        o.id,
        o.status,
        o.reason === 'tag-limit'
          ? `tag-limit (carries ${o.tagCount ?? '?'}; would add ${Object.keys(o.tags).length})`
          : o.conflicts?.length
            ? `conflict: ${o.conflicts.map((c) => `${c.key} removed ${JSON.stringify(c.removed)}, now ${JSON.stringify(c.current)}`).join('; ')}`
            : `${o.code ?? ''} ${o.reason ?? ''}`.trim(),
      ]);
    out.push(...renderColumns(['region', 'type', 'id', 'status', 'why'], rows, [false, false, false, false, false]));
    if (notable.length > maxListed) out.push(`... and ${notable.length - maxListed} more (--json lists them all)`);
  }
  if (r.dryRun) {
    const planned = r.resources.filter((o) => o.status === 'planned');
    if (planned.length > 0) {
      out.push('', 'would put back:');
      for (const o of planned.slice(0, maxListed)) out.push(`  ${o.region} ${o.type} ${o.id}: ${tagText(o.tags)}`);
      if (planned.length > maxListed) out.push(`  ... and ${planned.length - maxListed} more`);
    }
  }
  for (const e of r.errors.slice(0, 5)) out.push(`error ${e.code}: ${e.message}`);
  if (r.error) out.push(`error ${r.error.code}: ${r.error.message}`);
  out.push(
    `calls: ${t.calls.list} list, ${t.calls.tag} tag (${t.calls.retried} retried, ${t.calls.throttled} throttled); ${formatDuration(r.durationMs)}`,
  );
  return `${out.join('\n')}\n`;
}

export function renderRuns(runs: readonly RunSummary[], location: string): string {
  if (runs.length === 0) return `no runs in ${location}\n`;
  const rows = runs.map((r) => [
    r.runId,
    r.policy ?? '',
    r.startedAt ?? '',
    r.untagged === undefined ? '' : String(r.untagged),
    r.keysRemoved === undefined ? '' : String(r.keysRemoved),
    r.failed === undefined ? '' : String(r.failed),
    r.restored ? (r.restoredAt ?? 'yes') : 'no',
  ]);
  return `${renderColumns(['run', 'policy', 'started', 'untagged', 'keys', 'failed', 'restored'], rows, [
    false,
    false,
    false,
    true,
    true,
    true,
    false,
  ]).join('\n')}\n`;
}
