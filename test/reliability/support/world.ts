/**
 * Seeded worlds for the reliability suite: a small random set of IPAM and peer resources with tags
 * (reserved keys, protected resources, keys that match patterns and keys that do not) and a random
 * policy over them. Everything comes from one seed, so a failing case names the seed that reproduces it.
 */
import type { AdminResource } from '../../../bench/admin.ts';
import type { PolicyShape } from '../../../bench/expected.ts';
import { prng } from '../../../emulator/prng.ts';

export { prng };

export interface World {
  seed: number;
  resources: AdminResource[];
  policy: PolicyShape & { name: string; dryRun: boolean; limits: { concurrency: number } };
}

const ID_PREFIX: Record<string, string> = {
  IPAM: 'ipam-',
  IPAMSCOPE: 'ipam-scope-',
  IPAMPOOL: 'ipam-pool-',
  PeerConnection: 'pcc-',
  // Only when asked for (`types`): the default worlds stay the IPAM and peer ones, seed for seed.
  VPC: 'vpc-',
  VSWITCH: 'vsw-',
};
const TYPES = ['IPAM', 'IPAMSCOPE', 'IPAMPOOL', 'PeerConnection'];
const KEYS = [
  'CostCenter',
  'owner',
  'env',
  'team',
  'tmp-a',
  'tmp-b',
  'tmp-build',
  'legacy-x',
  'legacy-y',
  'app',
  'keep',
];
const RESERVED = ['acs:creator', 'aliyun-managed'];
export const PROTECT_TAG = { key: 'cleanup-protect', value: 'true' } as const;

export interface WorldOptions {
  /** Resources per (type, region), upper bound (inclusive). */
  maxPerUnit?: number;
  /** Only these types. */
  types?: string[];
  /**
   * IPAM pools whose IPAM is hosted in cn-hangzhou (behaviour `ipamPoolRegion`): every other cn-shanghai
   * pool, and a few cn-beijing pools outside the policy's regions. Drawn apart from the world's own
   * numbers, so the rest of the world is the same as without.
   */
  hostedPools?: boolean;
}

export function makeWorld(seed: number, opts: WorldOptions = {}): World {
  const rnd = prng(seed * 7919 + 17);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const some = <T>(xs: readonly T[], min: number, max: number): T[] => {
    const n = min + Math.floor(rnd() * (max - min + 1));
    return [...xs].sort(() => rnd() - 0.5).slice(0, n);
  };
  const regions = rnd() < 0.5 ? ['cn-hangzhou'] : ['cn-hangzhou', 'cn-shanghai'];
  const types = opts.types ?? some(TYPES, 1, 3);
  const maxPerUnit = opts.maxPerUnit ?? 25;

  const resources: AdminResource[] = [];
  for (const type of types) {
    for (const region of regions) {
      const n = 1 + Math.floor(rnd() * maxPerUnit);
      for (let i = 0; i < n; i++) {
        const tags: Record<string, string> = {};
        for (const k of some(KEYS, 0, 7)) tags[k] = k === 'env' ? pick(['dev', 'prod']) : `v${Math.floor(rnd() * 5)}`;
        if (rnd() < 0.15) tags[pick(RESERVED)] = 'sys';
        if (rnd() < 0.1) tags[PROTECT_TAG.key] = rnd() < 0.8 ? PROTECT_TAG.value : 'false';
        resources.push({ type, region, id: `${ID_PREFIX[type]}s${seed}-${region.slice(3, 6)}-${i}`, tags });
      }
    }
  }

  const r = rnd();
  const remove: PolicyShape['remove'] =
    r < 0.2
      ? { all: true }
      : r < 0.5
        ? { keys: some(['CostCenter', 'owner', 'team', 'app', 'tmp-a', 'legacy-x'], 1, 4) }
        : r < 0.75
          ? { keyPatterns: [pick(['^tmp-', '^legacy-', '^(tmp|legacy)-'])] }
          : { keys: some(['CostCenter', 'team', 'app'], 1, 2), keyPatterns: ['^tmp-'] };
  const policy: World['policy'] = {
    name: `reliability-${seed}`,
    regions,
    resourceTypes: types,
    remove,
    dryRun: false,
    limits: { concurrency: 1 + Math.floor(rnd() * 6) },
  };
  const protect: NonNullable<PolicyShape['protect']> = {};
  if (rnd() < 0.5) protect.keys = ['owner'];
  if (rnd() < 0.6) protect.resourceTag = { ...PROTECT_TAG };
  if (protect.keys || protect.resourceTag) policy.protect = protect;
  const m = rnd();
  if (m < 0.15) policy.match = { tags: [{ key: 'env', value: 'dev' }] };
  else if (m < 0.25) policy.match = { tags: [{ key: 'team' }] };
  else if (m < 0.35 && resources.length > 0)
    policy.match = {
      resourceIds: some(
        resources.map((x) => x.id),
        1,
        Math.min(10, resources.length),
      ),
    };
  if (opts.hostedPools && types.includes('IPAMPOOL')) hostPools(seed, resources);
  return { seed, resources, policy };
}

function hostPools(seed: number, resources: AdminResource[]): void {
  let i = 0;
  for (const r of resources)
    if (r.type === 'IPAMPOOL' && r.region === 'cn-shanghai' && i++ % 2 === 0) r.ipamRegion = 'cn-hangzhou';
  const rnd = prng(seed * 31 + 7);
  for (let n = 0; n < 4; n++) {
    const tags: Record<string, string> = {};
    for (const k of KEYS) if (rnd() < 0.5) tags[k] = `v${n}`;
    resources.push({
      type: 'IPAMPOOL',
      region: 'cn-beijing',
      id: `ipam-pool-s${seed}-bei-${n}`,
      tags,
      ipamRegion: 'cn-hangzhou',
    });
  }
}

/** Seeds for a case: `count` of them from a base, so each case covers different worlds. */
export const seedsFor = (base: number, count: number): number[] =>
  Array.from({ length: count }, (_, i) => base * 1000 + i);
