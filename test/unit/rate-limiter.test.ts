import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRateLimiter, TokenBucket } from '../../lib/execute/rate-limiter.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const clock = { now: () => Date.now() };

async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => {
    done = true;
  });
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe('TokenBucket', () => {
  it('starts at the published quota times the scale and lets one second of calls through at once', async () => {
    const limiter = createRateLimiter({ quotaScale: 2, ...clock });
    const bucket = limiter.bucket('cn-hangzhou', 'VpcIpam', 'UntagResources'); // 300/min * 2 = 10/s
    expect(bucket.ratePerSecond).toBeCloseTo(10);
    for (let i = 0; i < 10; i++) expect(await settled(bucket.take())).toBe(true);
    const eleventh = bucket.take();
    expect(await settled(eleventh)).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(await settled(eleventh)).toBe(true);
  });

  it('halves its rate on throttling, once per refill interval, down to a floor', () => {
    const bucket = new TokenBucket(600, clock); // 10/s
    bucket.onThrottle();
    expect(bucket.ratePerSecond).toBeCloseTo(5);
    bucket.onThrottle(); // same instant: a burst of refusals counts once
    expect(bucket.ratePerSecond).toBeCloseTo(5);
    for (let i = 0; i < 20; i++) {
      vi.advanceTimersByTime(10_000);
      bucket.onThrottle();
    }
    expect(bucket.ratePerSecond).toBeCloseTo(10 / 64);
  });

  it('recovers additively on success and never exceeds the published quota', () => {
    const bucket = new TokenBucket(600, { ...clock, increaseFraction: 0.1 });
    bucket.onThrottle();
    bucket.onSuccess();
    expect(bucket.ratePerSecond).toBeCloseTo(6);
    bucket.onSuccess();
    expect(bucket.ratePerSecond).toBeCloseTo(7);
    for (let i = 0; i < 50; i++) bucket.onSuccess();
    expect(bucket.ratePerSecond).toBeCloseTo(10);
  });

  it('paces waiting calls at the reduced rate after throttling', async () => {
    const bucket = new TokenBucket(600, clock); // 10/s, capacity 10
    for (let i = 0; i < 10; i++) await bucket.take();
    bucket.onThrottle(); // 5/s: one token per 200 ms
    const next = bucket.take();
    await vi.advanceTimersByTimeAsync(150);
    expect(await settled(next)).toBe(false);
    await vi.advanceTimersByTimeAsync(60);
    expect(await settled(next)).toBe(true);
  });

  it('keeps one bucket per (region, product:action)', () => {
    const limiter = createRateLimiter(clock);
    const a = limiter.bucket('cn-hangzhou', 'VpcPeer', 'UnTagResources');
    expect(limiter.bucket('cn-hangzhou', 'VpcPeer', 'UnTagResources')).toBe(a);
    expect(limiter.bucket('cn-shanghai', 'VpcPeer', 'UnTagResources')).not.toBe(a);
    expect(limiter.bucket('cn-hangzhou', 'VpcPeer', 'ListTagResources')).not.toBe(a);
    expect(limiter.bucket('cn-hangzhou', 'VpcPeer', 'ListTagResources').ratePerSecond).toBeCloseTo(50);
  });

  it('rejects a waiting call when its signal aborts', async () => {
    const bucket = new TokenBucket(60, clock); // 1/s, capacity 1
    await bucket.take();
    const controller = new AbortController();
    const waiting = bucket.take(controller.signal);
    controller.abort(new Error('deadline'));
    await expect(waiting).rejects.toThrow('deadline');
  });
});

describe('TokenBucket learning how the quota is counted', () => {
  async function drainQueued(bucket: TokenBucket, n: number, stepMs: number): Promise<number> {
    let done = 0;
    const pending = Array.from({ length: n }, () =>
      bucket.take().then(() => {
        done++;
        bucket.onSuccess();
      }),
    );
    while (done < n) await vi.advanceTimersByTimeAsync(stepMs);
    await Promise.all(pending);
    return Date.now();
  }

  it('climbs above the published rate while calls queue and nothing is refused', async () => {
    const bucket = new TokenBucket(600, clock); // 10/s published
    const t0 = Date.now();
    const end = await drainQueued(bucket, 300, 10);
    expect(bucket.ratePerSecond).toBeGreaterThan(100);
    // 300 calls at the published 10/s would take 29 s.
    expect(end - t0).toBeLessThan(10_000);
  });

  it('a refusal after about N calls in 60 s means a window: none until the oldest ages out, then up to N', async () => {
    const bucket = new TokenBucket(60, clock); // N = 60 per 60 s
    const t0 = Date.now();
    await drainQueued(bucket, 60, 10);
    bucket.onThrottle();
    expect(bucket.learnedWindow).toBe(60);
    const next = bucket.take();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(await settled(next)).toBe(false);
    await vi.advanceTimersByTimeAsync(t0 + 61_500 - Date.now());
    expect(await settled(next)).toBe(true);
  });

  it('a refusal after few calls means a smooth quota: back to the published rate, then AIMD', async () => {
    const bucket = new TokenBucket(600, clock);
    await drainQueued(bucket, 40, 10);
    expect(bucket.ratePerSecond).toBeGreaterThan(10);
    bucket.onThrottle();
    expect(bucket.learnedWindow).toBeUndefined();
    expect(bucket.ratePerSecond).toBeCloseTo(10);
    vi.advanceTimersByTime(1_000);
    bucket.onThrottle();
    expect(bucket.ratePerSecond).toBeCloseTo(5);
    for (let i = 0; i < 100; i++) bucket.onSuccess();
    expect(bucket.ratePerSecond).toBeCloseTo(10);
  });
});
