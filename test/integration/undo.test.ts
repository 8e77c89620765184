/**
 * Undo end to end on the emulator through the real SDKs: a journaled run, then `restoreRun`, gives back
 * the exact original state on every product (values included); conflicts, the tag limit and vanished
 * resources are reported; the report carries removed values; a store that fails mid-run stops the
 * writes with a clear error, and nothing removed is lost (restore brings every removed value back).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJournaled } from '../../lib/journal/journaled-run.ts';
import { readJournal } from '../../lib/journal/reader.ts';
import type { Policy } from '../../lib/policy/schema.ts';
import { restoreRun } from '../../lib/restore/restore.ts';
import { createLocalStore } from '../../lib/store/local.ts';
import { createOssStore } from '../../lib/store/oss.ts';
import type { RunStore } from '../../lib/store/port.ts';
import { many, type Seed, TEST_LIMITS, useHarness } from './support/engine-harness.ts';

const h = useHarness();
const R1 = 'cn-hangzhou';
const R2 = 'cn-shanghai';

const freshStore = () => createLocalStore(mkdtempSync(join(tmpdir(), 'vtc-undo-')));
const deps = () => ({ cloud: h.cloud, limits: { ...TEST_LIMITS, maxIdsPerCall: 5 }, quotaScale: 50 });
const stateOf = (seeds: Seed[]) => Object.fromEntries(seeds.map((s) => [s.id, s.tags]));

function world(): Seed[] {
  return [
    ...many('IPAM', R1, 'ipam-u', 6, (i) => ({
      CostCenter: `cc-${i}`,
      keep: 'k',
      ...(i % 2 ? { 'tmp-a': 'x y' } : {}),
    })),
    ...many('IPAMSCOPE', R1, 'ipam-scope-u', 4, (i) => ({ CostCenter: '', 'tmp-b': `標籤${i}` })),
    ...many('IPAMPOOL', R2, 'ipam-pool-u', 9, (i) => ({ CostCenter: 'shared', owner: 'net', n: String(i) })),
    ...many('PeerConnection', R1, 'pcc-u', 7, (i) => ({ CostCenter: `p${i % 3}`, 'tmp-c': 'v', env: 'dev' })),
    ...many('VPC', R2, 'vpc-u', 5, (i) => ({ CostCenter: `v${i}`, 'tmp-d': '=,;', team: 't' })),
    ...many('VSWITCH', R1, 'vsw-u', 5, (i) => ({ CostCenter: `s${i}`, team: 't' })),
  ];
}

const POLICY: Policy = {
  name: 'undo-all-products',
  regions: [R1, R2],
  resourceTypes: ['IPAM', 'IPAMSCOPE', 'IPAMPOOL', 'PeerConnection', 'VPC', 'VSWITCH'],
  remove: { keys: ['CostCenter'], keyPatterns: ['^tmp-'] },
  protect: { keys: ['keep'] },
  dryRun: false,
} as Policy;

const dropped = (s: Seed) => Object.keys(s.tags).filter((k) => k === 'CostCenter' || k.startsWith('tmp-'));
const afterRun = (seeds: Seed[]) =>
  Object.fromEntries(
    seeds.map((s) => [s.id, Object.fromEntries(Object.entries(s.tags).filter(([k]) => !dropped(s).includes(k)))]),
  );

describe('a journaled run, then restore', () => {
  it('gives back the exact original state on every product, and the report carries the removed values', async () => {
    const seeds = world();
    await h.seed(seeds);
    const store = freshStore();
    const { report, full } = await runJournaled(
      { policy: POLICY, runId: 'undo-1' },
      { ...deps(), retainOutcomes: true },
      { store },
    );
    expect(report.ok).toBe(true);
    expect(await h.state()).toEqual(afterRun(seeds));
    // Values in the report: every untagged outcome names what each removed key held.
    const byId = new Map(seeds.map((s) => [s.id, s]));
    for (const o of full.filter((x) => x.status === 'untagged')) {
      const s = byId.get(o.id) as Seed;
      expect(o.values).toEqual(Object.fromEntries(o.keys.map((k) => [k, s.tags[k]])));
    }
    expect(full.filter((o) => o.status === 'untagged')).toHaveLength(seeds.length);
    expect(report.store).toBe(store.location);

    const restored = await restoreRun({ runId: 'undo-1', store }, deps());
    expect(restored.ok).toBe(true);
    expect(await h.state()).toEqual(stateOf(seeds));
    expect(restored.totals).toMatchObject({ restored: seeds.length, failed: 0, skipped: 0 });
    // Lower bound: Σ over (region, type, distinct tag set) of ⌈resources ÷ 5⌉ (maxIdsPerCall 5 here).
    const sets = new Map<string, number>();
    for (const s of seeds) {
      const set = JSON.stringify(
        dropped(s)
          .sort()
          .map((k) => [k, s.tags[k]]),
      );
      const g = `${s.region}|${s.type}|${set}`;
      sets.set(g, (sets.get(g) ?? 0) + 1);
    }
    const bound = [...sets.values()].reduce((a, n) => a + Math.ceil(n / 5), 0);
    expect(restored.totals.calls.tag).toBe(bound);

    const again = await restoreRun({ runId: 'undo-1', store }, deps());
    expect(again.totals).toMatchObject({ restored: 0, calls: { tag: 0 } });
    expect(await h.state()).toEqual(stateOf(seeds));
  });

  it('reports conflicts, the tag limit and vanished resources, and restores the rest', async () => {
    const seeds: Seed[] = [
      { type: 'IPAMPOOL', region: R1, id: 'ipam-pool-c1', tags: { CostCenter: 'a', 'tmp-x': '1' } },
      { type: 'PeerConnection', region: R1, id: 'pcc-c2', tags: { CostCenter: 'b' } },
      { type: 'VPC', region: R1, id: 'vpc-c3', tags: { CostCenter: 'c' } },
      { type: 'VSWITCH', region: R1, id: 'vsw-c4', tags: { CostCenter: 'd', team: 't' } },
    ];
    await h.seed(seeds);
    const store = freshStore();
    await runJournaled({ policy: { ...POLICY, regions: [R1] }, runId: 'undo-2' }, deps(), { store });
    // Meanwhile: the pool's CostCenter is set again to another value, the peer connection fills up to
    // 20 tags, the VPC is deleted.
    await h.seed([
      { type: 'IPAMPOOL', region: R1, id: 'ipam-pool-c1', tags: { CostCenter: 'new' } },
      {
        type: 'PeerConnection',
        region: R1,
        id: 'pcc-c2',
        tags: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, 'x'])),
      },
    ]);
    await h.remove([{ type: 'VPC', region: R1, id: 'vpc-c3' }]);
    const r = await restoreRun({ runId: 'undo-2', store }, deps());
    const by = Object.fromEntries(r.resources.map((o) => [o.id, o]));
    expect(by['ipam-pool-c1']).toMatchObject({
      status: 'restored',
      tags: { 'tmp-x': '1' },
      conflicts: [{ key: 'CostCenter', removed: 'a', current: 'new' }],
    });
    expect(by['pcc-c2']).toMatchObject({ status: 'skipped', reason: 'tag-limit', tagCount: 20 });
    expect(by['vpc-c3']).toMatchObject({ status: 'skipped', reason: 'not-found' });
    expect(by['vsw-c4']).toMatchObject({ status: 'restored', tags: { CostCenter: 'd' } });
    const state = await h.state();
    expect(state['ipam-pool-c1']).toEqual({ CostCenter: 'new', 'tmp-x': '1' });
    expect(state['vsw-c4']).toEqual({ CostCenter: 'd', team: 't' });
  });

  it('names every key in the untag call under a journal, even for remove.all (no All=true)', async () => {
    const seeds = many('IPAM', R1, 'ipam-all', 3, (i) => ({ a: String(i), b: 'x' }));
    await h.seed(seeds);
    const store = freshStore();
    await runJournaled(
      {
        policy: {
          ...POLICY,
          regions: [R1],
          resourceTypes: ['IPAM'],
          remove: { all: true },
          protect: undefined,
        } as Policy,
        runId: 'undo-all',
      },
      deps(),
      { store },
    );
    const calls = await h.requests({ action: 'UntagResources' });
    expect(calls.length).toBeGreaterThan(0);
    for (const c of calls) expect(c.params.All).toBeUndefined();
    expect(await h.state()).toEqual(Object.fromEntries(seeds.map((s) => [s.id, {}])));
    await restoreRun({ runId: 'undo-all', store }, deps());
    expect(await h.state()).toEqual(stateOf(seeds));
  });
});

/** A store that fails every put after the first `ok` ones (a disk filling up, a revoked permission). */
function failingAfter(inner: RunStore, ok: number): RunStore & { puts: number } {
  const s = {
    location: inner.location,
    puts: 0,
    async put(key: string, body: string) {
      if (++s.puts > ok) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      return inner.put(key, body);
    },
    get: (key: string) => inner.get(key),
    list: (prefix: string) => inner.list(prefix),
  };
  return s;
}

