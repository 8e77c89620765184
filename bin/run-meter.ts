/**
 * Live counts for the progress line of `plan`/`run`: resources scanned, to change, changed, calls,
 * throttled, and an ETA from the run's rate limiter. It judges each listed page with the engine's own
 * `selectRemovals` (what is still to write), hears each final outcome (what is done) and each call at
 * the port (calls, throttling); the ETA is, per (region, product) quota bucket, the calls still to make
 * over the bucket's current rate (throttling lowers it), the slowest bucket winning.
 */
import { PRODUCTS, type ProductId, productOf } from '../lib/catalog.ts';
import type { CloudPort } from '../lib/cloud/port.ts';
import type { RateLimiter } from '../lib/execute/rate-limiter.ts';
import { type CompiledPolicy, compilePolicy } from '../lib/policy/compile.ts';
import type { Policy } from '../lib/policy/schema.ts';
import { selectRemovals } from '../lib/select.ts';
import type { ResourceOutcome, TaggedResource } from '../lib/types.ts';

export interface MeterSnapshot {
  scanned: number;
  /** Resources with keys to remove, found so far. */
  toChange: number;
  /** Untagged (or planned, in a dry run) so far. */
  changed: number;
  failed: number;
  calls: number;
  throttled: number;
  /** Milliseconds the writes still known take at the limiter's current rates; undefined before any is known. */
  etaMs?: number;
}

/** Skip reasons given before a resource is selected: such an outcome was never pending. */
const NOT_SELECTED: ReadonlySet<string> = new Set(['nothing-to-remove', 'protected-resource', 'not-matched']);

const isThrottle = (e: unknown) => /^Throttling/.test(String((e as { code?: unknown })?.code ?? ''));

export class RunMeter {
  readonly #compiled: CompiledPolicy;
  readonly #limiter: RateLimiter;
  readonly #maxIds: number;
  readonly #pending = new Map<string, { region: string; product: ProductId; resources: number }>();
  readonly #counts: Omit<MeterSnapshot, 'etaMs'> = {
    scanned: 0,
    toChange: 0,
    changed: 0,
    failed: 0,
    calls: 0,
    throttled: 0,
  };

  constructor(policy: Policy, limiter: RateLimiter, maxIdsPerCall: number) {
    this.#compiled = compilePolicy(policy);
    this.#limiter = limiter;
    this.#maxIds = maxIdsPerCall;
  }

  #bucket(region: string, product: ProductId) {
    const name = `${region}|${product}`;
    let b = this.#pending.get(name);
    if (!b) {
      b = { region, product, resources: 0 };
      this.#pending.set(name, b);
    }
    return b;
  }

  /** A listed page: count it and what it adds to the writes to come. */
  page(resources: readonly TaggedResource[]): void {
    this.#counts.scanned += resources.length;
    for (const r of resources) {
      if (selectRemovals(r, this.#compiled).action !== 'remove') continue;
      this.#counts.toChange++;
      this.#bucket(r.region, productOf(r.type)).resources++;
    }
  }

  /** A final outcome: a selected resource is no longer pending. */
  outcome(o: ResourceOutcome): void {
    if (o.status === 'untagged' || o.status === 'planned') this.#counts.changed++;
    else if (o.status === 'failed') this.#counts.failed++;
    if (o.status === 'skipped' && NOT_SELECTED.has(o.reason ?? '')) return;
    const b = this.#bucket(o.region, productOf(o.type));
    b.resources = Math.max(0, b.resources - 1);
  }

  /** Wraps the port so each call (each attempt) and each throttling answer is counted. */
  port(inner: CloudPort): CloudPort {
    return {
      call: async (product, region, action, params, options) => {
        this.#counts.calls++;
        try {
          return await inner.call(product, region, action, params, options);
        } catch (e) {
          if (isThrottle(e)) this.#counts.throttled++;
          throw e;
        }
      },
    };
  }

  snapshot(): MeterSnapshot {
    let eta: number | undefined;
    for (const b of this.#pending.values()) {
      if (b.resources === 0) continue;
      const rate = this.#limiter.bucket(b.region, b.product, PRODUCTS[b.product].untagAction).ratePerSecond;
      const ms = (Math.ceil(b.resources / this.#maxIds) / rate) * 1000;
      eta = Math.max(eta ?? 0, ms);
    }
    return { ...this.#counts, ...(eta !== undefined ? { etaMs: eta } : {}) };
  }
}
