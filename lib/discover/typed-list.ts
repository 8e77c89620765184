/**
 * Pages of a typed list action that returns every resource of a type with its tags inline
 * (`ListIpams`, `ListIpamScopes`, `ListIpamPools`, `ListVpcPeerConnections`, `DescribeVpcs`,
 * `DescribeVSwitches`): the only way to see resources whose keys a policy cannot name (patterns, `all`).
 *
 * Memory: one page at a time. Each resource is yielded once per unit: a page-numbered list shifted by a
 * resource created while it pages shows the previous page's last items again, so ids of the previous
 * page are skipped (O(page), not a set of every id seen).
 *
 * A page-numbered list filtered by tags while the run writes is another matter: each untag may drop a
 * resource out of the filter, every later page shifts forward, and page-by-number paging skips resources
 * (issue 12 defect 3). There, listing runs in passes from page 1 until one pass saw the same TotalCount
 * on every page and as many resources as it says: nothing shifted under that pass, so it saw every member.
 */
import { productOf, RELIST_MAX_PASSES, type ResourceType, type TypedLister } from '../catalog.ts';
import { errorCode } from '../execute/retry.ts';
import type { TaggedResource } from '../types.ts';
import { type ListContext, listCall, pathGet, tagsFromList } from './list-call.ts';
import type { DiscoveredPage } from './types.ts';

type TagFilter = Array<{ key: string; value?: string | undefined }>;

interface TypedOptions {
  startToken?: string;
  tagFilter?: TagFilter;
  /** Writes run while this unit lists (the run is not a dry run and buffers nothing). */
  mutating?: boolean;
}

function paramsOf(unit: { region: string }, product: string, tagFilter?: TagFilter) {
  const params: Record<string, unknown> = { RegionId: unit.region };
  if (tagFilter && tagFilter.length > 0) {
    // Push match.tags down (`Tags.N` on the IPAM/Peer lists, `Tag.N` on Vpc's Describe*); selection re-checks.
    const field = product === 'Vpc' ? 'Tag' : 'Tags';
    params[field] = tagFilter.map((t) => (t.value !== undefined ? { Key: t.key, Value: t.value } : { Key: t.key }));
  }
  return params;
}

function itemsOf(
  body: Record<string, unknown>,
  unit: { region: string; type: ResourceType },
  lister: TypedLister,
): TaggedResource[] {
  const items = pathGet(body, lister.itemsField);
  const out: TaggedResource[] = [];
  if (!Array.isArray(items)) return out;
  for (const item of items) {
    const id = pathGet(item, lister.idField);
    if (typeof id !== 'string') continue;
    out.push({ region: unit.region, type: unit.type, id, tags: tagsFromList(pathGet(item, lister.tagsField)) });
  }
  return out;
}

export function typedListPages(
  ctx: ListContext,
  unit: { region: string; type: ResourceType },
  lister: TypedLister,
  opts: TypedOptions = {},
): AsyncGenerator<DiscoveredPage> {
  if (lister.paging === 'number') {
    const shifting = opts.mutating === true && (opts.tagFilter?.length ?? 0) > 0;
    return shifting ? relistedPages(ctx, unit, lister, opts) : numberedPages(ctx, unit, lister, opts);
  }
  return tokenPages(ctx, unit, lister, opts);
}

async function* tokenPages(
  ctx: ListContext,
  unit: { region: string; type: ResourceType },
  lister: TypedLister,
  opts: TypedOptions,
): AsyncGenerator<DiscoveredPage> {
  const product = productOf(unit.type);
  let token = opts.startToken;
  let previous = new Set<string>();
  for (;;) {
    const params = paramsOf(unit, product, opts.tagFilter);
    params.MaxResults = lister.maxResults;
    if (token) params.NextToken = token;
    const body = await listCall(ctx, product, unit.region, lister.action, params, lister.bodyParams);
    const ids = new Set<string>();
    const resources = itemsOf(body, unit, lister).filter((r) => {
      if (previous.has(r.id) || ids.has(r.id)) return false;
      ids.add(r.id);
      return true;
    });
    const next = typeof body.NextToken === 'string' && body.NextToken !== '' ? body.NextToken : undefined;
    yield next ? { resources, next: { lister: lister.action, token: next } } : { resources };
    if (!next) return;
    previous = ids;
    token = next;
  }
}

