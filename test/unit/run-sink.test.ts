import { describe, expect, it } from 'vitest';
import type { Executor } from '../../lib/execute/execute.ts';
import { createPlanner } from '../../lib/plan.ts';
import { ReportBuilder } from '../../lib/report.ts';
import { createContinuationTracker } from '../../lib/run/continuation.ts';
import { budgetSink, countingSink } from '../../lib/run/limit.ts';
import { directSink, dryRunSink } from '../../lib/run/sink.ts';
import { type BatchWriter, createBatchWriter, type WriteJournal } from '../../lib/run/writer.ts';
import type { RemoveSelection } from '../../lib/select.ts';
import type { ResourceOutcome, UntagBatch } from '../../lib/types.ts';

const unit = { region: 'r1', type: 'IPAMPOOL' as const };
const sel = (i: number): RemoveSelection => ({ ...unit, id: `p${i}`, action: 'remove', keys: ['tmp'], all: false });
const report = () =>
  new ReportBuilder({ runId: 'r', policyName: 'p', dryRun: false, startedAt: new Date(0), cap: 100 });
const build = (b: ReportBuilder) => b.build({ now: new Date(0) });

/** A writer that only remembers what it was given. */
function fakeWriter(): BatchWriter & { added: string[]; finished: number } {
  const w = {
    added: [] as string[],
    finished: 0,
    async add(s: RemoveSelection) {
      w.added.push(s.id);
    },
    async unitListed() {},
    async finish() {
      w.finished++;
    },
  };
  return w;
}

/** An executor that answers every batch `untagged` at once and logs the order of events. */
function fakeExecutor(events: string[], opts: { aborted?: () => boolean } = {}): Executor & { sent: UntagBatch[] } {
  const sent: UntagBatch[] = [];
  return {
    sent,
    async submit(batch, options) {
      events.push(`submit ${batch.ids.join(',')}${options?.despiteDeadline ? ' despite' : ''}`);
      sent.push(batch);
      const status = opts.aborted?.() && !options?.despiteDeadline ? 'skipped' : 'untagged';
      return batch.ids.map((id): ResourceOutcome => ({ ...unit, id, keys: ['tmp'], status }));
    },
    async ready() {},
    async drain() {},
    free: 0,
  };
}

describe('dryRunSink', () => {
  it('records every selection planned and writes nothing', async () => {
    const b = report();
    const sink = dryRunSink(b);
    await sink.take(sel(1), 1);
    await sink.take(sel(2), 1);
    expect(await sink.finish(false)).toEqual({});
    expect(build(b).totals).toMatchObject({ planned: 2, untagged: 0 });
    expect(sink.mutating).toBe(false);
  });
});

describe('directSink', () => {
  it('hands each selection to the writer at once and tells the tracker its page', async () => {
    const w = fakeWriter();
    const tracker = createContinuationTracker([unit]);
    const page = tracker.pageListed(undefined);
    const sink = directSink(w, tracker);
    await sink.take(sel(1), page);
    expect(w.added).toEqual(['p1']);
    tracker.pageJudged(page);
    tracker.abandoned({ product: 'VpcIpam', ...unit, ids: ['p1'], keys: ['tmp'], removes: { p1: ['tmp'] } });
    tracker.finished(unit);
    expect(tracker.continuation('r', 1)?.done).toEqual([]);
    await sink.finish(false);
    expect(w.finished).toBe(1);
  });
});

describe('countingSink', () => {
  const deps = (max: number, w = fakeWriter(), b = report()) => ({
    max,
    report: b,
    writer: w,
    tracker: createContinuationTracker([unit]),
    abandoned: () => 0,
  });

  it('buffers a count that starts from zero and writes it all once the listing ended within the limit', async () => {
    const d = deps(3);
    const sink = countingSink(d, 0);
    for (const i of [1, 2, 3]) await sink.take(sel(i), 1);
    expect(d.writer.added).toEqual([]);
    expect(await sink.finish(false)).toEqual({ limit: { phase: 'write', used: 3 } });
    expect((d.writer as ReturnType<typeof fakeWriter>).added).toEqual(['p1', 'p2', 'p3']);
  });

  it('refuses the run past the limit, counting on to give the whole count, and writes nothing', async () => {
    const d = deps(2);
    const sink = countingSink(d, 0);
    for (const i of [1, 2, 3, 4]) await sink.take(sel(i), 1);
    const end = await sink.finish(false);
    expect(end).toMatchObject({ final: true, error: { code: 'LIMIT_EXCEEDED', count: 4 } });
    expect((d.writer as ReturnType<typeof fakeWriter>).added).toEqual([]);
    expect(build(d.report).totals.skippedBy).toMatchObject({ 'limit-exceeded': 4 });
  });

  it('hands the count on when the deadline cut it, and includes what earlier hops counted', async () => {
    const d = deps(10);
    const sink = countingSink(d, 4);
    await sink.take(sel(1), 1);
    expect(await sink.finish(true)).toEqual({ limit: { phase: 'count', counted: 5 } });
    expect(build(d.report).totals.planned).toBe(1);
  });

  it('after a count over several hops, starts the write phase from the top rather than writing a part', async () => {
    const d = deps(10);
    const sink = countingSink(d, 4);
    await sink.take(sel(1), 1);
    expect(await sink.finish(false)).toEqual({ restart: { phase: 'write', used: 0 } });
    expect((d.writer as ReturnType<typeof fakeWriter>).added).toEqual([]);
  });

  it('carries an earlier hop’s count into the limit', async () => {
    const d = deps(5);
    const sink = countingSink(d, 5);
    await sink.take(sel(1), 1);
    expect(await sink.finish(true)).toMatchObject({ final: true, error: { count: 6 } });
  });
});

