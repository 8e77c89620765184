/**
 * Issue 12 defect 14: a policy's arrays are capped (documented in the README's policy reference), a
 * policy text is capped in size, and `listingCost` says what the listing will cost before it runs.
 */
import { describe, expect, it } from 'vitest';
import { POLICY_CAPS } from '../../lib/catalog.ts';
import { listingCost } from '../../lib/policy/listing-cost.ts';
import { parsePolicy } from '../../lib/policy/parse.ts';
import type { Policy } from '../../lib/policy/schema.ts';

const base = { name: 'p', regions: ['cn-hangzhou'], resourceTypes: ['IPAMPOOL'], remove: { keys: ['tmp'] } };
const keys = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const pathsOf = (input: unknown) => {
  const r = parsePolicy(input);
  return r.ok ? [] : r.issues.map((i) => i.path);
};

describe('policy caps', () => {
  it('refuses more entries than each cap, naming the field', () => {
    expect(pathsOf({ ...base, remove: { keys: keys(POLICY_CAPS.removeKeys + 1) } })).toEqual(['remove.keys']);
    expect(pathsOf({ ...base, remove: { keyPatterns: keys(POLICY_CAPS.keyPatterns + 1, '^p') } })).toEqual([
      'remove.keyPatterns',
    ]);
    expect(pathsOf({ ...base, protect: { keys: keys(POLICY_CAPS.protectKeys + 1) } })).toEqual(['protect.keys']);
    expect(pathsOf({ ...base, match: { resourceIds: keys(POLICY_CAPS.matchResourceIds + 1, 'ipam-pool-') } })).toEqual([
      'match.resourceIds',
    ]);
    expect(pathsOf({ ...base, match: { tags: keys(POLICY_CAPS.matchTags + 1).map((key) => ({ key })) } })).toEqual([
      'match.tags',
    ]);
    expect(pathsOf({ ...base, regions: Array(POLICY_CAPS.regions + 1).fill('cn-hangzhou') })).toEqual(['regions']);
    const r = parsePolicy({ ...base, remove: { keys: keys(POLICY_CAPS.removeKeys + 1) } });
    if (!r.ok) expect(r.issues[0]?.message).toMatch(new RegExp(`at most ${POLICY_CAPS.removeKeys}`));
  });

  it('accepts each array at its cap', () => {
    expect(parsePolicy({ ...base, remove: { keys: keys(POLICY_CAPS.removeKeys) } }).ok).toBe(true);
    expect(parsePolicy({ ...base, match: { resourceIds: keys(POLICY_CAPS.matchResourceIds, 'ipam-pool-') } }).ok).toBe(
      true,
    );
  });

  it('refuses a policy text larger than the cap before parsing it', () => {
    const big = JSON.stringify({ ...base, name: 'x'.repeat(POLICY_CAPS.policyBytes) });
    const r = parsePolicy(big);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]?.message).toMatch(/bytes/);
  });
});

describe('listingCost', () => {
  const policy = (p: object) => {
    const r = parsePolicy({ ...base, ...p });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return r.policy as Policy;
  };

  it('counts one list stream per exact key on a Vpc type without a typed list', () => {
    const cost = listingCost(
      policy({ regions: ['cn-hangzhou', 'cn-shanghai'], resourceTypes: ['EIP'], remove: { keys: keys(30) } }),
    );
    expect(cost.units).toBe(2);
    expect(cost.minListCalls).toBe(60);
    expect(cost.summary).toMatch(/60 list calls/);
  });

  it('counts id batches of 20 and one typed list per unit', () => {
    expect(listingCost(policy({ match: { resourceIds: keys(45, 'ipam-pool-') } })).minListCalls).toBe(3);
    expect(
      listingCost(policy({ resourceTypes: ['IPAMPOOL', 'IPAM'], remove: { keyPatterns: ['^tmp'] } })).minListCalls,
    ).toBe(2);
  });
});
