import { describe, expect, it } from 'vitest';
import { selectRemovals } from '../../lib/select.ts';
import type { TaggedResource } from '../../lib/types.ts';
import { policyOf } from './support/policies.ts';

const pool = (id: string, tags: Record<string, string>): TaggedResource => ({
  region: 'cn-hangzhou',
  type: 'IPAMPOOL',
  id,
  tags,
});
const ref = { region: 'cn-hangzhou', type: 'IPAMPOOL' };

describe('selectRemovals', () => {
  it('removes only the named keys the resource actually carries, sorted', () => {
    const p = policyOf({ remove: { keys: ['zeta', 'CostCenter', 'absent'] } });
    expect(selectRemovals(pool('p1', { zeta: '1', CostCenter: 'x', env: 'dev' }), p)).toEqual({
      ...ref,
      id: 'p1',
      action: 'remove',
      keys: ['CostCenter', 'zeta'],
      all: false,
    });
  });

  it('removes keys matching a pattern, tested against each actual key', () => {
    const p = policyOf({ remove: { keys: ['CostCenter'], keyPatterns: ['^tmp-', 'legacy$'] } });
    const sel = selectRemovals(
      pool('p1', { 'tmp-a': '', 'x-tmp-b': '', 'owner-legacy': '', legacyx: '', CostCenter: '' }),
      p,
    );
    expect(sel).toMatchObject({ action: 'remove', keys: ['CostCenter', 'owner-legacy', 'tmp-a'] });
  });

  it('never removes protected or reserved keys, even under remove.all', () => {
    const p = policyOf({ remove: { all: true }, protect: { keys: ['owner'] } });
    const sel = selectRemovals(
      pool('p1', { owner: 'me', 'aliyun:x': '1', 'acs:rm:rgId': 'rg', 'ACS:upper': '', team: 't' }),
      p,
    );
    expect(sel).toEqual({ ...ref, id: 'p1', action: 'remove', keys: ['team'], all: false });
  });

  it('never removes a reserved key that a pattern matches', () => {
    const p = policyOf({ remove: { keyPatterns: ['.*'] } });
    expect(selectRemovals(pool('p1', { 'aliyun-owner': '', mine: '' }), p)).toMatchObject({ keys: ['mine'] });
  });

  it('sends all only under remove.all with no protected key and no reserved key on the resource', () => {
    const all = policyOf({ remove: { all: true } });
    expect(selectRemovals(pool('p1', { a: '1', b: '2' }), all)).toMatchObject({
      action: 'remove',
      keys: ['a', 'b'],
      all: true,
    });
    expect(selectRemovals(pool('p2', { a: '1', 'acs:x': '2' }), all)).toMatchObject({
      action: 'remove',
      keys: ['a'],
      all: false,
    });
    const guarded = policyOf({ remove: { all: true }, protect: { keys: ['elsewhere'] } });
    expect(selectRemovals(pool('p3', { a: '1' }), guarded)).toMatchObject({
      action: 'remove',
      keys: ['a'],
      all: false,
    });
  });

  it('skips a resource outside match.resourceIds as not-matched', () => {
    const p = policyOf({ remove: { keys: ['a'] }, match: { resourceIds: ['p1'] } });
    expect(selectRemovals(pool('p2', { a: '1' }), p)).toEqual({
      ...ref,
      id: 'p2',
      action: 'skip',
      reason: 'not-matched',
      keys: [],
    });
    expect(selectRemovals(pool('p1', { a: '1' }), p)).toMatchObject({ action: 'remove', keys: ['a'] });
  });

  it('requires every match tag, any value when the filter names none', () => {
    const p = policyOf({ remove: { keys: ['a'] }, match: { tags: [{ key: 'env', value: 'dev' }, { key: 'team' }] } });
    expect(selectRemovals(pool('p1', { a: '1', env: 'dev', team: '' }), p)).toMatchObject({ action: 'remove' });
    expect(selectRemovals(pool('p2', { a: '1', env: 'prod', team: 'x' }), p)).toMatchObject({
      action: 'skip',
      reason: 'not-matched',
    });
    expect(selectRemovals(pool('p3', { a: '1', env: 'dev' }), p)).toMatchObject({
      action: 'skip',
      reason: 'not-matched',
    });
  });

  it('skips a resource carrying the protect tag and lists the keys that would have gone', () => {
    const p = policyOf({
      remove: { keys: ['a', 'b'] },
      protect: { resourceTag: { key: 'cleanup:protect', value: 'true' } },
    });
    expect(selectRemovals(pool('p1', { a: '1', b: '2', 'cleanup:protect': 'true' }), p)).toEqual({
      ...ref,
      id: 'p1',
      action: 'skip',
      reason: 'protected-resource',
      keys: ['a', 'b'],
    });
    // Another value of the protect tag does not protect.
    expect(selectRemovals(pool('p2', { a: '1', 'cleanup:protect': 'false' }), p)).toMatchObject({
      action: 'remove',
      keys: ['a'],
    });
  });

  it('protects by tag key alone when the protect tag names no value', () => {
    const p = policyOf({ remove: { all: true }, protect: { resourceTag: { key: 'keep' } } });
    expect(selectRemovals(pool('p1', { a: '1', keep: '' }), p)).toMatchObject({
      action: 'skip',
      reason: 'protected-resource',
    });
  });

  it('skips with nothing-to-remove when no key is left', () => {
    const p = policyOf({ remove: { keys: ['a'] }, protect: { keys: ['a'] } });
    expect(selectRemovals(pool('p1', { a: '1', b: '2' }), p)).toEqual({
      ...ref,
      id: 'p1',
      action: 'skip',
      reason: 'nothing-to-remove',
      keys: [],
    });
    expect(selectRemovals(pool('p2', {}), policyOf({ remove: { all: true } }))).toMatchObject({
      reason: 'nothing-to-remove',
    });
  });

  it('treats keys that only look like object members as plain keys', () => {
    const p = policyOf({ remove: { keys: ['constructor', 'toString'] } });
    expect(selectRemovals(pool('p1', { other: '' }), p)).toMatchObject({ reason: 'nothing-to-remove' });
    expect(selectRemovals(pool('p2', { constructor: '' }), p)).toMatchObject({
      action: 'remove',
      keys: ['constructor'],
    });
    const byTag = policyOf({ remove: { keys: ['a'] }, match: { tags: [{ key: 'constructor' }] } });
    expect(selectRemovals(pool('p3', { a: '' }), byTag)).toMatchObject({ reason: 'not-matched' });
  });
});
