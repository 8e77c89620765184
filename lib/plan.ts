/**
 * Planning: packs selections into untag calls (DESIGN.md "the data flow", issue 3 item 6). Pure and
 * streaming: selections go in one at a time, complete batches come out, and memory stays bounded by a
 * buffer per (region, type) however many resources a run sees.
 *
 * A call carries at most `maxIdsPerCall` ids and `maxKeysPerCall` keys. By default a call sends the
 * union of its members' keys, which stays within the policy whatever the cloud does with a named key a
 * resource lacks (no-op or error: the docs do not say), because every member of a group is judged by the
 * same policy by key name: a key one member plans is one every other member would lose by name too. The
 * union never names what that does not cover (`guardKeys`: the `match.tags` and `protect.resourceTag`
 * keys, where a late change decides by value): such a key is in a call only if every member removes it.
 * A resource split over several calls (more keys than a call holds) is never in a call naming keys of
 * its other parts, and its part holding guard keys goes out last, so a continuation that re-lists still
 * matches it. Never `All=true`: it would also take keys added after listing, and no report could say so.
 *
 * The union packer keeps a bounded buffer per (region, type), seeds a batch with the oldest buffered
 * entry and greedily adds, while the union stays within `maxKeysPerCall`, the entry that shares the most
 * keys with the union for the fewest it adds (an inverted index key -> entries keeps the overlap counts
 * incremental). While streaming it emits a batch whenever the buffer is full; `flush()` packs what is
 * left, trying several seed orders. `takeFull` gives a free write slot a full call before the buffer is full.
 *
 * Exact packing (`exact(product)` true: the cloud refused a call naming a key one of its ids lacks) makes
 * calls whose every id carries every key named, covering the buffer by (ids x keys) rectangles
 * (`exactCalls`); a resource may then go over several calls, and each batch says how many in `parts`.
 */
import { type CallFacts, type ProductId, productOf, type ResourceType } from './catalog.ts';
import { exactCalls } from './plan/exact-calls.ts';
import { repairBatches } from './plan/repair.ts';
import type { RemoveSelection } from './select.ts';
import type { UntagBatch } from './types.ts';

export { type ExactCall, exactCalls } from './plan/exact-calls.ts';

/** The per-call limits the planner honours (from the catalog, overridable in tests) and its buffer sizes. */
export type PlanLimits = Pick<CallFacts, 'maxIdsPerCall' | 'maxKeysPerCall'> & {
  /** Entries buffered per (region, type) before a batch is forced out. Larger packs tighter, costs more time. */
  bufferSize?: number;
  /**
   * Entries buffered over all (region, type) groups before the largest group must give a batch, so
   * that a run over many regions and types stays within a fixed memory too. Default 5 x `bufferSize`.
   */
  maxPending?: number;
  /**
   * Keys the policy decides on by value (`match.tags`, `protect.resourceTag`): a call names one only if
   * every id of it removes it, and a split resource removes them in its last part.
   */
  guardKeys?: Iterable<string>;
  /** Whether a product's calls must name only keys every id carries (read at each batch: it is learned). */
  exact?: (product: ProductId) => boolean;
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
  /** The guard keys among `keys`, as one name: members of one call all have the same. */
  guard: string;
  /** A split resource's keys of its other parts: never named in a call with this part. */
  other?: ReadonlySet<string>;
  /** The part holding guard keys of a split resource: it waits until the other parts are in batches. */
  last?: boolean;
}

/** What the group's packers share: the limits and the guard keys. */
interface GroupSpec {
  region: string;
  type: ResourceType;
  maxIds: number;
  maxKeys: number;
  guardKeys: ReadonlySet<string>;
}

