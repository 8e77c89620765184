/**
 * The run orchestrator: discover -> select -> plan -> execute -> report as one streaming pipeline.
 * Pages flow from the listers (lib/run/list-units.ts), each resource is judged by `selectRemovals`, the
 * selections go to the write sink chosen once for the run (lib/run/sink.ts: dry run, the
 * `maxResources` count, or direct writes that start while listing continues), and the report gathers
 * every outcome. A deadline `signal` stops listing and sending; the continuation tracker
 * (lib/run/continuation.ts) says where a later run resumes.
 *
 * Memory is flat in the number of resources: each outcome goes to the report's counts and to `log` as
 * it is final and is then dropped (unless `retainOutcomes`). What the run holds per resource is bounded:
 * one page of discovery (plus the Vpc key streams' dedup set, O(unit)), the planner's buffers, the
 * executor's `highWater` batches, split resources until their last part, and the `maxResources` buffer
 * (at most `maxResources` selections).
 */
import { PolicyValidationError, RunErrorCode } from './errors.ts';
import { compilePolicy } from './policy/compile.ts';
import { type PolicyIssue, parsePolicy } from './policy/parse.ts';
import type { Policy } from './policy/schema.ts';
import { type ReportBuilder, runErrorOf } from './report.ts';
import { createRunContext, type RunContext, reportFor } from './run/context.ts';
import { type ContinuationTracker, createContinuationTracker, type LimitPhase } from './run/continuation.ts';
import { budgetSink, countingSink, limitPhaseOf } from './run/limit.ts';
import { listUnits, unitsOf } from './run/list-units.ts';
import { directSink, dryRunSink, type SinkEnd, type WriteSink } from './run/sink.ts';
import type { RunDeps, RunInput } from './run/types.ts';
import { selectRemovals } from './select.ts';
import { emptyTagSet } from './tag-set.ts';
import type { Continuation, Report, ResourceOutcome, Selection, TaggedResource } from './types.ts';

export type { RunDeps, RunInput, RunProgress } from './run/types.ts';
export type { WriteJournal } from './run/writer.ts';

/**
 * Runs one policy to the end (or to the deadline). Never throws for a cloud failure: failed calls
 * become `failed` outcomes and report errors. A policy that does not validate is answered
 * `ok:false` / `INVALID_POLICY` with every issue, before any cloud call. Returns the report (its
 * `resources` cut to `limits.reportResourceCap`, failures first; counts exact) and `full`: every
 * outcome when `deps.retainOutcomes` is true, else `[]` (the log has them all).
 */
export async function runCleanup(input: RunInput, deps: RunDeps): Promise<{ report: Report; full: ResourceOutcome[] }> {
  const parsed = parsePolicy(input.policy);
  if (!parsed.ok) return { report: invalidPolicyReport(input, deps, parsed.issues), full: [] };
  const compiled = compilePolicy(parsed.policy);
  const policy = compiled.policy;
  const limit = limitPhaseOf(policy, input.continuation);
  // A continuation written outside the limit's phases does not say what was counted: count from the start.
  const before = limit && !input.continuation?.limit ? undefined : input.continuation;
  const tracker = createContinuationTracker(unitsOf(policy, input.narrowTo), before);
  const ctx = createRunContext(input, deps, policy, tracker);
  const sink = chooseSink(ctx, policy, tracker, limit);
  const select = input.reviewedPlan
    ? (r: TaggedResource) => input.reviewedPlan?.select(r) ?? { selection: selectRemovals(r, compiled) }
    : (r: TaggedResource) => ({ selection: selectRemovals(r, compiled) });
  // With a journal every removed key is named in the call, so its value is in the journal: never All=true.
  const explicitKeys = deps.journal !== undefined;

  await listUnits({
    ctx,
    tracker,
    compiled,
    mutating: sink.mutating,
    ...(input.narrowTo ? { narrowTo: input.narrowTo } : {}),
    ...(input.scopeRegions ? { scopeRegions: input.scopeRegions } : {}),
    ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
    judge: (resource, page) => judge(ctx.report, select, sink, resource, page, explicitKeys),
    unitListed: (unit) => sink.unitListed(unit),
  });
  // A reviewed plan's resources that were never listed carry none of their planned keys any more.
  if (input.reviewedPlan && !tracker.stopped)
    for (const o of input.reviewedPlan.unseen()) {
      ctx.report.matched();
      ctx.report.record(o);
    }
  const end = await sink.finish(tracker.stopped);

  // A run stopped by refused credentials or an unreachable endpoint says so once, and is not continued.
  const stop = ctx.stopped();
  const next = stop ? undefined : continuationOf(input, tracker, end);
  const exactUntag = [...ctx.untagMode.exact].sort();
  const exact = next && exactUntag.length > 0 ? { ...next, exactUntag } : next;
  const error = stop ? { code: stop.code, message: stop.message } : end.error;
  const failedBefore = input.continuation?.failed ?? 0;
  const report = ctx.report.build({ now: new Date(ctx.now()), failedBefore, ...(error ? { error } : {}) });
  // The units this hop's failures belong to are done for the next hop: their failures travel with it.
  const failed = failedBefore + report.totals.failed + report.errors.length;
  if (exact) report.continuation = failed > 0 ? { ...exact, failed } : exact;
  // Said after counting, so the carried count does not grow by this entry at every hop.
  if (failedBefore > 0) report.errors.push(earlierHopsFailed(input.runId, failedBefore));
  return { report, full: ctx.full };
}

