import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CloudCallError, LimitExceededError } from '../../lib/errors.ts';
import { ReportBuilder, inputErrorReport, reportErrorOf } from '../../lib/report.ts';
import type { ResourceOutcome, Totals } from '../../lib/types.ts';

const startedAt = new Date('2026-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(startedAt.getTime() + ms);
const builder = (cap = 1_000, dryRun = false) => new ReportBuilder({ runId: 'run-1', policyName: 'drop-legacy', dryRun, startedAt, cap });
const outcome = (id: string, status: ResourceOutcome['status'], keys: string[] = ['a'], extra: Partial<ResourceOutcome> = {}): ResourceOutcome => ({
  region: 'cn-hangzhou',
  type: 'IPAMPOOL',
  id,
  keys,
  status,
  ...extra,
});

/** The identity lib/report.ts documents. */
const identityHolds = (t: Totals) => t.matched === t.untagged + t.skipped + t.failed + (t.planned ?? 0);

describe('ReportBuilder', () => {
  it('builds the report of DESIGN.md with exact totals', () => {
    const b = builder();
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
    const { report, full } = b.build({ now: at(1_234) });
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
      resources: full,
      errors: [],
    });
    expect(full).toHaveLength(5);
    expect(identityHolds(report.totals)).toBe(true);
  });

  it('counts a dry run as planned and keeps the identity', () => {
    const b = builder(1_000, true);
    for (let i = 0; i < 3; i++) {
      b.scanned();
      b.matched();
      b.record(outcome(`p${i}`, 'planned', ['a', 'b']));
    }
    const { report } = b.build({ now: at(5) });
    expect(report.dryRun).toBe(true);
    expect(report.totals).toMatchObject({ matched: 3, planned: 3, untagged: 0, keysRemoved: 0 });
    expect(identityHolds(report.totals)).toBe(true);
    expect(report.ok).toBe(true);
  });

  it('merges a resource whose keys went over several calls into one outcome, worst status winning', () => {
    const b = builder();
    b.matched(2);
    b.record(outcome('p1', 'untagged', ['k01', 'k02']));
    b.record(outcome('p1', 'untagged', ['k03']));
    b.record(outcome('p2', 'untagged', ['k01']));
    b.record(outcome('p2', 'failed', ['k02'], { code: 'InternalError', requestId: 'req-9' }));
    const { report, full } = b.build({ now: at(1) });
    expect(full).toEqual([
      outcome('p1', 'untagged', ['k01', 'k02', 'k03']),
      outcome('p2', 'failed', ['k01', 'k02'], { code: 'InternalError', requestId: 'req-9' }),
    ]);
    expect(report.totals).toMatchObject({ matched: 2, untagged: 1, failed: 1, keysRemoved: 4 });
    expect(identityHolds(report.totals)).toBe(true);
    expect(report.ok).toBe(false);
  });

  it('counts a key removed twice (a retried record) once', () => {
    const b = builder();
    b.record(outcome('p1', 'untagged', ['a', 'b']));
    b.record(outcome('p1', 'untagged', ['a', 'b']));
    expect(b.build({ now: at(0) }).report.totals.keysRemoved).toBe(2);
  });

  it('keeps the identity when a caller records without counting matched', () => {
    const b = builder();
    b.record(outcome('p1', 'untagged'));
    b.record(outcome('p2', 'skipped', [], { reason: 'not-found' }));
    const { totals } = b.build({ now: at(0) }).report;
    expect(totals.matched).toBe(2);
    expect(totals.scanned).toBe(2);
    expect(identityHolds(totals)).toBe(true);
  });

  it('cuts resources to the cap, failures first, while full keeps them all and counts stay exact', () => {
    const b = builder(3);
    for (let i = 0; i < 10; i++) b.record(outcome(`p${i}`, i === 7 ? 'failed' : 'untagged'));
    const { report, full } = b.build({ now: at(0) });
    expect(full).toHaveLength(10);
    expect(report.resources.map((r) => r.id)).toEqual(['p0', 'p1', 'p7']);
    expect(report.resourcesTruncated).toBe(true);
    expect(report.totals).toMatchObject({ untagged: 9, failed: 1, matched: 10 });
  });

  it('leaves resourcesTruncated out when everything fits', () => {
    const b = builder(3);
    b.record(outcome('p1', 'untagged'));
    expect(b.build({ now: at(0) }).report).not.toHaveProperty('resourcesTruncated');
  });

  it('is not ok when an error is set, with the error and continuation passed through', () => {
    const b = builder();
    b.record(outcome('p1', 'planned'));
    const continuation = { version: 1 as const, runId: 'run-1', done: [{ region: 'cn-hangzhou', type: 'IPAMPOOL' as const }], hop: 0 };
    const { report } = b.build({ now: at(0), continuation, error: { code: 'LIMIT_EXCEEDED', message: 'too many', count: 6000 } });
    expect(report.ok).toBe(false);
    expect(report.error).toEqual({ code: 'LIMIT_EXCEEDED', message: 'too many', count: 6000 });
    expect(report.continuation).toEqual(continuation);
  });

  it('is not ok when a run-level error was recorded, and scrubs secrets from its message', () => {
    const b = builder();
    b.error({ code: 'Throttling.User', message: 'failed: AccessKeySecret=abc123SECRET&x=1', region: 'cn-hangzhou', requestId: 'req-3' });
    const { report } = b.build({ now: at(0) });
    expect(report.ok).toBe(false);
    expect(report.errors).toEqual([{ code: 'Throttling.User', message: 'failed: AccessKeySecret=[redacted]&x=1', region: 'cn-hangzhou', requestId: 'req-3' }]);
    expect(JSON.stringify(report)).not.toContain('abc123SECRET');
  });

  it('builds again without changing: a progress report then the final one', () => {
    const b = builder();
    b.record(outcome('p1', 'untagged'));
    const first = b.build({ now: at(10) }).report;
    b.record(outcome('p2', 'untagged'));
    const second = b.build({ now: at(20) }).report;
    expect(first.totals.untagged).toBe(1);
    expect(second.totals.untagged).toBe(2);
    expect(second.durationMs).toBe(20);
  });

  it('never reports a negative duration when the clock steps back', () => {
    expect(builder().build({ now: at(-50) }).report.durationMs).toBe(0);
  });
});

