/**
 * Generators of hostile worlds, policies and timings (issue 12 "Also build"): each draws from a seeded
 * PRNG only, so a seed names one case exactly and a failing seed replays. Worlds are small (a few
 * resources, at most 20 tags each) so a thousand fit in CI; hostility comes from what they hold (keys
 * named like prototype members, empty and reserved keys, catastrophic patterns) and from what happens
 * while the run works (tags changing between list and write, resources vanishing or appearing, slow or
 * failing calls, a deadline at any call).
 */
import type { Rand } from './prng.ts';

export const REGIONS = ['cn-hangzhou', 'cn-shanghai'] as const;

/** Types with their product's key rules: VpcIpam keys start with a letter and hold only `[\p{L}\p{N}._-]`. */
export const TYPES = {
  PeerConnection: { prefix: 'pcc-adv', strictKeys: false },
  IPAMPOOL: { prefix: 'ipam-pool-adv', strictKeys: true },
  VPC: { prefix: 'vpc-adv', strictKeys: false },
  EIP: { prefix: 'eip-adv', strictKeys: false },
} as const;
export type AdvType = keyof typeof TYPES;
const TYPE_NAMES = Object.keys(TYPES) as AdvType[];

/** Keys any product accepts, hostile ones included (prototype names, case twins, Unicode, 128 chars). */
const LOOSE_KEYS = [
  'CostCenter',
  'owner',
  'Owner',
  'env',
  'team',
  'tmp-build',
  'tmp-ci',
  'legacy-owner',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'cleanup:protect',
  'key with space',
  'κλειδί',
  '键',
  'x.y_z-1',
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!',
  `k${'x'.repeat(127)}`,
] as const;
/** Keys VpcIpam accepts. */
const STRICT_KEYS = [
  'CostCenter',
  'owner',
  'Owner',
  'env',
  'team',
  'tmp-build',
  'tmp.ci',
  'legacy-owner',
  'constructor',
  'toString',
  'cleanupProtect',
  '键值',
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
] as const;
/** System tags a resource may carry (never removable), and the empty key only the admin API can seed. */
const SYSTEM_KEYS = ['acs:rm:rgId', 'aliyun:created-by'] as const;
const VALUES = ['a', 'b', '', 'true', '__proto__', 'value with spaces'] as const;

/** Patterns, the catastrophic shapes of issue 12 defect 1 among them. */
const PATTERNS = [
  '^tmp',
  '(?i)^owner$',
  '.*',
  '^$',
  'proto',
  '^(a|aa)+$',
  '^(\\w|\\d)+$',
  '(a|a)+$',
  '((a+))+$',
  '^(.*?,){11}P',
  '^[^-]+$',
  '\\p{Greek}',
  '^legacy-',
  'Center$',
] as const;

export interface WorldResource {
  type: AdvType;
  region: string;
  id: string;
  tags: Record<string, string>;
}

/** A tag set with own keys only (a key `__proto__` stays a key). */
export function tagSet(pairs: Array<[string, string]>): Record<string, string> {
  return Object.fromEntries(pairs);
}

export function keysFor(type: AdvType): readonly string[] {
  return TYPES[type].strictKeys ? STRICT_KEYS : LOOSE_KEYS;
}

function genTags(rand: Rand, type: AdvType): Record<string, string> {
  const keys = rand.some(keysFor(type), 8);
  const pairs: Array<[string, string]> = keys.map((k) => [k, rand.pick(VALUES)]);
  if (rand.chance(0.15)) pairs.push([rand.pick(SYSTEM_KEYS), 'sys']);
  if (rand.chance(0.08)) pairs.push(['', rand.pick(VALUES)]);
  return tagSet(pairs);
}

/**
 * Paging: one in 25 worlds holds 60-130 VPCs in one region, more than a DescribeVpcs page (50), so the
 * run's own writes and resources appearing or vanishing mid-listing can shift the pages under it.
 */
function bigVpcWorld(rand: Rand): WorldResource[] {
  const n = rand.int(60, 130);
  return Array.from({ length: n }, (_, i) => ({
    type: 'VPC' as const,
    region: REGIONS[0],
    id: `${TYPES.VPC.prefix}${String(i + 1).padStart(4, '0')}`,
    tags: tagSet([
      ['env', rand.pick(['dev', 'prod'])],
      ...rand.some(LOOSE_KEYS, 4).map((k): [string, string] => [k, rand.pick(VALUES)]),
    ]),
  }));
}