async function describePage(
  ctx: ListContext,
  unit: { region: string; type: ResourceType },
  lister: TypedLister,
  opts: TypedOptions,
  page: number,
) {
  const product = productOf(unit.type);
  const params = paramsOf(unit, product, opts.tagFilter);
  params.PageNumber = page;
  params.PageSize = lister.maxResults;
  const body = await listCall(ctx, product, unit.region, lister.action, params, lister.bodyParams);
  return { items: itemsOf(body, unit, lister), total: Number(body.TotalCount ?? 0) };
}

/** Membership the run does not change: page by number, resuming at the cursor's page. */
async function* numberedPages(
  ctx: ListContext,
  unit: { region: string; type: ResourceType },
  lister: TypedLister,
  opts: TypedOptions,
): AsyncGenerator<DiscoveredPage> {
  let page = Number(opts.startToken ?? '1');
  let previous = new Set<string>();
  for (;;) {
    let answer: Awaited<ReturnType<typeof describePage>>;
    try {
      answer = await describePage(ctx, unit, lister, opts, page);
    } catch (error) {
      // describeDeepPaging=throttle: a resumed page far ahead is refused; page sequentially from 1 instead
      // (resources the earlier hop finished come back with nothing left to remove).
      if (page > 1 && errorCode(error) === 'Throttling.DeepPageSkip') {
        page = 1;
        previous = new Set();
        continue;
      }
      throw error;
    }
    const ids = new Set<string>();
    const resources = answer.items.filter((r) => {
      if (previous.has(r.id) || ids.has(r.id)) return false;
      ids.add(r.id);
      return true;
    });
    const more = page * lister.maxResults < answer.total && answer.items.length > 0;
    yield more ? { resources, next: { lister: lister.action, token: String(page + 1) } } : { resources };
    if (!more) return;
    previous = ids;
    page++;
  }
}

/**
 * Membership the run's writes change (a tag filter on a page-numbered list): passes from page 1, each
 * resource yielded once (a set of the unit's ids: Describe* units are a region's VPCs or vSwitches), until
 * a pass is consistent. A cursor only says "this unit is not finished": a resumed run starts at page 1,
 * where the resources the earlier hop left now are.
 */
async function* relistedPages(
  ctx: ListContext,
  unit: { region: string; type: ResourceType },
  lister: TypedLister,
  opts: TypedOptions,
): AsyncGenerator<DiscoveredPage> {
  const seen = new Set<string>();
  const cursor = { lister: lister.action, token: '1' };
  for (let pass = 1; ; pass++) {
    const inPass = new Set<string>();
    let firstTotal: number | undefined;
    let steady = true;
    for (let page = 1; ; page++) {
      const answer = await describePage(ctx, unit, lister, opts, page);
      firstTotal ??= answer.total;
      if (answer.total !== firstTotal) steady = false;
      const resources: TaggedResource[] = [];
      for (const r of answer.items) {
        inPass.add(r.id);
        if (seen.has(r.id)) continue;
        seen.add(r.id);
        resources.push(r);
      }
      const more = page * lister.maxResults < answer.total && answer.items.length > 0;
      if (more) {
        yield { resources, next: cursor };
        continue;
      }
      const complete = steady && inPass.size === firstTotal;
      if (complete) {
        yield { resources };
        return;
      }
      yield { resources, next: cursor };
      if (pass >= RELIST_MAX_PASSES)
        throw new Error(
          `${lister.action} in ${unit.region} kept shifting for ${pass} passes; the unit is not known to be complete`,
        );
      break;
    }
  }
}
