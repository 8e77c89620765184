/**
 * Discovery details that matter for safety and cost, against the emulator: key streams whose rows
 * straddle pages, a Config-event run narrowed to one resource, and the cheapest list strategy.
 */
import { describe, expect, it } from 'vitest';
import { chooseStrategy } from '../../lib/discover/index.ts';
import type { Policy } from '../../lib/policy/schema.ts';
import { expectedAfter, many, useHarness } from './support/engine-harness.ts';

const h = useHarness();

const R1 = 'cn-hangzhou';

describe('discovery through ListTagResources key streams', () => {
  it('sees full tag sets when a resource’s rows straddle pages, so a protect tag on a later page still protects', async () => {
    // 20 tags each: 50-row pages cut resources in half; the protect tag sorts last among the rows.
    const seeds = many('VPC', R1, 'vpc-s', 12, (i) => ({
      a: '1',
      ...Object.fromEntries(Array.from({ length: 18 }, (_, j) => [`m${String(j).padStart(2, '0')}`, 'x'])),
      zz: i % 2 ? 'protect' : 'no',
    }));
    await h.seed(seeds);
    const { report } = await h.run({
      name: 'straddle',
      regions: [R1],
      resourceTypes: ['VPC'],
      remove: { keys: ['a'] },
      protect: { resourceTag: { key: 'zz', value: 'protect' } },
    });
    expect(await h.state()).toEqual(expectedAfter(seeds, (s, k) => k === 'a' && s.tags.zz !== 'protect'));
    expect(report.totals.untagged).toBe(6);
    expect(report.resources.filter((r) => r.reason === 'protected-resource')).toHaveLength(6);
  });

  it('yields a resource matched by several keys once', async () => {
    const seeds = many('VSWITCH', R1, 'vsw-m', 5, () => ({ a: '1', b: '2', c: '3' }));
    await h.seed(seeds);
    const { report } = await h.run({
      name: 'multi',
      regions: [R1],
      resourceTypes: ['VSWITCH'],
      remove: { keys: ['a', 'b', 'c'] },
    });
    expect(await h.state()).toEqual(expectedAfter(seeds, () => true));
    expect(report.totals.scanned).toBe(5);
    expect(report.totals.calls.untag).toBe(1);
  });
});

describe('runCleanup narrowed to a Config event’s resource', () => {
  it('touches only that resource, listing it by id', async () => {
    const seeds = many('PeerConnection', R1, 'pcc-n', 10, () => ({ CostCenter: 'c' }));
    await h.seed(seeds);
    const { report } = await h.run(
      { name: 'narrow', regions: [R1], resourceTypes: ['PeerConnection', 'IPAM'], remove: { keys: ['CostCenter'] } },
      { narrowTo: [{ region: R1, type: 'PeerConnection', id: 'pcc-n4' }] },
    );
    expect(await h.state()).toEqual(expectedAfter(seeds, (s) => s.id === 'pcc-n4'));
    expect(report.totals.scanned).toBe(1);
    const lists = await h.requests({ action: 'ListTagResources' });
    expect(lists.map((l) => l.params['ResourceId.1'])).toEqual(['pcc-n4']);
    expect((await h.stats()).byAction['VpcIpam:ListIpams']).toBeUndefined();
  });
});

describe('chooseStrategy', () => {
  const base = { name: 'p', regions: [R1], dryRun: false } as const;
  const p = (x: Partial<Policy>): Policy =>
    ({ ...base, resourceTypes: ['IPAM'], remove: { keys: ['a'] }, ...x }) as Policy;

  it('lists explicit ids by id', () => {
    expect(chooseStrategy(p({ match: { resourceIds: ['ipam-1'] } }), 'IPAM')).toEqual({ kind: 'ids', ids: ['ipam-1'] });
  });
  it('uses the typed list at 100 per page for exact keys on IPAM and Peer', () => {
    expect(chooseStrategy(p({}), 'IPAM').kind).toBe('typed');
    expect(chooseStrategy(p({}), 'PeerConnection').kind).toBe('typed');
  });
  it('uses one key stream per exact key on Vpc types, leaving protected keys out', () => {
    expect(chooseStrategy(p({ remove: { keys: ['a', 'owner'] }, protect: { keys: ['owner'] } }), 'VPC')).toEqual({
      kind: 'keys',
      keys: ['a'],
    });
    expect(chooseStrategy(p({}), 'EIP')).toEqual({ kind: 'keys', keys: ['a'] });
  });
  it('uses the typed list for patterns and all, and refuses a pattern on a type without one unless match.tags says where to look', () => {
    expect(chooseStrategy(p({ remove: { keyPatterns: ['^t'] } }), 'VPC').kind).toBe('typed');
    expect(chooseStrategy(p({ remove: { all: true } }), 'EIP').kind).toBe('none');
    expect(
      chooseStrategy(p({ remove: { all: true }, match: { tags: [{ key: 'env', value: 'dev' }] } }), 'EIP'),
    ).toMatchObject({ kind: 'keys', keys: ['env'] });
  });
});