export function genWorld(rand: Rand): WorldResource[] {
  if (rand.chance(0.04)) return bigVpcWorld(rand);
  const types = rand.some(TYPE_NAMES, 3);
  if (types.length === 0) types.push(rand.pick(TYPE_NAMES));
  const out: WorldResource[] = [];
  let n = 0;
  for (const type of types) {
    const count = rand.int(0, rand.chance(0.2) ? 24 : 8);
    for (let i = 0; i < count; i++) {
      n++;
      out.push({
        type,
        region: rand.pick(REGIONS),
        id: `${TYPES[type].prefix}${String(n).padStart(4, '0')}`,
        tags: genTags(rand, type),
      });
    }
  }
  return out;
}

export interface AdvPolicy {
  name: string;
  regions: string[];
  resourceTypes: AdvType[];
  match?: { resourceIds?: string[]; tags?: Array<{ key: string; value?: string }> };
  remove: { keys?: string[]; keyPatterns?: string[] } | { all: true };
  protect?: { keys?: string[]; resourceTag?: { key: string; value?: string } };
  dryRun?: boolean;
  limits?: { maxResources?: number; concurrency?: number };
}

const nonEmpty = <T>(xs: T[], fallback: T): T[] => (xs.length > 0 ? xs : [fallback]);

export function genPolicy(rand: Rand, world: WorldResource[]): AdvPolicy {
  const worldTypes = [...new Set(world.map((r) => r.type))];
  // Mostly the world's own types and both regions, so most worlds have something to write.
  const types = rand.chance(0.7)
    ? nonEmpty(worldTypes, rand.pick(TYPE_NAMES))
    : nonEmpty(rand.some([...new Set([...worldTypes, rand.pick(TYPE_NAMES)])], 3), rand.pick(TYPE_NAMES));
  const regions = rand.chance(0.7) ? [...REGIONS] : nonEmpty(rand.some(REGIONS, 2), REGIONS[0]);
  // Keys every selected type accepts, so the policy check does not refuse the whole policy.
  const strict = types.some((t) => TYPES[t].strictKeys);
  const pool = strict ? STRICT_KEYS : LOOSE_KEYS;
  const keys = () => nonEmpty(rand.some([...pool, strict ? 'absentKey' : 'absent-key'], 5), rand.pick(pool));
  const form = rand.int(0, 3);
  const remove: AdvPolicy['remove'] =
    form === 0
      ? { keys: keys() }
      : form === 1
        ? { keyPatterns: nonEmpty(rand.some(PATTERNS, 3), rand.pick(PATTERNS)) }
        : form === 2
          ? { keys: keys(), keyPatterns: nonEmpty(rand.some(PATTERNS, 2), rand.pick(PATTERNS)) }
          : { all: true };
  const policy: AdvPolicy = { name: 'adversarial', regions, resourceTypes: types, remove };
  const needsMatch = form !== 0 && types.includes('EIP');
  if (needsMatch || rand.chance(0.25)) {
    const tags = nonEmpty(
      rand.some(pool, 2).map((key) => (rand.chance(0.5) ? { key } : { key, value: rand.pick(VALUES) })),
      { key: rand.pick(pool) },
    );
    policy.match = { tags };
  } else if (rand.chance(0.15)) {
    const ids = rand.some(
      world.map((r) => r.id),
      6,
    );
    policy.match = {
      resourceIds: nonEmpty([...ids, ...(rand.chance(0.5) ? ['pcc-adv-missing'] : [])], 'vpc-adv-none'),
    };
  }
  if (rand.chance(0.4)) policy.protect = { keys: nonEmpty(rand.some(pool, 3), rand.pick(pool)) };
  if (rand.chance(0.35)) {
    const key = rand.pick(
      strict ? ['cleanupProtect', 'constructor', 'owner'] : ['cleanup:protect', '__proto__', 'owner', 'constructor'],
    );
    policy.protect = { ...policy.protect, resourceTag: rand.chance(0.5) ? { key } : { key, value: rand.pick(VALUES) } };
  }
  const shape = rand();
  if (shape < 0.04) {
    // Size: a policy at its caps (100 exact keys, 50 patterns) on types with a typed list (each exact key
    // on a Vpc type without one costs a list stream per region).
    policy.resourceTypes = policy.resourceTypes.filter((t) => t !== 'EIP');
    if (policy.resourceTypes.length === 0) policy.resourceTypes = ['PeerConnection'];
    delete policy.match;
    const many = Array.from({ length: 100 }, (_, i) => (i < pool.length ? (pool[i] as string) : `bulk${i}`));
    policy.remove = {
      keys: many,
      keyPatterns: Array.from({ length: 50 }, (_, i) => rand.pick(PATTERNS) + (i > 13 ? `|z${i}` : '')),
    };
  } else if (shape < 0.08) {
    // Refused: over a cap, or syntax RE2 does not run; the run must answer ok:false with zero writes.
    policy.remove = rand.chance(0.5)
      ? { keys: Array.from({ length: 101 }, (_, i) => `k${i}`) }
      : { keyPatterns: [rand.pick(['(?=a)', '(a)\\1', '(?<=x)y'])] };
  }
  if (rand.chance(0.1)) policy.dryRun = true;
  if (rand.chance(0.1)) policy.limits = { maxResources: rand.int(1, 6) };
  if (rand.chance(0.3)) policy.limits = { ...policy.limits, concurrency: rand.int(1, 4) };
  return policy;
}

