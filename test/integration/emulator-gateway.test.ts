/**
 * The emulator's gateway over real HTTP: the official SDK and an independent ACS3 client against
 * signature checks, routing, ClientToken idempotency and the admin API. The product actions are
 * served by a stand-in state here (test/support/stand-in-state.ts); they are tested on their own.
 */
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { acs3Call } from '../support/acs3-client.ts';
import { sdkCall, sdkClient, VERSIONS } from '../support/sdk.ts';
import { createStandInState, type StandInState } from '../support/stand-in-state.ts';

const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const POOL = { type: 'IPAMPOOL', region: 'cn-hangzhou', id: 'ipam-pool-1', tags: { a: '1', b: '2', 'a*b(c)!': 'x' } };
const PEER = { type: 'PeerConnection', region: 'cn-hangzhou', id: 'pcc-1', tags: { a: '1', b: '2', c: '3' } };

let emu: Emulator;
let state: StandInState;
const creds = () => ({ accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret });
const client = () => sdkClient(emu.endpoint, creds());

async function sdkError(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('the call succeeded');
}

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${emu.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  state = createStandInState();
  emu = await startEmulator({ state, quotas: false });
});
afterAll(() => emu.close());
beforeEach(async () => {
  await emu.admin.reset();
  emu.admin.upsert([POOL, PEER]);
});

