/**
 * Discovery through `ListTagResources`, which answers one row per (resource, tag):
 * - by exact key (`Tag.1.Key` alone, one call stream per key): every resource carrying that key, rows
 *   merged into full tag sets, a resource matched by several keys yielded once;
 * - by batches of explicit ids (`match.resourceIds`, a Config event's resource).
 * A resource whose rows may straddle a page boundary (first of a continued page, last of a page with a
 * NextToken) is re-read by id when the verdict looks beyond the stream's key, so selection never sees a
 * partial tag set (a missing protect tag would be a safety bug); otherwise the last resource waits for
 * the next page's rows. Because the run removes the very key a stream filters on while it pages, a stream that
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

/**
 * Reads `ResourceId.N` = `ask` (all pages), keeping the rows of `want` (a superset of `ask`). `unfiltered`:
 * the answer held rows of ids not asked for, i.e. the cloud ignored the filter (VpcPeer marks it
 * deprecated), so every row of the region came back and `want` was served from the same pages.
 */
async function readByIds(
  ctx: ListContext,
  unit: { region: string; type: ResourceType },
  ask: readonly string[],
  want: ReadonlySet<string>,
): Promise<{ tags: Map<string, Record<string, string>>; unfiltered: boolean }> {
  const asked = new Set(ask);
  const merged = new Map<string, Record<string, string>>();
  let unfiltered = false;
  let token: string | undefined;
  do {
    const page = await listTagPage(ctx, unit, { ResourceId: [...ask] }, token);
    for (const row of page.rows) {
      if (!asked.has(row.id)) unfiltered = true;
      if (want.has(row.id)) addRow(merged, row);
    }
    token = page.next;
  } while (token);
  return { tags: merged, unfiltered };
}

const tagged = (unit: { region: string; type: ResourceType }, tags: Map<string, Record<string, string>>) =>
  [...tags].map(([id, t]): TaggedResource => ({ region: unit.region, type: unit.type, id, tags: t }));

/** Full tag sets of up to `maxIdsPerListCall` ids (all pages); ids without tags are absent. */
export async function fetchTagsByIds(
  ctx: ListContext,
  unit: { region: string; type: ResourceType },
  ids: readonly string[],
): Promise<TaggedResource[]> {
  return tagged(unit, (await readByIds(ctx, unit, ids, new Set(ids))).tags);
}

/**
 * Pages of explicit ids, `maxIdsPerListCall` at a time; the cursor token is the index of the next chunk.
 * Once an answer shows the id filter ignored, the pass that showed it has already read every row of the
 * region: the later chunks are served from it instead of paging the whole region once per chunk.
 */
export async function* byIdsPages(
  ctx: ListContext,
  unit: { region: string; type: ResourceType },
  ids: readonly string[],
  startToken?: string,
): AsyncGenerator<DiscoveredPage> {
  const size = ctx.limits.maxIdsPerListCall;
  // O(ids the caller named): the list is in the policy or the event already.
  const unique = [...new Set(ids)];
  let served: Map<string, Record<string, string>> | undefined;
  for (
    let start = Number(startToken ?? '0') * size, chunk = start / size;
    start < unique.length;
    start += size, chunk++
  ) {
    const ask = unique.slice(start, start + size);
    let resources: TaggedResource[];
    if (served) {
      const from = served;
      resources = tagged(unit, new Map(ask.filter((id) => from.has(id)).map((id) => [id, from.get(id)!])));
    } else {
      const read = await readByIds(ctx, unit, ask, new Set(unique.slice(start)));
      if (read.unfiltered) served = read.tags;
      resources = tagged(unit, new Map(ask.filter((id) => read.tags.has(id)).map((id) => [id, read.tags.get(id)!])));
    }
    const more = start + size < unique.length;
    yield more ? { resources, next: { lister: BY_IDS_LISTER, token: String(chunk + 1) } } : { resources };
  }
}

/** What a key stream carries from page to page. */
interface StreamState {
  /** Ids already yielded in the unit. */
  seen: Set<string>;
  /** Without `needsFullTags`: the last resource of a page with a NextToken, completed by the next page's rows. */
  carried?: [string, Record<string, string>] | undefined;
}

/**
 * One page of a key stream as resources: rows merged into tag sets, then the resources whose set may be
 * partial re-read by id (page edges; every resource of an answer that shows no key outside `filtered`
 * when the verdict needs whole sets), each id yielded once per unit.
 */
