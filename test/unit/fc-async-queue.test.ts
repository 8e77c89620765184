import { describe, expect, it } from 'vitest';
import { AsyncQueue } from '../../emulator/fc/async-queue.ts';
import { EnvOverlay } from '../../emulator/fc/env-overlay.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('AsyncQueue', () => {
  it('runs at most the lane concurrency at once and is idle only after tasks enqueued by tasks finish', async () => {
    const q = new AsyncQueue();
    let running = 0;
    let max = 0;
    const done: number[] = [];
    const task = (i: number) => async () => {
      running += 1;
      max = Math.max(max, running);
      await sleep(10);
      running -= 1;
      done.push(i);
      // A task that enqueues more work, like a function fanning out.
      if (i < 3) q.later(5, 'f', 2, task(i + 10));
    };
    for (let i = 0; i < 6; i++) q.push('f', 2, task(i));
    expect(await q.waitIdle(2000)).toBe(true);
    expect(max).toBe(2);
    expect(done.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 10, 11, 12]);
    expect(q.pending()).toBe(0);
  });

  it('reports not idle when the wait times out', async () => {
    const q = new AsyncQueue();
    q.push('f', 1, () => sleep(200));
    expect(await q.waitIdle(20)).toBe(false);
    expect(await q.waitIdle(2000)).toBe(true);
  });
});

describe('EnvOverlay', () => {
  it('restores a variable only when the last invocation that set it releases it', () => {
    const env = new EnvOverlay();
    process.env.OVERLAY_PROBE = 'outer';
    const a = env.apply({ OVERLAY_PROBE: 'a', OVERLAY_NEW: '1' });
    const b = env.apply({ OVERLAY_PROBE: 'b' });
    expect(process.env.OVERLAY_PROBE).toBe('b');
    a();
    expect(process.env.OVERLAY_PROBE).toBe('b');
    expect(process.env.OVERLAY_NEW).toBeUndefined();
    b();
    b();
    expect(process.env.OVERLAY_PROBE).toBe('outer');
    delete process.env.OVERLAY_PROBE;
  });
});
