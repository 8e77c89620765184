/**
 * Planning: packs selections into untag calls (DESIGN.md "the data flow", issue 3 item 6). Pure and
 * streaming: selections go in one at a time, complete batches come out, and memory stays bounded by a
 * buffer per (region, type) however many resources a run sees.
 *
 * A call carries at most `maxIdsPerCall` ids and `maxKeysPerCall` keys, and removing a key a resource
 * does not carry is a no-op, so a call may send the union of its members' keys. The packer therefore
 * looks for groups of resources whose key sets fit one small union: it keeps a bounded buffer per
 * (region, type), seeds a batch with the oldest buffered entry and greedily adds the entries that grow
 * the union least (an inverted index key -> entries keeps that cheap). While streaming it emits a batch
 * whenever the buffer is full; `flush()` packs what is left.
 */
import { type Limits, productOf, type ResourceType } from './catalog.ts';
import type { RemoveSelection } from './select.ts';
import type { UntagBatch } from './types.ts';

export type PlanLimits = Pick<Limits, 'maxIdsPerCall' | 'maxKeysPerCall'> & {
  /** Entries buffered per (region, type) before a batch is forced out. Larger packs tighter, costs more time. */
  bufferSize?: number;
};

/** Streaming packer of selections into untag calls. */
export interface Planner {
  /** Takes one selection; returns the batches this completed (often none). */
  add(sel: RemoveSelection): UntagBatch[];
  /** Packs everything still buffered and returns it; the planner is empty afterwards and may be reused. */
  flush(): UntagBatch[];
  /** Entries buffered and not yet in a returned batch (a resource with more keys than a call holds counts once per key chunk). */
  readonly pending: number;
}

/** Default buffer per (region, type): tight packing on realistic key distributions at a few ms per 1,000 resources. */
export const DEFAULT_PLAN_BUFFER = 2_000;

/** One (resource, key chunk) waiting for a batch. */
interface Entry {
  id: string;
  keys: readonly string[];
  /** Scratch during batch formation: how many of `keys` the batch's union already holds. */
  cover: number;
}

class GroupPacker {
  readonly entries = new Set<Entry>();
  readonly index = new Map<string, Set<Entry>>();
  allPending: RemoveSelection[] = [];

  constructor(
    readonly region: string,
    readonly type: ResourceType,
    readonly maxIds: number,
    readonly maxKeys: number,
  ) {}

  get size(): number {
    return this.entries.size + this.allPending.length;
  }

  push(entry: Entry): void {
    this.entries.add(entry);
    for (const k of entry.keys) {
      let s = this.index.get(k);
      if (!s) {
        s = new Set();
        this.index.set(k, s);
      }
      s.add(entry);
    }
  }

  private take(entry: Entry): void {
    this.entries.delete(entry);
    for (const k of entry.keys) {
      const s = this.index.get(k);
      if (!s) continue;
      s.delete(entry);
      if (s.size === 0) this.index.delete(k);
    }
  }

  /** Forms one batch seeded with `seed`: adds, one at a time, the entry that grows the key union least. */
  formBatch(seed: Entry): UntagBatch {
    const members: Entry[] = [seed];
    const ids = new Set<string>([seed.id]);
    const union = new Set<string>(seed.keys);
    const touched: Entry[] = [];
    const cover = (key: string) => {
      const s = this.index.get(key);
      if (!s) return;
      for (const c of s) {
        if (c.cover === 0) touched.push(c);
        c.cover++;
      }
    };
    this.take(seed);
    for (const k of union) cover(k);

    while (members.length < this.maxIds) {
      const room = this.maxKeys - union.size;
      let best: Entry | undefined;
      let bestGrowth = Number.POSITIVE_INFINITY;
      let bestLen = -1;
      for (const c of this.entries) {
        const growth = c.keys.length - c.cover;
        if (growth > room || growth > bestGrowth) continue;
        // Equal growth: prefer the entry with more keys, the hard one to place later.
        if ((growth < bestGrowth || c.keys.length > bestLen) && !ids.has(c.id)) {
          best = c;
          bestGrowth = growth;
          bestLen = c.keys.length;
        }
      }
      if (!best) break;
      members.push(best);
      ids.add(best.id);
      this.take(best);
      for (const k of best.keys) {
        if (!union.has(k)) {
          union.add(k);
          cover(k);
        }
      }
    }
    for (const c of touched) c.cover = 0;

    const removes: Record<string, string[]> = {};
    for (const m of members) removes[m.id] = [...m.keys];
    return {
      product: productOf(this.type),
      region: this.region,
      type: this.type,
      ids: members.map((m) => m.id),
      keys: [...union].sort(),
      removes,
    };
  }

