/**
 * The gateway in front of the real cloud state (no stand-in): SDK calls for each product, VpcPeer's
 * form-body parameters, ClientToken replay through a lost answer, and faults scoped to one product.
 */
import { UnTagResourcesRequest } from '@alicloud/vpc20160428';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { acs3Call } from '../support/acs3-client.ts';
import { sdkCall, sdkClient, VERSIONS } from '../support/sdk.ts';

let emu: Emulator;
const client = () => sdkClient(emu.endpoint, { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret });
const peerTags = () =>
  emu.admin.list({ type: 'PeerConnection', region: 'cn-hangzhou' }).find((r) => r.id === 'pcc-0001')!.tags;

async function failure(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('the call succeeded');
}

beforeAll(async () => {
  emu = await startEmulator({ quotaScale: 100 });
});
afterAll(() => emu.close());
beforeEach(async () => {
  await emu.admin.reset();
  emu.admin.upsert([
    { type: 'IPAMPOOL', region: 'cn-hangzhou', id: 'ipam-pool-0001', tags: { CostCenter: 'cc1', owner: 'me' } },
    { type: 'PeerConnection', region: 'cn-hangzhou', id: 'pcc-0001', tags: { CostCenter: 'cc1', 'tmp-x': '1' } },
    { type: 'VPC', region: 'cn-shanghai', id: 'vpc-0001', tags: { CostCenter: 'cc1' } },
  ]);
});

describe('the gateway in front of the cloud state', () => {
  it('serves an untag for each product to the official SDK', async () => {
    const c = client();
    await sdkCall(c, 'VpcIpam', 'UntagResources', {
      RegionId: 'cn-hangzhou',
      ResourceType: 'IPAMPOOL',
      ResourceId: ['ipam-pool-0001'],
      TagKey: ['CostCenter'],
    });
    const peer = await sdkCall(c, 'VpcPeer', 'UnTagResources', {
      RegionId: 'cn-hangzhou',
      ResourceType: 'PeerConnection',
      ResourceId: ['pcc-0001'],
      TagKey: ['CostCenter'],
    });
    expect(peer.body.Success).toBe(true);
    await sdkCall(c, 'Vpc', 'UnTagResources', {
      RegionId: 'cn-shanghai',
      ResourceType: 'VPC',
      ResourceId: ['vpc-0001'],
      TagKey: ['CostCenter'],
    });
    expect(emu.admin.list({}).map((r) => Object.keys(r.tags).includes('CostCenter'))).toEqual([false, false, false]);
    expect(emu.admin.stats().total).toBe(3);
  });

  it("serves the Vpc client's own typed method, unchanged", async () => {
    const res = await client().unTagResources(
      new UnTagResourcesRequest({
        regionId: 'cn-shanghai',
        resourceType: 'VPC',
        resourceId: ['vpc-0001'],
        tagKey: ['CostCenter'],
      }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.body?.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(emu.admin.list({ type: 'VPC' })[0]!.tags).toEqual({});
  });

  it('passes a product error through with the cloud body shape and status', async () => {
    const error = await failure(
      sdkCall(client(), 'VpcIpam', 'UntagResources', {
        RegionId: 'cn-hangzhou',
        ResourceType: 'IPAMPOOL',
        ResourceId: ['ipam-pool-9999'],
        TagKey: ['k'],
      }),
    );
    expect([error.statusCode, error.code]).toEqual([404, 'ResourceNotFound.IpamPool']);
    expect(Object.keys(error.data).sort()).toEqual(['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
  });

  it('reads VpcPeer ListVpcPeerConnections parameters from the form body', async () => {
    const res = await acs3Call({
      endpoint: emu.endpoint,
      action: 'ListVpcPeerConnections',
      version: VERSIONS.VpcPeer,
      accessKeyId: emu.accessKeyId,
      accessKeySecret: emu.accessKeySecret,
      form: { RegionId: 'cn-hangzhou', MaxResults: '10', InstanceId: 'pcc-0001' },
    });
    expect(res.status).toBe(200);
    expect(res.body.VpcPeerConnects.map((p: any) => p.InstanceId)).toEqual(['pcc-0001']);
    expect(res.body.MaxResults).toBe(10);
  });

  it('replays a lost VpcPeer untag for its ClientToken without removing a re-added tag', async () => {
    emu.admin.setFaults({
      rules: [{ kind: 'applied-then-lost', product: 'VpcPeer', action: 'UnTagResources', count: 1 }],
    });
    const untag = (keys: string[]) =>
      sdkCall(client(), 'VpcPeer', 'UnTagResources', {
        RegionId: 'cn-hangzhou',
        ResourceType: 'PeerConnection',
        ResourceId: ['pcc-0001'],
        TagKey: keys,
        ClientToken: 'run-1-batch-1',
      });
    expect((await failure(untag(['tmp-x']))).code).toBe('ECONNRESET');
    expect(peerTags()).toEqual({ CostCenter: 'cc1' });
    await sdkCall(client(), 'VpcPeer', 'TagResources', {
      RegionId: 'cn-hangzhou',
      ResourceType: 'PeerConnection',
      ResourceId: ['pcc-0001'],
      Tag: [{ Key: 'tmp-x', Value: '2' }],
    });
    const retry = await untag(['tmp-x']);
    expect(retry.body.Success).toBe(true);
    expect(peerTags()).toEqual({ CostCenter: 'cc1', 'tmp-x': '2' });
    const mismatch = await failure(untag(['CostCenter']));
    expect(mismatch.code).toBe('IdempotentParameterMismatch');
  });
});
