/**
 * Planning: packs selections into untag calls (DESIGN.md "the data flow", issue 3 item 6). Pure and
 * streaming: selections go in one at a time, complete batches come out, and memory stays bounded by a
 * buffer per (region, type) however many resources a run sees.
 *
 * A call carries at most `maxIdsPerCall` ids and `maxKeysPerCall` keys, and removing a key a resource
 * does not carry is a no-op, so a call may send the union of its members' keys. The packer therefore
 * looks for groups of resources whose key sets fit one small union: it keeps a bounded buffer per
 * (region, type), seeds a batch with the oldest buffered entry and greedily adds, while the union stays
 * within `maxKeysPerCall`, the entry that shares the most keys with the union for the fewest it adds
 * (an inverted index key -> entries keeps the overlap counts incremental). While streaming it emits a
 * batch whenever the buffer is full; `flush()` packs what is left, hardest entries (most keys) first.
 *
 * `takeFull` gives a free write slot a full call before the buffer is full, so writes keep pace with
 * listing; it only ever returns a batch of `maxIdsPerCall` ids, so early calls are never wasteful.
 */
import { type CallFacts, productOf, type ResourceType } from './catalog.ts';
import type { RemoveSelection } from './select.ts';
import type { UntagBatch } from './types.ts';

/** The per-call limits the planner honours (from the catalog, overridable in tests) and its buffer sizes. */
export type PlanLimits = Pick<CallFacts, 'maxIdsPerCall' | 'maxKeysPerCall'> & {
  /** Entries buffered per (region, type) before a batch is forced out. Larger packs tighter, costs more time. */
  bufferSize?: number;
  /**
   * Entries buffered over all (region, type) groups before the largest group must give a batch, so
   * that a run over many regions and types stays within a fixed memory too. Default 5 x `bufferSize`.
   */
  maxPending?: number;
};

/** Streaming packer of selections into untag calls. */
export interface Planner {
  /** Takes one selection; returns the batches this completed (often none). */
  add(sel: RemoveSelection): UntagBatch[];
  /** Packs everything still buffered and returns it; the planner is empty afterwards and may be reused. */
  flush(): UntagBatch[];
  /**
   * Packs and returns only what the (region, type) group holds, and forgets that group (a unit whose
   * listing ended while other units still list: their buffers keep filling and packing tightly).
   */
  flushGroup(region: string, type: ResourceType): UntagBatch[];
  /**
   * A batch of `maxIdsPerCall` ids from the (region, type) group, or none when its buffer cannot fill
   * one yet: the executor has a free slot, so a full call goes now rather than when the buffer is full.
   */
  takeFull(region: string, type: ResourceType): UntagBatch | undefined;
  /** Entries buffered and not yet in a returned batch (a resource with more keys than a call holds counts once per key chunk). */
  readonly pending: number;
}

/** Default buffer per (region, type): tight packing on realistic key distributions at a few ms per 1,000 resources. */
export const DEFAULT_PLAN_BUFFER = 2_000;

/** One (resource, key chunk) waiting for a batch. */
interface Entry {
  id: string;
  keys: readonly string[];
  /** Arrival order: seeds go oldest first while streaming. */
  seq: number;
  /** Position in `GroupPacker.live` (swap-removal keeps that array dense), -1 once taken. */
  pos: number;
  /** Scratch during batch formation: how many of `keys` the batch's union already holds. */
  cover: number;
  /** How many key chunks the resource's selection was split into (1: whole). */
  parts: number;
}

class GroupPacker {
  /** Buffered entries, dense and unordered: the candidate scan runs over a plain array. */
  readonly live: Entry[] = [];
  /** Buffered entries in arrival order, taken ones skipped lazily from `head`. */
  private queue: Entry[] = [];
  private head = 0;
  private seq = 0;
  readonly index = new Map<string, Set<Entry>>();
  allPending: RemoveSelection[] = [];

  constructor(
    readonly region: string,
    readonly type: ResourceType,
    readonly maxIds: number,
    readonly maxKeys: number,
  ) {}

  get size(): number {
    return this.live.length + this.allPending.length;
  }

  push(id: string, keys: readonly string[], parts = 1): void {
    const entry: Entry = { id, keys, seq: this.seq++, pos: this.live.length, cover: 0, parts };
    this.live.push(entry);
    this.queue.push(entry);
    for (const k of keys) {
      let s = this.index.get(k);
      if (!s) {
        s = new Set();
        this.index.set(k, s);
      }
      s.add(entry);
    }
  }

  /** Size the buffer must reach before `takeFull` tries again (a failed try costs a scan of the buffer). */
  nextFullTry = 0;

  /** Puts taken entries back, as they were (a trial batch that did not fill). */
  untake(entries: readonly Entry[]): void {
    for (const e of entries) {
      e.pos = this.live.length;
      this.live.push(e);
      for (const k of e.keys) {
        let s = this.index.get(k);
        if (!s) {
          s = new Set();
          this.index.set(k, s);
        }
        s.add(e);
      }
    }
  }

