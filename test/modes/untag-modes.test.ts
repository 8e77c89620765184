/**
 * The emulator's two untag switches, through the official SDK: `untagAbsentKey` (a named key a resource
 * lacks: ignored, or the whole call refused with the product's tag-key code and nothing applied) and
 * `vanishedInBatch` (an id that no longer exists: nothing applied, or the others changed before the
 * not-found answer), for each product.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { sdkCall, sdkClient, type VpcClient } from '../support/sdk.ts';

let emu: Emulator;
let client: VpcClient;
beforeAll(async () => {
  emu = await startEmulator({ seed: 'none', quotas: false });
  client = sdkClient(emu.endpoint, { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret });
});
afterAll(async () => {
  await emu?.close();
});
beforeEach(async () => {
  await admin('POST', '/__admin/reset', {});
});

async function admin(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function tagsOf(type: string): Promise<Record<string, Record<string, string>>> {
  const { resources } = await admin('GET', `/__admin/resources?type=${type}`);
  return Object.fromEntries(resources.map((r: { id: string; tags: Record<string, string> }) => [r.id, r.tags]));
}

const R = 'cn-hangzhou';
const CASES = [
  { product: 'VpcIpam', action: 'UntagResources', type: 'IPAM', prefix: 'ipam-', keyCode: 'IllegalParam.TagKey' },
  {
    product: 'VpcPeer',
    action: 'UnTagResources',
    type: 'PeerConnection',
    prefix: 'pcc-',
    keyCode: 'IllegalParam.TagKey',
  },
  { product: 'Vpc', action: 'UnTagResources', type: 'VPC', prefix: 'vpc-', keyCode: 'InvalidTagKey' },
] as const;

async function untag(c: (typeof CASES)[number], ids: string[], keys: string[]) {
  try {
    const res = await sdkCall(client, c.product, c.action, {
      RegionId: R,
      ResourceType: c.type,
      ResourceId: ids,
      TagKey: keys,
    });
    return { ok: true as const, status: res.statusCode };
  } catch (e) {
    const err = e as { code?: string; statusCode?: number; data?: { statusCode?: number } };
    return { ok: false as const, code: err.code, status: err.statusCode ?? err.data?.statusCode };
  }
}

describe.each(CASES)('untag switches on $product', (c) => {
  const a = `${c.prefix}a`;
  const b = `${c.prefix}b`;
  const gone = `${c.prefix}gone`;
  const seed = () =>
    admin('POST', '/__admin/resources', {
      resources: [
        { type: c.type, region: R, id: a, tags: { x: '1', y: '2', keep: 'k' } },
        { type: c.type, region: R, id: b, tags: { x: '1', keep: 'k' } },
      ],
    });

  it('untagAbsentKey=noop ignores a named key a resource lacks', async () => {
    await admin('PUT', '/__admin/behaviour', { untagAbsentKey: 'noop' });
    await seed();
    expect((await untag(c, [a, b], ['x', 'y'])).ok).toBe(true);
    expect(await tagsOf(c.type)).toEqual({ [a]: { keep: 'k' }, [b]: { keep: 'k' } });
  });

  it('untagAbsentKey=error refuses the whole call with HTTP 400 and the tag-key code, nothing applied', async () => {
    await admin('PUT', '/__admin/behaviour', { untagAbsentKey: 'error' });
    await seed();
    expect(await untag(c, [a, b], ['x', 'y'])).toMatchObject({ ok: false, code: c.keyCode, status: 400 });
    expect(await tagsOf(c.type)).toEqual({ [a]: { x: '1', y: '2', keep: 'k' }, [b]: { x: '1', keep: 'k' } });
    // Keys every resource carries still go.
    expect((await untag(c, [a, b], ['x'])).ok).toBe(true);
    expect(await tagsOf(c.type)).toEqual({ [a]: { y: '2', keep: 'k' }, [b]: { keep: 'k' } });
  });

  it('vanishedInBatch=reject answers not-found and applies nothing', async () => {
    await admin('PUT', '/__admin/behaviour', { vanishedInBatch: 'reject' });
    await seed();
    const res = await untag(c, [a, gone, b], ['x']);
    expect(res.ok).toBe(false);
    expect(res.code).toMatch(/NotFound/);
    expect(await tagsOf(c.type)).toEqual({ [a]: { x: '1', y: '2', keep: 'k' }, [b]: { x: '1', keep: 'k' } });
  });

  it('vanishedInBatch=partial changes the ids that exist, then answers not-found', async () => {
    await admin('PUT', '/__admin/behaviour', { vanishedInBatch: 'partial' });
    await seed();
    const res = await untag(c, [a, gone, b], ['x']);
    expect(res.ok).toBe(false);
    expect(res.code).toMatch(/NotFound/);
    expect(await tagsOf(c.type)).toEqual({ [a]: { y: '2', keep: 'k' }, [b]: { keep: 'k' } });
  });
});
