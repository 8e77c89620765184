/**
 * Vpc 2016-04-28: UnTagResources, TagResources, ListTagResources for every Vpc resource type (nested
 * `TagResources.TagResource[]`), plus DescribeVpcs and DescribeVSwitches with tags inline (DESIGN.md).
 *
 * DescribeVpcs / DescribeVSwitches page by PageNumber/PageSize only: the @alicloud/vpc20160428 7.3.2 request
 * models carry `pageNumber` (default 1) and `pageSize` (max 50, default 10) and no NextToken/MaxResults, and
 * the response models are `{Vpcs: {Vpc: [...]}, TotalCount, PageNumber, PageSize}` and
 * `{VSwitches: {VSwitch: [...]}, ...}` with item tags as `Tags: {Tag: [{Key, Value}]}` (checked in
 * node_modules/@alicloud/vpc20160428/dist/models/Describe{Vpcs,Vswitches}{Request,ResponseBody}.d.ts; the
 * DescribeVSwitches API page in the docs corpus also shows PageNumber/PageSize).
 */
import type { Behaviour } from '../behaviour.ts';
import type { ActionTable } from './actions.ts';
import { refuse, refuseCommon } from './cloud-errors.ts';
import { numberedPage, suffixOf } from './listing.ts';
import { queryDigest } from './paging.ts';
import { boolParam, intParam, listParam } from './params.ts';
import type { PackedTags, Store } from './store.ts';
import { DEFAULT_REGION, TAG_RULES, TYPED_LIST } from './tables.ts';
import { compileFilter, filterPairs, requireRegion, taggingActions, tagList } from './tagging.ts';

const rules = TAG_RULES.Vpc;
const OWNER = 1210123456123456;
const CREATED = '2024-01-01T00:00:00Z';

function paging(p: Record<string, string>) {
  const pageNumber = intParam(p, 'PageNumber', { min: 1, max: Number.MAX_SAFE_INTEGER, default: 1 }, 'badPageNumber');
  const pageSize = intParam(
    p,
    'PageSize',
    { min: 1, max: TYPED_LIST.describe.maxPageSize, default: TYPED_LIST.describe.defaultPageSize },
    'badPageSize',
  );
  return { pageNumber, pageSize };
}

const nested = (store: Store, tags: PackedTags) => ({ Tag: tagList(store, tags) });

/** Queries remembered for describeDeepPaging=throttle (oldest forgotten first). */
const DEEP_PAGING_MEMORY = 4_096;

/**
 * describeDeepPaging=throttle: a PageNumber beyond the next page of the same query (its other parameters)
 * is refused, so only sequential paging from page 1 gets through. Remembers the last page served.
 */
function deepPagingGuard(behaviour: Behaviour) {
  const lastPage = new Map<string, number>();
  return (action: string, p: Record<string, string>, pageNumber: number) => {
    const key = queryDigest(action, Object.fromEntries(Object.entries(p).filter(([k]) => !SKIP_IN_KEY.has(k))));
    if (behaviour.get('describeDeepPaging') === 'throttle' && pageNumber > (lastPage.get(key) ?? 0) + 1)
      refuseCommon('deepPageSkip', `PageNumber ${pageNumber} skips pages: page sequentially.`);
    lastPage.delete(key);
    lastPage.set(key, pageNumber);
    if (lastPage.size > DEEP_PAGING_MEMORY) lastPage.delete(lastPage.keys().next().value!);
  };
}
const SKIP_IN_KEY = new Set(['PageNumber', 'PageSize']);