  private take(entry: Entry): void {
    const last = this.live.pop()!;
    if (last !== entry) {
      this.live[entry.pos] = last;
      last.pos = entry.pos;
    }
    entry.pos = -1;
    for (const k of entry.keys) {
      const s = this.index.get(k);
      if (!s) continue;
      s.delete(entry);
      if (s.size === 0) this.index.delete(k);
    }
  }

  /** Forms one batch seeded with `seed`: adds, one at a time, the entry that grows the key union least. */
  formBatch(seed: Entry): UntagBatch {
    return this.batchOf(this.formMembers(seed));
  }

  /** The members of the batch `formBatch` would make, taken from the buffer. */
  formMembers(seed: Entry): Entry[] {
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
      let bestScore = Number.NEGATIVE_INFINITY;
      let bestLen = -1;
      const live = this.live;
      for (let i = 0; i < live.length; i++) {
        const c = live[i]!;
        const len = c.keys.length;
        const growth = len - c.cover;
        if (growth > room) continue;
        // Keys it shares with the union minus keys it adds: an entry that reuses the union well leaves
        // room for the next; preferring merely small growth strands the large entries for the tail.
        const score = c.cover - growth;
        if (
          score < bestScore ||
          (score === bestScore && (len < bestLen || (len === bestLen && c.seq > best!.seq))) ||
          ids.has(c.id)
        )
          continue;
        best = c;
        bestScore = score;
        bestLen = len;
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
    return members;
  }

  batchOf(members: readonly Entry[]): UntagBatch {
    const union = new Set<string>();
    for (const m of members) for (const k of m.keys) union.add(k);
    const removes: Record<string, string[]> = {};
    let parts: Record<string, number> | undefined;
    for (const m of members) {
      removes[m.id] = [...m.keys];
      if (m.parts > 1) {
        parts ??= {};
        parts[m.id] = m.parts;
      }
    }
    return {
      product: productOf(this.type),
      region: this.region,
      type: this.type,
      ids: members.map((m) => m.id),
      keys: [...union].sort(),
      removes,
      ...(parts ? { parts } : {}),
    };
  }

  allBatch(sels: RemoveSelection[]): UntagBatch {
    const removes: Record<string, string[]> = {};
    for (const s of sels) removes[s.id] = [...s.keys];
    return {
      product: productOf(this.type),
      region: this.region,
      type: this.type,
      ids: sels.map((s) => s.id),
      keys: 'all',
      removes,
    };
  }

  oldest(): Entry | undefined {
    while (this.head < this.queue.length && this.queue[this.head]!.pos < 0) this.head++;
    // Drop the taken prefix now and then so the queue stays as small as the buffer.
    if (this.head > 1_024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return this.queue[this.head];
  }

  /**
   * Packs every buffered entry and empties the group. A small buffer is cheap to pack several times,
   * so several seed orders are tried (hardest first, oldest first, then seeded random ones) within a
   * fixed work budget, and the plan with the fewest calls wins; the greedy's result depends on seeds,
   * and on a small group a call saved is a large share.
   */
  drain(): UntagBatch[] {
    const entries = [...this.live].sort((a, b) => a.seq - b.seq);
    const m = entries.length;
    if (m === 0) return [];
    const floor = Math.ceil(m / this.maxIds);
    const attempts = Math.max(1, Math.min(FLUSH_MAX_ATTEMPTS, Math.floor(FLUSH_WORK_BUDGET / (m * m))));
    let best: UntagBatch[] | undefined;
    for (let a = 0; a < attempts && (!best || best.length > floor); a++) {
      const trial = new GroupPacker(this.region, this.type, this.maxIds, this.maxKeys);
      for (const e of entries) trial.push(e.id, e.keys, e.parts);
      const random = mulberry32(a);
      const pick = (): Entry | undefined => {
        if (a === 0) return trial.hardest();
        if (a === 1) return trial.oldest();
        return trial.live[Math.floor(random() * trial.live.length)];
      };
      const batches: UntagBatch[] = [];
      for (let seed = pick(); seed; seed = pick()) batches.push(trial.formBatch(seed));
      if (!best || batches.length < best.length) best = batches;
    }
    for (const e of entries) this.take(e);
    return best ?? [];
  }

  /** The entry with the most keys (the oldest of those): the hardest to place, so it goes first. */
  hardest(): Entry | undefined {
    let best: Entry | undefined;
    for (const e of this.live)
      if (!best || e.keys.length > best.keys.length || (e.keys.length === best.keys.length && e.seq < best.seq))
        best = e;
    return best;
  }
}

/** Flush: at most this many packings of one group, and about this many candidate checks over all of them. */
const FLUSH_MAX_ATTEMPTS = 24;
const FLUSH_WORK_BUDGET = 8_000_000;

/** A small seeded PRNG: flush tries are random yet the same input always gives the same plan. */
function mulberry32(seed: number): () => number {
  let a = (seed * 0x9e3779b9) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
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
 * every (resource, key) of every selection is removed exactly once; a resource split over several
 * batches (more keys than a call holds) appears in `parts` of each with the number of its batches.
 * Selections with an empty key list are ignored (selection never makes them). Memory: the buffers
 * (`bufferSize` per group, `maxPending` in all), never O(resources).
 */
export function createPlanner(limits: PlanLimits): Planner {
  checkLimits(limits);
  return new StreamingPlanner(limits);
}

class StreamingPlanner implements Planner {
  private readonly maxIds: number;
  private readonly maxKeys: number;
  private readonly bufferSize: number;
  private readonly maxPending: number;
  private readonly groups = new Map<string, GroupPacker>();
  private pendingCount = 0;

  constructor(limits: PlanLimits) {
    this.maxIds = limits.maxIdsPerCall;
    this.maxKeys = limits.maxKeysPerCall;
    this.bufferSize = Math.max(limits.bufferSize ?? DEFAULT_PLAN_BUFFER, this.maxIds);
    this.maxPending = Math.max(limits.maxPending ?? 5 * this.bufferSize, this.bufferSize);
  }

  get pending(): number {
    return this.pendingCount;
  }

  private groupOf(sel: { region: string; type: ResourceType }): GroupPacker {
    const name = `${sel.region}\u0000${sel.type}`;
    let g = this.groups.get(name);
    if (!g) {
      g = new GroupPacker(sel.region, sel.type, this.maxIds, this.maxKeys);
      this.groups.set(name, g);
    }
    return g;
  }

  private emit(g: GroupPacker, seed: Entry): UntagBatch {
    const batch = g.formBatch(seed);
    this.pendingCount -= batch.ids.length;
    return batch;
  }

  private drainGroup(g: GroupPacker): UntagBatch[] {
    const out: UntagBatch[] = [];
    for (let i = 0; i < g.allPending.length; i += this.maxIds) {
      const sels = g.allPending.slice(i, i + this.maxIds);
      this.pendingCount -= sels.length;
      out.push(g.allBatch(sels));
    }
    g.allPending = [];
    const drained = g.drain();
    for (const b of drained) this.pendingCount -= b.ids.length;
    out.push(...drained);
    return out;
  }

  add(sel: RemoveSelection): UntagBatch[] {
    if (sel.keys.length === 0) return [];
    const g = this.groupOf(sel);
    if (sel.all) {
      g.allPending.push(sel);
      this.pendingCount++;
      if (g.allPending.length < this.maxIds) return [];
      const sels = g.allPending;
      g.allPending = [];
      this.pendingCount -= sels.length;
      return [g.allBatch(sels)];
    }
    const sorted = [...new Set(sel.keys)].sort();
    const chunks = sorted.length > this.maxKeys ? chunkKeys(sorted, this.maxKeys) : [sorted];
    for (const keys of chunks) {
      g.push(sel.id, keys, chunks.length);
      this.pendingCount++;
    }
    // A batch that cannot fill while the buffer is full still goes out: memory stays bounded.
    const out: UntagBatch[] = [];
    while (g.live.length >= this.bufferSize) {
      const seed = g.oldest();
      if (!seed) break;
      out.push(this.emit(g, seed));
    }
    while (this.pendingCount > this.maxPending) {
      let largest: GroupPacker | undefined;
      for (const other of this.groups.values())
        if (!largest || other.live.length > largest.live.length) largest = other;
      const seed = largest?.oldest();
      if (!largest || !seed) break;
      out.push(this.emit(largest, seed));
    }
    return out;
  }

  takeFull(region: string, type: ResourceType): UntagBatch | undefined {
    const g = this.groups.get(`${region}\u0000${type}`);
    if (!g || g.live.length < this.maxIds || g.live.length < g.nextFullTry) return undefined;
    // The hardest entry first: easy ones taken early would strand the hard ones for the tail.
    const seed = g.hardest();
    if (!seed) return undefined;
    const members = g.formMembers(seed);
    if (members.length < this.maxIds) {
      g.untake(members);
      // Try again once the buffer has grown by a call's worth of candidates.
      g.nextFullTry = g.live.length + this.maxIds;
      return undefined;
    }
    this.pendingCount -= members.length;
    return g.batchOf(members);
  }

  flush(): UntagBatch[] {
    const out: UntagBatch[] = [];
    for (const g of this.groups.values()) out.push(...this.drainGroup(g));
    this.groups.clear();
    return out;
  }

  flushGroup(region: string, type: ResourceType): UntagBatch[] {
    const name = `${region}\u0000${type}`;
    const g = this.groups.get(name);
    if (!g) return [];
    this.groups.delete(name);
    return this.drainGroup(g);
  }
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
