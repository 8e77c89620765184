/**
 * The engine under the discovery-side behaviour modes, one cell per behaviour, each with its own oracle
 * (expected end states written out here, never computed with lib/select.ts or lib/plan.ts), and the list
 * calls each strategy costs against what the mode forces.
 */
import { describe, expect, it } from 'vitest';
import { expectedAfter, many, useHarness } from '../integration/support/engine-harness.ts';

const h = useHarness({ quotaScale: 200 });
const R = 'cn-hangzhou';

async function listCalls(action: string): Promise<number> {
  const { byAction } = await h.stats();
  return Object.entries(byAction)
    .filter(([a]) => a.endsWith(`:${action}`))
    .reduce((n, [, outcomes]) => n + Object.values(outcomes).reduce((x, y) => x + y, 0), 0);
}

describe('listTagsByKey=matching (a Tag.N.Key answer holds only the filtered keys’ rows)', () => {
  it('still honours protect.resourceTag and removes keys first seen in another key’s stream', async () => {
    await h.behaviour({ listTagsByKey: 'matching' });
    const seeds = many('VPC', R, 'vpc-m', 60, (i) => ({
      a: '1',
      ...(i % 2 ? { b: '2' } : {}),
      keep: 'k',
      ...(i % 3 === 0 ? { 'cleanup:protect': 'true' } : {}),
    }));
    await h.seed(seeds);
    const { report } = await h.run({
      name: 'matching',
      regions: [R],
      resourceTypes: ['VPC'],
      remove: { keys: ['a', 'b'] },
      protect: { resourceTag: { key: 'cleanup:protect', value: 'true' } },
    });
    expect(await h.state('VPC')).toEqual(
      expectedAfter(seeds, (s, k) => (k === 'a' || k === 'b') && s.tags['cleanup:protect'] === undefined),
    );
    expect(report.totals.untagged).toBe(40);
    expect(report.resources.filter((r) => r.reason === 'protected-resource')).toHaveLength(20);
  });

  it('a single-key policy with nothing else to decide costs no by-id re-read', async () => {
    await h.behaviour({ listTagsByKey: 'matching' });
    const seeds = many('VSWITCH', R, 'vsw-one', 120, (i) => ({ a: '1', other: String(i) }));
    await h.seed(seeds);
    await h.run({ name: 'one-key', regions: [R], resourceTypes: ['VSWITCH'], remove: { keys: ['a'] } });
    expect(await h.state('VSWITCH')).toEqual(expectedAfter(seeds, (_s, k) => k === 'a'));
    const byId = (await h.requests({ action: 'ListTagResources' })).filter((r) => r.params['ResourceId.1']);
    expect(byId).toHaveLength(0);
  });

  it('under full, an answer showing other keys is trusted: no by-id re-read beyond page edges', async () => {
    const seeds = many('VPC', R, 'vpc-f', 100, (i) => ({ a: '1', other: String(i) }));
    await h.seed(seeds);
    await h.run({
      name: 'full',
      regions: [R],
      resourceTypes: ['VPC'],
      remove: { keys: ['a', 'b'] },
      protect: { resourceTag: { key: 'p', value: 'x' } },
    });
    expect(await h.state('VPC')).toEqual(expectedAfter(seeds, (_s, k) => k === 'a'));
    const byId = (await h.requests({ action: 'ListTagResources' })).filter((r) => r.params['ResourceId.1']);
    // 200 rows of 100 resources: 4 pages of stream a (each page edge re-read), 1 page of stream b.
    expect(byId.length).toBeLessThanOrEqual(4);
  });
});

describe('peerListFilters=ignored (VpcPeer ListTagResources ResourceId.N / Tag.N have no effect)', () => {
  it('changes exactly the named peers, reading the region’s rows once, not once per 20 ids', async () => {
    await h.behaviour({ peerListFilters: 'ignored' });
    const seeds = many('PeerConnection', R, 'pcc-i', 300, (i) => ({ CostCenter: String(i), owner: 'o' }));
    await h.seed(seeds);
    const named = seeds.filter((_, i) => i % 5 === 0).map((s) => s.id);
    const { report } = await h.run({
      name: 'peer-ids',
      regions: [R],
      resourceTypes: ['PeerConnection'],
      match: { resourceIds: named },
      remove: { keys: ['CostCenter'] },
    });
    expect(await h.state('PeerConnection')).toEqual(
      expectedAfter(seeds, (s, k) => k === 'CostCenter' && named.includes(s.id)),
    );
    expect(report.totals.untagged).toBe(60);
    // 600 rows at 50 a page: one pass of 12 pages serves all three 20-id chunks.
    expect(await listCalls('ListTagResources')).toBe(12);
  });

  it('a Config-event run narrowed to one peer touches only it', async () => {
    await h.behaviour({ peerListFilters: 'ignored' });
    const seeds = many('PeerConnection', R, 'pcc-n', 30, () => ({ CostCenter: 'c' }));
    await h.seed(seeds);
    await h.run(
      { name: 'narrow', regions: [R], resourceTypes: ['PeerConnection'], remove: { keys: ['CostCenter'] } },
      { narrowTo: [{ region: R, type: 'PeerConnection', id: 'pcc-n7' }] },
    );
    expect(await h.state('PeerConnection')).toEqual(expectedAfter(seeds, (s) => s.id === 'pcc-n7'));
  });
});

describe('describeDeepPaging=throttle (Throttling.DeepPageSkip when PageNumber skips ahead)', () => {
  it('a continuation resumed at a deep page restarts sequentially instead of retrying, and finishes', async () => {
    await h.behaviour({ describeDeepPaging: 'throttle' });
    const seeds = many('VSWITCH', R, 'vsw-d', 260, (i) => ({ [`tmp-${i % 3}`]: 'x', owner: 'o' }));
    await h.seed(seeds);
    const { report } = await h.run(
      { name: 'deep', regions: [R], resourceTypes: ['VSWITCH'], remove: { keyPatterns: ['^tmp-'] } },
      {
        continuation: {
          version: 1,
          runId: 'deep',
          done: [],
          cursors: [{ region: R, type: 'VSWITCH', lister: 'DescribeVSwitches', token: '4' }],
          hop: 1,
        },
      },
    );
    expect(report.ok).toBe(true);
    expect(await h.state('VSWITCH')).toEqual(expectedAfter(seeds, (_s, k) => k.startsWith('tmp-')));
    const refused = (await h.requests({ action: 'DescribeVSwitches' })).filter(
      (r) => r.code === 'Throttling.DeepPageSkip',
    );
    expect(refused).toHaveLength(1);
    expect(report.totals.calls.retried).toBe(0);
  });

  it('sequential paging from page 1 is never refused', async () => {
    await h.behaviour({ describeDeepPaging: 'throttle' });
    const seeds = many('VPC', R, 'vpc-d', 230, () => ({ 'tmp-a': 'x' }));
    await h.seed(seeds);
    const { report } = await h.run({
      name: 'seq',
      regions: [R],
      resourceTypes: ['VPC'],
      remove: { keyPatterns: ['^tmp-'] },
    });
    expect(report.ok).toBe(true);
    expect(await h.state('VPC')).toEqual(expectedAfter(seeds, () => true));
    expect(await listCalls('DescribeVpcs')).toBe(5);
  });
});
