import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isReservedKey } from '../../lib/catalog.ts';
import type { CompiledPolicy } from '../../lib/policy/compile.ts';
import { selectRemovals } from '../../lib/select.ts';
import type { TaggedResource } from '../../lib/types.ts';
import { keyArb, policyArb, resourceArb } from './support/arbitraries.ts';

function names(policy: CompiledPolicy, key: string): boolean {
  return policy.removeAll || policy.keys.has(key) || policy.patterns.some((re) => re.test(key));
}

describe('selectRemovals, for any policy and resource', () => {
  it('removes exactly the carried keys the policy names, never a protected or reserved one, sorted', () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.constantFrom('r0', 'r1', 'r4'),
        fc.dictionary(keyArb, fc.constantFrom('1', '2'), { maxKeys: 8 }),
        (policy, id, tags) => {
          const res: TaggedResource = { region: 'cn-hangzhou', type: 'IPAMPOOL', id, tags };
          const sel = selectRemovals(res, policy);
          const expected = Object.keys(tags)
            .filter((k) => names(policy, k) && !policy.protectedKeys.has(k) && !isReservedKey(k))
            .sort();
          const matched =
            (!policy.matchIds || policy.matchIds.has(id)) &&
            policy.matchTags.every(
              (t) => Object.hasOwn(tags, t.key) && (t.value === undefined || tags[t.key] === t.value),
            );
          const guarded =
            policy.protectTag !== undefined &&
            Object.hasOwn(tags, policy.protectTag.key) &&
            (policy.protectTag.value === undefined || tags[policy.protectTag.key] === policy.protectTag.value);

          if (!matched) {
            expect(sel).toMatchObject({ action: 'skip', reason: 'not-matched', keys: [] });
            return;
          }
          if (guarded) {
            expect(sel).toMatchObject({ action: 'skip', reason: 'protected-resource', keys: expected });
            return;
          }
          if (expected.length === 0) {
            expect(sel).toMatchObject({ action: 'skip', reason: 'nothing-to-remove' });
            return;
          }
          expect(sel).toMatchObject({ action: 'remove', keys: expected });
          for (const k of sel.keys) {
            expect(Object.hasOwn(tags, k)).toBe(true);
            expect(isReservedKey(k) || policy.protectedKeys.has(k)).toBe(false);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('allows all only under remove.all with no protected key, no protect tag and no reserved key on the resource', () => {
    fc.assert(
      fc.property(policyArb, resourceArb('r0'), (policy, res) => {
        const sel = selectRemovals(res, policy);
        if (sel.action !== 'remove') return;
        const allowed =
          policy.removeAll &&
          policy.protectedKeys.size === 0 &&
          policy.protectTag === undefined &&
          !Object.keys(res.tags).some(isReservedKey);
        expect(sel.all).toBe(allowed);
      }),
      { numRuns: 500 },
    );
  });
});
