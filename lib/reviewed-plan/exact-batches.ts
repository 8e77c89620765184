/**
 * Untag calls that remove from each resource exactly its own keys. The planner may send a batch the
 * union of its members' keys, which is harmless when every member lacks the keys it does not select
 * (a policy selects by key, the same for all). Under a reviewed plan selection is by value: one member
 * may carry a key whose value changed since the plan while another still has it planned, and the union
 * would take it from both. Here each batch is split by its members' key sets, so a call's keys are
 * exactly what each of its ids removes.
 */
import type { Planner } from '../plan.ts';
import type { UntagBatch } from '../types.ts';

export function exactBatches(batch: UntagBatch): UntagBatch[] {
  if (batch.keys === 'all') return [batch];
  const groups = new Map<string, string[]>();
  for (const id of batch.ids) {
    const set = JSON.stringify([...(batch.removes[id] ?? [])].sort());
    groups.set(set, [...(groups.get(set) ?? []), id]);
  }
  if (groups.size === 1 && JSON.stringify([...batch.keys].sort()) === [...groups.keys()][0]) return [batch];
  const out: UntagBatch[] = [];
  for (const [set, ids] of groups) {
    const keys = JSON.parse(set) as string[];
    const { parts: _p, ...rest } = batch;
    const b: UntagBatch = {
      ...rest,
      ids,
      keys,
      removes: Object.fromEntries(ids.map((id) => [id, batch.removes[id] ?? []])),
    };
    const parts = Object.fromEntries(
      ids.filter((id) => batch.parts?.[id] !== undefined).map((id) => [id, batch.parts?.[id] as number]),
    );
    if (Object.keys(parts).length > 0) b.parts = parts;
    out.push(b);
  }
  return out;
}

/** The planner, with every batch it gives split into exact ones. */
export function exactPlanner(inner: Planner): Planner {
  const split = (bs: UntagBatch[]) => bs.flatMap(exactBatches);
  let held: UntagBatch[] = [];
  return {
    add: (sel) => split(inner.add(sel)),
    flush() {
      const out = [...held, ...split(inner.flush())];
      held = [];
      return out;
    },
    flushGroup(region, type) {
      const mine = held.filter((b) => b.region === region && b.type === type);
      held = held.filter((b) => !(b.region === region && b.type === type));
      return [...mine, ...split(inner.flushGroup(region, type))];
    },
    takeFull(region, type) {
      // One batch asked for: give the first exact part now, the rest on the next asks.
      const heldHere = held.findIndex((b) => b.region === region && b.type === type);
      if (heldHere >= 0) return held.splice(heldHere, 1)[0];
      const b = inner.takeFull(region, type);
      if (!b) return undefined;
      const [first, ...rest] = exactBatches(b);
      held = [...held, ...rest];
      return first;
    },
    get pending() {
      return inner.pending + held.length;
    },
  };
}
