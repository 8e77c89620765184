/**
 * `restoreRun` against the emulator through the real SDK, from a journal written by the journal writer:
 * every removed value comes back on every product; a key that is back with another value is a conflict
 * (left as it is, both values reported); the tag limit and vanished resources are skipped; a second
 * restore changes nothing; resources with the same tags share TagResources calls.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ProductId, productOf, type ResourceType } from '../../lib/catalog.ts';
import { createJournal } from '../../lib/journal/writer.ts';
import { restoreRun } from '../../lib/restore/restore.ts';
import { createLocalStore } from '../../lib/store/local.ts';
import type { RunStore } from '../../lib/store/port.ts';
import type { UntagBatch } from '../../lib/types.ts';
import { type Seed, TEST_LIMITS, useHarness } from './support/engine-harness.ts';

const h = useHarness();
const R = 'cn-hangzhou';

/** Journals that `removed` went from the seeds, as a run would have before its calls. */
async function journalOf(store: RunStore, runId: string, before: Seed[], removed: Record<string, string[]>) {
  const j = createJournal({ store, runId, policy: 'test' });
  const byUnit = new Map<string, Seed[]>();
  for (const s of before) {
    if (!removed[s.id]) continue;
    const u = `${s.region}|${s.type}`;
    byUnit.set(u, [...(byUnit.get(u) ?? []), s]);
  }
  const waits: Promise<void>[] = [];
  for (const seeds of byUnit.values()) {
    const first = seeds[0] as Seed;
    const batch: UntagBatch = {
      product: productOf(first.type as ResourceType) as ProductId,
      region: first.region,
      type: first.type as ResourceType,
      ids: seeds.map((s) => s.id),
      keys: [...new Set(seeds.flatMap((s) => removed[s.id] ?? []))].sort(),
      removes: Object.fromEntries(seeds.map((s) => [s.id, removed[s.id] ?? []])),
    };
    waits.push(j.intend(batch, (id) => seeds.find((s) => s.id === id)?.tags));
  }
  await Promise.all(waits);
  await j.close();
}

const without = (tags: Record<string, string>, keys: string[]) =>
  Object.fromEntries(Object.entries(tags).filter(([k]) => !keys.includes(k)));

const freshStore = () => createLocalStore(mkdtempSync(join(tmpdir(), 'vtc-restore-')));

