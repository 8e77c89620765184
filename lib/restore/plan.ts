/**
 * Restore planning (pure): from what the journal says a run removed and what each resource carries now,
 * the tags to put back, and the calls that carry them. A key the resource carries again is never
 * overwritten (conflict); a resource that would go over its tag limit is left alone; resources that get
 * the same (key, value) set share calls of at most `maxIds` ids and `maxTags` tags.
 */
import type { ProductId, ResourceType } from '../catalog.ts';
import { emptyTagSet } from '../tag-set.ts';
import type { RestoreConflict } from './types.ts';

export interface RemovedResource {
  product: ProductId;
  region: string;
  type: ResourceType;
  id: string;
  tags: Record<string, string>;
}

export type RestoreDecision =
  | { kind: 'put'; tags: Record<string, string>; conflicts: RestoreConflict[]; alreadyBack: string[] }
  | { kind: 'conflict'; conflicts: RestoreConflict[]; alreadyBack: string[] }
  | { kind: 'already'; alreadyBack: string[] }
  | { kind: 'tag-limit'; tags: Record<string, string>; tagCount: number };

/** What to do for one resource, given its tags now (`{}` when the cloud listed none). */
export function decideRestore(
  removed: Record<string, string>,
  current: Record<string, string>,
  maxTagsPerResource: number,
): RestoreDecision {
  const put = emptyTagSet();
  const conflicts: RestoreConflict[] = [];
  const alreadyBack: string[] = [];
  for (const key of Object.keys(removed).sort()) {
    const was = removed[key] as string;
    if (!Object.hasOwn(current, key)) put[key] = was;
    else if (current[key] === was) alreadyBack.push(key);
    else conflicts.push({ key, removed: was, current: current[key] as string });
  }
  const n = Object.keys(put).length;
  if (n === 0)
    return conflicts.length > 0 ? { kind: 'conflict', conflicts, alreadyBack } : { kind: 'already', alreadyBack };
  const tagCount = Object.keys(current).length;
  if (tagCount + n > maxTagsPerResource) return { kind: 'tag-limit', tags: put, tagCount };
  return { kind: 'put', tags: put, conflicts, alreadyBack };
}

/** One TagResources call: one region and type, the same tags for every id. */
export interface TagBatch {
  product: ProductId;
  region: string;
  type: ResourceType;
  ids: string[];
  tags: Array<{ key: string; value: string }>;
  /** For ids whose tags span several calls: how many calls in all (one merged outcome per resource). */
  parts?: Record<string, number>;
}

/** Canonical text of a tag set (sorted keys), so equal sets group together. */
const setKey = (tags: Record<string, string>) =>
  JSON.stringify(
    Object.keys(tags)
      .sort()
      .map((k) => [k, tags[k]]),
  );

/**
 * Packs puts into calls: per (region, type, tag set), ⌈ids ÷ maxIds⌉ calls (times ⌈tags ÷ maxTags⌉ when
 * a set is larger than a call carries), which is the lower bound for calls that each carry one tag set.
 */
export function packRestore(
  puts: Array<{ product: ProductId; region: string; type: ResourceType; id: string; tags: Record<string, string> }>,
  maxIds: number,
  maxTags: number,
): TagBatch[] {
  const groups = new Map<
    string,
    { product: ProductId; region: string; type: ResourceType; tags: Record<string, string>; ids: string[] }
  >();
  for (const p of puts) {
    const g = `${p.region}\u0000${p.type}\u0000${setKey(p.tags)}`;
    let group = groups.get(g);
    if (!group) {
      group = { product: p.product, region: p.region, type: p.type, tags: p.tags, ids: [] };
      groups.set(g, group);
    }
    group.ids.push(p.id);
  }
  const out: TagBatch[] = [];
  for (const g of groups.values()) {
    const pairs = Object.keys(g.tags)
      .sort()
      .map((key) => ({ key, value: g.tags[key] as string }));
    const chunks: Array<typeof pairs> = [];
    for (let i = 0; i < pairs.length; i += maxTags) chunks.push(pairs.slice(i, i + maxTags));
    for (let i = 0; i < g.ids.length; i += maxIds) {
      const ids = g.ids.slice(i, i + maxIds);
      for (const tags of chunks) {
        const batch: TagBatch = { product: g.product, region: g.region, type: g.type, ids, tags };
        if (chunks.length > 1) batch.parts = Object.fromEntries(ids.map((id) => [id, chunks.length]));
        out.push(batch);
      }
    }
  }
  return out;
}
