/**
 * The run context: everything a run's stages share, built once per run instead of threaded through
 * them as options: the cloud port, the engine's tuning, the rate limiter, the deadline signal, the
 * report and its counters, the listing context, the planner, the executor and the batch writer.
 */
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { type Tuning, withTuning } from '../catalog.ts';
import type { CloudPort } from '../cloud/port.ts';
import type { ListContext } from '../discover/index.ts';
import { boundedPort } from '../execute/bounded-port.ts';
import { createExecutor, type Executor } from '../execute/execute.ts';
import { createRateLimiter, type RateLimiter } from '../execute/rate-limiter.ts';
import { createRunGuard, type RunStop } from '../execute/run-guard.ts';
import { createPlanner } from '../plan.ts';
import type { Policy } from '../policy/schema.ts';
import { ReportBuilder } from '../report.ts';
import type { ResourceOutcome } from '../types.ts';
import { createUntagMode, type UntagMode } from '../untag-mode.ts';
import type { ContinuationTracker } from './continuation.ts';
import type { RunDeps, RunInput } from './types.ts';
import { type BatchWriter, createBatchWriter } from './writer.ts';

export interface RunContext {
  runId: string;
  tuning: Tuning;
  signal?: AbortSignal;
  now: () => number;
  report: ReportBuilder;
  /** Every outcome, when the caller asked to retain them; else empty. */
  full: ResourceOutcome[];
  list: ListContext;
  executor: Executor;
  writer: BatchWriter;
  /** Untag attempts sent, and resources of batches abandoned at the deadline, so far. */
  counters: { untagSent: number; abandoned: number };
  /** Why the run stopped before its end (refused credentials, unreachable endpoint), if it did. */
  stopped: () => RunStop | undefined;
  /** What the run learned of the untag API (from the continuation, then its own calls): the next hop's too. */
  untagMode: UntagMode;
}

/** Keys the policy decides on by value: a call names one only if all its ids remove it (lib/plan.ts). */
export function guardKeysOf(policy: Policy): Set<string> {
  const keys = new Set((policy.match?.tags ?? []).map((t) => t.key));
  const tag = policy.protect?.resourceTag;
  if (tag) keys.add(tag.key);
  return keys;
}

/** The report of a run, its outcomes fanned out to the log, the caller's sink and `full` as they become final. */
export function reportFor(
  input: RunInput,
  deps: RunDeps,
  policy: Pick<Policy, 'name' | 'dryRun'>,
  full: ResourceOutcome[],
) {
  const { log, onOutcome } = deps;
  const retain = deps.retainOutcomes === true;
  const now = deps.now ?? Date.now;
  return new ReportBuilder({
    runId: input.runId,
    policyName: policy.name,
    dryRun: policy.dryRun,
    startedAt: new Date(now()),
    cap: withTuning(deps.tuning).reportResourceCap,
    ...(log || onOutcome || retain
      ? {
          onOutcome: (o: ResourceOutcome) => {
            if (log) log(JSON.stringify({ runId: input.runId, resource: o }));
            if (onOutcome) onOutcome(o);
            if (retain) full.push({ ...o, keys: [...o.keys] });
          },
        }
      : {}),
  });
}

/**
 * The run's cloud port: every call, list or write, ends before the invocation must (a call may outlast
 * the deadline margin), and refused credentials or an unreachable endpoint stop the run at once (its
 * signal fires as at a deadline).
 */
function guardedCloud(input: RunInput, deps: RunDeps, tuning: Tuning) {
  const bounded =
    input.callsEndBy !== undefined
      ? boundedPort(deps.cloud, {
          callsEndBy: input.callsEndBy,
          ...(input.writesEndBy !== undefined ? { writesEndBy: input.writesEndBy } : {}),
        })
      : deps.cloud;
  return createRunGuard(bounded, {
    unreachableAttempts: tuning.unreachableAttempts,
    ...(input.signal ? { outer: input.signal } : {}),
  });
}