/** What happens while the run works, and the engine's knobs for the world. */
export interface Hostility {
  /** Before the first write call: add a key the run never listed to one resource of the call. */
  lateKey: boolean;
  /** Before the first write call: tag one resource of the call with the policy's protect tag. */
  lateProtect: boolean;
  /** Before the first write call: delete one resource of the call. */
  vanish: boolean;
  /** Before the second list call: a new resource appears; or one disappears. */
  appear: boolean;
  disappear: boolean;
  /** The deadline signal fires as this call starts (1-based), in the first hop only. */
  abortAtCall?: number;
  /** Run through the FC handler (bytes in, report out) instead of the engine's entry; no mutations then. */
  viaHandler: boolean;
  faults: unknown[];
  limits: Record<string, number>;
}

export const READ_TIMEOUT_MS = 120;

export function genHostility(rand: Rand): Hostility {
  const faults: unknown[] = [];
  if (rand.chance(0.2)) {
    const kinds = rand.some(['latency', 'throttle', 'internal', 'lost', 'slow', 'reset'] as const, 2);
    for (const kind of kinds) {
      const action = rand.chance(0.5) ? undefined : rand.pick(['UnTagResources', 'UntagResources', 'ListTagResources']);
      const base = { ...(action ? { action } : {}), count: rand.int(1, 2) };
      if (kind === 'latency') faults.push({ kind: 'latency', ms: READ_TIMEOUT_MS + 60, ...base });
      if (kind === 'throttle') faults.push({ kind: 'error', code: 'Throttling', rate: 0.5, ...base, count: 3 });
      if (kind === 'internal') faults.push({ kind: 'error', code: 'InternalError', ...base });
      if (kind === 'lost') faults.push({ kind: 'applied-then-lost', ...base });
      if (kind === 'slow') faults.push({ kind: 'slow', ms: READ_TIMEOUT_MS + 60, ...base });
      if (kind === 'reset') faults.push({ kind: 'reset', ...base });
    }
  }
  const h: Hostility = {
    lateKey: rand.chance(0.15),
    lateProtect: rand.chance(0.1),
    vanish: rand.chance(0.1),
    appear: rand.chance(0.08),
    disappear: rand.chance(0.05),
    faults,
    viaHandler: false,
    limits: {
      maxIdsPerCall: rand.pick([2, 3, 20]),
      maxKeysPerCall: rand.pick([2, 5, 20]),
      listConcurrency: rand.int(1, 4),
    },
  };
  if (rand.chance(0.15)) h.abortAtCall = rand.int(1, 6);
  if (h.abortAtCall === undefined && rand.chance(0.12)) {
    h.viaHandler = true;
    h.lateKey = h.lateProtect = h.vanish = h.appear = h.disappear = false;
  }
  return h;
}
