/**
 * Whole policies against the emulator through the real SDK, VpcPeer (PeerConnection) and Vpc (VPC,
 * VSWITCH) resources; each test compares the emulator's final state with the expected one.
 */
import { describe, expect, it } from 'vitest';
import { expectedAfter, many, type Seed, useHarness } from './support/engine-harness.ts';

const h = useHarness();

const R1 = 'cn-hangzhou';
const R2 = 'cn-beijing';

const peers = (): Seed[] => [
  ...many('PeerConnection', R1, 'pcc-a', 24, (i) => ({
    CostCenter: `c${i}`,
    'tmp-1': 'x',
    env: i % 2 ? 'dev' : 'prod',
    ...(i === 5 ? { 'cleanup:protect': 'true' } : {}),
  })),
  ...many('PeerConnection', R2, 'pcc-b', 5, () => ({ CostCenter: 'c', owner: 'o' })),
];

const vpcs = (): Seed[] => [
  ...many('VPC', R1, 'vpc-a', 12, (i) => ({ CostCenter: 'c', 'tmp-x': '1', ...(i % 3 === 0 ? { team: 'net' } : {}) })),
  ...many('VPC', R2, 'vpc-b', 3, () => ({ keep: 'k' })),
  ...many('VSWITCH', R1, 'vsw-a', 8, (i) => ({
    CostCenter: 'c',
    owner: 'o',
    ...(i === 0 ? { 'cleanup:protect': 'true' } : {}),
  })),
];

describe('runCleanup on VpcPeer connections', () => {
  it('removes exact keys with one ClientToken per call', async () => {
    const seeds = peers();
    await h.seed(seeds);
    const { report } = await h.run({
      name: 'peer-exact',
      regions: [R1, R2],
      resourceTypes: ['PeerConnection'],
      remove: { keys: ['CostCenter'] },
    });
    expect(await h.state()).toEqual(expectedAfter(seeds, (_, k) => k === 'CostCenter'));
    expect(report.totals.untagged).toBe(29);
    const untags = await h.requests({ action: 'UnTagResources' });
    expect(untags.length).toBe(3);
    for (const u of untags) expect(u.clientToken).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(untags.map((u) => u.clientToken)).size).toBe(3);
  });

  it('removes pattern keys, all tags, and honours protection', async () => {
    const seeds = peers();
    await h.seed(seeds);
    await h.run({
      name: 'peer-pattern',
      regions: [R1],
      resourceTypes: ['PeerConnection'],
      remove: { keyPatterns: ['^tmp-'] },
      protect: { resourceTag: { key: 'cleanup:protect' } },
    });
    await h.run({
      name: 'peer-all',
      regions: [R2],
      resourceTypes: ['PeerConnection'],
      remove: { all: true },
      protect: { keys: ['owner'] },
    });
    expect(await h.state()).toEqual(
      expectedAfter(seeds, (s, k) => (s.region === R1 ? k === 'tmp-1' && s.id !== 'pcc-a5' : k !== 'owner')),
    );
  });

  it('narrows by ids and by tags', async () => {
    const seeds = peers();
    await h.seed(seeds);
    await h.run({
      name: 'peer-ids',
      regions: [R1],
      resourceTypes: ['PeerConnection'],
      match: { resourceIds: ['pcc-a1', 'pcc-a2'] },
      remove: { keys: ['CostCenter'] },
    });
    await h.run({
      name: 'peer-tags',
      regions: [R1],
      resourceTypes: ['PeerConnection'],
      match: { tags: [{ key: 'env', value: 'dev' }] },
      remove: { keys: ['tmp-1'] },
    });
    expect(await h.state()).toEqual(
      expectedAfter(
        seeds,
        (s, k) =>
          (k === 'CostCenter' && ['pcc-a1', 'pcc-a2'].includes(s.id)) || (k === 'tmp-1' && s.tags.env === 'dev'),
      ),
    );
  });

  it('makes zero writes in a dry run and respects maxResources', async () => {
    const seeds = peers();
    await h.seed(seeds);
    const dry = await h.run({
      name: 'peer-dry',
      regions: [R1, R2],
      resourceTypes: ['PeerConnection'],
      remove: { keys: ['CostCenter'] },
      dryRun: true,
    });
    const capped = await h.run({
      name: 'peer-cap',
      regions: [R1, R2],
      resourceTypes: ['PeerConnection'],
      remove: { keys: ['CostCenter'] },
      limits: { maxResources: 28 },
    });
    expect(dry.report.totals.planned).toBe(29);
    expect(capped.report.error).toMatchObject({ code: 'LIMIT_EXCEEDED', count: 29 });
    expect(await h.writeCalls()).toBe(0);
    expect(await h.state()).toEqual(expectedAfter(seeds, () => false));
  });
});