/** The run's write executor: its outcomes go to the tracker and the report, its calls to the counters. */
function runExecutor(r: {
  input: RunInput;
  deps: RunDeps;
  policy: Policy;
  tuning: Tuning;
  cloud: CloudPort;
  rateLimiter: RateLimiter;
  report: ReportBuilder;
  counters: RunContext['counters'];
  tracker: ContinuationTracker;
  withValues: (o: ResourceOutcome) => ResourceOutcome;
  guard: { signal: AbortSignal; stopped: () => RunStop | undefined };
  untagMode: UntagMode;
  guardKeys: ReadonlySet<string>;
}): Executor {
  const { report, counters, tracker, guard } = r;
  return createExecutor(
    {
      cloud: r.cloud,
      // The executor's and the lister's contexts (lib/execute, lib/discover) still call it `limits`.
      limits: r.tuning,
      rateLimiter: r.rateLimiter,
      runId: r.input.runId,
      invocationId: r.input.invocationId ?? randomUUID(),
      count: (kind, n) => {
        if (kind === 'untag') counters.untagSent += n;
        report.count(kind, n);
      },
      record: (o, keysRemoved) => {
        tracker.settled(o);
        report.record(r.withValues(o), keysRemoved);
      },
      error: (e) => report.error(e),
      onAbandon: (batch) => {
        counters.abandoned += batch.ids.length;
        tracker.abandoned(batch);
      },
      stopped: () => guard.stopped() !== undefined,
      signal: guard.signal,
      untagMode: r.untagMode,
      guardKeys: r.guardKeys,
      progress: { succeeded: 0, refused: 0, rescued: false },
    },
    r.policy.limits?.concurrency ?? r.tuning.defaultConcurrency,
  );
}

/** The run's planner: packing for the engine's batches, or exactly the plan's under a reviewed plan. */
function runPlanner(
  input: RunInput,
  tuning: Tuning,
  guardKeys: ReturnType<typeof guardKeysOf>,
  untagMode: ReturnType<typeof createUntagMode>,
) {
  return createPlanner({
    maxIdsPerCall: tuning.maxIdsPerCall,
    maxKeysPerCall: tuning.maxKeysPerCall,
    bufferSize: tuning.planBufferSize,
    guardKeys,
    // Under a reviewed plan selection is by value: each call removes exactly its ids' own keys.
    exact: (product) => input.reviewedPlan !== undefined || untagMode.exact.has(product),
  });
}

/** Builds the context of one run of `policy`; the tracker hears of every final outcome and abandoned batch. */
export function createRunContext(
  input: RunInput,
  deps: RunDeps,
  policy: Policy,
  tracker: ContinuationTracker,
): RunContext {
  const tuning = withTuning(deps.tuning);
  const full: ResourceOutcome[] = [];
  const report = reportFor(input, deps, policy, full);
  const counters = { untagSent: 0, abandoned: 0 };
  // Removed values ride on outcomes that removed something (the journal remembers them per resource).
  const withValues = (o: ResourceOutcome): ResourceOutcome => {
    if (o.status !== 'untagged' || !deps.journal?.valuesOf) return o;
    const values = deps.journal.valuesOf(o);
    return values ? { ...o, values } : o;
  };
  const rateLimiter =
    deps.rateLimiter ?? createRateLimiter(deps.quotaScale !== undefined ? { quotaScale: deps.quotaScale } : {});
  const guard = guardedCloud(input, deps, tuning);
  const cloud = guard.port;
  const untagMode = createUntagMode(input.continuation?.exactUntag ?? []);
  const guardKeys = guardKeysOf(policy);
  const signal = { signal: guard.signal };
  const list: ListContext = {
    cloud,
    limits: tuning,
    listLimit: pLimit(tuning.listConcurrency),
    rateLimiter,
    count: (kind, n) => report.count(kind, n),
    ...signal,
  };
  const executor = runExecutor({
    input,
    deps,
    policy,
    tuning,
    cloud,
    rateLimiter,
    report,
    counters,
    tracker,
    withValues,
    guard,
    untagMode,
    guardKeys,
  });
  const writer = createBatchWriter({
    planner: runPlanner(input, tuning, guardKeys, untagMode),
    executor,
    ...signal,
    untagSent: () => counters.untagSent,
    ...(deps.journal ? { journal: deps.journal } : {}),
    record: (o) => {
      tracker.settled(o);
      report.record(withValues(o));
    },
    error: (e) => report.error(e),
  });
  return {
    runId: input.runId,
    tuning,
    ...signal,
    now: deps.now ?? Date.now,
    report,
    full,
    list,
    executor,
    writer,
    counters,
    stopped: guard.stopped,
    untagMode,
  };
}