describe('restoreRun', () => {
  it('puts every removed value back on every product, sharing calls among resources with the same tags', async () => {
    const before: Seed[] = [
      ...Array.from({ length: 25 }, (_, i) => ({
        type: 'IPAMPOOL',
        region: R,
        id: `ipam-pool-${i}`,
        tags: { CostCenter: 'cc1', 'tmp-x': `v${i % 2}`, keep: 'k' },
      })),
      { type: 'IPAM', region: R, id: 'ipam-1', tags: { CostCenter: '标签 value', keep: 'k' } },
      ...Array.from({ length: 3 }, (_, i) => ({
        type: 'PeerConnection',
        region: R,
        id: `pcc-${i}`,
        tags: { CostCenter: 'cc2', env: 'dev' },
      })),
      { type: 'VPC', region: 'cn-shanghai', id: 'vpc-1', tags: { CostCenter: '', owner: 'a' } },
      { type: 'VSWITCH', region: R, id: 'vsw-1', tags: { CostCenter: 'cc3' } },
    ];
    const removed: Record<string, string[]> = {};
    for (const s of before) removed[s.id] = Object.keys(s.tags).filter((k) => k !== 'keep' && k !== 'owner');
    await h.seed(before.map((s) => ({ ...s, tags: without(s.tags, removed[s.id] ?? []) })));
    const store = freshStore();
    await journalOf(store, 'run-all', before, removed);

    const report = await restoreRun(
      { runId: 'run-all', store },
      { cloud: h.cloud, limits: TEST_LIMITS, quotaScale: 50 },
    );
    expect(report.ok).toBe(true);
    expect(await h.state()).toEqual(Object.fromEntries(before.map((s) => [s.id, s.tags])));
    expect(report.totals).toMatchObject({ resources: before.length, restored: before.length, skipped: 0, failed: 0 });
    // Distinct (region, type, tag set): pools tmp-x=v0 (13 -> 1 call), tmp-x=v1 (12 -> 1), IPAM, Peer, VPC, VSWITCH.
    expect(report.totals.calls.tag).toBe(6);
    const peerCalls = await h.requests({ action: 'TagResources', product: 'VpcPeer' });
    expect(peerCalls).toHaveLength(1);
    expect(peerCalls[0]?.params.ClientToken).toMatch(/^[0-9a-f]{64}$/);

    const again = await restoreRun(
      { runId: 'run-all', store },
      { cloud: h.cloud, limits: TEST_LIMITS, quotaScale: 50 },
    );
    expect(again.totals).toMatchObject({ restored: 0, skipped: before.length, failed: 0, calls: { tag: 0 } });
    expect(again.totals.skippedBy).toEqual({ 'already-restored': before.length });
    expect(await h.state()).toEqual(Object.fromEntries(before.map((s) => [s.id, s.tags])));
  });

  it('never overwrites a key that is back with another value, respects the tag limit, and skips vanished resources', async () => {
    const full = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${String(i).padStart(2, '0')}`, `v${i}`]));
    const before: Seed[] = [
      { type: 'IPAMPOOL', region: R, id: 'ipam-pool-conflict', tags: { a: '1', b: '2' } },
      { type: 'IPAMPOOL', region: R, id: 'ipam-pool-limit', tags: full },
      { type: 'IPAMPOOL', region: R, id: 'ipam-pool-gone', tags: { a: '1' } },
      { type: 'IPAMPOOL', region: R, id: 'ipam-pool-ok', tags: { a: '1' } },
    ];
    const removed = {
      'ipam-pool-conflict': ['a', 'b'],
      'ipam-pool-limit': ['k00', 'k01'],
      'ipam-pool-gone': ['a'],
      'ipam-pool-ok': ['a'],
    };
    const store = freshStore();
    await journalOf(store, 'run-edge', before, removed);
    // Since the run: someone set a=9 again on one, filled the other up to 20 tags, deleted the third.
    await h.seed([
      { type: 'IPAMPOOL', region: R, id: 'ipam-pool-conflict', tags: { a: '9' } },
      { type: 'IPAMPOOL', region: R, id: 'ipam-pool-limit', tags: { ...without(full, ['k00', 'k01']), n0: 'x' } },
      { type: 'IPAMPOOL', region: R, id: 'ipam-pool-ok', tags: {} },
    ]);

    const report = await restoreRun(
      { runId: 'run-edge', store },
      { cloud: h.cloud, limits: TEST_LIMITS, quotaScale: 50 },
    );
    const by = Object.fromEntries(report.resources.map((o) => [o.id, o]));
    expect(by['ipam-pool-conflict']).toMatchObject({
      status: 'restored',
      tags: { b: '2' },
      conflicts: [{ key: 'a', removed: '1', current: '9' }],
    });
    expect(by['ipam-pool-limit']).toMatchObject({ status: 'skipped', reason: 'tag-limit', tagCount: 19 });
    expect(by['ipam-pool-gone']).toMatchObject({ status: 'skipped', reason: 'not-found' });
    expect(by['ipam-pool-ok']).toMatchObject({ status: 'restored', tags: { a: '1' } });
    const state = await h.state();
    expect(state['ipam-pool-conflict']).toEqual({ a: '9', b: '2' });
    expect(Object.keys(state['ipam-pool-limit'] ?? {})).toHaveLength(19);
    expect(state['ipam-pool-ok']).toEqual({ a: '1' });
    expect(state['ipam-pool-gone']).toBeUndefined();
  });

  it('makes no write call on a dry run and reports what it would put back', async () => {
    const before: Seed[] = [{ type: 'PeerConnection', region: R, id: 'pcc-dry', tags: { a: '1', b: '2' } }];
    await h.seed([{ ...before[0]!, tags: { b: '2' } }]);
    const store = freshStore();
    await journalOf(store, 'run-dry', before, { 'pcc-dry': ['a'] });
    const report = await restoreRun({ runId: 'run-dry', store, dryRun: true }, { cloud: h.cloud, limits: TEST_LIMITS });
    expect(report.resources).toEqual([
      { region: R, type: 'PeerConnection', id: 'pcc-dry', status: 'planned', tags: { a: '1' } },
    ]);
    expect(await h.requests({ action: 'TagResources' })).toEqual([]);
  });

  it('answers RUN_NOT_FOUND for a run the store has no journal of, with zero cloud calls', async () => {
    const report = await restoreRun(
      { runId: 'never-ran', store: freshStore() },
      { cloud: h.cloud, limits: TEST_LIMITS },
    );
    expect(report).toMatchObject({ ok: false, error: { code: 'RUN_NOT_FOUND' } });
    expect((await h.stats()).total).toBe(0);
  });
});