class GroupPacker {
  /** Buffered entries, dense and unordered: the candidate scan runs over a plain array. */
  readonly live: Entry[] = [];
  /** Buffered entries in arrival order, taken ones skipped lazily from `head`. */
  private queue: Entry[] = [];
  private head = 0;
  private seq = 0;
  readonly index = new Map<string, Set<Entry>>();
  /** Per split resource with a `last` part: its other parts not yet in a batch. */
  private readonly before = new Map<string, number>();
  readonly region: string;
  readonly type: ResourceType;
  readonly maxIds: number;
  readonly maxKeys: number;

  constructor(readonly spec: GroupSpec) {
    this.region = spec.region;
    this.type = spec.type;
    this.maxIds = spec.maxIds;
    this.maxKeys = spec.maxKeys;
  }

  get size(): number {
    return this.live.length;
  }

  push(id: string, keys: readonly string[], parts = 1, other?: ReadonlySet<string>, last = false): void {
    const guards = this.spec.guardKeys.size === 0 ? [] : keys.filter((k) => this.spec.guardKeys.has(k));
    const entry: Entry = {
      id,
      keys,
      seq: this.seq++,
      pos: this.live.length,
      cover: 0,
      parts,
      guard: guards.length === 0 ? '' : JSON.stringify(guards),
      ...(other && other.size > 0 ? { other } : {}),
      ...(last ? { last } : {}),
    };
    if (!last && parts > 1 && other && [...other].some((k) => this.spec.guardKeys.has(k)))
      this.before.set(id, (this.before.get(id) ?? 0) + 1);
    this.live.push(entry);
    this.queue.push(entry);
    this.indexEntry(entry);
  }

  private indexEntry(e: Entry): void {
    for (const k of e.keys) {
      let s = this.index.get(k);
      if (!s) {
        s = new Set();
        this.index.set(k, s);
      }
      s.add(e);
    }
  }

  /** A split resource's last part waits while its other parts are still buffered. */
  blocked(e: Entry): boolean {
    return e.last === true && (this.before.get(e.id) ?? 0) > 0;
  }

  /** Size the buffer must reach before `takeFull` tries again (a failed try costs a scan of the buffer). */
  nextFullTry = 0;

  /** Puts taken entries back, as they were (a trial batch that did not fill). */
  untake(entries: readonly Entry[]): void {
    for (const e of entries) {
      e.pos = this.live.length;
      this.live.push(e);
      this.indexEntry(e);
    }
  }

