/**
 * Every product action of the cloud state through the official SDK over real HTTP: `@alicloud/vpc20160428`'s
 * generic callApi for VpcIpam and VpcPeer, its typed methods for Vpc. The emulator runs on port 0 with the
 * real cloud state (emulator/openapi/state.ts); quotas are off so the pagination runs at full speed.
 */
import * as VpcNamespace from '@alicloud/vpc20160428';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { sdkCall, sdkClient, type VpcClient } from '../support/sdk.ts';

// Model classes live on the CommonJS module object; depending on the loader's interop they show up as
// named exports or under `default` (reference section 12 describes the default-import caveat).
const $Vpc = ((VpcNamespace as any).TagResourcesRequestTag ? VpcNamespace : (VpcNamespace as any).default) as any;
const HZ = 'cn-hangzhou';
const SH = 'cn-shanghai';

let emu: Emulator;
let client: VpcClient;

async function sdkError(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('the call succeeded');
}

const tagsOf = (type: string, region: string, id: string) =>
  emu.admin.list({ type, region }).find((r) => r.id === id)?.tags;

beforeAll(async () => {
  emu = await startEmulator({ quotas: false });
  client = sdkClient(emu.endpoint, { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret });
});
afterAll(() => emu.close());
beforeEach(async () => {
  await emu.admin.reset();
  emu.admin.upsert([
    { type: 'IPAM', region: HZ, id: 'ipam-0001', tags: { CostCenter: 'cc', owner: 'a' } },
    { type: 'IPAMSCOPE', region: HZ, id: 'ipam-scope-0001', tags: { CostCenter: 'cc' } },
    {
      type: 'IPAMPOOL',
      region: HZ,
      id: 'ipam-pool-0001',
      tags: { CostCenter: 'cc', 'tmp-x': '1', 'acs:rm:rgId': 'rg' },
    },
    { type: 'IPAMPOOL', region: SH, id: 'ipam-pool-0002', tags: { CostCenter: 'cc' } },
    { type: 'PeerConnection', region: HZ, id: 'pcc-0001', tags: { CostCenter: 'cc', 'aliyun:x': 'y', team: 'net' } },
    { type: 'VPC', region: HZ, id: 'vpc-0001', tags: { CostCenter: 'cc', env: 'dev' } },
    { type: 'VSWITCH', region: HZ, id: 'vsw-0001', tags: { CostCenter: 'cc' } },
  ]);
});

