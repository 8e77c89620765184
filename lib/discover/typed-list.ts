/**
 * Pages of a typed list action that returns every resource of a type with its tags inline
 * (`ListIpams`, `ListIpamScopes`, `ListIpamPools`, `ListVpcPeerConnections`, `DescribeVpcs`,
 * `DescribeVSwitches`): the only way to see resources whose keys a policy cannot name (patterns, `all`).
 *
 * Memory: one page at a time. Each resource is yielded once per unit: a page-numbered list shifted by a
 * resource created while it pages shows the previous page's last items again, so ids of the previous
 * page are skipped (O(page), not a set of every id seen).
 */
import { productOf, type ResourceType, type TypedLister } from '../catalog.ts';
import type { TaggedResource } from '../types.ts';
import { type ListContext, listCall, pathGet, tagsFromList } from './list-call.ts';
import type { DiscoveredPage } from './types.ts';

export async function* typedListPages(
  ctx: ListContext,
  unit: { region: string; type: ResourceType },
  lister: TypedLister,
  opts: { startToken?: string; tagFilter?: Array<{ key: string; value?: string | undefined }> } = {},
): AsyncGenerator<DiscoveredPage> {
  const product = productOf(unit.type);
  let token = opts.startToken;
  let previous = new Set<string>();
  for (;;) {
    const params: Record<string, unknown> = { RegionId: unit.region };
    if (lister.paging === 'number') {
      params.PageNumber = Number(token ?? '1');
      params.PageSize = lister.maxResults;
    } else {
      params.MaxResults = lister.maxResults;
      if (token) params.NextToken = token;
    }
    if (opts.tagFilter && opts.tagFilter.length > 0) {
      // Push match.tags down (`Tags.N` on the IPAM/Peer lists, `Tag.N` on Vpc's Describe*); selection re-checks.
      const field = product === 'Vpc' ? 'Tag' : 'Tags';
      params[field] = opts.tagFilter.map((t) =>
        t.value !== undefined ? { Key: t.key, Value: t.value } : { Key: t.key },
      );
    }
    const body = await listCall(ctx, product, unit.region, lister.action, params, lister.bodyParams);
    const items = pathGet(body, lister.itemsField);
    const resources: TaggedResource[] = [];
    const ids = new Set<string>();
    if (Array.isArray(items)) {
      for (const item of items) {
        const id = pathGet(item, lister.idField);
        if (typeof id !== 'string' || previous.has(id) || ids.has(id)) continue;
        ids.add(id);
        resources.push({
          region: unit.region,
          type: unit.type,
          id,
          tags: tagsFromList(pathGet(item, lister.tagsField)),
        });
      }
    }
    let next: string | undefined;
    if (lister.paging === 'number') {
      const page = Number(params.PageNumber);
      const total = Number(body.TotalCount ?? 0);
      next = page * lister.maxResults < total && resources.length > 0 ? String(page + 1) : undefined;
    } else {
      next = typeof body.NextToken === 'string' && body.NextToken !== '' ? body.NextToken : undefined;
    }
    yield next ? { resources, next: { lister: lister.action, token: next } } : { resources };
    if (!next) return;
    previous = ids;
    token = next;
  }
}