  take(entry: Entry): void {
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
    // Keys of members' other parts: no later member may bring one in.
    const banned = new Set<string>(seed.other ?? []);
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
          ids.has(c.id) ||
          c.guard !== seed.guard
        )
          continue;
        if ((c.other || c.last || banned.size > 0) && !this.fits(c, union, banned)) continue;
        best = c;
        bestScore = score;
        bestLen = len;
      }
      if (!best) break;
      members.push(best);
      ids.add(best.id);
      this.take(best);
      for (const k of best.other ?? []) banned.add(k);
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

  /** A part of a split resource (or a call holding one) takes a candidate only if no key crosses parts. */
  private fits(c: Entry, union: ReadonlySet<string>, banned: ReadonlySet<string>): boolean {
    if (this.blocked(c)) return false;
    if (c.other) for (const k of c.other) if (union.has(k)) return false;
    if (banned.size > 0) for (const k of c.keys) if (banned.has(k)) return false;
    return true;
  }

  /** The batch of `members` (taken from the buffer): their last parts waiting for them are released. */
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
        const left = this.before.get(m.id);
        if (!m.last && left !== undefined) {
          if (left <= 1) this.before.delete(m.id);
          else this.before.set(m.id, left - 1);
        }
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

  oldest(): Entry | undefined {
    while (this.head < this.queue.length && this.queue[this.head]!.pos < 0) this.head++;
    // Drop the taken prefix now and then so the queue stays as small as the buffer.
    if (this.head > 1_024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    const first = this.queue[this.head];
    if (!first || !this.blocked(first)) return first;
    for (let i = this.head + 1; i < this.queue.length; i++) {
      const e = this.queue[i]!;
      if (e.pos >= 0 && !this.blocked(e)) return e;
    }
    return undefined;
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
      const trial = new GroupPacker(this.spec);
      for (const e of entries) trial.push(e.id, e.keys, e.parts, e.other, e.last);
      const random = mulberry32(a);
      const pick = (): Entry | undefined => {
        if (a === 0) return trial.hardest();
        if (a === 1) return trial.oldest();
        const e = trial.live[Math.floor(random() * trial.live.length)];
        return e && !trial.blocked(e) ? e : trial.oldest();
      };
      const batches: UntagBatch[] = [];
      for (let seed = pick(); seed; seed = pick()) batches.push(trial.formBatch(seed));
      const repaired = repairBatches(batches, this.maxIds, this.maxKeys, this.spec.guardKeys);
      if (!best || repaired.length < best.length) best = repaired;
    }
    this.clear();
    return best ?? [];
  }

  /**
   * Packs every buffered entry exactly and empties the group: each call names only keys all its ids
   * remove. A split resource's parts go alone, each as it was planned (its part count is fixed already).
   */
  drainExact(): UntagBatch[] {
    const entries = [...this.live].sort((a, b) => a.seq - b.seq);
    this.clear();
    const whole = entries.filter((e) => e.parts <= 1);
    const out: UntagBatch[] = [];
    const calls = exactCalls(
      whole.map((e) => ({ id: e.id, keys: e.keys })),
      this.maxIds,
      this.maxKeys,
      this.spec.guardKeys,
    );
    const count = new Map<string, number>();
    for (const c of calls) for (const id of c.ids) count.set(id, (count.get(id) ?? 0) + 1);
    for (const c of calls) {
      let parts: Record<string, number> | undefined;
      const removes: Record<string, string[]> = {};
      for (const id of c.ids) {
        removes[id] = [...c.keys];
        const n = count.get(id) ?? 1;
        if (n > 1) {
          parts ??= {};
          parts[id] = n;
        }
      }
      out.push({ ...this.header(), ids: c.ids, keys: [...c.keys], removes, ...(parts ? { parts } : {}) });
    }
    const split = entries.filter((e) => e.parts > 1).sort((a, b) => Number(a.last ?? false) - Number(b.last ?? false));
    for (const e of split)
      out.push({
        ...this.header(),
        ids: [e.id],
        keys: [...e.keys],
        removes: { [e.id]: [...e.keys] },
        parts: { [e.id]: e.parts },
      });
    return out;
  }

  private header() {
    return { product: productOf(this.type), region: this.region, type: this.type };
  }

  private clear(): void {
    for (const e of [...this.live]) this.take(e);
    this.before.clear();
    this.queue = [];
    this.head = 0;
  }

  /** The entry with the most keys (the oldest of those): the hardest to place, so it goes first. */
  hardest(): Entry | undefined {
    let best: Entry | undefined;
    for (const e of this.live)
      if (
        (!best || e.keys.length > best.keys.length || (e.keys.length === best.keys.length && e.seq < best.seq)) &&
        !this.blocked(e)
      )
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

/**
 * Splits sorted keys into chunks of at most `size`, as even as possible (45 keys at 20 -> 15, 15, 15),
 * the guard keys in the last chunk (they go last: a continuation must still match the resource).
 */
function chunkKeys(sorted: readonly string[], size: number, guardKeys: ReadonlySet<string>): string[][] {
  const keys = [...sorted.filter((k) => !guardKeys.has(k)), ...sorted.filter((k) => guardKeys.has(k))];
  const n = Math.ceil(keys.length / size);
  const base = Math.floor(keys.length / n);
  const extra = keys.length % n;
  const out: string[][] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    const len = base + (i < n - extra ? 0 : 1);
    out.push(keys.slice(at, at + len).sort());
    at += len;
  }
  return out;
}

