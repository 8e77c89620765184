/**
 * Client-side rate limiting per (region, product:action): a token bucket seeded from the published
 * quota in the catalog, which halves its rate when the cloud answers `Throttling*` and climbs back
 * additively on success (AIMD), so a run settles just under whatever rate the cloud actually grants
 * instead of sleeping a fixed time after each refusal.
 */
import { type ProductId, quotaPerMinute } from '../catalog.ts';

export interface RateLimiterOptions {
  /** Multiplies every published quota (tests and benchmarks run against a scaled emulator). */
  quotaScale?: number;
  /** Monotonic clock in ms (tests pass a fake one). */
  now?: () => number;
  /** Lowest rate, as a fraction of the published one, that throttling may push a bucket down to. */
  floorFraction?: number;
  /** Rate regained per success, as a fraction of the published one. */
  increaseFraction?: number;
}

/** One bucket: `take()` resolves when a call may go out. */
export class TokenBucket {
  readonly ceilingPerMs: number;
  private ratePerMs: number;
  private tokens: number;
  private readonly capacity: number;
  private last: number;
  private lastDecrease = Number.NEGATIVE_INFINITY;
  private readonly waiters: Array<{
    resolve: () => void;
    reject: (e: unknown) => void;
    signal?: AbortSignal;
    onAbort?: () => void;
  }> = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly now: () => number;
  private readonly floorPerMs: number;
  private readonly increasePerMs: number;

  constructor(perMinute: number, options: Omit<RateLimiterOptions, 'quotaScale'> = {}) {
    this.now = options.now ?? (() => performance.now());
    this.ceilingPerMs = perMinute / 60_000;
    this.ratePerMs = this.ceilingPerMs;
    this.floorPerMs = this.ceilingPerMs * (options.floorFraction ?? 1 / 64);
    this.increasePerMs = this.ceilingPerMs * (options.increaseFraction ?? 1 / 20);
    // A burst of at most one second's worth (never below one call) keeps the start from overshooting a
    // server that counts in short windows.
    this.capacity = Math.max(1, this.ceilingPerMs * 1000);
    this.tokens = this.capacity;
    this.last = this.now();
  }

  /** Calls per second the bucket currently allows. */
  get ratePerSecond(): number {
    return this.ratePerMs * 1000;
  }

  /** Waits for a token; rejects with the signal's reason if it aborts first. */
  take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const waiter: (typeof this.waiters)[number] = { resolve, reject };
      if (signal) {
        waiter.signal = signal;
        waiter.onAbort = () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
      this.drain();
    });
  }

  /** The cloud refused a call for rate: halve the rate (once per refill interval, so a burst of refusals of calls already in flight counts once). */
  onThrottle(): void {
    const t = this.now();
    if (t - this.lastDecrease < Math.max(100, 1 / this.ratePerMs)) return;
    this.lastDecrease = t;
    this.refill(t);
    this.ratePerMs = Math.max(this.floorPerMs, this.ratePerMs / 2);
    this.tokens = Math.min(this.tokens, 0);
  }

  /** A call went through: regain rate additively up to the published quota. */
  onSuccess(): void {
    if (this.ratePerMs >= this.ceilingPerMs) return;
    this.refill(this.now());
    this.ratePerMs = Math.min(this.ceilingPerMs, this.ratePerMs + this.increasePerMs);
  }

  private refill(t: number): void {
    const elapsed = Math.max(0, t - this.last);
    this.last = t;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.ratePerMs);
  }

  private drain(): void {
    this.refill(this.now());
    while (this.waiters.length > 0 && this.tokens >= 1) {
      this.tokens -= 1;
      const w = this.waiters.shift();
      if (w?.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
      w?.resolve();
    }
    if (this.waiters.length > 0 && this.timer === undefined) {
      const wait = Math.max(1, Math.ceil((1 - this.tokens) / this.ratePerMs));
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.drain();
      }, wait);
    }
  }
}

/** The buckets of one run (or one warm function instance), made on first use. */
export interface RateLimiter {
  bucket(region: string, product: ProductId, action: string): TokenBucket;
}

export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  const buckets = new Map<string, TokenBucket>();
  const scale = options.quotaScale ?? 1;
  return {
    bucket(region, product, action) {
      const key = `${region}|${product}:${action}`;
      let b = buckets.get(key);
      if (!b) {
        b = new TokenBucket(quotaPerMinute(product, action) * scale, options);
        buckets.set(key, b);
      }
      return b;
    },
  };
}
