/**
 * Whole policies against the emulator through the real SDK, VpcIpam types (IPAM, IPAMSCOPE, IPAMPOOL):
 * each test seeds resources, runs `runCleanup`, and compares the emulator's final state with the
 * expected one.
 */
import { describe, expect, it } from 'vitest';
import type { PolicyInput } from '../../lib/policy/schema.ts';
import { expectedAfter, many, type Seed, useHarness } from './support/engine-harness.ts';

const h = useHarness();

const R1 = 'cn-hangzhou';
const R2 = 'cn-shanghai';

function ipamWorld(): Seed[] {
  return [
    ...many('IPAM', R1, 'ipam-a', 30, (i) => ({
      CostCenter: `cc${i}`,
      owner: 'net',
      ...(i % 2 ? { 'legacy-owner': 'x' } : {}),
      keep: 'k',
    })),
    ...many('IPAMSCOPE', R1, 'ipam-scope-a', 7, (i) => ({
      CostCenter: `cc${i}`,
      'tmp-build': '1',
      'tmp-ci': '2',
      env: i % 2 ? 'dev' : 'prod',
    })),
    ...many('IPAMPOOL', R2, 'ipam-pool-a', 25, (i) => ({
      CostCenter: 'cc',
      'tmp-x': '1',
      env: i % 3 === 0 ? 'dev' : 'prod',
      owner: 'o',
    })),
  ];
}

