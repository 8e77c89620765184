/** fast-check generators shared by the selection and planning property tests. */
import fc from 'fast-check';
import { isReservedKey } from '../../../lib/catalog.ts';
import { type CompiledPolicy, compilePolicy } from '../../../lib/policy/compile.ts';
import { parsePolicy } from '../../../lib/policy/parse.ts';
import type { TaggedResource } from '../../../lib/types.ts';

/** A small alphabet so that policies and resources collide often, reserved keys included. */
export const KEY_ALPHABET = [
  'a',
  'b',
  'c',
  'd',
  'tmp-1',
  'tmp-2',
  'legacy',
  'owner',
  'env',
  'aliyun-x',
  'acs:rm:rgId',
  'Aliyun:y',
];
const PATTERNS = ['^tmp-', 'legacy', '^[a-c]$', '.*', 'y$'];

export const keyArb = fc.constantFrom(...KEY_ALPHABET);
const safeKeyArb = keyArb.filter((k) => !isReservedKey(k));

export const policyArb = fc
  .record(
    {
      remove: fc.oneof(
        fc.constant({ all: true as const }),
        fc
          .record({
            keys: fc.uniqueArray(safeKeyArb, { maxLength: 5 }),
            keyPatterns: fc.uniqueArray(fc.constantFrom(...PATTERNS), { maxLength: 2 }),
          })
          .filter((r) => r.keys.length + r.keyPatterns.length > 0),
      ),
      protectKeys: fc.uniqueArray(keyArb, { maxLength: 3 }),
      protectTag: fc.option(
        fc.record({ key: keyArb, value: fc.option(fc.constantFrom('1', '2'), { nil: undefined }) }),
        { nil: undefined },
      ),
      matchIds: fc.option(fc.uniqueArray(fc.constantFrom('r0', 'r1', 'r2', 'r3'), { minLength: 1 }), {
        nil: undefined,
      }),
      matchTags: fc.option(
        fc.array(fc.record({ key: keyArb, value: fc.option(fc.constantFrom('1', '2'), { nil: undefined }) }), {
          minLength: 1,
          maxLength: 2,
        }),
        {
          nil: undefined,
        },
      ),
    },
    { requiredKeys: ['remove', 'protectKeys'] },
  )
  .map((p): CompiledPolicy => {
    const strip = (t: { key: string; value?: string | undefined }) =>
      t.value === undefined ? { key: t.key } : { key: t.key, value: t.value };
    const raw: Record<string, unknown> = {
      name: 'prop',
      regions: ['cn-hangzhou'],
      resourceTypes: ['IPAMPOOL', 'PeerConnection'],
      remove: p.remove,
    };
    const protect: Record<string, unknown> = {};
    if (p.protectKeys.length > 0) protect.keys = p.protectKeys;
    if (p.protectTag) protect.resourceTag = strip(p.protectTag);
    if (Object.keys(protect).length > 0) raw.protect = protect;
    const match: Record<string, unknown> = {};
    if (p.matchIds) match.resourceIds = p.matchIds;
    if (p.matchTags) match.tags = p.matchTags.map(strip);
    if (Object.keys(match).length > 0) raw.match = match;
    const r = parsePolicy(raw);
    if (!r.ok) throw new Error(`generator made a bad policy: ${JSON.stringify(r.issues)}`);
    return compilePolicy(r.policy);
  });

export const resourceArb = (id: string, type: 'IPAMPOOL' | 'PeerConnection' = 'IPAMPOOL', region = 'cn-hangzhou') =>
  fc
    .dictionary(keyArb, fc.constantFrom('1', '2'), { maxKeys: 8 })
    .map((tags): TaggedResource => ({ region, type, id, tags }));