describe('VpcIpam through callApi', () => {
  it('UntagResources removes keys, keeps system tags on All=true, and refuses an unknown pool with 404', async () => {
    const res = await sdkCall(client, 'VpcIpam', 'UntagResources', {
      RegionId: HZ,
      ResourceType: 'IPAMPOOL',
      ResourceId: ['ipam-pool-0001'],
      TagKey: ['tmp-x', 'absent'],
    });
    expect(res.statusCode).toBe(200);
    expect(tagsOf('IPAMPOOL', HZ, 'ipam-pool-0001')).toEqual({ CostCenter: 'cc', 'acs:rm:rgId': 'rg' });
    await sdkCall(client, 'VpcIpam', 'UntagResources', {
      RegionId: HZ,
      ResourceType: 'IPAMPOOL',
      ResourceId: ['ipam-pool-0001'],
      All: true,
    });
    expect(tagsOf('IPAMPOOL', HZ, 'ipam-pool-0001')).toEqual({ 'acs:rm:rgId': 'rg' });
    const err = await sdkError(
      sdkCall(client, 'VpcIpam', 'UntagResources', {
        RegionId: HZ,
        ResourceType: 'IPAMPOOL',
        ResourceId: ['ipam-pool-0002'],
        TagKey: ['CostCenter'],
      }),
    );
    expect([err.code, err.statusCode]).toEqual(['ResourceNotFound.IpamPool', 404]);
  });

  it.each([
    [
      'IllegalParamSize.ResourceIds',
      { ResourceType: 'IPAM', ResourceId: Array.from({ length: 21 }, (_, i) => `ipam-${i}`), TagKey: ['k'] },
    ],
    [
      'IllegalParamSize.Tags',
      { ResourceType: 'IPAM', ResourceId: ['ipam-0001'], TagKey: Array.from({ length: 21 }, (_, i) => `k${i}`) },
    ],
    ['MissingParameter.Tags', { ResourceType: 'IPAM', ResourceId: ['ipam-0001'] }],
    ['IllegalParam.TagKey', { ResourceType: 'IPAM', ResourceId: ['ipam-0001'], TagKey: ['aliyun-owned'] }],
    ['ResourceNotFound.IpamScope', { ResourceType: 'IPAMSCOPE', ResourceId: ['ipam-scope-9'], TagKey: ['k'] }],
    ['IllegalParam.ResourceType', { ResourceType: 'VPC', ResourceId: ['ipam-0001'], TagKey: ['k'] }],
  ])('UntagResources answers %s as a 400 ClientError', async (code, params) => {
    const err = await sdkError(sdkCall(client, 'VpcIpam', 'UntagResources', { RegionId: HZ, ...params }));
    expect([err.name, err.code, err.statusCode]).toEqual(['ClientError', code, 400]);
  });

  it('TagResources adds tags and ListTagResources returns one row per tag', async () => {
    await sdkCall(client, 'VpcIpam', 'TagResources', {
      RegionId: HZ,
      ResourceType: 'IPAM',
      ResourceId: ['ipam-0001'],
      Tag: [{ Key: 'new', Value: 'v' }],
    });
    const res = await sdkCall(client, 'VpcIpam', 'ListTagResources', {
      RegionId: HZ,
      ResourceType: 'IPAM',
      Tag: [{ Key: 'new' }],
    });
    expect(res.body.TagResources).toEqual([
      { ResourceId: 'ipam-0001', ResourceType: 'IPAM', TagKey: 'CostCenter', TagValue: 'cc' },
      { ResourceId: 'ipam-0001', ResourceType: 'IPAM', TagKey: 'new', TagValue: 'v' },
      { ResourceId: 'ipam-0001', ResourceType: 'IPAM', TagKey: 'owner', TagValue: 'a' },
    ]);
    const err = await sdkError(
      sdkCall(client, 'VpcIpam', 'ListTagResources', {
        RegionId: HZ,
        ResourceType: 'IPAM',
        MaxResults: 51,
        ResourceId: ['ipam-0001'],
      }),
    );
    expect(err.code).toBe('IllegalParam.MaxResults');
  });

  it('ListIpams, ListIpamScopes and ListIpamPools return tags inline', async () => {
    const ipams = await sdkCall(client, 'VpcIpam', 'ListIpams', { RegionId: HZ });
    expect(ipams.body).toMatchObject({
      TotalCount: 1,
      Count: 1,
      MaxResults: 10,
      Ipams: [
        {
          IpamId: 'ipam-0001',
          Tags: [
            { Key: 'CostCenter', Value: 'cc' },
            { Key: 'owner', Value: 'a' },
          ],
        },
      ],
    });
    const scopes = await sdkCall(client, 'VpcIpam', 'ListIpamScopes', {
      RegionId: HZ,
      IpamScopeIds: ['ipam-scope-0001'],
    });
    expect(scopes.body.IpamScopes.map((s: any) => s.IpamScopeId)).toEqual(['ipam-scope-0001']);
    const pools = await sdkCall(client, 'VpcIpam', 'ListIpamPools', {
      RegionId: HZ,
      Tags: [{ Key: 'tmp-x', Value: '1' }],
    });
    expect(pools.body.IpamPools.map((p: any) => p.IpamPoolId)).toEqual(['ipam-pool-0001']);
  });

  it('pages ListIpamPools over 10,000 pools with every pool exactly once', async () => {
    await emu.admin.reset();
    emu.admin.generate({ types: ['IPAMPOOL'], regions: [HZ], count: 10_000, keys: ['k'], seed: 5 });
    const seen: string[] = [];
    let token = '';
    do {
      const res = await sdkCall(client, 'VpcIpam', 'ListIpamPools', {
        RegionId: HZ,
        MaxResults: 100,
        ...(token ? { NextToken: token } : {}),
      });
      seen.push(...res.body.IpamPools.map((p: any) => p.IpamPoolId));
      token = res.body.NextToken;
    } while (token);
    expect(seen.length).toBe(10_000);
    expect(new Set(seen).size).toBe(10_000);
  });
});

