import { describe, expect, it } from 'vitest';
import { TUNING, withTuning } from '../../lib/catalog.ts';
import { deadlineFor, deadlineMargin } from '../../lib/deadline.ts';
import { tuningFromEnv } from '../../lib/tuning-env.ts';

describe('deadlineMargin', () => {
  it('keeps the catalog margin for long timeouts and scales it down for short ones', () => {
    expect(deadlineMargin(900_000)).toBe(TUNING.deadlineMarginMs);
    expect(deadlineMargin(3_000)).toBe(600);
    expect(deadlineMargin(3_000, withTuning({ deadlineMarginMs: 2_000, deadlineMarginShare: 0.7 }))).toBe(2_000);
  });
});

describe('deadlineFor', () => {
  it('fires the margin before the FC timeout, counted from handler entry', async () => {
    const start = Date.now();
    const d = deadlineFor(start, 0.25, 150)!;
    expect(d.at).toBe(start + 100);
    expect(d.signal.aborted).toBe(false);
    await new Promise((r) => setTimeout(r, 160));
    expect(d.signal.aborted).toBe(true);
  });

  it('is absent when the timeout is unknown (outside FC)', () => {
    expect(deadlineFor(Date.now(), undefined)).toBeUndefined();
    expect(deadlineFor(Date.now(), 0)).toBeUndefined();
  });
});

describe('tuningFromEnv', () => {
  it('applies numeric limits and the quota scale, and reports what it ignores', () => {
    const r = tuningFromEnv({
      VPC_TAG_CLEANUP_LIMITS: '{"deadlineMarginMs":5000,"nope":1,"planBufferSize":"big"}',
      VPC_TAG_CLEANUP_QUOTA_SCALE: '2.5',
    });
    expect(r.tuning).toEqual({ deadlineMarginMs: 5000 });
    expect(r.quotaScale).toBe(2.5);
    expect(r.ignored).toHaveLength(2);
  });

  it('ignores text that is not a JSON object and a scale that is not positive', () => {
    expect(tuningFromEnv({ VPC_TAG_CLEANUP_LIMITS: '[1]', VPC_TAG_CLEANUP_QUOTA_SCALE: '-1' })).toEqual({
      tuning: {},
      ignored: ['VPC_TAG_CLEANUP_LIMITS: not a JSON object', 'VPC_TAG_CLEANUP_QUOTA_SCALE: not a positive number'],
    });
    expect(tuningFromEnv({})).toEqual({ tuning: {}, ignored: [] });
  });
});