/**
 * Creates a streaming planner. Guarantees, per batch: one region and type; at most `maxIdsPerCall`
 * ids, each once; at most `maxKeysPerCall` keys, never `'all'`; `removes[id]` is the part of that
 * resource's keys this batch removes (every key the batch names that the resource plans is in it), and
 * over all batches every (resource, key) of every selection is removed exactly once; a resource split
 * over several batches appears in `parts` of each with the number of its batches. Selections with an
 * empty key list are ignored (selection never makes them). Memory: the buffers (`bufferSize` per group,
 * `maxPending` in all), never O(resources).
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
  private readonly guardKeys: ReadonlySet<string>;
  private readonly exact: (product: ProductId) => boolean;
  private readonly groups = new Map<string, GroupPacker>();

  constructor(limits: PlanLimits) {
    this.maxIds = limits.maxIdsPerCall;
    this.maxKeys = limits.maxKeysPerCall;
    this.bufferSize = Math.max(limits.bufferSize ?? DEFAULT_PLAN_BUFFER, this.maxIds);
    this.maxPending = Math.max(limits.maxPending ?? 5 * this.bufferSize, this.bufferSize);
    this.guardKeys = new Set(limits.guardKeys ?? []);
    this.exact = limits.exact ?? (() => false);
  }

  get pending(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.size;
    return n;
  }

  private groupOf(sel: { region: string; type: ResourceType }): GroupPacker {
    const name = `${sel.region}\u0000${sel.type}`;
    let g = this.groups.get(name);
    if (!g) {
      g = new GroupPacker({
        region: sel.region,
        type: sel.type,
        maxIds: this.maxIds,
        maxKeys: this.maxKeys,
        guardKeys: this.guardKeys,
      });
      this.groups.set(name, g);
    }
    return g;
  }

  private isExact(g: GroupPacker): boolean {
    return this.exact(productOf(g.type));
  }

  /** One batch out of `g` (union packing), or, packing exactly, everything it holds. */
  private emit(g: GroupPacker, seed: Entry): UntagBatch[] {
    return this.isExact(g) ? g.drainExact() : [g.formBatch(seed)];
  }

  private drainGroup(g: GroupPacker): UntagBatch[] {
    return this.isExact(g) ? g.drainExact() : g.drain();
  }

  add(sel: RemoveSelection): UntagBatch[] {
    if (sel.keys.length === 0) return [];
    const g = this.groupOf(sel);
    const sorted = [...new Set(sel.keys)].sort();
    const chunks = sorted.length > this.maxKeys ? chunkKeys(sorted, this.maxKeys, this.guardKeys) : [sorted];
    const split = chunks.length > 1;
    for (const [i, keys] of chunks.entries()) {
      if (split) {
        const other = new Set(chunks.flatMap((c, j) => (j === i ? [] : c)));
        const last = i === chunks.length - 1 && keys.some((k) => this.guardKeys.has(k));
        g.push(sel.id, keys, chunks.length, other, last);
      } else g.push(sel.id, keys);
    }
    // A batch that cannot fill while the buffer is full still goes out: memory stays bounded.
    const out: UntagBatch[] = [];
    while (g.live.length >= this.bufferSize) {
      const seed = g.oldest();
      if (!seed) break;
      out.push(...this.emit(g, seed));
    }
    while (this.pending > this.maxPending) {
      let largest: GroupPacker | undefined;
      for (const other of this.groups.values())
        if (!largest || other.live.length > largest.live.length) largest = other;
      const seed = largest?.oldest();
      if (!largest || !seed) break;
      out.push(...this.emit(largest, seed));
    }
    return out;
  }

  takeFull(region: string, type: ResourceType): UntagBatch | undefined {
    const g = this.groups.get(`${region}\u0000${type}`);
    if (!g || g.live.length < this.maxIds || g.live.length < g.nextFullTry) return undefined;
    // Packing exactly wants the whole buffer at once: it goes when full or flushed.
    if (this.isExact(g)) return undefined;
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
