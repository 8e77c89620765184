/**
 * Pages of a typed list action that returns every resource of a type with its tags inline
 * (`ListIpams`, `ListIpamScopes`, `ListIpamPools`, `ListVpcPeerConnections`, `DescribeVpcs`,
 * `DescribeVSwitches`): the only way to see resources whose keys a policy cannot name (patterns, `all`).
 *
 * Memory: one page at a time. Each resource is yielded once per unit: token lists skip the previous
 * page's ids (O(page)); page-numbered lists, which shift whenever membership changes, keep the unit's ids
 * and list in passes until one is steady (`numberedPages`).
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
  /**
   * The policy's regions: an item whose own region (`lister.ownRegionField`) is another one is left out.
   * Under ipamPoolRegion=hosted the IPAM's region lists pools of every region it operates in; each pool
   * belongs to the policy by its own region, as it does when pools are listed under that region.
   */
  regions?: readonly string[];
  /** Only these ids (`lister.idsParam`). */
  ids?: readonly string[];
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
  regions?: readonly string[],
): TaggedResource[] {
  const items = pathGet(body, lister.itemsField);
  const out: TaggedResource[] = [];
  if (!Array.isArray(items)) return out;
  for (const item of items) {
    const id = pathGet(item, lister.idField);
    if (typeof id !== 'string') continue;
    const own = lister.ownRegionField ? pathGet(item, lister.ownRegionField) : undefined;
    if (regions && typeof own === 'string' && own !== '' && !regions.includes(own)) continue;
    // The region it was listed under is the one that addresses it: untag goes there.
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
  if (lister.paging === 'number') return numberedPages(ctx, unit, lister, opts);
  return tokenPages(ctx, unit, lister, opts);
}

/** The cursor name of `typedIdsPages` (a cursor of another lister is not resumed). */
export const idsListerName = (lister: TypedLister): string => `${lister.action}:ids`;

/**
 * Explicit ids through a typed list that takes them (`lister.idsParam`), `maxIdsPerListCall` at a time:
 * the items carry their own region, so `regions` decides scope as in a full listing. The cursor token is
 * the index of the chunk that restarts on resume.
 */
export async function* typedIdsPages(
  ctx: ListContext,
  unit: { region: string; type: ResourceType },
  lister: TypedLister,
  ids: readonly string[],
  opts: { startToken?: string; regions?: readonly string[] },
): AsyncGenerator<DiscoveredPage> {
  const size = ctx.limits.maxIdsPerListCall;
  const unique = [...new Set(ids)];
  const chunks = Math.ceil(unique.length / size);
  for (let chunk = Number(opts.startToken ?? '0') || 0; chunk < chunks; chunk++) {
    const ask = unique.slice(chunk * size, (chunk + 1) * size);
    const last = chunk === chunks - 1;
    for await (const page of tokenPages(ctx, unit, lister, {
      ids: ask,
      ...(opts.regions ? { regions: opts.regions } : {}),
    }))
      yield last && !page.next
        ? { resources: page.resources }
        : {
            resources: page.resources,
            next: { lister: idsListerName(lister), token: String(page.next ? chunk : chunk + 1) },
          };
  }
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
    if (opts.ids && lister.idsParam) params[lister.idsParam] = [...opts.ids];
    if (token) params.NextToken = token;
    const body = await listCall(ctx, product, unit.region, lister.action, params, lister.bodyParams);
    const ids = new Set<string>();
    const resources = itemsOf(body, unit, lister, opts.regions).filter((r) => {
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

/** Where a numbered listing resumes: `"<page>"` or `"<page>@<TotalCount the earlier hop saw>"`. */
function parseCursor(token: string | undefined): { page: number; total?: number } {
  const m = /^(\d+)(?:@(\d+))?$/.exec(token ?? '');
  const page = m ? Number(m[1]) : 1;
  if (!m || page < 1) return { page: 1 };
  return m[2] !== undefined ? { page, total: Number(m[2]) } : { page };
}

interface PassState {
  /** Every id yielded for the unit (Describe* units are a region's VPCs or vSwitches). */
  seen: Set<string>;
  /** Resume cursors point at page 1 (the run's own writes move members: a page number means nothing). */
  restart: boolean;
}

/**
 * Page-numbered lists (DescribeVpcs, DescribeVSwitches) shift whenever membership changes while they
 * page: a resource that goes from a page already read moves the next page's first resource onto it, and
 * page-by-number paging never meets it (issue 12 defect 3: the run's own writes under a tag filter; the
 * adversarial seed 453: a deletion by someone else). Listing therefore runs in passes: a pass that saw
 * TotalCount move (or, from page 1, saw fewer ids than it says, or an id twice) is followed by another
 * from page 1 that yields only resources not met yet, until a pass is steady. A resumed hop checks the
 * TotalCount its cursor carries. Left open: a deletion before and a creation after the read position in
 * the same pass keep TotalCount and shift one resource unseen; no page-numbered answer can show that.
 */
async function* numberedPages(
  ctx: ListContext,
  unit: { region: string; type: ResourceType },
  lister: TypedLister,
  opts: TypedOptions,
): AsyncGenerator<DiscoveredPage> {
  const state: PassState = {
    seen: new Set(),
    restart: opts.mutating === true && (opts.tagFilter?.length ?? 0) > 0,
  };
  let from = state.restart ? { page: 1 } : parseCursor(opts.startToken);
  for (let pass = 1; ; pass++) {
    const steady = yield* numberedPass(ctx, unit, lister, opts, state, from);
    if (steady) return;
    if (pass >= RELIST_MAX_PASSES)
      throw new Error(
        `${lister.action} in ${unit.region} kept shifting for ${pass} passes; the unit is not known to be complete`,
      );
    from = { page: 1 };
  }
}

/** One pass from `from.page` to the last page; answers whether nothing moved under it. */
async function* numberedPass(
  ctx: ListContext,
  unit: { region: string; type: ResourceType },
  lister: TypedLister,
  opts: TypedOptions,
  state: PassState,
  from: { page: number; total?: number },
): AsyncGenerator<DiscoveredPage, boolean> {
  const inPass = new Set<string>();
  let expected = from.total;
  let steady = true;
  for (let page = from.page; ; page++) {
    const answer = await pageOrRestart(ctx, unit, lister, opts, page);
    if (!answer) return false;
    expected ??= answer.total;
    if (answer.total !== expected) steady = false;
    const resources: TaggedResource[] = [];
    for (const r of answer.items) {
      if (inPass.has(r.id)) steady = false;
      inPass.add(r.id);
      if (state.seen.has(r.id)) continue;
      state.seen.add(r.id);
      resources.push(r);
    }
    const more = page * lister.maxResults < answer.total && answer.items.length > 0;
    if (more) {
      const token = state.restart ? '1' : `${page + 1}@${expected}`;
      yield { resources, next: { lister: lister.action, token } };
      continue;
    }
    // From page 1 a steady pass also saw as many ids as TotalCount says (the tag-filtered case checks it).
    const complete = steady && (from.page !== 1 || !state.restart || inPass.size === expected);
    yield complete ? { resources } : { resources, next: { lister: lister.action, token: '1' } };
    return complete;
  }
}

/** A page, or undefined when describeDeepPaging=throttle refused a resumed page far ahead (list from page 1). */
async function pageOrRestart(
  ctx: ListContext,
  unit: { region: string; type: ResourceType },
  lister: TypedLister,
  opts: TypedOptions,
  page: number,
): Promise<Awaited<ReturnType<typeof describePage>> | undefined> {
  try {
    return await describePage(ctx, unit, lister, opts, page);
  } catch (error) {
    // Resources the earlier hop finished come back with nothing left to remove.
    if (page > 1 && errorCode(error) === 'Throttling.DeepPageSkip') return undefined;
    throw error;
  }
}
