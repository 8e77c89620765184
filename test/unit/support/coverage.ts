/** Checks the planner's contract on a set of batches; shared by the unit and property tests. */
import type { RemoveSelection } from '../../../lib/select.ts';
import type { UntagBatch } from '../../../lib/types.ts';

export interface PlanLimitsLike {
  maxIdsPerCall: number;
  maxKeysPerCall: number;
}

/** Returns every broken rule as a sentence (empty: the plan is sound). */
export function planProblems(
  sels: readonly RemoveSelection[],
  batches: readonly UntagBatch[],
  limits: PlanLimitsLike,
): string[] {
  const problems: string[] = [];
  const want = new Map<string, RemoveSelection>();
  for (const s of sels) want.set(`${s.region}|${s.type}|${s.id}`, s);
  const covered = new Map<string, number>();
  for (const [n, b] of batches.entries()) {
    if (b.ids.length === 0) problems.push(`batch ${n} has no id`);
    if (b.ids.length > limits.maxIdsPerCall) problems.push(`batch ${n} has ${b.ids.length} ids`);
    if (new Set(b.ids).size !== b.ids.length) problems.push(`batch ${n} repeats an id`);
    if (b.keys !== 'all' && b.keys.length > limits.maxKeysPerCall)
      problems.push(`batch ${n} has ${b.keys.length} keys`);
    if (b.keys !== 'all' && b.keys.length === 0) problems.push(`batch ${n} has no key`);
    if (Object.keys(b.removes).sort().join() !== [...b.ids].sort().join())
      problems.push(`batch ${n}: removes and ids differ`);
    const sent = new Set(b.keys === 'all' ? [] : b.keys);
    for (const id of b.ids) {
      const sel = want.get(`${b.region}|${b.type}|${id}`);
      if (!sel) {
        problems.push(`batch ${n} names ${b.region}/${b.type}/${id}, which no selection removes from`);
        continue;
      }
      if (b.keys === 'all' && !sel.all)
        problems.push(`batch ${n} sends all for ${id}, whose selection does not allow it`);
      const own = new Set(sel.keys);
      if (new Set(b.removes[id]).size !== (b.removes[id] ?? []).length)
        problems.push(`batch ${n} lists a key twice for ${id}`);
      for (const k of b.removes[id] ?? []) {
        if (!own.has(k)) problems.push(`batch ${n} removes ${k} from ${id}, not in its selection`);
        if (b.keys !== 'all' && !sent.has(k)) problems.push(`batch ${n} removes ${k} from ${id} without sending it`);
        const ck = `${b.region}|${b.type}|${id}|${k}`;
        covered.set(ck, (covered.get(ck) ?? 0) + 1);
      }
    }
    if (b.keys !== 'all') {
      const union = new Set(b.ids.flatMap((id) => b.removes[id] ?? []));
      for (const k of b.keys)
        if (!union.has(k)) problems.push(`batch ${n} sends ${k}, which none of its resources loses`);
    }
  }
  for (const s of sels) {
    for (const k of s.keys) {
      const c = covered.get(`${s.region}|${s.type}|${s.id}|${k}`) ?? 0;
      if (c !== 1) problems.push(`${s.id}/${k} covered ${c} times`);
    }
  }
  return problems;
}
