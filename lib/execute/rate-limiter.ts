/**
 * Client-side rate limiting per (region, product:action): a token bucket seeded from the published
 * quota in the catalog. How the cloud enforces "N per 60 s" is not documented (a smooth N/60 per second,
 * or up to N in any 60 s window), so the bucket learns it:
 * - it starts at the published rate and, while calls queue on it and nothing was refused, climbs
 *   multiplicatively above it (under a minute window, a run of fewer than N calls need not wait);
 * - the first `Throttling*` ends the climb. If about N calls got through in the last 60 s, the cloud
 *   counts a window: from then on the bucket lets a call go only while fewer than that many went out in
 *   the trailing 60 s. Otherwise it falls back to the published rate (a smooth quota), and further
 *   refusals halve the rate and successes climb back additively up to the published rate (AIMD).
 */
import { type ProductId, quotaPerMinute } from '../catalog.ts';

const WINDOW_MS = 60_000;
/** A learned window's calls age out this much later than 60 s after release: they reach the cloud later. */
const WINDOW_MARGIN_MS = 1_000;
/** Share of the published N that must have got through in 60 s for a refusal to mean "window used up". */
const WINDOW_EVIDENCE = 0.8;

export interface RateLimiterOptions {
  /** Multiplies every published quota (tests and benchmarks run against a scaled emulator). */
  quotaScale?: number;
  /** Monotonic clock in ms (tests pass a fake one). */
  now?: () => number;
  /** Lowest rate, as a fraction of the published one, that throttling may push a bucket down to. */
  floorFraction?: number;
  /** Rate regained per success, as a fraction of the published one. */
  increaseFraction?: number;
  /** Factor the rate grows by per success while climbing above the published rate (default 2). */
  climbFactor?: number;
  /** Highest rate the climb reaches, as a multiple of the published one (default 60: N per second). */
  climbCeiling?: number;
}

/** One bucket: `take()` resolves when a call may go out. */
export class TokenBucket {
  readonly ceilingPerMs: number;
  private ratePerMs: number;
  private tokens: number;
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
  private readonly climbFactor: number;
  private readonly climbMaxPerMs: number;
  private readonly perMinute: number;
  private capacity: number;
  /** No refusal yet: the rate may climb above the published one. */
  private climbing = true;
  /** A call had to wait for a token since the last success (demand above the rate: worth climbing). */
  private starved = false;
  /** Times of the calls answered OK in the trailing 60 s, oldest first (evidence for a window). */
  private readonly okTimes: number[] = [];
  /** A window was learned: at most `windowLimit` calls released in any 60 s. */
  private windowLimit: number | undefined;
  /** Times calls were released in the trailing 60 s (answered or still in flight), oldest first. */
  private readonly released = new TimeWindow();

