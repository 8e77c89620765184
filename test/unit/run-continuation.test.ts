import { describe, expect, it } from 'vitest';
import { continuationCursors, createContinuationTracker } from '../../lib/run/continuation.ts';
import type { Continuation, UntagBatch } from '../../lib/types.ts';

const A = { region: 'r1', type: 'IPAMPOOL' as const };
const B = { region: 'r2', type: 'IPAMPOOL' as const };
const C = { region: 'r3', type: 'IPAMPOOL' as const };
const ref = (unit: typeof A, id: string) => ({ ...unit, id });
const batch = (unit: typeof A, ids: string[]): UntagBatch => ({
  product: 'VpcIpam',
  ...unit,
  ids,
  keys: ['k'],
  removes: Object.fromEntries(ids.map((id) => [id, ['k']])),
});
const cursor = (token: string) => ({ lister: 'ListIpamPools', token });

describe('createContinuationTracker', () => {
  it('leaves no continuation when every unit finished and nothing was abandoned', () => {
    const t = createContinuationTracker([A, B]);
    t.finished(A);
    t.finished(B);
    expect(t.continuation('run', 1)).toBeUndefined();
  });

  it('lists only the units an earlier run did not finish, and resumes a cut unit from its cursor', () => {
    const before: Continuation = {
      version: 1,
      runId: 'run',
      done: [A],
      cursors: [{ ...B, ...cursor('t5') }],
      hop: 3,
    };
    const t = createContinuationTracker([A, B, C], before);
    expect(t.toList).toEqual([B, C]);
    expect(t.resumeOf(B)).toEqual(cursor('t5'));
    expect(t.resumeOf(C)).toBeUndefined();
  });

  it('keeps the earlier units done, adds this run’s in policy order, and one cursor per unit cut', () => {
    const t = createContinuationTracker([A, B, C], { version: 1, runId: 'run', done: [B], hop: 1 });
    t.finished(C);
    t.cut(A, cursor('a2'));
    expect(t.stopped).toBe(true);
    expect(t.continuation('run', 2)).toEqual({
      version: 1,
      runId: 'run',
      done: [B, C],
      cursor: { ...A, ...cursor('a2') },
      cursors: [{ ...A, ...cursor('a2') }],
      hop: 2,
    });
  });

  it('sends a cut unit with an abandoned batch back to the start of the earliest page holding one', () => {
    const t = createContinuationTracker([A]);
    const p1 = t.pageListed(undefined);
    t.handed(ref(A, 'x1'), p1);
    t.pageJudged(p1);
    const p2 = t.pageListed(cursor('a2'));
    t.handed(ref(A, 'x2'), p2);
    t.handed(ref(A, 'x3'), p2);
    t.pageJudged(p2);
    t.settled(ref(A, 'x1'));
    t.abandoned(batch(A, ['x2', 'x3']));
    t.cut(A, cursor('a3'));
    expect(t.continuation('run', 1)).toMatchObject({ done: [], cursors: [{ ...A, ...cursor('a2') }] });
  });

  it('lists a unit again from its start when the abandoned resource was on its first page', () => {
    const t = createContinuationTracker([A, B]);
    const p1 = t.pageListed(undefined);
    t.handed(ref(A, 'x1'), p1);
    t.pageJudged(p1);
    t.finished(A);
    t.finished(B);
    t.abandoned(batch(A, ['x1']));
    const c = t.continuation('run', 1);
    expect(c).toMatchObject({ done: [B] });
    expect(c?.cursors).toBeUndefined();
  });

  it('forgets a page once it is judged and its selections are final: a later abandon cannot point at it', () => {
    const t = createContinuationTracker([A]);
    const p1 = t.pageListed(cursor('a1'));
    t.handed(ref(A, 'x1'), p1);
    t.pageJudged(p1);
    t.settled(ref(A, 'x1'));
    const p2 = t.pageListed(cursor('a2'));
    t.handed(ref(A, 'x2'), p2);
    t.pageJudged(p2);
    t.abandoned(batch(A, ['x1', 'x2']));
    t.cut(A, cursor('a3'));
    expect(t.continuation('run', 1)?.cursors).toEqual([{ ...A, ...cursor('a2') }]);
  });

  it('carries the limit phase it is given', () => {
    const t = createContinuationTracker([A]);
    t.cut(A, cursor('a2'));
    expect(t.continuation('run', 4, { phase: 'count', counted: 120 })).toMatchObject({
      hop: 4,
      limit: { phase: 'count', counted: 120 },
    });
  });
});

describe('continuationCursors', () => {
  it('reads `cursor` alone from a continuation written before units listed concurrently', () => {
    const only = { ...A, ...cursor('old') };
    expect(continuationCursors({ version: 1, runId: 'r', done: [], cursor: only, hop: 1 })).toEqual([only]);
    expect(
      continuationCursors({
        version: 1,
        runId: 'r',
        done: [],
        cursor: only,
        cursors: [only, { ...B, ...cursor('b') }],
        hop: 1,
      }),
    ).toHaveLength(2);
  });
});
