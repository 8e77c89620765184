/**
 * Rate quotas and scripted faults over real HTTP, seen from the official SDK: what a client of the
 * cloud would observe (error classes, codes, timeouts, dropped connections) and what happened to the
 * state behind it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../emulator/openapi/faults.ts';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { sdkCall, sdkClient } from '../support/sdk.ts';
import { createStandInState, type StandInState } from '../support/stand-in-state.ts';

const POOL = { type: 'IPAMPOOL', region: 'cn-hangzhou', id: 'ipam-pool-1', tags: { a: '1', b: '2' } };
const POOL_SH = { ...POOL, region: 'cn-shanghai' };

let emu: Emulator;
let state: StandInState;
const client = (readTimeout = 5_000) =>
  sdkClient(
    emu.endpoint,
    { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret },
    { readTimeout, connectTimeout: readTimeout },
  );

const list = (region = 'cn-hangzhou', c = client()) =>
  sdkCall(c, 'VpcIpam', 'ListTagResources', {
    RegionId: region,
    ResourceType: 'IPAMPOOL',
    ResourceId: ['ipam-pool-1'],
  });
const untag = (keys: string[], c = client(), readTimeout?: number) =>
  sdkCall(
    c,
    'VpcIpam',
    'UntagResources',
    { RegionId: 'cn-hangzhou', ResourceType: 'IPAMPOOL', ResourceId: ['ipam-pool-1'], TagKey: keys },
    readTimeout ? { readTimeout } : {},
  );
const tags = () => emu.admin.list({ type: 'IPAMPOOL', region: 'cn-hangzhou' })[0]!.tags;

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    return (error as { code?: string }).code ?? (error as Error).name;
  }
}

async function failure(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('the call succeeded');
}

beforeAll(async () => {
  state = createStandInState();
  emu = await startEmulator({ state });
});
afterAll(() => emu.close());
beforeEach(async () => {
  await emu.admin.reset();
  emu.admin.upsert([POOL, POOL_SH]);
});

describe('rate quotas', () => {
  it('throttles past the published rate with Throttling.User, seen by the SDK as ThrottlingError', async () => {
    // VpcIpam ListTagResources: 300/60 s = 5/s, so the bucket holds 5 calls.
    const c = client();
    // Sent at once so no token refills meanwhile (one comes back every 200 ms).
    const results = await Promise.all(Array.from({ length: 8 }, () => outcome(list('cn-hangzhou', c))));
    expect(results.sort()).toEqual([
      'OK',
      'OK',
      'OK',
      'OK',
      'OK',
      'Throttling.User',
      'Throttling.User',
      'Throttling.User',
    ]);
    const error = await failure(list('cn-hangzhou', c));
    expect(error.name).toBe('ThrottlingError');
    expect(error.statusCode).toBe(400);
    expect(error.data.Message).toBe('Request was denied due to user flow control.');
    expect(emu.admin.stats().byAction['VpcIpam:ListTagResources']).toEqual({ ok: 5, 'Throttling.User': 4 });
  });

  it('keeps one bucket per region and per API, and refills at the rate', async () => {
    const c = client();
    await Promise.all(Array.from({ length: 6 }, () => outcome(list('cn-hangzhou', c))));
    expect(await outcome(list('cn-hangzhou', c))).toBe('Throttling.User');
    expect(await outcome(list('cn-shanghai', c))).toBe('OK');
    expect(await outcome(untag(['a'], c))).toBe('OK');
    await new Promise((r) => setTimeout(r, 250)); // 5/s: one token back after 200 ms
    expect(await outcome(list('cn-hangzhou', c))).toBe('OK');
  });

  it('follows PUT /__admin/quotas: per-API figures, scale, and off', async () => {
    const put = (body: unknown) =>
      fetch(`${emu.url}/__admin/quotas`, { method: 'PUT', body: JSON.stringify(body) }).then(
        (r) => r.json() as Promise<any>,
      );
    const view = await put({ perMinute: { 'VpcIpam:ListTagResources': 120 } });
    expect(view.perMinute['VpcIpam:ListTagResources']).toBe(120);
    const c = client();
    expect([
      await outcome(list('cn-hangzhou', c)),
      await outcome(list('cn-hangzhou', c)),
      await outcome(list('cn-hangzhou', c)),
    ]).toEqual(['OK', 'OK', 'Throttling.User']);
    await put({ scale: 3 }); // 120 x 3 per minute = 6/s
    const six: string[] = [];
    for (let i = 0; i < 7; i++) six.push(await outcome(list('cn-hangzhou', c)));
    expect(six.filter((o) => o === 'OK')).toHaveLength(6);
    await put({ enabled: false });
    for (let i = 0; i < 20; i++) expect(await outcome(list('cn-hangzhou', c))).toBe('OK');
  });
});

describe('scripted faults', () => {
  const setFaults = (rules: FaultRule[], seed?: number) =>
    fetch(`${emu.url}/__admin/faults`, {
      method: 'PUT',
      body: JSON.stringify({ rules, ...(seed === undefined ? {} : { seed }) }),
    });

  beforeEach(() => emu.admin.setQuotas({ enabled: false }));

  it('adds fixed latency plus jitter to matching calls only', async () => {
    await setFaults([{ kind: 'latency', action: 'ListTagResources', ms: 300, jitterMs: 100 }]);
    const c = client();
    let t = performance.now();
    await list('cn-hangzhou', c);
    const slowed = performance.now() - t;
    expect(slowed).toBeGreaterThanOrEqual(295);
    expect(slowed).toBeLessThan(1_000);
    t = performance.now();
    await untag(['a'], c);
    expect(performance.now() - t).toBeLessThan(290);
  });

  it('answers InternalError 500 by default, ServiceUnavailable 503, or any code and status, without applying', async () => {
    await setFaults([
      { kind: 'error', count: 1 },
      { kind: 'error', code: 'ServiceUnavailable', count: 1 },
      { kind: 'error', code: 'Throttling.User', count: 1 },
    ]);
    const internal = await failure(untag(['a']));
    expect([internal.name, internal.statusCode, internal.code]).toEqual(['ServerError', 500, 'InternalError']);
    const unavailable = await failure(untag(['a']));
    expect([unavailable.name, unavailable.statusCode, unavailable.code]).toEqual([
      'ServerError',
      503,
      'ServiceUnavailable',
    ]);
    const throttled = await failure(untag(['a']));
    expect([throttled.name, throttled.statusCode]).toEqual(['ThrottlingError', 400]);
    expect(state.applied).toHaveLength(0);
    expect(await outcome(untag(['a']))).toBe('OK'); // count exhausted
    expect(tags()).toEqual({ b: '2' });
  });

  it('fails the same calls again when the same seed is set again (reproducible rates)', async () => {
    const run = async () => {
      await setFaults([{ kind: 'error', rate: 0.5 }], 42);
      const c = client();
      const seen: string[] = [];
      for (let i = 0; i < 16; i++) seen.push(await outcome(list('cn-hangzhou', c)));
      return seen;
    };
    const first = await run();
    expect(first).toContain('OK');
    expect(first).toContain('InternalError');
    expect(await run()).toEqual(first);
  });

  it('resets the connection before processing: a network error, nothing applied', async () => {
    await setFaults([{ kind: 'reset', count: 1 }]);
    const error = await failure(untag(['a']));
    expect(error.code).toBe('ECONNRESET');
    expect(error.statusCode).toBeUndefined();
    expect(tags()).toEqual({ a: '1', b: '2' });
    expect(emu.admin.requests({ code: 'ConnectionReset' })).toHaveLength(1);
  });

  it('applies a write and then drops the answer (applied-then-lost); reads are not affected', async () => {
    await setFaults([{ kind: 'applied-then-lost' }]);
    expect(await outcome(list())).toBe('OK');
    const error = await failure(untag(['a']));
    expect([error.code, error.statusCode]).toEqual(['ECONNRESET', undefined]);
    expect(tags()).toEqual({ b: '2' });
    expect(emu.admin.stats().byAction['VpcIpam:UntagResources']).toEqual({ AppliedThenLost: 1 });
  });

  it('answers after the client read timeout (slow): the SDK times out, the write is applied', async () => {
    await setFaults([{ kind: 'slow', ms: 1_200, count: 1 }]);
    const t = performance.now();
    const error = await failure(untag(['a'], client(400), 400));
    expect(error.name).toBe('RequestTimeoutError');
    expect(performance.now() - t).toBeLessThan(1_100);
    expect(tags()).toEqual({ b: '2' });
  });

  it('a retry with the same ClientToken after applied-then-lost replays the answer, applied once', async () => {
    emu.admin.upsert([{ type: 'PeerConnection', region: 'cn-hangzhou', id: 'pcc-1', tags: { a: '1' } }]);
    await setFaults([{ kind: 'applied-then-lost', product: 'VpcPeer', count: 1 }]);
    const call = () =>
      sdkCall(client(), 'VpcPeer', 'UnTagResources', {
        RegionId: 'cn-hangzhou',
        ResourceType: 'PeerConnection',
        ResourceId: ['pcc-1'],
        TagKey: ['a'],
        ClientToken: 'retry-me',
      });
    expect((await failure(call())).statusCode).toBeUndefined();
    const retry = await call();
    expect(retry.body.Success).toBe(true);
    expect(state.applied).toHaveLength(1);
  });

  it('matches rules by product, action and region', async () => {
    await setFaults([{ kind: 'error', product: 'VpcIpam', action: 'ListTagResources', region: 'cn-shanghai' }]);
    expect(await outcome(list('cn-hangzhou'))).toBe('OK');
    expect(await outcome(list('cn-shanghai'))).toBe('InternalError');
    expect(await outcome(untag(['a']))).toBe('OK');
    await setFaults([]);
    expect(await outcome(list('cn-shanghai'))).toBe('OK');
  });
});
