/**
 * A local repair of a union packing (lib/plan.ts): the greedy's tail is where calls are lost, so the
 * smallest calls are emptied into the others where the members fit.
 */
import type { UntagBatch } from '../types.ts';

/** A call under repair: its members' keys and how many members name each key. */
interface Bin {
  members: Map<string, readonly string[]>;
  count: Map<string, number>;
  guard: string;
}

function binOf(b: UntagBatch, guardKeys: ReadonlySet<string>): Bin {
  const members = new Map<string, readonly string[]>();
  const count = new Map<string, number>();
  for (const id of b.ids) {
    const keys = b.removes[id] ?? [];
    members.set(id, keys);
    for (const k of keys) count.set(k, (count.get(k) ?? 0) + 1);
  }
  return { members, count, guard: guardNameOf(b.ids[0] === undefined ? [] : (b.removes[b.ids[0]] ?? []), guardKeys) };
}

function guardNameOf(keys: readonly string[], guardKeys: ReadonlySet<string>): string {
  const g = guardKeys.size === 0 ? [] : keys.filter((k) => guardKeys.has(k));
  return g.length === 0 ? '' : JSON.stringify(g);
}

/** Keys `keys` would add to `bin`'s union. */
function growth(bin: Bin, keys: readonly string[]): number {
  let n = 0;
  for (const k of keys) if (!bin.count.has(k)) n++;
  return n;
}

function put(bin: Bin, id: string, keys: readonly string[]): void {
  bin.members.set(id, keys);
  for (const k of keys) bin.count.set(k, (bin.count.get(k) ?? 0) + 1);
}

function drop(bin: Bin, id: string): void {
  const keys = bin.members.get(id) ?? [];
  bin.members.delete(id);
  for (const k of keys) {
    const n = (bin.count.get(k) ?? 0) - 1;
    if (n <= 0) bin.count.delete(k);
    else bin.count.set(k, n);
  }
}

interface Limits {
  maxIds: number;
  maxKeys: number;
}

// A resource listed twice (a re-listed page) is one id per call still.
const fits = (lim: Limits, bin: Bin, id: string, keys: readonly string[], guard: string) =>
  bin.guard === guard &&
  !bin.members.has(id) &&
  bin.members.size < lim.maxIds &&
  bin.count.size + growth(bin, keys) <= lim.maxKeys;

/** Places `id` in some bin other than `not` (directly, or displacing a member to a third bin); undo log. */
function place(
  lim: Limits,
  bins: readonly Bin[],
  move: { id: string; keys: readonly string[]; guard: string },
  not: Bin,
  undo: Array<() => void>,
): boolean {
  const { id, keys, guard } = move;
  let best: Bin | undefined;
  for (const b of bins)
    if (b !== not && fits(lim, b, id, keys, guard) && (!best || growth(b, keys) < growth(best, keys))) best = b;
  if (best) {
    const target = best;
    put(target, id, keys);
    undo.push(() => drop(target, id));
    return true;
  }
  for (const b of bins) {
    if (b === not || b.guard !== guard) continue;
    for (const [other, otherKeys] of [...b.members]) {
      drop(b, other);
      if (fits(lim, b, id, keys, guard)) {
        const third = bins.find((c) => c !== not && c !== b && fits(lim, c, other, otherKeys, guard));
        if (third) {
          put(b, id, keys);
          put(third, other, otherKeys);
          undo.push(() => {
            drop(third, other);
            drop(b, id);
            put(b, other, otherKeys);
          });
          return true;
        }
      }
      put(b, other, otherKeys);
    }
  }
  return false;
}

/** Empties `victim` into the other bins, or leaves everything as it was. */
function empty(lim: Limits, bins: readonly Bin[], victim: Bin): boolean {
  const undo: Array<() => void> = [];
  for (const [id, keys] of [...victim.members]) {
    if (place(lim, bins, { id, keys, guard: victim.guard }, victim, undo)) continue;
    for (const u of undo.reverse()) u();
    return false;
  }
  return true;
}

function batchOf(first: UntagBatch, bin: Bin): UntagBatch {
  const removes: Record<string, string[]> = {};
  for (const [id, keys] of bin.members) removes[id] = [...keys];
  return {
    product: first.product,
    region: first.region,
    type: first.type,
    ids: [...bin.members.keys()],
    keys: [...bin.count.keys()].sort(),
    removes,
  };
}

/**
 * A local repair of a packing: the smallest calls are emptied, one at a time, by moving each member
 * into another call it fits (ids and key union within limits, same guard keys), or by a 2-exchange (it
 * takes the place of a member that moves on to a third call). Calls holding a split resource's part
 * stay as they are. Never more calls than given; the greedy's tail is where calls are lost.
 */
export function repairBatches(
  batches: UntagBatch[],
  maxIds: number,
  maxKeys: number,
  guardKeys: ReadonlySet<string>,
): UntagBatch[] {
  const [first] = batches;
  if (!first || batches.length < 2) return batches;
  const lim: Limits = { maxIds, maxKeys };
  const fixed = batches.filter((b) => b.parts !== undefined);
  const bins = batches.filter((b) => b.parts === undefined).map((b) => binOf(b, guardKeys));
  // Smallest first; a call that cannot be emptied is passed over for the next smallest.
  for (let emptied = true; emptied && bins.length > 1; ) {
    emptied = false;
    bins.sort((a, b) => a.members.size - b.members.size);
    for (let i = 0; i < bins.length && !emptied; i++) {
      const victim = bins[i]!;
      if (victim.members.size * 2 > maxIds) break;
      if (empty(lim, bins, victim)) {
        bins.splice(i, 1);
        emptied = true;
      }
    }
  }
  return [...bins.map((bin) => batchOf(first, bin)), ...fixed];
}
