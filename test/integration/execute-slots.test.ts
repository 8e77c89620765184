/**
 * Write slots and rate buckets: a call waiting for its bucket (a used-up quota window in one region) must
 * not hold a write slot, or the other regions' writes wait for the same window. The waiting bucket is a
 * real `TokenBucket` held shut by the test until the other region's write has reached the emulator; the
 * other region's listing is held until the first region's call waits for its token. Through the real SDK.
 */
import { describe, expect, it } from 'vitest';
import type { CloudPort } from '../../lib/cloud/port.ts';
import { createRateLimiter, type RateLimiter, TokenBucket } from '../../lib/execute/rate-limiter.ts';
import type { PolicyInput } from '../../lib/policy/schema.ts';
import { useHarness } from './support/engine-harness.ts';

const h = useHarness();
const SHUT = 'cn-hangzhou';
const OPEN = 'cn-shanghai';

/** Resolves on `open()`, or after `fallbackMs` so a run that waits the wrong way still ends (and fails below). */
function latch(fallbackMs: number) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
    setTimeout(resolve, fallbackMs).unref();
  });
  return { open, opened };
}

/** A bucket whose first token waits for `until` (the window the cloud has used up, as the test decides). */
class HeldBucket extends TokenBucket {
  constructor(
    private readonly until: Promise<void>,
    private readonly waiting: () => void,
  ) {
    super(6_000);
  }
  override async take(signal?: AbortSignal): Promise<void> {
    this.waiting();
    await this.until;
    return super.take(signal);
  }
}

describe('a call waiting for its rate bucket', () => {
  it("holds no write slot: the other region's write goes first (one slot, two regions)", async () => {
    await h.seed([
      { type: 'IPAM', region: SHUT, id: 'ipam-shut', tags: { CostCenter: 'c' } },
      { type: 'IPAM', region: OPEN, id: 'ipam-open', tags: { CostCenter: 'c' } },
    ]);
    const otherWritten = latch(3_000);
    const shutWaiting = latch(3_000);
    const held = new HeldBucket(otherWritten.opened, shutWaiting.open);
    const plain = createRateLimiter({ quotaScale: h.quotaScale });
    const rateLimiter: RateLimiter = {
      bucket: (region, product, action) =>
        region === SHUT && action === 'UntagResources' ? held : plain.bucket(region, product, action),
    };
    const cloud: CloudPort = {
      async call(product, region, action, params, options) {
        // The open region lists only once the shut region's write waits for its token.
        if (region === OPEN && action !== 'UntagResources') await shutWaiting.opened;
        const res = await h.cloud.call(product, region, action, params, options);
        if (region === OPEN && action === 'UntagResources') otherWritten.open();
        return res;
      },
    };
    const policy: PolicyInput = {
      name: 'two-regions',
      regions: [SHUT, OPEN],
      resourceTypes: ['IPAM'],
      remove: { keys: ['CostCenter'] },
      limits: { concurrency: 1 },
    };
    const { report } = await h.run(policy, {}, { cloud, rateLimiter });
    const order = (await h.requests({ action: 'UntagResources' })).map((c) => c.region);
    expect(order).toEqual([OPEN, SHUT]);
    expect(report.totals).toMatchObject({ untagged: 2, failed: 0, skipped: 0 });
    expect(await h.state()).toEqual({ 'ipam-shut': {}, 'ipam-open': {} });
  });

  it('is not sent once the deadline passed while it waited for its token: skipped/deadline, continued', async () => {
    await h.seed([{ type: 'IPAM', region: SHUT, id: 'ipam-late', tags: { CostCenter: 'c' } }]);
    const deadline = new AbortController();
    const waited = latch(3_000);
    const held = new HeldBucket(waited.opened, () => {
      deadline.abort(new Error('deadline'));
      waited.open();
    });
    const plain = createRateLimiter({ quotaScale: h.quotaScale });
    const rateLimiter: RateLimiter = {
      bucket: (region, product, action) => (action === 'UntagResources' ? held : plain.bucket(region, product, action)),
    };
    const policy: PolicyInput = {
      name: 'late',
      regions: [SHUT],
      resourceTypes: ['IPAM'],
      remove: { keys: ['CostCenter'] },
    };
    const { report } = await h.run(policy, { signal: deadline.signal }, { rateLimiter });
    expect(await h.writeCalls()).toBe(0);
    expect(await h.state()).toEqual({ 'ipam-late': { CostCenter: 'c' } });
    expect(report.totals).toMatchObject({ untagged: 0, skipped: 1, failed: 0 });
    expect(report.continuation).toBeDefined();
  });

  it('is not sent once the deadline passed while it held its token and waited for a slot', async () => {
    await h.seed([
      { type: 'IPAM', region: SHUT, id: 'ipam-first', tags: { CostCenter: 'c' } },
      { type: 'IPAM', region: OPEN, id: 'ipam-queued', tags: { CostCenter: 'c' } },
    ]);
    const deadline = new AbortController();
    const firstSent = latch(3_000);
    const queuedHasToken = latch(3_000);
    class Notifying extends TokenBucket {
      override async take(signal?: AbortSignal): Promise<void> {
        await super.take(signal);
        queuedHasToken.open();
      }
    }
    const queuedBucket = new Notifying(6_000);
    const plain = createRateLimiter({ quotaScale: h.quotaScale });
    const rateLimiter: RateLimiter = {
      bucket: (region, product, action) =>
        region === OPEN && action === 'UntagResources' ? queuedBucket : plain.bucket(region, product, action),
    };
    const cloud: CloudPort = {
      async call(product, region, action, params, options) {
        if (region === OPEN && action !== 'UntagResources') await firstSent.opened;
        if (region === SHUT && action === 'UntagResources') {
          firstSent.open();
          // The first call is on the wire; the deadline fires once the second holds its token.
          await queuedHasToken.opened;
          deadline.abort(new Error('deadline'));
        }
        return h.cloud.call(product, region, action, params, options);
      },
    };
    const policy: PolicyInput = {
      name: 'queued',
      regions: [SHUT, OPEN],
      resourceTypes: ['IPAM'],
      remove: { keys: ['CostCenter'] },
      limits: { concurrency: 1 },
    };
    const { report } = await h.run(policy, { signal: deadline.signal }, { cloud, rateLimiter });
    expect((await h.requests({ action: 'UntagResources' })).map((c) => c.region)).toEqual([SHUT]);
    expect(await h.state()).toEqual({ 'ipam-first': {}, 'ipam-queued': { CostCenter: 'c' } });
    expect(report.totals).toMatchObject({ untagged: 1, skipped: 1, failed: 0 });
    expect(report.continuation).toBeDefined();
  });
});