describe('VpcPeer through callApi', () => {
  it('UnTagResources answers Success and refuses system keys with Forbidden.TagKeys', async () => {
    const res = await sdkCall(client, 'VpcPeer', 'UnTagResources', {
      RegionId: HZ,
      ResourceType: 'PeerConnection',
      ResourceId: ['pcc-0001'],
      TagKey: ['CostCenter'],
      ClientToken: 'tok-1',
    });
    expect(res.body.Success).toBe(true);
    expect(tagsOf('PeerConnection', HZ, 'pcc-0001')).toEqual({ 'aliyun:x': 'y', team: 'net' });
    const err = await sdkError(
      sdkCall(client, 'VpcPeer', 'UnTagResources', {
        RegionId: HZ,
        ResourceType: 'PeerConnection',
        ResourceId: ['pcc-0001'],
        TagKey: ['aliyun:x'],
        ClientToken: 'tok-2',
      }),
    );
    expect([err.code, err.statusCode]).toEqual(['Forbidden.TagKeys', 400]);
  });

  it.each([
    ['NumberExceed.ResourceIds', { ResourceId: Array.from({ length: 21 }, (_, i) => `pcc-${i}`), TagKey: ['k'] }],
    ['NumberExceed.Tags', { ResourceId: ['pcc-0001'], TagKey: Array.from({ length: 21 }, (_, i) => `k${i}`) }],
    ['Forbidden.TagKey.Duplicated', { ResourceId: ['pcc-0001'], TagKey: ['k', 'k'] }],
    ['InvalidInstanceIds.NotFound', { ResourceId: ['pcc-9999'], TagKey: ['k'] }],
    ['InvalidInstanceType.NotFound', { ResourceType: 'VPC', ResourceId: ['pcc-0001'], TagKey: ['k'] }],
  ])('UnTagResources answers %s', async (code, params) => {
    const err = await sdkError(
      sdkCall(client, 'VpcPeer', 'UnTagResources', { RegionId: HZ, ResourceType: 'PeerConnection', ...params }),
    );
    expect([err.code, err.statusCode]).toEqual([code, 400]);
  });

  it('TagResources and ListTagResources (rows carry RegionNo, no filter needed)', async () => {
    const tagged = await sdkCall(client, 'VpcPeer', 'TagResources', {
      RegionId: HZ,
      ResourceType: 'PeerConnection',
      ResourceId: ['pcc-0001'],
      Tag: [{ Key: 'new', Value: '1' }],
      ClientToken: 'tok-3',
    });
    expect(tagged.body.Success).toBe(true);
    const res = await sdkCall(client, 'VpcPeer', 'ListTagResources', { RegionId: HZ, ResourceType: 'PeerConnection' });
    expect(res.body.MaxResults).toBe(50);
    expect(res.body.TagResources).toContainEqual({
      ResourceId: 'pcc-0001',
      ResourceType: 'PeerConnection',
      RegionNo: HZ,
      TagKey: 'new',
      TagValue: '1',
    });
  });

  it('ListVpcPeerConnections takes its paging parameters as form data and pages by NextToken', async () => {
    emu.admin.generate({ types: ['PeerConnection'], regions: [HZ], count: 45, keys: ['k'], seed: 2 });
    const seen: string[] = [];
    let token = '';
    do {
      const res = await sdkCall(
        client,
        'VpcPeer',
        'ListVpcPeerConnections',
        {},
        { form: { RegionId: HZ, MaxResults: 20, ...(token ? { NextToken: token } : {}) } },
      );
      expect(res.body.TotalCount).toBe(46);
      seen.push(...res.body.VpcPeerConnects.map((c: any) => c.InstanceId));
      token = res.body.NextToken;
    } while (token);
    expect(new Set(seen).size).toBe(46);
    const byTag = await sdkCall(
      client,
      'VpcPeer',
      'ListVpcPeerConnections',
      { Tags: [{ Key: 'team', Value: 'net' }] },
      { form: { RegionId: HZ } },
    );
    expect(byTag.body.VpcPeerConnects).toMatchObject([
      {
        InstanceId: 'pcc-0001',
        RegionId: HZ,
        Status: 'Activated',
        Tags: expect.arrayContaining([{ Key: 'team', Value: 'net' }]),
      },
    ]);
  });
});