export function vpcActions(store: Store, behaviour: Behaviour): ActionTable {
  const deepPaging = deepPagingGuard(behaviour);
  return {
    ...taggingActions(store, rules, behaviour, {
      untagAction: 'UnTagResources',
      writeAnswer: () => ({}),
      listAnswer: (page) => ({ NextToken: page.nextToken, TagResources: { TagResource: page.rows } }),
    }),
    DescribeVpcs: {
      write: false,
      handler: (p) => {
        const region = requireRegion(p);
        const ids = listParam(p, 'VpcId');
        if (ids.length > TYPED_LIST.describe.maxVpcIds)
          refuseCommon('tooManyFilterIds', `At most ${TYPED_LIST.describe.maxVpcIds} VpcId values are allowed.`);
        const tagMatch = compileFilter(store, filterPairs(rules, p, 'Tag', rules.listMaxTags));
        const { pageNumber, pageSize } = paging(p);
        deepPaging('DescribeVpcs', p, pageNumber);
        const wantDefault = p.IsDefault !== undefined && p.IsDefault !== '' && boolParam(p, 'IsDefault');
        const name = p.VpcName;
        const page = numberedPage(
          store,
          { type: 'VPC', region, ids: ids.length > 0 ? ids : undefined, pageNumber, pageSize },
          (id, tags) =>
            !wantDefault &&
            (name === undefined || name === '' || name === `vpc-name-${suffixOf(id)}`) &&
            tagMatch(tags),
          (id, tags) => ({
            VpcId: id,
            VpcName: `vpc-name-${suffixOf(id)}`,
            RegionId: region,
            Status: 'Available',
            CidrBlock: '172.16.0.0/12',
            IsDefault: false,
            Description: '',
            VRouterId: `vrt-${suffixOf(id)}`,
            CreationTime: CREATED,
            OwnerId: OWNER,
            ResourceGroupId: 'rg-acfmxazb4ph6aiy',
            VSwitchIds: { VSwitchId: [] },
            Tags: nested(store, tags),
          }),
        );
        return { Vpcs: { Vpc: page.items }, TotalCount: page.totalCount, PageNumber: pageNumber, PageSize: pageSize };
      },
    },
    DescribeVSwitches: {
      write: false,
      handler: (p) => {
        // "Specify at least one of RegionId and VpcId": without RegionId the default region is searched.
        const region = p.RegionId || DEFAULT_REGION;
        if (!p.RegionId && !p.VpcId) refuseCommon('missingRegion', 'Specify at least one of RegionId and VpcId.');
        const ids = listParam(p, 'VSwitchId');
        const tagMatch = compileFilter(store, filterPairs(rules, p, 'Tag', rules.listMaxTags));
        if (ids.length > TYPED_LIST.describe.maxVpcIds)
          refuse(rules.codes, 'tooManyResourceIds', 'Too many VSwitchId values.');
        const { pageNumber, pageSize } = paging(p);
        deepPaging('DescribeVSwitches', p, pageNumber);
        const zone = `${region}-a`;
        const vpcOf = (id: string) => `vpc-${suffixOf(id)}`;
        const wantDefault = p.IsDefault !== undefined && p.IsDefault !== '' && boolParam(p, 'IsDefault');
        const page = numberedPage(
          store,
          { type: 'VSWITCH', region, ids: ids.length > 0 ? ids : undefined, pageNumber, pageSize },
          (id, tags) =>
            !wantDefault &&
            (!p.VpcId || p.VpcId === vpcOf(id)) &&
            (!p.ZoneId || p.ZoneId === zone) &&
            (!p.VSwitchName || p.VSwitchName === `vsw-name-${suffixOf(id)}`) &&
            tagMatch(tags),
          (id, tags) => ({
            VSwitchId: id,
            VSwitchName: `vsw-name-${suffixOf(id)}`,
            VpcId: vpcOf(id),
            ZoneId: zone,
            Status: 'Available',
            CidrBlock: '172.16.0.0/24',
            AvailableIpAddressCount: 252,
            IsDefault: false,
            Description: '',
            CreationTime: CREATED,
            OwnerId: OWNER,
            ResourceGroupId: 'rg-acfmxazb4ph6aiy',
            ShareType: 'Sharing',
            NetworkAclId: '',
            RouteTable: { RouteTableId: `vtb-${suffixOf(id)}`, RouteTableType: 'System' },
            Tags: nested(store, tags),
          }),
        );
        return {
          VSwitches: { VSwitch: page.items },
          TotalCount: page.totalCount,
          PageNumber: pageNumber,
          PageSize: pageSize,
        };
      },
    },
  };
}
