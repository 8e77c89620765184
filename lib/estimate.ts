/**
 * What a plan costs to apply: the untag calls the planner would make for the planned resources, and the
 * time they take at the published rate quotas (lib/catalog.ts, times the account's quota scale). Each
 * (region, API) is its own quota bucket and the buckets run side by side, so the run takes as long as its
 * slowest bucket; a bucket starts with one second's burst (lib/execute/rate-limiter.ts). Call latency
 * and throttling come on top: the figure is the floor the quotas set. Pure.
 */
import { PRODUCTS, type ProductId, productOf, quotaPerMinute, type Tuning, withTuning } from './catalog.ts';
import { createPlanner } from './plan.ts';
import type { ResourceRef, UntagBatch } from './types.ts';

export interface BucketEstimate {
  region: string;
  product: ProductId;
  action: string;
  calls: number;
  perMinute: number;
  /** Seconds these calls take at `perMinute` after the first second's burst. */
  seconds: number;
}

export interface WriteEstimate {
  /** Untag calls the plan makes. */
  calls: number;
  /** Seconds at the quotas: the slowest bucket. */
  seconds: number;
  buckets: BucketEstimate[];
}

/** Seconds `calls` take through a token bucket of `perMinute` that starts full (one second's worth). */
export function secondsAtQuota(calls: number, perMinute: number): number {
  const perSecond = perMinute / 60;
  const burst = Math.max(1, perSecond);
  return calls <= burst ? 0 : (calls - burst) / perSecond;
}

export interface WriteEstimator {
  /** One planned resource and the keys it loses. */
  add(planned: ResourceRef & { keys: readonly string[] }): void;
  /** The calls and time of everything added. */
  result(): WriteEstimate;
}

/**
 * Streams planned resources through the engine's planner (memory bounded by its buffers, as in a run)
 * and counts the untag calls per (region, product) quota bucket, at the published quotas times `quotaScale`.
 */
export function createWriteEstimator(options: { tuning?: Partial<Tuning>; quotaScale?: number } = {}): WriteEstimator {
  const tuning = withTuning(options.tuning);
  const planner = createPlanner({
    maxIdsPerCall: tuning.maxIdsPerCall,
    maxKeysPerCall: tuning.maxKeysPerCall,
    bufferSize: tuning.planBufferSize,
  });
  const byBucket = new Map<string, BucketEstimate>();
  let calls = 0;
  const count = (batches: readonly UntagBatch[]) => {
    for (const b of batches) {
      calls++;
      const product = productOf(b.type);
      const action = PRODUCTS[product].untagAction;
      const name = `${b.region}|${product}`;
      let e = byBucket.get(name);
      if (!e) {
        const perMinute = quotaPerMinute(product, action) * (options.quotaScale ?? 1);
        e = { region: b.region, product, action, calls: 0, perMinute, seconds: 0 };
        byBucket.set(name, e);
      }
      e.calls++;
    }
  };
  return {
    add(p) {
      if (p.keys.length === 0) return;
      // `all: false`: the keys are named in each call, which never packs tighter than All=true would.
      count(planner.add({ region: p.region, type: p.type, id: p.id, keys: [...p.keys], action: 'remove', all: false }));
    },
    result() {
      count(planner.flush());
      const buckets = [...byBucket.values()].map((e) => ({ ...e, seconds: secondsAtQuota(e.calls, e.perMinute) }));
      buckets.sort((a, b) => b.seconds - a.seconds || a.region.localeCompare(b.region));
      return { calls, seconds: Math.max(0, ...buckets.map((b) => b.seconds)), buckets };
    },
  };
}

/** The write calls and time for a finite list of planned resources. */
export function estimateWrites(
  planned: Iterable<ResourceRef & { keys: readonly string[] }>,
  options: { tuning?: Partial<Tuning>; quotaScale?: number } = {},
): WriteEstimate {
  const e = createWriteEstimator(options);
  for (const p of planned) e.add(p);
  return e.result();
}
