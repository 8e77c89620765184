import { describe, expect, it } from 'vitest';
import { RESOURCE_TYPE_NAMES } from '../../lib/catalog.ts';
import { compilePolicy } from '../../lib/policy/compile.ts';
import { canListInFull, needsFullListing } from '../../lib/policy/listing-rule.ts';
import { parsePolicy } from '../../lib/policy/parse.ts';

const base = { name: 'p', regions: ['cn-hangzhou'] };
const removes = [
  { keys: ['tmp'] },
  { keyPatterns: ['^tmp-'] },
  { keys: ['owner'], keyPatterns: ['^tmp-'] },
  { all: true },
] as const;
const matches = [undefined, { tags: [{ key: 'env', value: 'dev' }] }, { resourceIds: ['x-1'] }] as const;

describe('the full-listing rule', () => {
  it('is what both the policy check and the listing plan follow: an accepted policy never plans an unlistable type', () => {
    let refused = 0;
    for (const type of RESOURCE_TYPE_NAMES)
      for (const remove of removes)
        for (const match of matches) {
          const input = {
            ...base,
            resourceTypes: [type],
            remove,
            protect: { keys: ['owner'] },
            ...(match ? { match } : {}),
          };
          const parsed = parsePolicy(input);
          const unlistable = needsFullListing(remove) && !canListInFull(type) && match === undefined;
          expect(parsed.ok, `${type} ${JSON.stringify(remove)} ${JSON.stringify(match)}`).toBe(!unlistable);
          if (!parsed.ok) {
            refused++;
            continue;
          }
          // Planned once, at compile time, for every type of the policy.
          expect(compilePolicy(parsed.policy).listing.get(type)?.kind).not.toBe('none');
        }
    expect(refused).toBeGreaterThan(0);
  });

  it('knows the types with a typed list that returns tags inline', () => {
    expect(
      ['IPAM', 'IPAMSCOPE', 'IPAMPOOL', 'PeerConnection', 'VPC', 'VSWITCH'].every((t) => canListInFull(t as never)),
    ).toBe(true);
    expect(canListInFull('ROUTETABLE')).toBe(false);
  });
});
