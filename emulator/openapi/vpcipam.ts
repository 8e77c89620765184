/**
 * VpcIpam 2023-02-28: UntagResources, TagResources, ListTagResources, ListIpams, ListIpamScopes,
 * ListIpamPools (reference sections 2-4, 7.1). Responses carry no RequestId: the gateway adds it.
 */
import type { Behaviour } from '../behaviour.ts';
import type { ActionTable } from './actions.ts';
import { refuseCommon } from './cloud-errors.ts';
import { suffixOf, typedPage } from './listing.ts';
import { indexed, intParam } from './params.ts';
import type { PoolPlacement } from './pool-placement.ts';
import type { PackedTags, Store } from './store.ts';
import { TAG_RULES, TYPED_LIST } from './tables.ts';
import { compileFilter, filterPairs, requireRegion, taggingActions, tagList } from './tagging.ts';

const rules = TAG_RULES.VpcIpam;
const CREATED = '2024-01-01T00:00:00Z';

interface ListSpec {
  type: string;
  idsParam: string;
  itemsField: string;
  /** Extra filters from the request beyond ids and tags. */
  filter: (params: Record<string, string>, region: string, pools: PoolPlacement) => (id: string) => boolean;
  /** The parameters `filter` reads: with none of them (and no Tags.N), TotalCount is the table size. */
  filterParams: readonly string[];
  item: (id: string, region: string, pools: PoolPlacement) => Record<string, unknown>;
}

const eq = (want: string | undefined, have: string) => want === undefined || want === '' || want === have;

const LISTS: Record<string, ListSpec> = {
  ListIpams: {
    type: 'IPAM',
    idsParam: 'IpamIds',
    itemsField: 'Ipams',
    filterParams: ['IpamName'],
    filter: (p) => (id) => eq(p.IpamName, `ipam-name-${suffixOf(id)}`),
    item: (id, region) => ({
      IpamId: id,
      IpamName: `ipam-name-${suffixOf(id)}`,
      IpamDescription: '',
      IpamStatus: 'Created',
      RegionId: region,
      OperatingRegionList: [region],
      PrivateDefaultScopeId: `ipam-scope-${suffixOf(id)}`,
      ResourceGroupId: 'rg-acfmxazb4ph6aiy',
      ScopeCount: 1,
      CreateTime: CREATED,
    }),
  },
  ListIpamScopes: {
    type: 'IPAMSCOPE',
    idsParam: 'IpamScopeIds',
    itemsField: 'IpamScopes',
    filterParams: ['IpamId', 'IpamScopeType', 'IpamScopeName'],
    filter: (p) => (id) =>
      eq(p.IpamId, `ipam-${suffixOf(id)}`) &&
      eq(p.IpamScopeType, 'private') &&
      eq(p.IpamScopeName, `scope-${suffixOf(id)}`),
    item: (id, region) => ({
      IpamScopeId: id,
      IpamScopeName: `scope-${suffixOf(id)}`,
      IpamScopeDescription: '',
      IpamId: `ipam-${suffixOf(id)}`,
      IpamScopeType: 'private',
      Status: 'Created',
      RegionId: region,
      ResourceGroupId: 'rg-acfmxazb4ph6aiy',
      CreateTime: CREATED,
    }),
  },
  ListIpamPools: {
    type: 'IPAMPOOL',
    idsParam: 'IpamPoolIds',
    itemsField: 'IpamPools',
    filterParams: ['IpamScopeId', 'PoolRegionId', 'IpamPoolName', 'IsShared'],
    filter: (p, region, pools) => (id) =>
      eq(p.IpamScopeId, `ipam-scope-${suffixOf(id)}`) &&
      eq(p.PoolRegionId, pools.regionsOf(region, id).own) &&
      eq(p.IpamPoolName, `pool-${suffixOf(id)}`) &&
      (p.IsShared === undefined || p.IsShared === '' || p.IsShared.toLowerCase() === 'false'),
    // RegionId is the region asked (ipamPoolRegion=hosted: the IPAM's), PoolRegionId the pool's own.
    item: (id, region, pools) => ({
      IpamPoolId: id,
      IpamPoolName: `pool-${suffixOf(id)}`,
      IpamPoolDescription: '',
      IpamScopeId: `ipam-scope-${suffixOf(id)}`,
      IpamRegionId: pools.regionsOf(region, id).host,
      PoolRegionId: pools.regionsOf(region, id).own,
      IpVersion: 'IPv4',
      IsShared: false,
      HasSubPool: false,
      PoolDepth: 1,
      Status: 'Created',
      RegionId: region,
      ResourceGroupId: 'rg-acfmxazb4ph6aiy',
      CreateTime: CREATED,
    }),
  },
};

function typedList(
  store: Store,
  pools: PoolPlacement,
  action: string,
  spec: ListSpec,
  params: Record<string, string>,
): Record<string, unknown> {
  const region = requireRegion(params);
  const ids = indexed(params, spec.idsParam).filter((id) => id !== '');
  const maxIds = spec.idsParam === 'IpamScopeIds' ? TYPED_LIST.ipam.maxScopeIds : TYPED_LIST.ipam.maxIds;
  if (ids.length > maxIds) refuseCommon('tooManyFilterIds', `At most ${maxIds} ${spec.idsParam} are allowed.`);
  const tagPairs = filterPairs(rules, params, 'Tags', TYPED_LIST.ipam.maxTags);
  const tagMatch = compileFilter(store, tagPairs);
  const unfiltered = tagPairs.length === 0 && spec.filterParams.every((f) => !params[f]);
  const extra = spec.filter(params, region, pools);
  const maxResults = intParam(params, 'MaxResults', TYPED_LIST.ipam, 'badMaxResults');
  const page = typedPage(
    store,
    action,
    params,
    { type: spec.type, region, ids: ids.length > 0 ? ids : undefined, maxResults, unfiltered },
    (id: string, tags: PackedTags) => extra(id) && tagMatch(tags),
    (id: string, tags: PackedTags) => ({ ...spec.item(id, region, pools), Tags: tagList(store, tags) }),
  );
  return {
    [spec.itemsField]: page.items,
    Count: page.items.length,
    TotalCount: page.totalCount,
    MaxResults: maxResults,
    NextToken: page.nextToken,
  };
}

export function vpcIpamActions(store: Store, behaviour: Behaviour, pools: PoolPlacement): ActionTable {
  const table: ActionTable = taggingActions(store, rules, behaviour, {
    untagAction: 'UntagResources',
    writeAnswer: () => ({}),
    listAnswer: (page) => ({ NextToken: page.nextToken, TagResources: page.rows }),
  });
  for (const [action, spec] of Object.entries(LISTS)) {
    table[action] = { write: false, handler: (p) => typedList(store, pools, action, spec, p) };
  }
  return table;
}
