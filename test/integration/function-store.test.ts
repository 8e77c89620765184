/**
 * The built function (the CommonJS bundle FC runs) and its run store: it refuses to write without one
 * unless VPC_TAG_CLEANUP_STORE=none says so (and then warns on every run); with `oss://bucket/prefix`
 * it journals to OSS (here the emulator's, signed with the invocation context's STS credentials), and
 * `restoreRun` from that store gives the original state back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { createCloudPort } from '../../lib/cloud/client.ts';
import { restoreRun } from '../../lib/restore/restore.ts';
import { createOssStore } from '../../lib/store/oss.ts';
import { type BuiltBundle, buildBundle, callCounts, fcContext, tagsOf } from './support/function-bundle.ts';

let h: Emulator;
let bundle: BuiltBundle;
beforeAll(async () => {
  [h, bundle] = await Promise.all([startEmulator({ seed: 'none', ossBuckets: ['fn-runs'] }), buildBundle()]);
  process.env.VPC_TAG_CLEANUP_ENDPOINT = h.endpoint;
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
}, 120_000);
afterAll(async () => {
  delete process.env.VPC_TAG_CLEANUP_ENDPOINT;
  vi.restoreAllMocks();
  await h?.close();
});
afterEach(() => {
  delete process.env.VPC_TAG_CLEANUP_STORE;
});

const seeds = [
  { type: 'IPAMPOOL', region: 'cn-hangzhou', id: 'ipam-pool-fs1', tags: { tmp: 'a', keep: 'k' } },
  { type: 'PeerConnection', region: 'cn-hangzhou', id: 'pcc-fs2', tags: { tmp: 'b' } },
];
const policy = {
  name: 'fn-store',
  regions: ['cn-hangzhou'],
  resourceTypes: ['IPAMPOOL', 'PeerConnection'],
  remove: { keys: ['tmp'] },
};
const invoke = (payload: unknown) => bundle.handler(Buffer.from(JSON.stringify(payload)), fcContext(h));

describe('the function and its run store', () => {
  it('refuses a run that would write when no store is configured, with zero cloud calls', async () => {
    await h.admin.reset();
    h.admin.upsert(seeds);
    const report = await invoke({ policy, runId: 'fs-none' });
    expect(report).toMatchObject({ ok: false, error: { code: 'STORE_REQUIRED' } });
    expect(report.error.message).toContain('VPC_TAG_CLEANUP_STORE');
    expect((await callCounts(h)).total).toBe(0);
    // A dry run needs no store.
    const dry = await invoke({ policy: { ...policy, dryRun: true }, runId: 'fs-dry' });
    expect(dry.ok).toBe(true);
  });

  it('runs without a journal when told VPC_TAG_CLEANUP_STORE=none, and warns', async () => {
    await h.admin.reset();
    h.admin.upsert(seeds);
    process.env.VPC_TAG_CLEANUP_STORE = 'none';
    const report = await invoke({ policy, runId: 'fs-off' });
    expect(report.ok).toBe(true);
    expect(report.warnings?.[0]).toMatch(/cannot be restored/);
  });

  it('journals to OSS with the context credentials, and the run restores from there', async () => {
    await h.admin.reset();
    h.admin.upsert(seeds);
    process.env.VPC_TAG_CLEANUP_STORE = 'oss://fn-runs/vpc-tag-cleanup';
    const report = await invoke({ policy, runId: 'fs-oss' });
    expect(report).toMatchObject({ ok: true, store: 'oss://fn-runs/vpc-tag-cleanup', totals: { untagged: 2 } });
    expect((await tagsOf(h, 'IPAMPOOL', 'cn-hangzhou'))['ipam-pool-fs1']).toEqual({ keep: 'k' });
    const keys = h.oss.objects('fn-runs', 'vpc-tag-cleanup/fs-oss/').map((o) => o.key);
    expect(keys).toContain('vpc-tag-cleanup/fs-oss/report.json');
    expect(keys.some((k) => k.startsWith('vpc-tag-cleanup/fs-oss/journal/'))).toBe(true);

    const creds = { accessKeyId: h.accessKeyId, accessKeySecret: h.accessKeySecret };
    const store = createOssStore({
      bucket: 'fn-runs',
      prefix: 'vpc-tag-cleanup',
      location: 'oss://fn-runs/vpc-tag-cleanup',
      ...creds,
      endpoint: h.url,
    });
    const r = await restoreRun(
      { runId: 'fs-oss', store },
      { cloud: createCloudPort({ credentials: creds, endpoint: h.endpoint }) },
    );
    expect(r.totals).toMatchObject({ restored: 2, failed: 0 });
    expect((await tagsOf(h, 'IPAMPOOL', 'cn-hangzhou'))['ipam-pool-fs1']).toEqual({ tmp: 'a', keep: 'k' });
    expect((await tagsOf(h, 'PeerConnection', 'cn-hangzhou'))['pcc-fs2']).toEqual({ tmp: 'b' });
  });

  it('reports each id of match.resourceIds it never met as RESOURCE_NOT_FOUND (ok: false), as the CLI does', async () => {
    await h.admin.reset();
    h.admin.upsert(seeds);
    process.env.VPC_TAG_CLEANUP_STORE = 'oss://fn-runs/ids';
    const named = { ...policy, match: { resourceIds: ['ipam-pool-fs1', 'ipam-pool-typo'] } };
    const report = await invoke({ policy: named, runId: 'fs-ids' });
    expect(report).toMatchObject({ ok: false, totals: { untagged: 1 } });
    expect(report.errors).toEqual([expect.objectContaining({ code: 'RESOURCE_NOT_FOUND', ids: ['ipam-pool-typo'] })]);
    expect(report.errors[0].message).toContain('match.resourceIds[1]');
    // The stored report says so too.
    const oss = createOssStore({
      bucket: 'fn-runs',
      prefix: 'ids',
      location: 'oss://fn-runs/ids',
      accessKeyId: h.accessKeyId,
      accessKeySecret: h.accessKeySecret,
      endpoint: h.url,
    });
    const stored = JSON.parse((await oss.get('fs-ids/report.json')) ?? '{}');
    expect(stored.errors.map((e: { code: string }) => e.code)).toEqual(['RESOURCE_NOT_FOUND']);
    const all = { ...policy, match: { resourceIds: ['ipam-pool-fs1'] } };
    await h.admin.reset();
    h.admin.upsert(seeds);
    expect(await invoke({ policy: all, runId: 'fs-ids-2' })).toMatchObject({ ok: true, errors: [] });
  });

  it('answers a store location it cannot use with INVALID_STORE, never a throw', async () => {
    process.env.VPC_TAG_CLEANUP_STORE = 's3://elsewhere/x';
    const report = await invoke({ policy, runId: 'fs-bad' });
    expect(report).toMatchObject({ ok: false, error: { code: 'INVALID_STORE' } });
  });
});
