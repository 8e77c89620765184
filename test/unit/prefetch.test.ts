import { describe, expect, it } from 'vitest';
import { prefetched } from '../../lib/run/prefetch.ts';

/** A source that logs when each value is asked for and when it closes. */
function source(n: number, log: string[], failAt?: number) {
  return (async function* () {
    try {
      for (let i = 0; i < n; i++) {
        log.push(`ask ${i}`);
        await Promise.resolve();
        if (i === failAt) throw new Error(`page ${i} failed`);
        yield i;
      }
    } finally {
      log.push('closed');
    }
  })();
}

describe('prefetched', () => {
  it('asks for the next value before the caller has finished with the current one, in order', async () => {
    const log: string[] = [];
    const seen: number[] = [];
    for await (const v of prefetched(source(3, log))) {
      await new Promise((r) => setTimeout(r, 5));
      log.push(`done ${v}`);
      seen.push(v);
    }
    expect(seen).toEqual([0, 1, 2]);
    expect(log.indexOf('ask 1')).toBeLessThan(log.indexOf('done 0'));
    expect(log.indexOf('ask 2')).toBeLessThan(log.indexOf('done 1'));
  });

  it('passes a failure on to the caller when it asks for that value', async () => {
    const log: string[] = [];
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const v of prefetched(source(3, log, 1))) seen.push(v);
      })(),
    ).rejects.toThrow('page 1 failed');
    expect(seen).toEqual([0]);
  });

  it('closes the source when the caller stops early (once the value asked ahead has come)', async () => {
    const log: string[] = [];
    for await (const v of prefetched(source(3, log))) if (v === 0) break;
    await new Promise((r) => setTimeout(r, 20));
    expect(log).toEqual(['ask 0', 'ask 1', 'closed']);
  });
});
