/**
 * The planner's reference distribution (issue 3, item 6): resources each carrying 3-8 tags drawn from
 * 40 keys, and a policy removing 30 exact keys plus one pattern. Seeded, so figures are reproducible.
 */
import { prng } from '../../../emulator/prng.ts';
import type { ResourceType } from '../../../lib/catalog.ts';
import type { Policy } from '../../../lib/policy/schema.ts';
import type { TaggedResource } from '../../../lib/types.ts';

/** The same seeded PRNG as the emulator's generator: the same seed gives the same resources everywhere. */
export const rng = prng;

export const DISTRIBUTION_KEYS = Array.from({ length: 40 }, (_, i) => `key-${String(i).padStart(2, '0')}`);

/** 30 exact keys (key-00..key-29) and one pattern matching five more (tmp-like key-3[0-4]). */
export function distributionPolicy(type: ResourceType = 'IPAMPOOL'): Policy {
  return {
    name: 'planner-distribution',
    regions: ['cn-hangzhou'],
    resourceTypes: [type],
    remove: { keys: DISTRIBUTION_KEYS.slice(0, 30), keyPatterns: ['^key-3[0-4]$'] },
    dryRun: true,
  };
}

export function distributionResources(
  count: number,
  seed = 1,
  type: ResourceType = 'IPAMPOOL',
  region = 'cn-hangzhou',
): TaggedResource[] {
  const next = rng(seed);
  const out: TaggedResource[] = [];
  for (let i = 0; i < count; i++) {
    const n = 3 + Math.floor(next() * 6);
    const tags: Record<string, string> = {};
    while (Object.keys(tags).length < n) tags[DISTRIBUTION_KEYS[Math.floor(next() * 40)]!] = `v${i}`;
    out.push({ region, type, id: `${type.toLowerCase()}-${String(i).padStart(6, '0')}`, tags });
  }
  return out;
}
