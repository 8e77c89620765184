/**
 * Discovery through `ListTagResources`, which answers one row per (resource, tag):
 * - by exact key (`Tag.1.Key` alone, one call stream per key): every resource carrying that key, rows
 *   merged into full tag sets, a resource matched by several keys yielded once;
 * - by batches of explicit ids (`match.resourceIds`, a Config event's resource).
 * A resource whose rows may straddle a page boundary (first of a continued page, last of a page with a
 * NextToken) is re-read by id, so selection never sees a partial tag set (a missing protect tag would be
 * a safety bug). Because the run removes the very key a stream filters on while it pages, a stream that
 * spanned several pages is listed again until a pass brings nothing new: tokens need not survive writes.
 */
import { PRODUCTS, productOf, type ResourceType } from '../catalog.ts';
import { emptyTagSet } from '../tag-set.ts';
import type { TaggedResource } from '../types.ts';
import { type ListContext, listCall, pathGet } from './list-call.ts';
import type { DiscoveredPage } from './types.ts';

export const BY_KEYS_LISTER = 'ListTagResources:keys';
export const BY_IDS_LISTER = 'ListTagResources:ids';

interface Row {
  id: string;
  key: string;
  value: string;
}

function rowsOf(body: Record<string, unknown>): Row[] {
  // VpcIpam/VpcPeer: TagResources: [...]; Vpc nests: TagResources: { TagResource: [...] }.
  const raw = Array.isArray(body.TagResources) ? body.TagResources : pathGet(body, 'TagResources.TagResource');
  const rows: Row[] = [];
  if (!Array.isArray(raw)) return rows;
  for (const r of raw) {
    if (!r || typeof r !== 'object') continue;
    const { ResourceId, TagKey, TagValue } = r as Record<string, unknown>;
    if (typeof ResourceId === 'string' && typeof TagKey === 'string')
      rows.push({ id: ResourceId, key: TagKey, value: typeof TagValue === 'string' ? TagValue : '' });
  }
  return rows;
}

function addRow(merged: Map<string, Record<string, string>>, row: Row): void {
  const tags = merged.get(row.id) ?? emptyTagSet();
  tags[row.key] = row.value;
  merged.set(row.id, tags);
}

function nextTokenOf(body: Record<string, unknown>): string | undefined {
  return typeof body.NextToken === 'string' && body.NextToken !== '' ? body.NextToken : undefined;
}

async function listTagPage(
  ctx: ListContext,
  unit: { region: string; type: ResourceType },
  filter: Record<string, unknown>,
  token?: string,
) {
  const product = productOf(unit.type);
  const params: Record<string, unknown> = {
    RegionId: unit.region,
    ResourceType: unit.type,
    MaxResults: PRODUCTS[product].listTagResourcesPageSize,
    ...filter,
  };
  if (token) params.NextToken = token;
  const body = await listCall(ctx, product, unit.region, PRODUCTS[product].listTagsAction, params);
  return { rows: rowsOf(body), next: nextTokenOf(body) };
}

/** Full tag sets of up to `maxIdsPerListCall` ids (all pages); ids without tags are absent. */
export async function fetchTagsByIds(
  ctx: ListContext,
  unit: { region: string; type: ResourceType },
  ids: readonly string[],
): Promise<TaggedResource[]> {
  const merged = new Map<string, Record<string, string>>();
  let token: string | undefined;
  do {
    const page = await listTagPage(ctx, unit, { ResourceId: [...ids] }, token);
    for (const row of page.rows) {
      if (!ids.includes(row.id)) continue;
      addRow(merged, row);
    }
    token = page.next;
  } while (token);
  return [...merged].map(([id, tags]) => ({ region: unit.region, type: unit.type, id, tags }));
}

/** Pages of explicit ids, `maxIdsPerListCall` at a time; the cursor token is the index of the next chunk. */
export async function* byIdsPages(
  ctx: ListContext,
  unit: { region: string; type: ResourceType },
  ids: readonly string[],
  startToken?: string,
): AsyncGenerator<DiscoveredPage> {
  const size = ctx.limits.maxIdsPerListCall;
  // O(ids the caller named): the list is in the policy or the event already.
  const unique = [...new Set(ids)];
  for (
    let start = Number(startToken ?? '0') * size, chunk = start / size;
    start < unique.length;
    start += size, chunk++
  ) {
    const resources = await fetchTagsByIds(ctx, unit, unique.slice(start, start + size));
    const more = start + size < unique.length;
    yield more ? { resources, next: { lister: BY_IDS_LISTER, token: String(chunk + 1) } } : { resources };
  }
}

/**
 * Pages of every resource carrying one of `keys` (one stream per key, in order); `extraTags` are pushed
 * down as `Tag.2..N`. The cursor token is the index of the key whose stream restarts on resume.
 */
export async function* byKeysPages(
  ctx: ListContext,
  unit: { region: string; type: ResourceType },
  keys: readonly string[],
  opts: { startToken?: string; extraTags?: Array<{ key: string; value?: string | undefined }>; mutating: boolean },
): AsyncGenerator<DiscoveredPage> {
  // Ids already yielded in this unit, so a resource carrying several policy keys (or met again while the
  // streams re-list) is yielded once. O(resources of the unit carrying a policy key): this lister only
  // serves Vpc types (IPAM and Peer use the typed lists, O(page)), and a key stream has no cheaper way
  // to know it met a resource before; a unit is the bound the continuation works in anyway.
  const seen = new Set<string>();
  const extra = (opts.extraTags ?? []).map((t) =>
    t.value !== undefined ? { Key: t.key, Value: t.value } : { Key: t.key },
  );
  for (let ki = Number(opts.startToken ?? '0'); ki < keys.length; ki++) {
    const filter = { Tag: [{ Key: keys[ki] }, ...extra] };
    for (;;) {
      let fresh = 0;
      let pages = 0;
      let token: string | undefined;
      do {
        const incoming = token;
        const page = await listTagPage(ctx, unit, filter, token);
        pages++;
        token = page.next;
        const merged = new Map<string, Record<string, string>>();
        for (const row of page.rows) {
          addRow(merged, row);
        }
        const ids = [...merged.keys()];
        const edges = new Set<string>();
        if (incoming && ids[0]) edges.add(ids[0]);
        if (token && ids.length > 0) edges.add(ids[ids.length - 1] as string);
        const unseenEdges = [...edges].filter((id) => !seen.has(id));
        const refetched = unseenEdges.length > 0 ? await fetchTagsByIds(ctx, unit, unseenEdges) : [];
        const full = new Map(refetched.map((r) => [r.id, r.tags]));
        const resources: TaggedResource[] = [];
        for (const [id, tags] of merged) {
          if (seen.has(id)) continue;
          if (edges.has(id) && !full.has(id)) continue; // vanished (or lost its tags) since the page
          seen.add(id);
          resources.push({ region: unit.region, type: unit.type, id, tags: full.get(id) ?? tags });
        }
        fresh += resources.length;
        const last = !token && ki === keys.length - 1;
        yield last && !(opts.mutating && pages > 1)
          ? { resources }
          : { resources, next: { lister: BY_KEYS_LISTER, token: String(ki) } };
      } while (token);
      // One page: nothing could shift under a token. Several, with writes going on: list again until quiet.
      if (!opts.mutating || pages <= 1 || fresh === 0) break;
    }
  }
}
