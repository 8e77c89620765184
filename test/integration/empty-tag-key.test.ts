/**
 * Issue 12 defect 11: an empty tag key. The Vpc UnTagResources page says of `TagKey.N` "The tag key can
 * be an empty string" (alibabacloud.com/help/en/vpc/developer-reference/api-vpc-2016-04-28-untagresources),
 * while TagResources refuses an empty key (reference §3), so no tag ever has the key "": an empty
 * `TagKey.N` is accepted and removes nothing. The emulator does the same; a resource seeded with an ""
 * key (the admin API allows worlds the cloud cannot make) keeps it, and the report never claims it went.
 */
import { describe, expect, it } from 'vitest';
import type { PolicyInput } from '../../lib/policy/schema.ts';
import { useHarness } from './support/engine-harness.ts';

const h = useHarness();
const R = 'cn-hangzhou';

const types = [
  { type: 'PeerConnection', id: 'pcc-empty1' },
  { type: 'VPC', id: 'vpc-empty1' },
  { type: 'IPAMPOOL', id: 'ipam-pool-empty1' },
] as const;

describe('an empty tag key', () => {
  for (const { type, id } of types) {
    for (const remove of [
      { all: true },
      { keyPatterns: ['.*'] },
      { keyPatterns: ['^$', '^tmp'] },
    ] as PolicyInput['remove'][]) {
      for (const protect of [undefined, { keys: ['owner'] }]) {
        it(`${type}, remove ${JSON.stringify(remove)}${protect ? ', protected keys' : ''}: the report says what the cloud did`, async () => {
          await h.seed([{ type, region: R, id, tags: { '': 'v', tmp: '1', owner: 'o' } }]);
          const policy: PolicyInput = {
            name: 'empty-key',
            regions: [R],
            resourceTypes: [type],
            remove,
            ...(protect ? { protect } : {}),
          };
          const { report } = await h.run(policy);
          const after = (await h.state(type))[id] ?? {};
          const before = { '': 'v', tmp: '1', owner: 'o' };
          const entry = report.resources.find((r) => r.id === id);
          // The report is true: the keys it lists are exactly the keys that are gone.
          const gone = Object.keys(before).filter((k) => !Object.hasOwn(after, k));
          expect([...(entry?.keys ?? [])].sort()).toEqual(gone.sort());
          expect(report.totals.keysRemoved).toBe(gone.length);
          // And an empty key is never reported removed.
          expect(entry?.keys).not.toContain('');
          expect(after).toHaveProperty([''], 'v');
        });
      }
    }
  }

  it('the emulator accepts TagKey.N="" and removes nothing for it', async () => {
    await h.seed([{ type: 'VPC', region: R, id: 'vpc-empty2', tags: { '': 'v', tmp: '1' } }]);
    const { report } = await h.run({
      name: 'empty-key-exact',
      regions: [R],
      resourceTypes: ['VPC'],
      remove: { keys: ['tmp'] },
    });
    expect(report.totals.keysRemoved).toBe(1);
    expect((await h.state('VPC'))['vpc-empty2']).toEqual({ '': 'v' });
  });
});