describe('a run whose store fails mid-run', () => {
  const cases: Array<[string, () => RunStore & { puts?: number }, () => void]> = [
    // The run record and one group of records go; the next write fails (the run's listing overlaps the
    // first write, so a group can hold all that queued meanwhile: the third write is already mid-run).
    ['local directory', () => failingAfter(freshStore(), 2), () => {}],
    [
      'OSS on the emulator',
      () => {
        h.emu.oss.createBucket('undo-runs');
        h.emu.oss.setFault({ deny: 'PutObject', after: 2 });
        return createOssStore({
          bucket: 'undo-runs',
          prefix: `fail-${Date.now()}`,
          location: 'oss://undo-runs/fail',
          accessKeyId: h.emu.accessKeyId,
          accessKeySecret: h.emu.accessKeySecret,
          endpoint: h.emu.url,
        });
      },
      () => h.emu.oss.setFault({}),
    ],
  ];
  it.each(cases)('stops writing with a clear error and loses nothing (%s)', async (_name, makeStore, clear) => {
    // 160 resources in calls of 2: more batches than the journal lets wait at once (64), and slow untag
    // calls, so the journal is written group after group while the run goes.
    const seeds = many('IPAMPOOL', R1, 'ipam-pool-f', 160, (i) => ({ CostCenter: `c${i}`, keep: 'k' }));
    await h.seed(seeds);
    await h.faults({ rules: [{ kind: 'latency', product: 'VpcIpam', action: 'UntagResources', ms: 3 }] });
    const store = makeStore();
    const policy = { ...POLICY, regions: [R1], resourceTypes: ['IPAMPOOL'] } as Policy;
    const { report } = await runJournaled(
      { policy: { ...policy, limits: { concurrency: 1 } }, runId: 'undo-fail' },
      { ...deps(), tuning: { ...TEST_LIMITS, maxIdsPerCall: 2 } },
      { store },
    );
    clear();
    await h.faults({ rules: [] });
    expect(report.ok).toBe(false);
    const failed = report.resources.filter((o) => o.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((o) => o.code === 'JOURNAL_FAILED')).toBe(true);
    expect(report.errors.some((e) => e.code === 'JOURNAL_FAILED' && /ENOSPC|AccessDenied/.test(e.message))).toBe(true);
    // Some went before the failure, and none after it: the untag calls sent all have their record.
    const untags = await h.requests({ action: 'UntagResources' });
    expect(untags.length).toBeGreaterThan(0);
    expect(untags.length).toBeLessThan(80);
    const journal = await readJournal(store, 'undo-fail');
    const journaled = new Set(journal.intents.flatMap((i) => i.resources.map((r) => r.id)));
    for (const call of untags)
      for (const [k, id] of Object.entries(call.params))
        if (k.startsWith('ResourceId.')) expect(journaled.has(id)).toBe(true);
    // Loses nothing: restore gives back every value that went.
    const r = await restoreRun({ runId: 'undo-fail', store }, deps());
    expect(r.totals.failed).toBe(0);
    expect(await h.state()).toEqual(stateOf(seeds));
  });

  it('refuses to write when the store cannot be written at all: no untag call, the run stops at once', async () => {
    const seedsZ = many('IPAMPOOL', R1, 'ipam-pool-z', 3, () => ({ CostCenter: 'x' }));
    await h.seed(seedsZ);
    const { report } = await runJournaled(
      { policy: { ...POLICY, regions: [R1], resourceTypes: ['IPAMPOOL'] } as Policy, runId: 'undo-zero' },
      deps(),
      { store: failingAfter(freshStore(), 0) },
    );
    expect(report).toMatchObject({ ok: false, error: { code: 'STORE_UNAVAILABLE' } });
    expect(report.error?.message).toMatch(/no tag was removed.*ENOSPC/);
    // The store's first write overlaps the listing (it may have begun), never a write call.
    const stats = await h.stats();
    expect(Object.keys(stats.byAction).filter((api) => /:Un[Tt]agResources$/.test(api))).toEqual([]);
    expect(stats.total).toBeLessThanOrEqual(1);
    expect(await h.state()).toEqual(stateOf(seedsZ));
  });
});