describe('runCleanup on Vpc resources', () => {
  it('removes exact keys through one ListTagResources stream per key', async () => {
    const seeds = vpcs();
    await h.seed(seeds);
    const { report } = await h.run({
      name: 'vpc-exact',
      regions: [R1, R2],
      resourceTypes: ['VPC', 'VSWITCH'],
      remove: { keys: ['CostCenter', 'team'] },
    });
    expect(await h.state()).toEqual(expectedAfter(seeds, (_, k) => k === 'CostCenter' || k === 'team'));
    expect(report.totals.untagged).toBe(20);
    const lists = await h.requests({ action: 'ListTagResources' });
    expect(lists.length).toBeGreaterThan(0);
    for (const l of lists) expect(l.params['Tag.1.Key'] ?? l.params['ResourceId.1']).toBeDefined();
  });

  it('removes pattern keys and all tags through DescribeVpcs / DescribeVSwitches', async () => {
    const seeds = vpcs();
    await h.seed(seeds);
    await h.run({ name: 'vpc-pattern', regions: [R1], resourceTypes: ['VPC'], remove: { keyPatterns: ['^tmp-'] } });
    await h.run({
      name: 'vsw-all',
      regions: [R1],
      resourceTypes: ['VSWITCH'],
      remove: { all: true },
      protect: { resourceTag: { key: 'cleanup:protect', value: 'true' } },
    });
    expect(await h.state()).toEqual(
      expectedAfter(seeds, (s, k) => (s.type === 'VPC' ? k === 'tmp-x' : s.id !== 'vsw-a0')),
    );
    const actions = new Set((await h.requests({ product: 'Vpc' })).map((r) => r.action));
    expect(actions.has('DescribeVpcs') && actions.has('DescribeVSwitches')).toBe(true);
  });

  it('narrows by ids and by tags, protects keys, and dry-runs without writes', async () => {
    const seeds = vpcs();
    await h.seed(seeds);
    await h.run({
      name: 'vpc-ids',
      regions: [R1],
      resourceTypes: ['VPC'],
      match: { resourceIds: ['vpc-a1'] },
      remove: { all: true },
    });
    await h.run({
      name: 'vpc-tags',
      regions: [R1],
      resourceTypes: ['VPC'],
      match: { tags: [{ key: 'team' }] },
      remove: { keys: ['CostCenter'] },
    });
    await h.run({
      name: 'vsw-protect',
      regions: [R1],
      resourceTypes: ['VSWITCH'],
      remove: { keys: ['CostCenter', 'owner'] },
      protect: { keys: ['owner'] },
    });
    const writes = await h.writeCalls();
    const dry = await h.run({
      name: 'vpc-dry',
      regions: [R1, R2],
      resourceTypes: ['VPC', 'VSWITCH'],
      remove: { keyPatterns: ['.*'] },
      dryRun: true,
    });
    expect(await h.writeCalls()).toBe(writes);
    expect(dry.report.totals.planned).toBeGreaterThan(0);
    expect(await h.state()).toEqual(
      expectedAfter(
        seeds,
        (s, k) =>
          s.id === 'vpc-a1' ||
          (s.type === 'VPC' && 'team' in s.tags && k === 'CostCenter') ||
          (s.type === 'VSWITCH' && k === 'CostCenter'),
      ),
    );
  });

  it('stops at maxResources before writing', async () => {
    const seeds = vpcs();
    await h.seed(seeds);
    const { report } = await h.run({
      name: 'vpc-cap',
      regions: [R1],
      resourceTypes: ['VPC', 'VSWITCH'],
      remove: { keys: ['CostCenter'] },
      limits: { maxResources: 5 },
    });
    expect(report.error).toMatchObject({ code: 'LIMIT_EXCEEDED', count: 20 });
    expect(await h.writeCalls()).toBe(0);
  });
});
