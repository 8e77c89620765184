/**
 * The referee of the benchmarks and the reliability suite: the expected state computed from the seed
 * data. If it were wrong, every "zero wrong tags" would mean nothing, so it is tested on its own.
 */
import { describe, expect, it } from 'vitest';
import { checkState, expectationFor, keysToRemove, type PolicyShape, untagLowerBound } from '../../bench/expected.ts';

const r = (id: string, tags: Record<string, string>, type = 'IPAMPOOL', region = 'cn-hangzhou') => ({
  type,
  region,
  id,
  tags,
});
const policy: PolicyShape = {
  regions: ['cn-hangzhou'],
  resourceTypes: ['IPAMPOOL'],
  remove: { keys: ['CostCenter', 'owner'], keyPatterns: ['^tmp-'] },
  protect: { keys: ['owner'], resourceTag: { key: 'keep-me', value: 'true' } },
};

describe('keysToRemove', () => {
  it('takes exact keys and pattern matches the resource carries, never protected or reserved keys', () => {
    expect(
      keysToRemove(policy, r('a', { CostCenter: '1', owner: 'x', 'tmp-1': '', team: 't', 'acs:tmp-x': '' })),
    ).toEqual(['CostCenter', 'tmp-1']);
  });

  it('leaves a resource carrying the protect tag alone, but not one with another value', () => {
    expect(keysToRemove(policy, r('a', { CostCenter: '1', 'keep-me': 'true' }))).toEqual([]);
    expect(keysToRemove(policy, r('a', { CostCenter: '1', 'keep-me': 'no' }))).toEqual(['CostCenter']);
  });

  it('ignores resources of other regions and types, and honours match.tags and match.resourceIds', () => {
    expect(keysToRemove(policy, r('a', { CostCenter: '1' }, 'IPAM'))).toEqual([]);
    expect(keysToRemove(policy, r('a', { CostCenter: '1' }, 'IPAMPOOL', 'cn-shanghai'))).toEqual([]);
    const matched = { ...policy, match: { tags: [{ key: 'env', value: 'dev' }], resourceIds: ['a'] } };
    expect(keysToRemove(matched, r('a', { CostCenter: '1', env: 'dev' }))).toEqual(['CostCenter']);
    expect(keysToRemove(matched, r('a', { CostCenter: '1', env: 'prod' }))).toEqual([]);
    expect(keysToRemove(matched, r('b', { CostCenter: '1', env: 'dev' }))).toEqual([]);
  });

  it('removes every unprotected, unreserved key with remove.all', () => {
    expect(
      keysToRemove({ ...policy, remove: { all: true } }, r('a', { b: '', a: '', owner: '', 'aliyun-x': '' })),
    ).toEqual(['a', 'b']);
  });
});

describe('checkState', () => {
  const before = [r('a', { CostCenter: '1', team: 't' }), r('b', { team: 'u' })];

  it('passes the exact expected state', () => {
    const after = [r('a', { team: 't' }), r('b', { team: 'u' })];
    expect(checkState(policy, before, after)).toEqual({ notRemoved: [], wronglyTouched: [], unexpected: [] });
  });

  it('reports a tag left behind, a tag wrongly removed, a changed value and a vanished resource', () => {
    expect(checkState(policy, before, [r('a', { CostCenter: '1' }), r('b', { team: 'changed' })])).toMatchObject({
      notRemoved: ['IPAMPOOL|cn-hangzhou|a CostCenter'],
      wronglyTouched: ['IPAMPOOL|cn-hangzhou|a team', 'IPAMPOOL|cn-hangzhou|b team'],
    });
    expect(checkState(policy, before, [r('a', { team: 't' })]).wronglyTouched).toEqual([
      'IPAMPOOL|cn-hangzhou|b (resource vanished)',
    ]);
  });

  it('does not judge resources deleted during the run', () => {
    expect(
      checkState(policy, before, [r('a', { team: 't' })], new Set(['IPAMPOOL|cn-hangzhou|b'])).wronglyTouched,
    ).toEqual([]);
  });
});

describe('untagLowerBound', () => {
  it('sums ceil(changed / 20) per region and type', () => {
    const many = Array.from({ length: 41 }, (_, i) => r(`p${i}`, { CostCenter: '1' }));
    const other = Array.from({ length: 3 }, (_, i) => r(`q${i}`, { CostCenter: '1' }, 'IPAMPOOL', 'cn-shanghai'));
    const p2 = { ...policy, regions: ['cn-hangzhou', 'cn-shanghai'] };
    expect(untagLowerBound(expectationFor(p2, [...many, ...other]))).toBe(3 + 1);
  });
});