describe('runCleanup on VpcIpam resources', () => {
  it('removes exact keys from every IPAM type in every region and touches nothing else', async () => {
    const seeds = ipamWorld();
    await h.seed(seeds);
    const { report } = await h.run({
      name: 'exact',
      regions: [R1, R2],
      resourceTypes: ['IPAM', 'IPAMSCOPE', 'IPAMPOOL'],
      remove: { keys: ['CostCenter', 'legacy-owner'] },
    });
    expect(await h.state()).toEqual(expectedAfter(seeds, (_, k) => k === 'CostCenter' || k === 'legacy-owner'));
    expect(report.ok).toBe(true);
    expect(report.totals.untagged).toBe(62);
    expect(report.totals.keysRemoved).toBe(62 + 15);
    expect(report.totals.failed).toBe(0);
    // 30 IPAMs -> 2 calls, 7 scopes -> 1, 25 pools -> 2.
    expect(report.totals.calls.untag).toBe(5);
  });

  it('removes keys matching a pattern, seeing every resource through the typed lists', async () => {
    const seeds = ipamWorld();
    await h.seed(seeds);
    const { report } = await h.run({
      name: 'pattern',
      regions: [R1, R2],
      resourceTypes: ['IPAMSCOPE', 'IPAMPOOL'],
      remove: { keyPatterns: ['^tmp-'] },
    });
    expect(await h.state()).toEqual(expectedAfter(seeds, (s, k) => s.type !== 'IPAM' && k.startsWith('tmp-')));
    expect(report.totals.untagged).toBe(32);
    const listActions = (await h.requests({ product: 'VpcIpam' })).map((r) => r.action);
    expect(listActions).not.toContain('ListTagResources');
  });

  it('removes every tag with remove.all, naming the keys (never All=true: it would take keys added after listing)', async () => {
    const seeds = ipamWorld().filter((s) => s.type === 'IPAMSCOPE');
    await h.seed(seeds);
    await h.run({ name: 'all', regions: [R1], resourceTypes: ['IPAMSCOPE'], remove: { all: true } });
    expect(await h.state()).toEqual(expectedAfter(seeds, () => true));
    const untags = await h.requests({ action: 'UntagResources' });
    expect(untags.length).toBe(1);
    expect(untags[0]?.params.All).toBeUndefined();
  });

  it('keeps protected keys under remove.all by listing the keys instead of All=true', async () => {
    const seeds = ipamWorld().filter((s) => s.type === 'IPAMPOOL');
    await h.seed(seeds);
    await h.run({
      name: 'all-but-owner',
      regions: [R2],
      resourceTypes: ['IPAMPOOL'],
      remove: { all: true },
      protect: { keys: ['owner'] },
    });
    expect(await h.state()).toEqual(expectedAfter(seeds, (_, k) => k !== 'owner'));
    for (const r of await h.requests({ action: 'UntagResources' })) expect(r.params.All).toBeUndefined();
  });

  it('narrows to match.resourceIds, listing them by id', async () => {
    const seeds = ipamWorld();
    await h.seed(seeds);
    const ids = ['ipam-a3', 'ipam-a4', 'ipam-a29'];
    const { report } = await h.run({
      name: 'ids',
      regions: [R1],
      resourceTypes: ['IPAM'],
      match: { resourceIds: ids },
      remove: { keys: ['CostCenter'] },
    });
    expect(await h.state()).toEqual(expectedAfter(seeds, (s, k) => ids.includes(s.id) && k === 'CostCenter'));
    expect(report.totals.untagged).toBe(3);
  });

  it('narrows to match.tags, pushing the filter down and re-checking it', async () => {
    const seeds = ipamWorld();
    await h.seed(seeds);
    await h.run({
      name: 'tags',
      regions: [R2],
      resourceTypes: ['IPAMPOOL'],
      match: { tags: [{ key: 'env', value: 'dev' }] },
      remove: { keyPatterns: ['^tmp-'] },
    });
    expect(await h.state()).toEqual(
      expectedAfter(seeds, (s, k) => s.type === 'IPAMPOOL' && s.tags.env === 'dev' && k === 'tmp-x'),
    );
  });

  it('never touches a protected key nor a resource carrying the protect tag', async () => {
    const seeds: Seed[] = [
      ...many('IPAM', R1, 'ipam-p', 6, (i) => ({
        CostCenter: 'c',
        owner: 'me',
        ...(i < 2 ? { 'cleanup:protect': 'true' } : {}),
      })),
      { type: 'IPAM', region: R1, id: 'ipam-q', tags: { CostCenter: 'c', 'cleanup:protect': 'false' } },
    ];
    await h.seed(seeds);
    const { report } = await h.run({
      name: 'protect',
      regions: [R1],
      resourceTypes: ['IPAM'],
      remove: { keys: ['CostCenter', 'owner'] },
      protect: { keys: ['owner'], resourceTag: { key: 'cleanup:protect', value: 'true' } },
    });
    expect(await h.state()).toEqual(
      expectedAfter(seeds, (s, k) => k === 'CostCenter' && s.tags['cleanup:protect'] !== 'true'),
    );
    expect(
      report.resources
        .filter((r) => r.reason === 'protected-resource')
        .map((r) => r.id)
        .sort(),
    ).toEqual(['ipam-p0', 'ipam-p1']);
  });

  it('makes zero write calls in a dry run and reports each resource planned with its keys', async () => {
    const seeds = ipamWorld();
    await h.seed(seeds);
    const { report } = await h.run({
      name: 'dry',
      regions: [R1, R2],
      resourceTypes: ['IPAM', 'IPAMPOOL'],
      remove: { keys: ['CostCenter'] },
      dryRun: true,
    });
    expect(await h.writeCalls()).toBe(0);
    expect(await h.state()).toEqual(expectedAfter(seeds, () => false));
    expect(report.totals.planned).toBe(55);
    expect(report.resources.find((r) => r.id === 'ipam-a0')).toMatchObject({ status: 'planned', keys: ['CostCenter'] });
  });

  it('stops before the first write when more resources would change than maxResources', async () => {
    const seeds = ipamWorld();
    await h.seed(seeds);
    const { report } = await h.run({
      name: 'cap',
      regions: [R1, R2],
      resourceTypes: ['IPAM', 'IPAMPOOL'],
      remove: { keys: ['CostCenter'] },
      limits: { maxResources: 10 },
    });
    expect(report.ok).toBe(false);
    expect(report.error).toMatchObject({ code: 'LIMIT_EXCEEDED', count: 55 });
    expect(await h.writeCalls()).toBe(0);
    expect(await h.state()).toEqual(expectedAfter(seeds, () => false));
  });

  it('writes normally when the count stays within maxResources', async () => {
    const seeds = ipamWorld();
    await h.seed(seeds);
    const { report } = await h.run({
      name: 'cap-ok',
      regions: [R1],
      resourceTypes: ['IPAMSCOPE'],
      remove: { keys: ['CostCenter'] },
      limits: { maxResources: 7 },
    });
    expect(report.ok).toBe(true);
    expect(await h.state()).toEqual(expectedAfter(seeds, (s, k) => s.type === 'IPAMSCOPE' && k === 'CostCenter'));
  });

  it('handles 45 keys in the policy with no call over 20 keys', async () => {
    const keys = Array.from({ length: 45 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    // Each resource carries 20 of the 45 keys, starting at a different offset.
    const seeds = many('IPAMPOOL', R1, 'ipam-pool-k', 23, (i) =>
      Object.fromEntries(Array.from({ length: 20 }, (_, j) => [keys[(i * 2 + j) % 45] as string, 'v'])),
    );
    await h.seed(seeds);
    const { report } = await h.run({ name: 'k45', regions: [R1], resourceTypes: ['IPAMPOOL'], remove: { keys } });
    expect(await h.state()).toEqual(expectedAfter(seeds, () => true));
    expect(report.totals.keysRemoved).toBe(23 * 20);
    for (const r of await h.requests({ action: 'UntagResources' })) {
      expect(r.params['TagKey.21']).toBeUndefined();
      expect(r.params['ResourceId.21']).toBeUndefined();
    }
  });
});

describe('runCleanup outcomes: one per resource, streamed to the log', () => {
  it('logs each matched resource once when final (split ones merged), counts not-matched ones only, and returns full only when asked', async () => {
    // 2 ids x 2 keys per call: a resource with 5 keys to remove goes over 3 calls.
    const small = { retryBaseMs: 5, retryMaxMs: 40, maxIdsPerCall: 2, maxKeysPerCall: 2 };
    const seeds = many('IPAMPOOL', R1, 'ipam-pool-o', 12, (i) => ({
      a: '1',
      b: '1',
      c: '1',
      d: '1',
      e: '1',
      env: i % 3 === 0 ? 'dev' : 'prod',
    }));
    await h.seed(seeds);
    const policy: PolicyInput = {
      name: 'outcomes',
      regions: [R1],
      resourceTypes: ['IPAMPOOL'],
      match: { tags: [{ key: 'env', value: 'prod' }] },
      remove: { keys: ['a', 'b', 'c', 'd', 'e'] },
    };
    const lines: string[] = [];
    const { report, full } = await h.run(policy, { runId: 'run-o' }, { tuning: small, log: (l) => lines.push(l) });
    const prod = seeds.filter((s) => s.tags.env === 'prod');
    expect(await h.state()).toEqual(expectedAfter(seeds, (s, k) => s.tags.env === 'prod' && k !== 'env'));
    expect(full).toEqual([]);
    const logged = lines.map(
      (l) => JSON.parse(l) as { runId: string; resource: { id: string; status: string; keys: string[] } },
    );
    expect(logged.map((l) => l.resource.id).sort()).toEqual(prod.map((s) => s.id).sort());
    for (const l of logged)
      expect(l).toEqual({
        runId: 'run-o',
        resource: expect.objectContaining({ status: 'untagged', keys: ['a', 'b', 'c', 'd', 'e'] }),
      });
    expect(report.totals).toMatchObject({ matched: 8, untagged: 8, keysRemoved: 40, failed: 0 });
    expect(report.resources.map((r) => r.id).sort()).toEqual(prod.map((s) => s.id).sort());

    await h.reset();
    await h.seed(seeds);
    const kept = await h.run(policy, { runId: 'run-o2' }, { tuning: small, retainOutcomes: true });
    expect(kept.full.map((o) => o.id).sort()).toEqual(prod.map((s) => s.id).sort());
    expect(kept.full.every((o) => o.status === 'untagged' && o.keys.length === 5)).toBe(true);
  });
});