  allBatch(sels: RemoveSelection[]): UntagBatch {
    const removes: Record<string, string[]> = {};
    for (const s of sels) removes[s.id] = [...s.keys];
    return { product: productOf(this.type), region: this.region, type: this.type, ids: sels.map((s) => s.id), keys: 'all', removes };
  }

  oldest(): Entry | undefined {
    for (const e of this.entries) return e;
    return undefined;
  }
}

function checkLimits(limits: PlanLimits): void {
  for (const [name, v] of [
    ['maxIdsPerCall', limits.maxIdsPerCall],
    ['maxKeysPerCall', limits.maxKeysPerCall],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
}

/** Splits sorted keys into chunks of at most `size`, as even as possible (45 keys at 20 -> 15, 15, 15). */
function chunkKeys(keys: readonly string[], size: number): string[][] {
  const n = Math.ceil(keys.length / size);
  const base = Math.floor(keys.length / n);
  const extra = keys.length % n;
  const out: string[][] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    const len = base + (i < extra ? 1 : 0);
    out.push(keys.slice(at, at + len));
    at += len;
  }
  return out;
}

/**
 * Creates a streaming planner. Guarantees, per batch: one region and type; at most `maxIdsPerCall`
 * ids, each once; at most `maxKeysPerCall` keys, or `'all'` only when every member's selection says
 * `all`; `removes[id]` is the part of that resource's keys this batch removes, and over all batches
 * every (resource, key) of every selection is removed exactly once. Selections with an empty key list
 * are ignored (selection never makes them).
 */
export function createPlanner(limits: PlanLimits): Planner {
  checkLimits(limits);
  const maxIds = limits.maxIdsPerCall;
  const maxKeys = limits.maxKeysPerCall;
  const bufferSize = Math.max(limits.bufferSize ?? DEFAULT_PLAN_BUFFER, maxIds);
  const groups = new Map<string, GroupPacker>();
  let pending = 0;

  const groupOf = (sel: RemoveSelection): GroupPacker => {
    const name = `${sel.region}\u0000${sel.type}`;
    let g = groups.get(name);
    if (!g) {
      g = new GroupPacker(sel.region, sel.type, maxIds, maxKeys);
      groups.set(name, g);
    }
    return g;
  };

  const emit = (g: GroupPacker, seed: Entry): UntagBatch => {
    const batch = g.formBatch(seed);
    pending -= batch.ids.length;
    return batch;
  };

  return {
    get pending() {
      return pending;
    },

    add(sel: RemoveSelection): UntagBatch[] {
      if (sel.keys.length === 0) return [];
      const g = groupOf(sel);
      if (sel.all) {
        g.allPending.push(sel);
        pending++;
        if (g.allPending.length < maxIds) return [];
        const sels = g.allPending;
        g.allPending = [];
        pending -= sels.length;
        return [g.allBatch(sels)];
      }
      const sorted = [...new Set(sel.keys)].sort();
      for (const keys of sorted.length > maxKeys ? chunkKeys(sorted, maxKeys) : [sorted]) {
        g.push({ id: sel.id, keys, cover: 0 });
        pending++;
      }
      const out: UntagBatch[] = [];
      while (g.entries.size >= bufferSize) {
        const seed = g.oldest();
        if (!seed) break;
        out.push(emit(g, seed));
      }
      return out;
    },

    flush(): UntagBatch[] {
      const out: UntagBatch[] = [];
      for (const g of groups.values()) {
        for (let i = 0; i < g.allPending.length; i += maxIds) {
          const sels = g.allPending.slice(i, i + maxIds);
          pending -= sels.length;
          out.push(g.allBatch(sels));
        }
        g.allPending = [];
        for (let seed = g.oldest(); seed; seed = g.oldest()) out.push(emit(g, seed));
      }
      groups.clear();
      return out;
    },
  };
}

/** Plans a finite set of selections at once: `createPlanner`, every `add`, then `flush`. */
export function planBatches(sels: Iterable<RemoveSelection>, limits: PlanLimits): UntagBatch[] {
  const planner = createPlanner(limits);
  const out: UntagBatch[] = [];
  for (const sel of sels) out.push(...planner.add(sel));
  out.push(...planner.flush());
  return out;
}

/**
 * The fewest untag calls any plan can make: per (region, type), ⌈resources / maxIds⌉ (distinct
 * resources with something to remove). The planner's quality is its call count over this bound.
 */
export function untagCallLowerBound(sels: Iterable<RemoveSelection>, maxIds: number): number {
  const perGroup = new Map<string, Set<string>>();
  for (const s of sels) {
    if (s.keys.length === 0) continue;
    const name = `${s.region}\u0000${s.type}`;
    let ids = perGroup.get(name);
    if (!ids) {
      ids = new Set();
      perGroup.set(name, ids);
    }
    ids.add(s.id);
  }
  let n = 0;
  for (const ids of perGroup.values()) n += Math.ceil(ids.size / maxIds);
  return n;
}
