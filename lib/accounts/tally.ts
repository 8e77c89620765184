/** A shard's counts by resource type, fed every final outcome (pure). */
import type { ResourceOutcome } from '../types.ts';
import { emptyTally, type TypeTally } from './records.ts';

export function tallyOutcome(byType: Record<string, TypeTally>, o: ResourceOutcome): void {
  const t = byType[o.type] ?? emptyTally();
  byType[o.type] = t;
  if (o.status === 'skipped' && o.reason === 'not-matched') return;
  t.matched++;
  if (o.status === 'untagged') {
    t.untagged++;
    t.keysRemoved += o.keys.length;
  } else if (o.status === 'planned') t.planned++;
  else if (o.status === 'skipped') t.skipped++;
  else if (o.status === 'failed') t.failed++;
}