/** The sink for this run, chosen once: dry run, the `maxResources` count or budget, or direct writes. */
function chooseSink(
  ctx: RunContext,
  policy: Policy,
  tracker: ContinuationTracker,
  limit: LimitPhase | undefined,
): WriteSink {
  if (policy.dryRun) return dryRunSink(ctx.report);
  const max = policy.limits?.maxResources;
  if (!limit || max === undefined) return directSink(ctx.writer, tracker);
  const deps = { max, report: ctx.report, writer: ctx.writer, tracker, abandoned: () => ctx.counters.abandoned };
  return limit.phase === 'count' ? countingSink(deps, limit.counted) : budgetSink(deps, limit.used);
}

/** Selection's verdict on one resource: skipped ones are recorded, the others go to the sink with their values. */
async function judge(
  report: ReportBuilder,
  select: (r: TaggedResource) => { selection: Selection; changed?: string[] },
  sink: WriteSink,
  resource: TaggedResource,
  page: number,
  explicitKeys: boolean,
): Promise<void> {
  const { selection: sel, changed } = select(resource);
  if (sel.action === 'skip') {
    if (sel.reason !== 'not-matched') report.matched();
    report.record({
      region: sel.region,
      type: sel.type,
      id: sel.id,
      keys: sel.keys,
      status: 'skipped',
      reason: sel.reason,
      ...(changed && changed.length > 0 ? { changed } : {}),
    });
    return;
  }
  report.matched();
  const values = emptyTagSet();
  for (const k of sel.keys) if (Object.hasOwn(resource.tags, k)) values[k] = resource.tags[k] as string;
  await sink.take({ ...sel, values, ...(explicitKeys ? { all: false } : {}) }, page);
}

/** What a later run resumes from: none once the run is over, a fresh start for the limit's write phase. */
function continuationOf(input: RunInput, tracker: ContinuationTracker, end: SinkEnd): Continuation | undefined {
  if (end.final) return undefined;
  const hop = (input.continuation?.hop ?? 0) + 1;
  if (end.restart) return { version: 1, runId: input.runId, done: [], hop, limit: end.restart };
  return tracker.continuation(input.runId, hop, end.limit);
}

/** The answer to a policy that does not validate: every issue, zero cloud calls. */
function invalidPolicyReport(input: RunInput, deps: RunDeps, issues: PolicyIssue[]): Report {
  const name = typeof input.policy?.name === 'string' ? input.policy.name : '';
  const now = deps.now ?? Date.now;
  return reportFor(input, { ...deps, retainOutcomes: false }, { name, dryRun: false }, []).build({
    now: new Date(now()),
    error: runErrorOf(new PolicyValidationError(issues)),
  });
}

/** Why a hop is not ok although nothing of its own failed: the failures of the hops before it. */
function earlierHopsFailed(runId: string, n: number): { code: string; message: string } {
  return {
    code: RunErrorCode.EarlierHopFailed,
    message: `earlier hops of run ${runId} reported ${n} failure(s); their reports name them (report --run ${runId})`,
  };
}