describe("the journal's first write", () => {
  it('overlaps the listing, and no untag call goes before it is durable', async () => {
    const seeds = many('IPAMPOOL', R1, 'ipam-pool-o', 10, (i) => ({ CostCenter: `o${i}` }));
    await h.seed(seeds);
    const inner = freshStore();
    const callsAt: { list: number; untag: number }[] = [];
    // A store slow to take its first object (an OSS client still loading, a cold connection).
    let first = true;
    const slow: RunStore = {
      location: inner.location,
      async put(key, body) {
        if (first) {
          first = false;
          await new Promise((r) => setTimeout(r, 400));
          const { byAction } = await h.stats();
          const count = (re: RegExp) =>
            Object.entries(byAction)
              .filter(([api]) => re.test(api))
              .reduce((n, [, byCode]) => n + Object.values(byCode).reduce((a, b) => a + b, 0), 0);
          callsAt.push({ list: count(/:(List|Describe)[A-Za-z]+$/), untag: count(/:UntagResources$/) });
        }
        return inner.put(key, body);
      },
      get: (key) => inner.get(key),
      list: (prefix) => inner.list(prefix),
    };
    const { report } = await runJournaled(
      { policy: { ...POLICY, regions: [R1], resourceTypes: ['IPAMPOOL'] } as Policy, runId: 'undo-overlap' },
      deps(),
      { store: slow },
    );
    expect(report).toMatchObject({ ok: true, totals: { untagged: 10 } });
    // When the first write became durable, the listing had gone on meanwhile, and no write had been sent.
    expect(callsAt).toHaveLength(1);
    expect(callsAt[0]?.list).toBeGreaterThan(0);
    expect(callsAt[0]?.untag).toBe(0);
    const journal = await readJournal(inner, 'undo-overlap');
    expect(new Set(journal.intents.flatMap((i) => i.resources.map((r) => r.id)))).toEqual(
      new Set(seeds.map((s) => s.id)),
    );
  });
});
