/**
 * Facts corrected from the docs and the official SDKs' metadata (issue 9 item 4), checked through the
 * official SDK against the emulator, and in the engine's catalog.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { isAssumedQuota, RESOURCE_TYPES } from '../../lib/catalog.ts';
import { sdkCall, sdkClient } from '../support/sdk.ts';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ quotas: false });
  emu.state.upsert([{ type: 'PeerConnection', region: 'cn-hangzhou', id: 'pcc-f1', tags: { a: '1' } }]);
});
afterAll(async () => {
  await emu?.close();
});

const client = () => sdkClient(emu.endpoint, emu);
const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'OK';
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('corrected facts', () => {
  it('ListVpcPeerConnections nests Vpc{VpcId} and AcceptingVpc{VpcId}', async () => {
    const res = await sdkCall(client(), 'VpcPeer', 'ListVpcPeerConnections', { RegionId: 'cn-hangzhou' });
    const item = res.body.VpcPeerConnects[0];
    expect(item.Vpc.VpcId).toMatch(/^vpc-/);
    expect(item.AcceptingVpc.VpcId).toMatch(/^vpc-/);
    expect(item.VpcId).toBeUndefined();
  });

  it('ListVpcPeerConnections takes up to 20 Tags.N', async () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}` }));
    const call = (n: number) =>
      sdkCall(client(), 'VpcPeer', 'ListVpcPeerConnections', {}, { form: { RegionId: 'cn-hangzhou', Tags: tags(n) } });
    expect(await codeOf(call(20))).toBe('OK');
    expect(await codeOf(call(21))).not.toBe('OK');
  });

  it('ListIpamScopes takes at most 20 IpamScopeIds (ListIpamPools still 100)', async () => {
    const ids = (n: number, p: string) => Array.from({ length: n }, (_, i) => `${p}${i}`);
    const scopes = (n: number) =>
      sdkCall(client(), 'VpcIpam', 'ListIpamScopes', { RegionId: 'cn-hangzhou', IpamScopeIds: ids(n, 'ipam-scope-') });
    expect(await codeOf(scopes(20))).toBe('OK');
    expect(await codeOf(scopes(21))).not.toBe('OK');
    const pools = sdkCall(client(), 'VpcIpam', 'ListIpamPools', { RegionId: 'cn-hangzhou', IpamPoolIds: ids(21, 'p') });
    expect(await codeOf(pools)).toBe('OK');
  });

  it('the catalog maps Cloud Config ACS::NAT::NatGateway and marks unpublished quotas assumed', () => {
    expect(RESOURCE_TYPES.NATGATEWAY.configTypes).toEqual(['ACS::NAT::NatGateway']);
    expect(isAssumedQuota('VpcIpam', 'UntagResources')).toBe(false);
    expect(isAssumedQuota('VpcIpam', 'ListIpamPools')).toBe(false);
    expect(isAssumedQuota('VpcPeer', 'ListVpcPeerConnections')).toBe(false);
    expect(isAssumedQuota('Vpc', 'UnTagResources')).toBe(true);
    expect(isAssumedQuota('Vpc', 'DescribeVpcs')).toBe(true);
    expect(isAssumedQuota('VpcIpam', 'ListIpamScopes')).toBe(true);
  });
});
