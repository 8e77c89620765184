/**
 * `limits.maxResources`: the policy's limit for the whole run, across invocations. A run counts the
 * resources that would change before it writes any. When the count fits one invocation, the
 * selections are buffered (at most `maxResources` of them) and written at the end, or refused with
 * `LIMIT_EXCEEDED`. When the deadline cuts the count, the continuation carries it (`limit.phase:
 * 'count'`, with the cursors of the listing), so each hop counts on from where the last stopped
 * instead of starting over; once the count is complete and within the limit, the run lists from the
 * start again and writes (`phase: 'write'`), spending at most what is left of the limit over all its
 * hops (the world may have grown since the count: what is over the limit is then refused).
 */
import { LimitExceededError } from '../errors.ts';
import type { Policy } from '../policy/schema.ts';
import { type ReportBuilder, runErrorOf } from '../report.ts';
import type { RemoveSelection } from '../select.ts';
import type { Continuation, Report } from '../types.ts';
import type { ContinuationTracker, LimitPhase } from './continuation.ts';
import { directSink, type WriteSink } from './sink.ts';
import type { BatchWriter } from './writer.ts';

/** Which phase of a limited run this invocation is in, and whether the earlier continuation still applies. */
export function limitPhaseOf(policy: Policy, before: Continuation | undefined): LimitPhase | undefined {
  if (policy.limits?.maxResources === undefined || policy.dryRun) return undefined;
  return before?.limit ?? { phase: 'count', counted: 0 };
}

/** What a limited sink needs of its run. */
export interface LimitDeps {
  max: number;
  report: ReportBuilder;
  writer: BatchWriter;
  tracker: ContinuationTracker;
  /** Resources of batches abandoned at the deadline so far (not written: they do not spend the limit). */
  abandoned: () => number;
}

const skip = (report: ReportBuilder, sel: RemoveSelection, reason: 'limit-exceeded') =>
  report.record({ region: sel.region, type: sel.type, id: sel.id, keys: sel.keys, status: 'skipped', reason });
const planned = (report: ReportBuilder, sel: RemoveSelection) =>
  report.record({ region: sel.region, type: sel.type, id: sel.id, keys: sel.keys, status: 'planned' });

const exceeded = (count: number, max: number, note = ''): Report['error'] =>
  runErrorOf(new LimitExceededError(count, max, note));

/**
 * The count phase. Nothing is written while listing; counting goes on past the limit (the error
 * gives the count). Only a count that started from zero can buffer what it needs to write at its end.
 */
export function countingSink(deps: LimitDeps, counted: number): WriteSink {
  const { max, report, writer } = deps;
  let wouldChange = counted;
  let buffered: RemoveSelection[] | undefined = counted === 0 ? [] : undefined;
  let hit = false;
  return {
    mutating: false,
    async take(sel) {
      wouldChange++;
      if (wouldChange > max && !hit) {
        hit = true;
        for (const b of buffered ?? []) skip(report, b, 'limit-exceeded');
        buffered = undefined;
      }
      if (hit) skip(report, sel, 'limit-exceeded');
      else if (buffered) buffered.push(sel);
      else planned(report, sel);
    },
    async unitListed() {},
    async finish(stopped) {
      if (hit) return { error: exceeded(wouldChange, max), final: true };
      if (stopped) {
        for (const b of buffered ?? []) planned(report, b);
        return { limit: { phase: 'count', counted: wouldChange } };
      }
      // Counted over several hops: the earlier hops' selections are gone, so list again and write.
      if (!buffered) return { restart: { phase: 'write', used: 0 } };
      for (const b of buffered) await writer.add(b);
      await writer.finish();
      return { limit: { phase: 'write', used: buffered.length - deps.abandoned() } };
    },
  };
}

/** The write phase: writes as it lists, and refuses what would take the run over the limit. */
export function budgetSink(deps: LimitDeps, used: number): WriteSink {
  const { max, report } = deps;
  const direct = directSink(deps.writer, deps.tracker);
  let handed = 0;
  let over = 0;
  return {
    mutating: true,
    async take(sel, page) {
      if (used + handed >= max) {
        over++;
        skip(report, sel, 'limit-exceeded');
        return;
      }
      handed++;
      await direct.take(sel, page);
    },
    unitListed: (unit) => direct.unitListed(unit),
    async finish() {
      await direct.finish(false);
      const spent = used + handed - deps.abandoned();
      if (over === 0) return { limit: { phase: 'write', used: spent } };
      return { error: exceeded(used + handed + over, max, ': more than were counted before writing'), final: true };
    },
  };
}