describe('signed OpenAPI requests', () => {
  it('accepts an SDK call and answers with an upper-case UUID RequestId', async () => {
    const res = await sdkCall(client(), 'VpcIpam', 'UntagResources', {
      RegionId: 'cn-hangzhou',
      ResourceType: 'IPAMPOOL',
      ResourceId: ['ipam-pool-1'],
      TagKey: ['a*b(c)!', 'b'],
    });
    expect(res.statusCode).toBe(200);
    expect(res.body.RequestId).toMatch(REQUEST_ID);
    expect(emu.admin.list({ type: 'IPAMPOOL' })[0]!.tags).toEqual({ a: '1' });
  });

  it('accepts a call signed by an independent client, with query and form-body parameters merged', async () => {
    const res = await acs3Call({
      endpoint: emu.endpoint,
      action: 'ListTagResources',
      version: VERSIONS.VpcPeer,
      ...creds(),
      query: { ResourceType: 'PeerConnection' },
      form: { RegionId: 'cn-hangzhou', 'ResourceId.1': 'pcc-1' },
    });
    expect(res.status).toBe(200);
    expect(res.body.TagResources).toHaveLength(3);
    const [logged] = emu.admin.requests({ action: 'ListTagResources' });
    expect(logged!.params).toEqual({
      ResourceType: 'PeerConnection',
      RegionId: 'cn-hangzhou',
      'ResourceId.1': 'pcc-1',
    });
  });

  it('refuses a wrong secret with SignatureDoesNotMatch (400) and leaves the state alone', async () => {
    const bad = sdkClient(emu.endpoint, { accessKeyId: emu.accessKeyId, accessKeySecret: 'wrong' });
    const error = await sdkError(
      sdkCall(bad, 'VpcIpam', 'UntagResources', {
        RegionId: 'cn-hangzhou',
        ResourceType: 'IPAMPOOL',
        ResourceId: ['ipam-pool-1'],
        All: true,
      }),
    );
    expect(error.name).toBe('ClientError');
    expect(error.code).toBe('SignatureDoesNotMatch');
    expect(error.statusCode).toBe(400);
    expect(error.data).toMatchObject({ Code: 'SignatureDoesNotMatch', HostId: emu.endpoint });
    expect(error.data.RequestId).toMatch(REQUEST_ID);
    expect(error.data.Recommend).toContain('SignatureDoesNotMatch');
    expect(error.data.Message).toMatch(/server string to sign is:ACS3-HMAC-SHA256\n[0-9a-f]{64}$/);
    expect(state.applied).toHaveLength(0);
  });

  it('refuses an unknown access key with InvalidAccessKeyId.NotFound (404)', async () => {
    const stranger = sdkClient(emu.endpoint, { accessKeyId: 'LTAIstranger', accessKeySecret: emu.accessKeySecret });
    const error = await sdkError(sdkCall(stranger, 'Vpc', 'ListTagResources', { RegionId: 'cn-hangzhou' }));
    expect(error.code).toBe('InvalidAccessKeyId.NotFound');
    expect(error.statusCode).toBe(404);
  });

  it('accepts a date 14 minutes off and refuses one 16 minutes off with InvalidTimeStamp.Expired', async () => {
    const call = (offsetMin: number) =>
      acs3Call({
        endpoint: emu.endpoint,
        action: 'ListTagResources',
        version: VERSIONS.VpcIpam,
        ...creds(),
        query: { RegionId: 'cn-hangzhou', ResourceType: 'IPAMPOOL', 'ResourceId.1': 'ipam-pool-1' },
        date: new Date(Date.now() + offsetMin * 60_000),
      });
    expect((await call(-14)).status).toBe(200);
    expect((await call(14)).status).toBe(200);
    const late = await call(-16);
    expect([late.status, late.body.Code]).toEqual([400, 'InvalidTimeStamp.Expired']);
    const early = await call(16);
    expect([early.status, early.body.Code]).toEqual([400, 'InvalidTimeStamp.Expired']);
  });

  it('refuses a replayed nonce with SignatureNonceUsed, and a forged request does not burn the nonce', async () => {
    const base = {
      endpoint: emu.endpoint,
      action: 'ListTagResources',
      version: VERSIONS.VpcIpam,
      query: { RegionId: 'cn-hangzhou', ResourceType: 'IPAMPOOL', 'ResourceId.1': 'ipam-pool-1' },
      nonce: `nonce-${Math.random()}`,
    };
    const forged = await acs3Call({ ...base, accessKeyId: emu.accessKeyId, accessKeySecret: 'forged' });
    expect(forged.body.Code).toBe('SignatureDoesNotMatch');
    expect((await acs3Call({ ...base, ...creds() })).status).toBe(200);
    const replay = await acs3Call({ ...base, ...creds() });
    expect([replay.status, replay.body.Code]).toEqual([400, 'SignatureNonceUsed']);
  });

  it('refuses a malformed Authorization header and an unsigned x-acs header with IncompleteSignature', async () => {
    const base = { endpoint: emu.endpoint, action: 'ListTagResources', version: VERSIONS.Vpc, ...creds() };
    const unsigned = await acs3Call({ ...base, headers: { 'x-acs-extra': 'yes' }, unsigned: ['x-acs-extra'] });
    expect([unsigned.status, unsigned.body.Code]).toEqual([400, 'IncompleteSignature']);
    const noHost = await acs3Call({ ...base, unsigned: ['host'] });
    expect(noHost.body.Code).toBe('IncompleteSignature');
    const raw = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = request(
        `${emu.url}/`,
        { method: 'POST', headers: { authorization: 'Basic abc', 'x-acs-action': 'X' } },
        (res) => {
          let text = '';
          res.on('data', (c) => {
            text += c;
          });
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect([raw.status, raw.body.Code]).toEqual([400, 'IncompleteSignature']);
  });

  it('refuses a body that does not match x-acs-content-sha256', async () => {
    const res = await acs3Call({
      endpoint: emu.endpoint,
      action: 'ListTagResources',
      version: VERSIONS.VpcPeer,
      ...creds(),
      form: { RegionId: 'cn-hangzhou' },
      headers: { 'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
    });
    expect([res.status, res.body.Code]).toEqual([400, 'SignatureDoesNotMatch']);
  });

  it('accepts STS sessions it issued and refuses a wrong security token', async () => {
    const session = emu.credentials.issueSession();
    expect(session.accessKeyId.startsWith('STS.')).toBe(true);
    const ok = await sdkCall(sdkClient(emu.endpoint, session), 'VpcIpam', 'ListTagResources', {
      RegionId: 'cn-hangzhou',
      ResourceType: 'IPAMPOOL',
      ResourceId: ['ipam-pool-1'],
    });
    expect(ok.statusCode).toBe(200);
    const error = await sdkError(
      sdkCall(sdkClient(emu.endpoint, { ...session, securityToken: 'not-the-token' }), 'Vpc', 'ListTagResources', {}),
    );
    expect([error.statusCode, error.code]).toEqual([400, 'InvalidSecurityToken.Malformed']);
  });

  it('answers an unknown action or version with InvalidAction.NotFound (404)', async () => {
    const action = await sdkError(sdkCall(client(), 'VpcIpam', 'DeleteEverything', { RegionId: 'cn-hangzhou' }));
    expect([action.statusCode, action.code]).toEqual([404, 'InvalidAction.NotFound']);
    const version = await acs3Call({
      endpoint: emu.endpoint,
      action: 'ListTagResources',
      version: '2099-01-01',
      ...creds(),
    });
    expect([version.status, version.body.Code]).toEqual([404, 'InvalidAction.NotFound']);
  });
});

describe('ClientToken on VpcPeer writes', () => {
  const untag = (token: string, keys: string[]) =>
    sdkCall(client(), 'VpcPeer', 'UnTagResources', {
      RegionId: 'cn-hangzhou',
      ResourceType: 'PeerConnection',
      ResourceId: ['pcc-1'],
      TagKey: keys,
      ClientToken: token,
    });

  it('replays the first answer for the same token and parameters without applying twice', async () => {
    const first = await untag('token-1', ['a']);
    emu.admin.upsert([PEER]); // tag `a` is back: a second application would remove it again
    const second = await untag('token-1', ['a']);
    expect(second.body).toEqual(first.body);
    expect(state.applied).toHaveLength(1);
    expect(emu.admin.list({ type: 'PeerConnection' })[0]!.tags.a).toBe('1');
  });

  it('refuses the same token with other parameters with IdempotentParameterMismatch (400)', async () => {
    await untag('token-2', ['a']);
    const error = await sdkError(untag('token-2', ['b']));
    expect([error.statusCode, error.code]).toEqual([400, 'IdempotentParameterMismatch']);
    expect(state.applied).toHaveLength(1);
  });

  it('answers OperationFailed.LastTokenProcessing while the first call with the token is in flight', async () => {
    emu.admin.setFaults({
      rules: [{ kind: 'latency', product: 'VpcPeer', action: 'UnTagResources', ms: 400, count: 1 }],
    });
    const first = untag('token-3', ['a']);
    while (emu.admin.faults().fired[0] !== 1) await new Promise((r) => setTimeout(r, 10)); // first call is held
    const error = await sdkError(untag('token-3', ['a']));
    expect([error.statusCode, error.code]).toEqual([400, 'OperationFailed.LastTokenProcessing']);
    expect((await first).statusCode).toBe(200);
    expect(state.applied).toHaveLength(1);
  });

  it('applies a call without a token each time', async () => {
    const call = () =>
      sdkCall(client(), 'VpcPeer', 'UnTagResources', {
        RegionId: 'cn-hangzhou',
        ResourceType: 'PeerConnection',
        ResourceId: ['pcc-1'],
        TagKey: ['a'],
      });
    await call();
    await call();
    expect(state.applied).toHaveLength(2);
  });
});

describe('the admin API', () => {
  it('upserts, lists with filters, deletes and counts resources', async () => {
    const put = await admin('POST', '/__admin/resources', {
      resources: [{ type: 'VPC', region: 'cn-shanghai', id: 'vpc-1', tags: { k: 'v' } }],
      generate: { types: ['VSWITCH'], regions: ['cn-beijing'], count: 3 },
    });
    expect(put).toEqual({ status: 200, body: { upserted: 1, generated: 3, count: 6 } });
    const list = await admin('GET', '/__admin/resources?type=VPC&region=cn-shanghai');
    expect(list.body).toEqual({ resources: [{ type: 'VPC', region: 'cn-shanghai', id: 'vpc-1', tags: { k: 'v' } }] });
    const del = await admin('POST', '/__admin/resources/delete', {
      resources: [
        { type: 'VPC', region: 'cn-shanghai', id: 'vpc-1' },
        { type: 'VPC', region: 'cn-shanghai', id: 'nope' },
      ],
    });
    expect(del.body).toEqual({ removed: 1, count: 5 });
    expect((await admin('POST', '/__admin/resources', { resources: [{ type: 'VPC' }] })).status).toBe(400);
  });

  it('counts calls by action and outcome and lists recent calls without secrets', async () => {
    await sdkCall(client(), 'VpcIpam', 'ListTagResources', {
      RegionId: 'cn-hangzhou',
      ResourceType: 'IPAMPOOL',
      ResourceId: ['ipam-pool-1'],
    });
    await sdkError(
      sdkCall(sdkClient(emu.endpoint, { ...creds(), accessKeySecret: 'x' }), 'VpcIpam', 'ListTagResources', {}),
    );
    await sdkCall(client(), 'VpcPeer', 'UnTagResources', {
      RegionId: 'cn-hangzhou',
      ResourceType: 'PeerConnection',
      ResourceId: ['pcc-1'],
      TagKey: ['a'],
      ClientToken: 'tok',
    });
    const stats = await admin('GET', '/__admin/stats');
    expect(stats.body).toEqual({
      total: 3,
      byAction: {
        'VpcIpam:ListTagResources': { ok: 1, SignatureDoesNotMatch: 1 },
        'VpcPeer:UnTagResources': { ok: 1 },
      },
    });
    const recent = await admin('GET', '/__admin/requests?action=UnTagResources&limit=5');
    expect(recent.body.requests).toHaveLength(1);
    expect(recent.body.requests[0]).toMatchObject({
      product: 'VpcPeer',
      action: 'UnTagResources',
      region: 'cn-hangzhou',
      clientToken: 'tok',
      code: 'OK',
      status: 200,
    });
    const all = await admin('GET', '/__admin/requests?limit=2');
    expect(all.body.requests.map((r: any) => r.action)).toEqual(['ListTagResources', 'UnTagResources']);
    expect(JSON.stringify(all.body)).not.toContain(emu.accessKeySecret);
  });

  it('resets state, stats, faults and quotas', async () => {
    await admin('PUT', '/__admin/faults', { rules: [{ kind: 'error' }] });
    await admin('PUT', '/__admin/quotas', { scale: 2 });
    await sdkError(sdkCall(client(), 'Vpc', 'ListTagResources', {}));
    expect((await admin('POST', '/__admin/reset')).body).toEqual({ ok: true, count: 0 });
    expect((await admin('GET', '/__admin/stats')).body).toEqual({ total: 0, byAction: {} });
    expect((await admin('GET', '/__admin/faults')).body.rules).toEqual([]);
    expect((await admin('GET', '/__admin/quotas')).body.scale).toBe(1);
  });

  it('rejects bad fault and quota bodies with 400 and a reason', async () => {
    const faults = await admin('PUT', '/__admin/faults', { rules: [{ kind: 'explode' }] });
    expect(faults.status).toBe(400);
    expect(faults.body.error).toContain('kind');
    expect((await admin('PUT', '/__admin/quotas', { scale: -1 })).status).toBe(400);
    expect((await admin('GET', '/__admin/nothing')).status).toBe(404);
    expect((await admin('GET', '/__admin/requests?limit=many')).status).toBe(400);
  });

  it('refuses admin calls from an address other than loopback', async () => {
    const address = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (!address) return expect(address).toBeUndefined(); // no external interface on this machine
    const open = await startEmulator({ state: createStandInState(), host: '0.0.0.0' });
    try {
      const res = await fetch(`http://${address}:${open.port}/__admin/stats`);
      expect(res.status).toBe(403);
      const local = await fetch(`http://127.0.0.1:${open.port}/__admin/stats`);
      expect(local.status).toBe(200);
    } finally {
      await open.close();
    }
  });
});
