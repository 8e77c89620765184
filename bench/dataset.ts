/**
 * The benchmark data set of issue 6: IPAM pools and peer connections carrying 3-8 tags each from a pool
 * of 40 keys, and a policy of 30 exact keys plus one pattern. Generated inside the emulator from a seed
 * (`POST /__admin/resources {generate}`), so a run is reproducible and nothing large crosses the wire.
 */
import type { AdminResource, EmulatorAdmin } from './admin.ts';
import type { PolicyShape } from './expected.ts';

/** 30 keys the policy names, 5 its pattern catches, 5 it leaves alone: 40 in all. */
export const EXACT_KEYS = Array.from({ length: 30 }, (_, i) => `cc-${String(i).padStart(2, '0')}`);
export const PATTERN_KEYS = Array.from({ length: 5 }, (_, i) => `tmp-${i}`);
export const KEPT_KEYS = Array.from({ length: 5 }, (_, i) => `keep-${i}`);
export const KEY_POOL = [...EXACT_KEYS, ...PATTERN_KEYS, ...KEPT_KEYS];
export const KEY_PATTERN = '^tmp-';

export interface Dataset {
  regions: string[];
  /** Per region. */
  pools: number;
  /** Per region. */
  peers: number;
  seed: number;
  tagsPerResource?: [number, number];
}

export const FULL_DATASET: Dataset = { regions: ['cn-hangzhou', 'cn-shanghai'], pools: 5_000, peers: 1_000, seed: 6 };
export const QUICK_DATASET: Dataset = { regions: ['cn-hangzhou', 'cn-shanghai'], pools: 1_000, peers: 200, seed: 6 };

export const datasetSize = (d: Dataset): number => d.regions.length * (d.pools + d.peers);

export function benchPolicy(d: Dataset, extra: { name?: string; dryRun?: boolean; concurrency?: number } = {}) {
  return {
    name: extra.name ?? 'bench-drop-cost-and-tmp',
    regions: d.regions,
    resourceTypes: ['IPAMPOOL', 'PeerConnection'],
    remove: { keys: EXACT_KEYS, keyPatterns: [KEY_PATTERN] },
    dryRun: extra.dryRun ?? false,
    limits: { concurrency: extra.concurrency ?? 8 },
  } satisfies PolicyShape & Record<string, unknown>;
}

/** Empties the emulator and generates the data set (identical for every call with the same seed). */
export async function seedDataset(admin: EmulatorAdmin, d: Dataset): Promise<void> {
  await admin.reset();
  const common = {
    regions: d.regions,
    keys: KEY_POOL,
    tagsPerResource: d.tagsPerResource ?? ([3, 8] as [number, number]),
  };
  if (d.pools > 0) await admin.generate({ ...common, types: ['IPAMPOOL'], count: d.pools, seed: d.seed });
  if (d.peers > 0) await admin.generate({ ...common, types: ['PeerConnection'], count: d.peers, seed: d.seed + 1 });
}

/** Every resource of the data set's types and regions, as the emulator holds them now. */
export async function datasetResources(admin: EmulatorAdmin, d: Dataset): Promise<AdminResource[]> {
  const out: AdminResource[] = [];
  for (const type of ['IPAMPOOL', 'PeerConnection']) {
    for (const region of d.regions) out.push(...(await admin.resources({ type, region })));
  }
  return out;
}
