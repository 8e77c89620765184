import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CloudCallError, LimitExceededError } from '../../lib/errors.ts';
import { inputErrorReport, ReportBuilder, reportErrorOf } from '../../lib/report.ts';
import type { ResourceOutcome, Totals } from '../../lib/types.ts';

const startedAt = new Date('2026-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(startedAt.getTime() + ms);
const builder = (cap = 1_000, dryRun = false) =>
  new ReportBuilder({ runId: 'run-1', policyName: 'drop-legacy', dryRun, startedAt, cap });
const outcome = (
  id: string,
  status: ResourceOutcome['status'],
  keys: string[] = ['a'],
  extra: Partial<ResourceOutcome> = {},
): ResourceOutcome => ({
  region: 'cn-hangzhou',
  type: 'IPAMPOOL',
  id,
  keys,
  status,
  ...extra,
});

/** The identity lib/report.ts documents. */
const identityHolds = (t: Totals) => t.matched === t.untagged + t.skipped + t.failed + (t.planned ?? 0);

/** A builder whose sink collects what it hears. */
const sinking = (cap = 1_000, dryRun = false) => {
  const heard: ResourceOutcome[] = [];
  const b = new ReportBuilder({
    runId: 'run-1',
    policyName: 'drop-legacy',
    dryRun,
    startedAt,
    cap,
    onOutcome: (o) => heard.push(o),
  });
  return { b, heard };
};

describe('ReportBuilder', () => {
  it('builds the report of DESIGN.md with exact totals', () => {
    const { b, heard } = sinking();
    b.scanned(5);
    b.matched(4);
    b.record(outcome('p1', 'untagged', ['a', 'b'], { requestId: 'req-1' }));
    b.record(outcome('p2', 'untagged', ['a']));
    b.record(outcome('p3', 'skipped', ['a'], { reason: 'protected-resource' }));
    b.record(outcome('p4', 'skipped', [], { reason: 'nothing-to-remove' }));
    b.record(outcome('p5', 'skipped', [], { reason: 'not-matched' }));
    b.count('list', 3);
    b.count('untag');
    b.count('throttled', 2);
    b.count('retried', 2);
    const report = b.build({ now: at(1_234) });
    expect(report).toEqual({
      ok: true,
      runId: 'run-1',
      policy: 'drop-legacy',
      dryRun: false,
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 1_234,
      totals: {
        scanned: 5,
        matched: 4,
        untagged: 2,
        keysRemoved: 3,
        skipped: 2,
        failed: 0,
        planned: 0,
        notMatched: 1,
        skippedBy: { 'protected-resource': 1, 'nothing-to-remove': 1, 'not-matched': 1 },
        calls: { list: 3, untag: 1, throttled: 2, retried: 2 },
      },
      resources: heard,
      errors: [],
    });
    // The not-matched resource is counted only: neither listed nor sunk.
    expect(heard.map((o) => o.id)).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(identityHolds(report.totals)).toBe(true);
  });

  it('hands each outcome to the sink when it is recorded, before the build', () => {
    const { b, heard } = sinking();
    b.record(outcome('p1', 'untagged'));
    expect(heard).toEqual([outcome('p1', 'untagged')]);
    b.record(outcome('p2', 'failed', ['a'], { code: 'InternalError' }));
    expect(heard.map((o) => o.id)).toEqual(['p1', 'p2']);
  });

  it('counts a dry run as planned and keeps the identity', () => {
    const b = builder(1_000, true);
    for (let i = 0; i < 3; i++) {
      b.scanned();
      b.matched();
      b.record(outcome(`p${i}`, 'planned', ['a', 'b']));
    }
    const report = b.build({ now: at(5) });
    expect(report.dryRun).toBe(true);
    expect(report.totals).toMatchObject({ matched: 3, planned: 3, untagged: 0, keysRemoved: 0 });
    expect(identityHolds(report.totals)).toBe(true);
    expect(report.ok).toBe(true);
  });

  it('counts keysRemoved as given for a merged outcome, and as the distinct keys of an untagged one otherwise', () => {
    const b = builder();
    b.matched(3);
    b.record(outcome('p1', 'untagged', ['k01', 'k02', 'k02']));
    // A split resource merged by the executor: failed overall, but two of its keys did go.
    b.record(outcome('p2', 'failed', ['k01', 'k02', 'k03'], { code: 'InternalError', requestId: 'req-9' }), 2);
    b.record(outcome('p3', 'skipped', ['k01'], { reason: 'deadline' }));
    const report = b.build({ now: at(1) });
    expect(report.totals).toMatchObject({ matched: 3, untagged: 1, failed: 1, skipped: 1, keysRemoved: 4 });
    expect(identityHolds(report.totals)).toBe(true);
    expect(report.ok).toBe(false);
  });

  it('keeps the identity when a caller records without counting matched', () => {
    const b = builder();
    b.record(outcome('p1', 'untagged'));
    b.record(outcome('p2', 'skipped', [], { reason: 'not-found' }));
    const { totals } = b.build({ now: at(0) });
    expect(totals.matched).toBe(2);
    expect(totals.scanned).toBe(2);
    expect(identityHolds(totals)).toBe(true);
  });

  it('cuts resources to the cap, failures first, while the sink hears them all and counts stay exact', () => {
    const { b, heard } = sinking(3);
    for (let i = 0; i < 10; i++) b.record(outcome(`p${i}`, i === 7 ? 'failed' : 'untagged'));
    const report = b.build({ now: at(0) });
    expect(heard).toHaveLength(10);
    expect(report.resources.map((r) => r.id)).toEqual(['p0', 'p1', 'p7']);
    expect(report.resourcesTruncated).toBe(true);
    expect(report.totals).toMatchObject({ untagged: 9, failed: 1, matched: 10 });
  });

  it('fills the cut list with failures alone when there are more failures than room', () => {
    const b = builder(2);
    for (let i = 0; i < 6; i++) b.record(outcome(`p${i}`, i % 2 ? 'failed' : 'untagged'));
    const report = b.build({ now: at(0) });
    expect(report.resources.map((r) => r.id)).toEqual(['p1', 'p3']);
    expect(report.resourcesTruncated).toBe(true);
  });

  it('leaves resourcesTruncated out when everything fits, not-matched resources included', () => {
    const b = builder(1);
    b.record(outcome('p1', 'untagged'));
    for (let i = 0; i < 5; i++) b.record(outcome(`n${i}`, 'skipped', [], { reason: 'not-matched' }));
    const report = b.build({ now: at(0) });
    expect(report).not.toHaveProperty('resourcesTruncated');
    expect(report.totals.notMatched).toBe(5);
  });

  it('is not ok when an error is set, with the error and continuation passed through', () => {
    const b = builder();
    b.record(outcome('p1', 'planned'));
    const continuation = {
      version: 1 as const,
      runId: 'run-1',
      done: [{ region: 'cn-hangzhou', type: 'IPAMPOOL' as const }],
      hop: 0,
    };
    const report = b.build({
      now: at(0),
      continuation,
      error: { code: 'LIMIT_EXCEEDED', message: 'too many', count: 6000 },
    });
    expect(report.ok).toBe(false);
    expect(report.error).toEqual({ code: 'LIMIT_EXCEEDED', message: 'too many', count: 6000 });
    expect(report.continuation).toEqual(continuation);
  });

  it('is not ok when a run-level error was recorded, and scrubs secrets from its message', () => {
    const b = builder();
    b.error({
      code: 'Throttling.User',
      message: 'failed: AccessKeySecret=abc123SECRET&x=1',
      region: 'cn-hangzhou',
      requestId: 'req-3',
    });
    const report = b.build({ now: at(0) });
    expect(report.ok).toBe(false);
    expect(report.errors).toEqual([
      {
        code: 'Throttling.User',
        message: 'failed: AccessKeySecret=[redacted]&x=1',
        region: 'cn-hangzhou',
        requestId: 'req-3',
      },
    ]);
    expect(JSON.stringify(report)).not.toContain('abc123SECRET');
  });

  it('keeps the first cap errors and says the list was cut, still not ok', () => {
    const b = builder(2);
    for (let i = 0; i < 5; i++) b.error({ code: 'InternalError', message: `batch ${i}`, ids: [`p${i}`] });
    const report = b.build({ now: at(0) });
    expect(report.errors.map((e) => e.message)).toEqual(['batch 0', 'batch 1']);
    expect(report.errorsTruncated).toBe(true);
    expect(report.ok).toBe(false);
    expect(builder(0).build({ now: at(0) })).not.toHaveProperty('errorsTruncated');
  });

  it('builds again without changing: a progress report then the final one', () => {
    const b = builder();
    b.record(outcome('p1', 'untagged'));
    const first = b.build({ now: at(10) });
    b.record(outcome('p2', 'untagged'));
    const second = b.build({ now: at(20) });
    expect(first.totals.untagged).toBe(1);
    expect(second.totals.untagged).toBe(2);
    expect(second.durationMs).toBe(20);
  });

  it('never reports a negative duration when the clock steps back', () => {
    expect(builder().build({ now: at(-50) }).durationMs).toBe(0);
  });
});

describe('ReportBuilder, for any sequence of outcomes (one per resource)', () => {
  it('gives every resource one status, so the counts add up, the breakdown matches and the cut list is the right part', () => {
    const statusArb = fc.constantFrom<ResourceOutcome['status']>('planned', 'untagged', 'skipped', 'failed');
    const reasonArb = fc.constantFrom(
      'nothing-to-remove',
      'protected-resource',
      'not-matched',
      'not-found',
      'deadline',
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            status: statusArb,
            reason: reasonArb,
            keys: fc.uniqueArray(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }),
          }),
          { maxLength: 60 },
        ),
        fc.integer({ min: 0, max: 20 }),
        (rows, cap) => {
          const { b, heard } = sinking(cap);
          const all = rows.map((r, i) =>
            outcome(`p${i}`, r.status, r.keys, r.status === 'skipped' ? { reason: r.reason } : {}),
          );
          for (const o of all) b.record(o);
          const report = b.build({ now: at(1) });
          const t = report.totals;
          const sunk = all.filter((o) => o.reason !== 'not-matched');
          expect(heard).toEqual(sunk);
          expect(t.notMatched).toBe(all.length - sunk.length);
          expect(t.untagged + t.skipped + t.failed + (t.planned ?? 0) + (t.notMatched ?? 0)).toBe(all.length);
          expect(identityHolds(t)).toBe(true);
          expect(t.keysRemoved).toBe(
            sunk.filter((o) => o.status === 'untagged').reduce((n, o) => n + o.keys.length, 0),
          );
          expect(Object.values(t.skippedBy ?? {}).reduce((x, y) => (x ?? 0) + (y ?? 0), 0)).toBe(
            t.skipped + (t.notMatched ?? 0),
          );
          // The cut list: the first failures that fit, then the first others, in arrival order.
          const failures = sunk.filter((o) => o.status === 'failed').slice(0, cap);
          const others = sunk.filter((o) => o.status !== 'failed').slice(0, cap - failures.length);
          const expected = sunk.filter((o) => failures.includes(o) || others.includes(o));
          expect(report.resources).toEqual(expected);
          expect(report.resourcesTruncated === true).toBe(sunk.length > cap);
          expect(report.ok).toBe(t.failed === 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('inputErrorReport', () => {
  it('answers bad input with ok false, the code, the message and every issue', () => {
    expect(
      inputErrorReport('INVALID_POLICY', 'invalid policy', [{ path: 'regions', message: 'needs at least one region' }]),
    ).toEqual({
      ok: false,
      error: {
        code: 'INVALID_POLICY',
        message: 'invalid policy',
        issues: [{ path: 'regions', message: 'needs at least one region' }],
      },
    });
  });
});

describe('reportErrorOf', () => {
  it('keeps the code, region and request id of a cloud error', () => {
    const e = new CloudCallError({
      code: 'InternalError',
      message: 'boom',
      product: 'VpcIpam',
      action: 'UntagResources',
      region: 'cn-beijing',
      retryable: true,
      requestId: 'req-5',
      statusCode: 500,
    });
    expect(reportErrorOf(e, { type: 'IPAM', ids: ['ipam-1'] })).toEqual({
      code: 'InternalError',
      message: 'boom',
      region: 'cn-beijing',
      requestId: 'req-5',
      type: 'IPAM',
      ids: ['ipam-1'],
    });
  });

  it('maps engine errors to their code and anything else to INTERNAL', () => {
    expect(reportErrorOf(new LimitExceededError(10, 5)).code).toBe('LIMIT_EXCEEDED');
    expect(reportErrorOf(new TypeError('x'))).toEqual({ code: 'INTERNAL', message: 'x' });
    expect(reportErrorOf('plain')).toEqual({ code: 'INTERNAL', message: 'plain' });
  });
});