describe('Vpc through the typed client', () => {
  it('unTagResources, tagResources and listTagResources (nested rows)', async () => {
    await client.tagResources(
      new $Vpc.TagResourcesRequest({
        regionId: HZ,
        resourceType: 'VSWITCH',
        resourceId: ['vsw-0001'],
        tag: [new $Vpc.TagResourcesRequestTag({ key: 'tmp-a', value: '1' })],
      }),
    );
    expect(tagsOf('VSWITCH', HZ, 'vsw-0001')).toEqual({ CostCenter: 'cc', 'tmp-a': '1' });
    const un = await client.unTagResources(
      new $Vpc.UnTagResourcesRequest({
        regionId: HZ,
        resourceType: 'VSWITCH',
        resourceId: ['vsw-0001'],
        tagKey: ['CostCenter'],
      }),
    );
    expect(un.statusCode).toBe(200);
    expect(un.body?.requestId).toBeTruthy();
    const listed = await client.listTagResources(
      new $Vpc.ListTagResourcesRequest({ regionId: HZ, resourceType: 'VSWITCH', resourceId: ['vsw-0001'] }),
    );
    expect(listed.body?.tagResources?.tagResource?.map((r: any) => [r.resourceId, r.tagKey, r.tagValue])).toEqual([
      ['vsw-0001', 'tmp-a', '1'],
    ]);
    const err = await sdkError(
      client.listTagResources(new $Vpc.ListTagResourcesRequest({ regionId: HZ, resourceType: 'VPC' })),
    );
    expect([err.code, err.statusCode]).toEqual(['BothEmpty.TagsAndResources', 403]);
    const nf = await sdkError(
      client.unTagResources(
        new $Vpc.UnTagResourcesRequest({ regionId: HZ, resourceType: 'VPC', resourceId: ['vpc-9'], tagKey: ['a'] }),
      ),
    );
    expect(nf.code).toBe('InvalidInstanceIds.NotFound');
  });

  it('describeVpcs and describeVSwitches return tags inline', async () => {
    const vpcs = await client.describeVpcs(
      new $Vpc.DescribeVpcsRequest({
        regionId: HZ,
        tag: [new $Vpc.DescribeVpcsRequestTag({ key: 'env', value: 'dev' })],
      }),
    );
    expect(vpcs.body?.totalCount).toBe(1);
    const vpc = vpcs.body?.vpcs?.vpc?.[0];
    expect(vpc?.vpcId).toBe('vpc-0001');
    expect(vpc?.tags?.tag?.map((t: any) => [t.key, t.value])).toEqual([
      ['CostCenter', 'cc'],
      ['env', 'dev'],
    ]);
    const vsw = await client.describeVSwitches(new $Vpc.DescribeVSwitchesRequest({ regionId: HZ, pageSize: 50 }));
    expect(vsw.body?.vSwitches?.vSwitch?.map((v: any) => v.vSwitchId)).toEqual(['vsw-0001']);
  });
});