async function streamPage(
  ctx: ListContext,
  unit: { region: string; type: ResourceType },
  stream: { key: string; filtered: ReadonlySet<string>; needsFullTags: boolean },
  page: { rows: Row[]; incoming: string | undefined; next: string | undefined },
  state: StreamState,
): Promise<TaggedResource[]> {
  const merged = new Map<string, Record<string, string>>(state.carried ? [state.carried] : []);
  state.carried = undefined;
  for (const row of page.rows) addRow(merged, row);
  const ids = [...merged.keys()];
  const edges = new Set<string>();
  if (stream.needsFullTags) {
    if (page.incoming && ids[0]) edges.add(ids[0]);
    if (page.next && ids.length > 0) edges.add(ids[ids.length - 1] as string);
  } else {
    // The last resource waits for the next page's rows instead of being re-read: the verdict needs only
    // the stream's key, which the merge then holds.
    if (page.next && ids.length > 0) {
      const lastId = ids.pop() as string;
      state.carried = [lastId, merged.get(lastId)!];
      merged.delete(lastId);
    }
    // Rows a token did not resume exactly at: re-read only a resource that lacks the stream's key.
    if (page.incoming && ids[0] && !Object.hasOwn(merged.get(ids[0])!, stream.key)) edges.add(ids[0]);
  }
  // A row of a key outside the filter shows this answer carries whole tag sets; without one the rows
  // may be only the filtered keys' (listTagsByKey=matching), so a verdict that looks further re-reads.
  const partial = stream.needsFullTags && !page.rows.some((row) => !stream.filtered.has(row.key));
  const reread = partial ? new Set(ids) : edges;
  const unseen = [...reread].filter((id) => !state.seen.has(id));
  const refetched: TaggedResource[] = [];
  for (let i = 0; i < unseen.length; i += ctx.limits.maxIdsPerListCall)
    refetched.push(...(await fetchTagsByIds(ctx, unit, unseen.slice(i, i + ctx.limits.maxIdsPerListCall))));
  const full = new Map(refetched.map((r) => [r.id, r.tags]));
  const resources: TaggedResource[] = [];
  for (const [id, tags] of merged) {
    if (state.seen.has(id)) continue;
    if (reread.has(id) && !full.has(id)) continue; // vanished (or lost its tags) since the page
    state.seen.add(id);
    resources.push({ region: unit.region, type: unit.type, id, tags: full.get(id) ?? tags });
  }
  return resources;
}

/**
 * Pages of every resource carrying one of `keys` (one stream per key, in order); `extraTags` are pushed
 * down as `Tag.2..N`. The cursor token is the index of the key whose stream restarts on resume.
 * Whether a `Tag.N` answer holds a resource's other tags is not documented: with `needsFullTags`, a page
 * that shows no other key has its resources re-read by `ResourceId.N` before they are yielded.
 */
export async function* byKeysPages(
  ctx: ListContext,
  unit: { region: string; type: ResourceType },
  keys: readonly string[],
  opts: {
    startToken?: string;
    extraTags?: Array<{ key: string; value?: string | undefined }>;
    mutating: boolean;
    /** The policy's verdict depends on tags beyond the filtered keys (see `needsFullTagSets`). */
    needsFullTags?: boolean;
  },
): AsyncGenerator<DiscoveredPage> {
  // Ids already yielded in this unit, so a resource carrying several policy keys (or met again while the
  // streams re-list) is yielded once. O(resources of the unit carrying a policy key): this lister only
  // serves Vpc types (IPAM and Peer use the typed lists, O(page)), and a key stream has no cheaper way
  // to know it met a resource before; a unit is the bound the continuation works in anyway.
  const state: StreamState = { seen: new Set<string>() };
  const extra = (opts.extraTags ?? []).map((t) =>
    t.value !== undefined ? { Key: t.key, Value: t.value } : { Key: t.key },
  );
  for (let ki = Number(opts.startToken ?? '0'); ki < keys.length; ki++) {
    const key = keys[ki] as string;
    const filter = { Tag: [{ Key: key }, ...extra] };
    const stream = {
      key,
      filtered: new Set([key, ...extra.map((t) => t.Key)]),
      needsFullTags: opts.needsFullTags === true,
    };
    for (;;) {
      let fresh = 0;
      let pages = 0;
      let token: string | undefined;
      state.carried = undefined;
      do {
        const incoming = token;
        const page = await listTagPage(ctx, unit, filter, token);
        pages++;
        token = page.next;
        const resources = await streamPage(ctx, unit, stream, { rows: page.rows, incoming, next: token }, state);
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
