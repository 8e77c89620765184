/**
 * Exact untag calls (lib/plan.ts): calls whose every id removes every key named, for a cloud that
 * refuses a call naming a key one of its ids lacks. A cover of the (id, key) pairs by rectangles.
 */

/** One exact call: every id removes every key. */
export interface ExactCall {
  ids: string[];
  keys: string[];
}

/**
 * Calls covering every (id, key) of `items` once, each naming only keys all its ids remove: greedy
 * rectangles, a key with the most holders widened by the keys most of them share while (ids x keys)
 * grows. Guard keys go in calls of their own after all the others, so a resource keeps what its
 * listing matched it by until the rest went. Pure; deterministic for the same input.
 */
export function exactCalls(
  items: ReadonlyArray<{ id: string; keys: readonly string[] }>,
  maxIds: number,
  maxKeys: number,
  guardKeys: ReadonlySet<string> = new Set(),
): ExactCall[] {
  if (guardKeys.size === 0) return rectangles(items, maxIds, maxKeys);
  const plain = items.map((i) => ({ id: i.id, keys: i.keys.filter((k) => !guardKeys.has(k)) }));
  const guards = items.map((i) => ({ id: i.id, keys: i.keys.filter((k) => guardKeys.has(k)) }));
  return [...rectangles(plain, maxIds, maxKeys), ...rectangles(guards, maxIds, maxKeys)];
}

function rectangles(
  items: ReadonlyArray<{ id: string; keys: readonly string[] }>,
  maxIds: number,
  maxKeys: number,
): ExactCall[] {
  const rem = new Map<string, Set<string>>();
  const holders = new Map<string, Set<string>>();
  for (const { id, keys } of items) {
    if (keys.length === 0) continue;
    let mine = rem.get(id);
    if (!mine) {
      mine = new Set();
      rem.set(id, mine);
    }
    for (const k of keys) {
      mine.add(k);
      let h = holders.get(k);
      if (!h) {
        h = new Set();
        holders.set(k, h);
      }
      h.add(id);
    }
  }
  const out: ExactCall[] = [];
  while (holders.size > 0) {
    let first: string | undefined;
    let most = 0;
    for (const [k, h] of holders)
      if (h.size > most || (h.size === most && first !== undefined && k < first)) {
        first = k;
        most = h.size;
      }
    const keys = [first!];
    let ids = [...holders.get(first!)!];
    let value = Math.min(ids.length, maxIds);
    while (keys.length < maxKeys) {
      const shared = new Map<string, number>();
      for (const id of ids)
        for (const k of rem.get(id)!) if (!keys.includes(k)) shared.set(k, (shared.get(k) ?? 0) + 1);
      let next: string | undefined;
      let nextValue = value;
      for (const [k, n] of shared) {
        const v = Math.min(n, maxIds) * (keys.length + 1);
        if (v > nextValue || (v === nextValue && next !== undefined && k < next)) {
          next = k;
          nextValue = v;
        }
      }
      if (next === undefined) break;
      keys.push(next);
      ids = ids.filter((id) => rem.get(id)!.has(next));
      value = nextValue;
    }
    // Ids this call finishes first (fewer calls per resource), then those with the fewest keys left.
    if (ids.length > maxIds)
      ids = ids
        .map((id) => ({ id, left: rem.get(id)!.size }))
        .sort((a, b) => a.left - b.left || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(0, maxIds)
        .map((x) => x.id);
    keys.sort();
    out.push({ ids, keys });
    for (const id of ids) {
      const mine = rem.get(id)!;
      for (const k of keys) mine.delete(k);
      if (mine.size === 0) rem.delete(id);
    }
    for (const k of keys) {
      const h = holders.get(k)!;
      for (const id of ids) h.delete(id);
      if (h.size === 0) holders.delete(k);
    }
  }
  return out;
}