describe('budgetSink', () => {
  it('writes up to what is left of the limit, refuses the rest and ends the run with LIMIT_EXCEEDED', async () => {
    const w = fakeWriter();
    const b = report();
    const sink = budgetSink(
      { max: 5, report: b, writer: w, tracker: createContinuationTracker([unit]), abandoned: () => 0 },
      3,
    );
    for (const i of [1, 2, 3]) await sink.take(sel(i), 1);
    expect(w.added).toEqual(['p1', 'p2']);
    expect(await sink.finish(false)).toMatchObject({ final: true, error: { code: 'LIMIT_EXCEEDED', count: 6 } });
  });

  it('hands on what it spent, not counting abandoned batches', async () => {
    const w = fakeWriter();
    const sink = budgetSink(
      { max: 50, report: report(), writer: w, tracker: createContinuationTracker([unit]), abandoned: () => 1 },
      10,
    );
    for (const i of [1, 2, 3]) await sink.take(sel(i), 1);
    expect(await sink.finish(true)).toEqual({ limit: { phase: 'write', used: 12 } });
  });
});

describe('createBatchWriter', () => {
  const planner = () => createPlanner({ maxIdsPerCall: 2, maxKeysPerCall: 20, bufferSize: 2 });

  it('calls the journal before each batch is submitted and after its outcome, with that batch’s outcomes', async () => {
    const events: string[] = [];
    const journal: WriteJournal = {
      beforeSubmit: (b) => {
        events.push(`before ${b.ids.join(',')}`);
      },
      afterOutcome: (b, outcomes) => {
        events.push(`after ${b.ids.join(',')}: ${outcomes.map((o) => o.status).join(',')}`);
      },
    };
    const b = report();
    const writer = createBatchWriter({
      planner: planner(),
      executor: fakeExecutor(events),
      untagSent: () => 0,
      journal,
      record: (o) => b.record(o),
      error: (e) => b.error(e),
    });
    for (const i of [1, 2, 3]) await writer.add(sel(i));
    await writer.finish();
    expect(events).toEqual([
      'before p1,p2',
      'submit p1,p2',
      'after p1,p2: untagged,untagged',
      'before p3',
      'submit p3',
      'after p3: untagged',
    ]);
  });

  it('sends no batch its journal refused: its resources are failed, JOURNAL_FAILED', async () => {
    const events: string[] = [];
    const b = report();
    const writer = createBatchWriter({
      planner: planner(),
      executor: fakeExecutor(events),
      untagSent: () => 0,
      journal: {
        beforeSubmit: () => Promise.reject(new Error('store unavailable')),
        afterOutcome: () => {},
      },
      record: (o) => b.record(o),
      error: (e) => b.error(e),
    });
    await writer.add(sel(1));
    await writer.add(sel(2));
    await writer.finish();
    expect(events).toEqual([]);
    const r = build(b);
    expect(r.totals.failed).toBe(2);
    expect(r.errors[0]).toMatchObject({ code: 'JOURNAL_FAILED', ids: ['p1', 'p2'] });
  });

  it('past the deadline with no write sent yet, sends one planned batch despite it, and only one', async () => {
    const events: string[] = [];
    const controller = new AbortController();
    controller.abort();
    const writer = createBatchWriter({
      planner: createPlanner({ maxIdsPerCall: 1, maxKeysPerCall: 20, bufferSize: 10 }),
      executor: fakeExecutor(events),
      signal: controller.signal,
      untagSent: () => 0,
      record: () => {},
      error: () => {},
    });
    for (const i of [1, 2, 3]) await writer.add(sel(i));
    await writer.finish();
    expect(events.filter((e) => e.endsWith('despite'))).toHaveLength(1);
    expect(events).toHaveLength(3);
  });
});