describe('ReportBuilder, for any sequence of outcomes', () => {
  it('gives every resource one status, so the counts add up and the breakdown matches', () => {
    const statusArb = fc.constantFrom<ResourceOutcome['status']>('planned', 'untagged', 'skipped', 'failed');
    const reasonArb = fc.constantFrom('nothing-to-remove', 'protected-resource', 'not-matched', 'not-found', 'deadline');
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: fc.integer({ min: 0, max: 15 }), status: statusArb, reason: reasonArb, keys: fc.uniqueArray(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }) }), { maxLength: 60 }),
        fc.integer({ min: 0, max: 20 }),
        (rows, cap) => {
          const b = builder(cap);
          for (const r of rows) b.record(outcome(`p${r.id}`, r.status, r.keys, r.status === 'skipped' ? { reason: r.reason } : {}));
          const { report, full } = b.build({ now: at(1) });
          const t = report.totals;
          expect(full).toHaveLength(new Set(rows.map((r) => r.id)).size);
          expect(t.untagged + t.skipped + t.failed + (t.planned ?? 0) + (t.notMatched ?? 0)).toBe(full.length);
          expect(identityHolds(t)).toBe(true);
          expect(Object.values(t.skippedBy ?? {}).reduce((x, y) => (x ?? 0) + (y ?? 0), 0)).toBe(t.skipped + (t.notMatched ?? 0));
          expect(report.resources.length).toBe(Math.min(cap, full.length));
          expect(report.ok).toBe(t.failed === 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('inputErrorReport', () => {
  it('answers bad input with ok false, the code, the message and every issue', () => {
    expect(inputErrorReport('INVALID_POLICY', 'invalid policy', [{ path: 'regions', message: 'needs at least one region' }])).toEqual({
      ok: false,
      error: { code: 'INVALID_POLICY', message: 'invalid policy', issues: [{ path: 'regions', message: 'needs at least one region' }] },
    });
  });
});

describe('reportErrorOf', () => {
  it('keeps the code, region and request id of a cloud error', () => {
    const e = new CloudCallError({ code: 'InternalError', message: 'boom', product: 'VpcIpam', action: 'UntagResources', region: 'cn-beijing', retryable: true, requestId: 'req-5', statusCode: 500 });
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
