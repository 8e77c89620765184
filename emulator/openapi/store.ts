/**
 * Resources per (type, region): id -> tags, kept for keyset pagination.
 *
 * Ids are held sorted (a plain array, binary-searched) so a page resumes at "the first id after the last one
 * returned": a resource added or removed elsewhere never shifts the rows of resources that stay. Tags are
 * compact: every key and value string is interned once, and a resource's tags are a flat array of
 * [keyIndex, valueIndex, ...] sorted by key, so a million resources fit in a few hundred MB.
 */

/** One string table shared by keys and values. */
export class Interner {
  private readonly index = new Map<string, number>();
  private readonly strings: string[] = [];
  id(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.index.set(s, i);
    }
    return i;
  }
  /** The index of a string already known, or -1 (lookups never grow the table). */
  find(s: string): number {
    return this.index.get(s) ?? -1;
  }
  str(i: number): string {
    return this.strings[i]!;
  }
  size(): number {
    return this.strings.length;
  }
}

/** Tags as the state hands them around: a flat, key-sorted array of interned [key, value] pairs. */
export type PackedTags = number[];

export class Table {
  /** Sorted ids. */
  readonly ids: string[] = [];
  readonly tags = new Map<string, PackedTags>();

  has(id: string): boolean {
    return this.tags.has(id);
  }
  size(): number {
    return this.ids.length;
  }
  set(id: string, tags: PackedTags): void {
    if (!this.tags.has(id)) {
      const ids = this.ids;
      // Fast path for the generator and for ids that grow (zero-padded counters).
      if (ids.length === 0 || ids[ids.length - 1]! < id) ids.push(id);
      else ids.splice(lowerBound(ids, id), 0, id);
    }
    this.tags.set(id, tags);
  }
  /** Add or replace without keeping `ids` sorted; call `settle()` after a batch (admin bulk seeds). */
  setUnsorted(id: string, tags: PackedTags): boolean {
    const isNew = !this.tags.has(id);
    if (isNew) {
      if (this.ids.length > 0 && this.ids[this.ids.length - 1]! >= id) this.dirty = true;
      this.ids.push(id);
    }
    this.tags.set(id, tags);
    return isNew;
  }
  settle(): void {
    if (!this.dirty) return;
    this.ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.dirty = false;
  }
  private dirty = false;

  delete(id: string): boolean {
    if (!this.tags.delete(id)) return false;
    const i = lowerBound(this.ids, id);
    if (this.ids[i] === id) this.ids.splice(i, 1);
    return true;
  }
  /** Index of the first id strictly greater than `id` (or >= when `inclusive`). */
  after(id: string, inclusive = false): number {
    const i = lowerBound(this.ids, id);
    return !inclusive && this.ids[i] === id ? i + 1 : i;
  }
}

export function lowerBound(sorted: string[], x: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Store {
  readonly strings = new Interner();
  private readonly tables = new Map<string, Table>();
  private total = 0;

  private static key(type: string, region: string): string {
    return `${type}\u0000${region}`;
  }

  table(type: string, region: string): Table | undefined {
    return this.tables.get(Store.key(type, region));
  }

  tableFor(type: string, region: string): Table {
    const k = Store.key(type, region);
    let t = this.tables.get(k);
    if (!t) {
      t = new Table();
      this.tables.set(k, t);
    }
    return t;
  }

  /** Every (type, region) that holds a table. */
  *entries(): Generator<{ type: string; region: string; table: Table }> {
    for (const [k, table] of this.tables) {
      const [type, region] = k.split('\u0000') as [string, string];
      yield { type, region, table };
    }
  }

  put(type: string, region: string, id: string, tags: PackedTags): void {
    const t = this.tableFor(type, region);
    if (!t.has(id)) this.total++;
    t.set(id, tags);
  }

  /** Upsert a batch: one sort per touched table instead of one splice per resource. */
  putMany(items: Iterable<{ type: string; region: string; id: string; tags: PackedTags }>): void {
    const touched = new Set<Table>();
    for (const r of items) {
      const t = this.tableFor(r.type, r.region);
      if (t.setUnsorted(r.id, r.tags)) this.total++;
      touched.add(t);
    }
    for (const t of touched) t.settle();
  }

  remove(type: string, region: string, id: string): boolean {
    const removed = this.table(type, region)?.delete(id) ?? false;
    if (removed) this.total--;
    return removed;
  }

  count(): number {
    return this.total;
  }

  /** Recount after tables were filled directly (the generator's fast path). */
  recount(): void {
    let n = 0;
    for (const t of this.tables.values()) n += t.size();
    this.total = n;
  }

  clear(): void {
    this.tables.clear();
    this.total = 0;
  }

  /** Pack a `{k: v}` record: interned, sorted by key. */
  pack(tags: Record<string, string>): PackedTags {
    const keys = Object.keys(tags).sort();
    const out: PackedTags = new Array(keys.length * 2);
    keys.forEach((k, i) => {
      out[2 * i] = this.strings.id(k);
      out[2 * i + 1] = this.strings.id(tags[k]!);
    });
    return out;
  }

  /** Pack [key, value] pairs already known to be unique. */
  packPairs(pairs: Array<readonly [string, string]>): PackedTags {
    const sorted = [...pairs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const out: PackedTags = [];
    for (const [k, v] of sorted) out.push(this.strings.id(k), this.strings.id(v));
    return out;
  }

  unpack(tags: PackedTags): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (let i = 0; i < tags.length; i += 2) out.push([this.strings.str(tags[i]!), this.strings.str(tags[i + 1]!)]);
    return out;
  }

  record(tags: PackedTags): Record<string, string> {
    return Object.fromEntries(this.unpack(tags));
  }
}
