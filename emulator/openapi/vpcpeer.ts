/**
 * VpcPeer 2022-01-01: UnTagResources, TagResources, ListTagResources, ListVpcPeerConnections (reference
 * sections 1-4, 7.2). Central endpoint: the region is the `RegionId` parameter alone.
 * ClientToken replay is the gateway's (it sees the whole request); the state ignores the parameter.
 */
import type { Behaviour } from '../behaviour.ts';
import type { ActionTable } from './actions.ts';
import { refuse } from './cloud-errors.ts';
import { suffixOf, typedPage } from './listing.ts';
import { intParam, listParam } from './params.ts';
import type { PackedTags, Store } from './store.ts';
import { DEFAULT_REGION, TAG_RULES, TYPED_LIST } from './tables.ts';
import { compileFilter, filterPairs, taggingActions, tagList } from './tagging.ts';

const rules = TAG_RULES.VpcPeer;

/** Plausible attributes derived from the id (the store keeps only tags). */
const nameOf = (id: string) => `peer-${suffixOf(id)}`;
const vpcOf = (id: string) => `vpc-${suffixOf(id)}`;
const acceptingVpcOf = (id: string) => `vpc-acpt${suffixOf(id)}`;

export function vpcPeerActions(store: Store, behaviour: Behaviour): ActionTable {
  return {
    ...taggingActions(store, rules, behaviour, {
      untagAction: 'UnTagResources',
      writeAnswer: () => ({ Success: true }),
      listAnswer: (page) => ({ NextToken: page.nextToken, MaxResults: page.maxResults, TagResources: page.rows }),
    }),
    ListVpcPeerConnections: {
      write: false,
      handler: (p) => {
        // RegionId is optional in the metadata; without it the call lists the default region.
        const region = p.RegionId || DEFAULT_REGION;
        const vpcIds = listParam(p, 'VpcId');
        if (vpcIds.length > TYPED_LIST.peer.maxVpcIds)
          refuse(rules.codes, 'tooManyResourceIds', `At most ${TYPED_LIST.peer.maxVpcIds} VpcId values are allowed.`);
        const instanceIds = listParam(p, 'InstanceId');
        const tagPairs = filterPairs(rules, p, 'Tags', TYPED_LIST.peer.maxTags);
        const tagMatch = compileFilter(store, tagPairs);
        const maxResults = intParam(p, 'MaxResults', TYPED_LIST.peer, 'badMaxResults');
        const name = p.Name;
        const unfiltered = tagPairs.length === 0 && !name && vpcIds.length === 0;
        const page = typedPage(
          store,
          'ListVpcPeerConnections',
          p,
          {
            type: 'PeerConnection',
            region,
            ids: instanceIds.length > 0 ? instanceIds : undefined,
            maxResults,
            unfiltered,
          },
          (id: string, tags: PackedTags) =>
            (name === undefined || name === '' || name === nameOf(id)) &&
            (vpcIds.length === 0 || vpcIds.includes(vpcOf(id)) || vpcIds.includes(acceptingVpcOf(id))) &&
            tagMatch(tags),
          (id: string, tags: PackedTags) => ({
            InstanceId: id,
            Name: nameOf(id),
            Description: '',
            RegionId: region,
            Status: 'Activated',
            BizStatus: 'Normal',
            // Nested as the SDK's response model has them (ListVpcPeerConnectionsResponseBodyVpcPeerConnectsVpc /
            // ...AcceptingVpc: {VpcId, Ipv4Cidrs, Ipv6Cidrs}; alibabacloud-go vpcpeer-20220101 client.go).
            Vpc: { VpcId: vpcOf(id), Ipv4Cidrs: ['172.16.0.0/16'], Ipv6Cidrs: [] },
            AcceptingRegionId: region,
            AcceptingVpc: { VpcId: acceptingVpcOf(id), Ipv4Cidrs: ['192.168.0.0/16'], Ipv6Cidrs: [] },
            AcceptingOwnerUid: 1210123456123456,
            OwnerId: 1210123456123456,
            Bandwidth: 1024,
            ResourceGroupId: 'rg-acfmxazb4ph6aiy',
            GmtCreate: '2024-01-01T00:00:00Z',
            Tags: tagList(store, tags),
          }),
        );
        return {
          VpcPeerConnects: page.items,
          TotalCount: page.totalCount,
          MaxResults: maxResults,
          NextToken: page.nextToken,
        };
      },
    },
  };
}