  constructor(perMinute: number, options: Omit<RateLimiterOptions, 'quotaScale'> = {}) {
    this.now = options.now ?? (() => performance.now());
    this.ceilingPerMs = perMinute / 60_000;
    this.ratePerMs = this.ceilingPerMs;
    this.floorPerMs = this.ceilingPerMs * (options.floorFraction ?? 1 / 64);
    this.increasePerMs = this.ceilingPerMs * (options.increaseFraction ?? 1 / 20);
    this.climbFactor = options.climbFactor ?? 2;
    this.climbMaxPerMs = this.ceilingPerMs * (options.climbCeiling ?? 60);
    this.perMinute = perMinute;
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

  /** Calls the bucket allows in any 60 s once it learned the cloud counts a window; else undefined. */
  get learnedWindow(): number | undefined {
    return this.windowLimit;
  }

  /**
   * The cloud refused a call for rate. The first refusal ends the climb and tells a used-up window from
   * an overrun smooth rate; later ones halve the rate (once per refill interval, so a burst of refusals
   * of calls already in flight counts once), or shrink a learned window by a tenth.
   */
  onThrottle(): void {
    const t = this.now();
    if (t - this.lastDecrease < Math.max(100, 1 / this.ratePerMs)) return;
    this.lastDecrease = t;
    this.refill(t);
    if (this.climbing) {
      this.climbing = false;
      this.prune(this.okTimes, t);
      if (this.okTimes.length >= Math.max(1, this.perMinute * WINDOW_EVIDENCE)) {
        // The calls still in flight count too: the window holds every call released in it.
        this.windowLimit = this.okTimes.length;
        this.okTimes.length = 0;
        this.drain();
        return;
      }
      if (this.ratePerMs > this.ceilingPerMs) {
        this.setRate(this.ceilingPerMs);
        this.tokens = Math.min(this.tokens, 0);
        return;
      }
    }
    if (this.windowLimit !== undefined) {
      this.windowLimit = Math.max(1, Math.floor(this.windowLimit * 0.9));
      return;
    }
    this.setRate(Math.max(this.floorPerMs, this.ratePerMs / 2));
    this.tokens = Math.min(this.tokens, 0);
  }

  /** A call went through: climb while no refusal came and calls waited here, else regain rate additively. */
  onSuccess(): void {
    const t = this.now();
    if (this.climbing) {
      this.okTimes.push(t);
      if (this.okTimes.length > 2 * this.perMinute) this.prune(this.okTimes, t);
      if ((this.waiters.length > 0 || this.starved) && this.ratePerMs < this.climbMaxPerMs) {
        this.starved = false;
        this.refill(t);
        this.setRate(Math.min(this.climbMaxPerMs, this.ratePerMs * this.climbFactor));
        this.drain();
      }
      return;
    }
    if (this.ratePerMs >= this.ceilingPerMs) return;
    this.refill(t);
    this.setRate(Math.min(this.ceilingPerMs, this.ratePerMs + this.increasePerMs));
  }

  private setRate(perMs: number): void {
    this.ratePerMs = perMs;
    this.capacity = Math.max(1, perMs * 1000);
  }

  private prune(times: number[], t: number): void {
    let drop = 0;
    while (drop < times.length && (times[drop] as number) <= t - WINDOW_MS) drop++;
    if (drop > 0) times.splice(0, drop);
  }

  private refill(t: number): void {
    const elapsed = Math.max(0, t - this.last);
    this.last = t;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.ratePerMs);
  }

  private drain(): void {
    const t = this.now();
    this.released.prune(t - WINDOW_MS - WINDOW_MARGIN_MS);
    if (this.windowLimit !== undefined) {
      while (this.waiters.length > 0 && this.released.size < this.windowLimit) this.release(t);
      if (this.waiters.length > 0 && this.timer === undefined) {
        const oldest = this.released.at(this.released.size - this.windowLimit) ?? t;
        this.schedule(Math.max(1, Math.ceil(oldest + WINDOW_MS + WINDOW_MARGIN_MS - t)));
      }
      return;
    }
    this.refill(t);
    while (this.waiters.length > 0 && this.tokens >= 1) {
      this.tokens -= 1;
      this.release(t);
    }
    if (this.waiters.length > 0) this.starved = true;
    if (this.waiters.length > 0 && this.timer === undefined)
      this.schedule(Math.max(1, Math.ceil((1 - this.tokens) / this.ratePerMs)));
  }

  private release(t: number): void {
    this.released.push(t);
    const w = this.waiters.shift();
    if (w?.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
    w?.resolve();
  }

  private schedule(wait: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, wait);
  }
}

/** Times in ascending order, dropped from the front as they age out (amortised O(1)). */
class TimeWindow {
  private times: number[] = [];
  private head = 0;

  get size(): number {
    return this.times.length - this.head;
  }

  push(t: number): void {
    this.times.push(t);
  }

  at(i: number): number | undefined {
    return this.times[this.head + i];
  }

  prune(before: number): void {
    while (this.head < this.times.length && (this.times[this.head] as number) <= before) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
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
