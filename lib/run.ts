/**
 * The run orchestrator: discover -> select -> plan -> execute -> report as one streaming pipeline.
 * Pages flow from the listers, each resource is judged by `selectRemovals`, complete batches go to the
 * executor at once (writes start while listing continues), and the report gathers every outcome. Up to
 * `limits.listConcurrency` (region, type) units list at once (pages within a unit are a token chain).
 *
 * Safety: `dryRun` makes zero write calls and reports each resource `planned` with its keys;
 * `limits.maxResources` buffers selections until discovery ends (then writes) or the count of resources
 * that would change goes over it (then nothing is written, counting goes on, and the answer is
 * `ok:false`, `LIMIT_EXCEEDED` with the count). A deadline `signal` stops pulling pages and sending
 * batches (retry waits included; calls already sent finish), reports the abandoned resources
 * `skipped`/`deadline`, and returns a `continuation` that a later run resumes from: each unit cut
 * mid-listing resumes from its own cursor (`cursors`), or from the earliest page that holds a resource
 * whose batch was abandoned; other units with an abandoned batch are not done, so they are listed again.
 *
 * Memory is flat in the number of resources: each outcome goes to the report's counts and to `log` as
 * it is final and is then dropped (unless `retainOutcomes`). What the run holds per resource is bounded:
 * one page of discovery (plus the Vpc key streams' dedup set, O(unit)), the planner's buffers, the
 * executor's `highWater` batches, split resources until their last part, and the `maxResources` buffer
 * (at most `maxResources` selections).
 */
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { type Limits, type ResourceType, withLimits } from './catalog.ts';
import type { CloudPort } from './cloud/port.ts';
import { discoverUnit, type ListContext, type ListCursor, type ListUnit } from './discover/index.ts';
import { createExecutor } from './execute/execute.ts';
import { createRateLimiter, type RateLimiter } from './execute/rate-limiter.ts';
import { DeadlineError } from './execute/retry.ts';
import { createPlanner } from './plan.ts';
import { compilePolicy } from './policy/compile.ts';
import { parsePolicy } from './policy/parse.ts';
import type { Policy } from './policy/schema.ts';
import { ReportBuilder, reportErrorOf } from './report.ts';
import { type RemoveSelection, selectRemovals } from './select.ts';
import type {
  Continuation,
  ContinuationCursor,
  Report,
  ResourceOutcome,
  ResourceRef,
  TaggedResource,
  UntagBatch,
} from './types.ts';

export interface RunInput {
  policy: Policy;
  runId: string;
  /** Fires a margin before the deadline: stop listing, finish in-flight work, return a continuation. */
  signal?: AbortSignal;
  /** Where an earlier run of the same policy stopped. */
  continuation?: Continuation;
  /** Only these resources (a Config event): listed by explicit ids. */
  narrowTo?: ResourceRef[];
  /** This invocation (FC's request id, kept across re-deliveries); default a fresh id: part of ClientTokens. */
  invocationId?: string;
}

/** What `onProgress` hears: a page was listed (awaited before its resources are judged). */
export interface RunProgress {
  kind: 'page';
  region: string;
  type: ResourceType;
  resources: TaggedResource[];
}

export interface RunDeps {
  cloud: CloudPort;
  limits?: Partial<Limits>;
  /** Multiplies the published quotas the rate limiter starts from (tests, benchmarks). */
  quotaScale?: number;
  /** Buckets shared across runs (a warm FC instance keeps what it learned); default: fresh per run. */
  rateLimiter?: RateLimiter;
  /**
   * Receives every resource's final outcome as one JSON line `{runId, resource}` when it is final
   * (never a secret; resources outside `match` are only counted).
   */
  log?: (line: string) => void;
  /** Receives every resource's final outcome as a value (the function batches them into log lines). */
  onOutcome?: (o: ResourceOutcome) => void;
  /**
   * Keep every outcome and return it as `full` (the CLI and the demo show lists of small runs). Off by
   * default: `full` is then `[]` and the run's memory does not grow with its resources.
   */
  retainOutcomes?: boolean;
  /** Epoch ms clock. */
  now?: () => number;
  onProgress?: (p: RunProgress) => void | Promise<void>;
}

/**
 * Runs one policy to the end (or to the deadline). Never throws for a cloud failure: failed calls
 * become `failed` outcomes and report errors. A policy that does not validate is answered
 * `ok:false` / `INVALID_POLICY` with every issue, before any cloud call. Returns the report (its
 * `resources` cut to `limits.reportResourceCap`, failures first; counts exact) and `full`: every
 * outcome when `deps.retainOutcomes` is true, else `[]` (the log has them all).
 */
export async function runCleanup(input: RunInput, deps: RunDeps): Promise<{ report: Report; full: ResourceOutcome[] }> {
  const now = deps.now ?? Date.now;
  const limits = withLimits(deps.limits);
  const parsed = parsePolicy(input.policy);
  const policyName = typeof input.policy?.name === 'string' ? input.policy.name : '';
  if (!parsed.ok) {
    const b = new ReportBuilder({
      runId: input.runId,
      policyName,
      dryRun: false,
      startedAt: new Date(now()),
      cap: limits.reportResourceCap,
    });
    const report = b.build({
      now: new Date(now()),
      error: {
        code: 'INVALID_POLICY',
        message: 'the policy is not valid',
        issues: parsed.issues.map((i) => ({ path: i.path, message: i.message })),
      },
    });
    return { report, full: [] };
  }
  const policy = parsed.policy;
  const compiled = compilePolicy(policy);
  const full: ResourceOutcome[] = [];
  const log = deps.log;
  const sink = deps.onOutcome;
  const retain = deps.retainOutcomes === true;
  const report = new ReportBuilder({
    runId: input.runId,
    policyName: policy.name,
    dryRun: policy.dryRun,
    startedAt: new Date(now()),
    cap: limits.reportResourceCap,
    ...(log || sink || retain
      ? {
          onOutcome: (o: ResourceOutcome) => {
            if (log) log(JSON.stringify({ runId: input.runId, resource: o }));
            if (sink) sink(o);
            if (retain) full.push({ ...o, keys: [...o.keys] });
          },
        }
      : {}),
  });
  // Units (region, type) with a batch abandoned at the deadline: not done; resumed (if at all) from the
  // start of the earliest page that holds an abandoned resource, so the continuation lists it again.
  const abandoned = new Map<string, { page: number; cursor: ListCursor | undefined }>();
  const unitName = (u: { region: string; type: string }) => `${u.region}\u0000${u.type}`;
  const refName = (r: ResourceRef) => `${r.region}\u0000${r.type}\u0000${r.id}`;
  // Where each page began, for pages with a selection handed to the planner and not yet final, and the
  // page of each such selection. Bounded by the planner's buffers and the executor's batches in flight
  // (entries go when the outcome is final; a page goes when its last selection does).
  const pageOf = new Map<string, number>();
  const pages = new Map<number, { start: ListCursor | undefined; open: number; judged: boolean }>();
  let pageNo = 0;
  const settle = (o: ResourceRef) => {
    const ref = refName(o);
    const p = pageOf.get(ref);
    if (p === undefined) return;
    pageOf.delete(ref);
    const pg = pages.get(p);
    if (pg && --pg.open === 0 && pg.judged) pages.delete(p);
  };
  const onAbandon = (batch: UntagBatch) => {
    const unit = unitName(batch);
    let first = abandoned.get(unit);
    for (const id of batch.ids) {
      const p = pageOf.get(refName({ region: batch.region, type: batch.type, id }));
      if (p === undefined) continue;
      if (!first || p < first.page) first = { page: p, cursor: pages.get(p)?.start };
    }
    abandoned.set(unit, first ?? { page: -1, cursor: undefined });
  };
  const rateLimiter =
    deps.rateLimiter ?? createRateLimiter(deps.quotaScale !== undefined ? { quotaScale: deps.quotaScale } : {});
  const listCtx: ListContext = {
    cloud: deps.cloud,
    limits,
    listLimit: pLimit(limits.listConcurrency),
    rateLimiter,
    count: (kind, n) => report.count(kind, n),
    ...(input.signal ? { signal: input.signal } : {}),
  };
  const executor = createExecutor(
    {
      cloud: deps.cloud,
      limits,
      rateLimiter,
      runId: input.runId,
      invocationId: input.invocationId ?? randomUUID(),
      count: (kind, n) => {
        if (kind === 'untag') untagSent += n;
        report.count(kind, n);
      },
      record: (o, keysRemoved) => {
        settle(o);
        report.record(o, keysRemoved);
      },
      error: (e) => report.error(e),
      ...(input.signal ? { signal: input.signal } : {}),
      onAbandon,
    },
    policy.limits?.concurrency ?? limits.defaultConcurrency,
  );
  // Untag attempts this run has sent (the progress guarantee at the deadline reads it).
  let untagSent = 0;
  let progressBatchSent = false;
  // Past the deadline the executor abandons batches at once (skipped/deadline): they are not sent. One
  // exception keeps continuations from stalling: a run that reached its deadline without having sent a
  // single write still sends one planned batch, so every hop of a continued run makes progress (a hop
  // whose deadline fired while its batches were all still in the planner would otherwise redo the same
  // listing forever). Costs at most one call past the deadline.
  const sendPlanned = (batches: UntagBatch[]) => {
    for (const batch of batches) {
      const guarantee = !progressBatchSent && untagSent === 0 && input.signal?.aborted === true;
      if (guarantee) progressBatchSent = true;
      executor.submit(batch, guarantee ? { despiteDeadline: true } : undefined);
    }
  };
  const planner = createPlanner({
    maxIdsPerCall: limits.maxIdsPerCall,
    maxKeysPerCall: limits.maxKeysPerCall,
    bufferSize: limits.planBufferSize,
  });

  const maxResources = policy.limits?.maxResources;
  // Selections held until discovery ends when maxResources is set: at most maxResources of them (past
  // that the run is refused and the buffer dropped), so bounded by the policy, not by the cloud.
  let buffered: RemoveSelection[] | undefined = maxResources !== undefined && !policy.dryRun ? [] : undefined;
  let wouldChange = 0;
  let limitHit = false;

  const write = async (sels: Iterable<RemoveSelection>, page?: number) => {
    for (const sel of sels) {
      if (page !== undefined) {
        pageOf.set(refName(sel), page);
        const pg = pages.get(page);
        if (pg) pg.open++;
      }
      for (const batch of planner.add(sel)) executor.submit(batch);
      await executor.ready();
    }
  };

  const judge = async (resource: TaggedResource, page: number) => {
    const sel = selectRemovals(resource, compiled);
    const ref = { region: sel.region, type: sel.type, id: sel.id };
    if (sel.action === 'skip') {
      if (sel.reason !== 'not-matched') report.matched();
      report.record({ ...ref, keys: sel.keys, status: 'skipped', reason: sel.reason });
      return;
    }
    report.matched();
    wouldChange++;
    if (maxResources !== undefined && wouldChange > maxResources && !limitHit) {
      limitHit = true;
      for (const b of buffered ?? [])
        report.record({
          region: b.region,
          type: b.type,
          id: b.id,
          keys: b.keys,
          status: 'skipped',
          reason: 'limit-exceeded',
        });
      buffered = undefined;
    }
    if (policy.dryRun) {
      report.record({ ...ref, keys: sel.keys, status: 'planned' });
    } else if (limitHit) {
      report.record({ ...ref, keys: sel.keys, status: 'skipped', reason: 'limit-exceeded' });
    } else if (buffered) {
      buffered.push(sel);
    } else {
      await write([sel], page);
    }
  };

  const units = unitsOf(policy, input.narrowTo);
  const doneBefore: ListUnit[] = [...(input.continuation?.done ?? [])];
  const doneNames = new Set(doneBefore.map(unitName));
  // Where each unit cut by an earlier run resumes: `cursors` (one per unit cut), or `cursor` alone in a
  // continuation written before units listed concurrently.
  const cursorsBefore = continuationCursors(input.continuation);
  const resumeOf = new Map<string, ContinuationCursor>();
  for (const c of cursorsBefore) if (!resumeOf.has(unitName(c))) resumeOf.set(unitName(c), c);
  // Units whose listing ended in this run, and units cut mid-listing with where each stands.
  const finishedNow = new Set<string>();
  const cut = new Map<string, ContinuationCursor>();
  let stopped = false;
  const mutating = !policy.dryRun && maxResources === undefined;

  const listOne = async (unit: ListUnit) => {
    const name = unitName(unit);
    const c = resumeOf.get(name);
    const resume: ListCursor | undefined = c ? { lister: c.lister, token: c.token } : undefined;
    let finished = true;
    let start: ListCursor | undefined = resume;
    try {
      const listed = discoverUnit(listCtx, policy, unit, {
        mutating,
        ...(resume ? { resume } : {}),
        ...(input.narrowTo ? { narrowTo: input.narrowTo } : {}),
      });
      for await (const page of listed) {
        report.scanned(page.resources.length);
        await deps.onProgress?.({ kind: 'page', region: unit.region, type: unit.type, resources: page.resources });
        const no = ++pageNo;
        const pg = { start, open: 0, judged: false };
        pages.set(no, pg);
        for (const r of page.resources) await judge(r, no);
        pg.judged = true;
        if (pg.open === 0) pages.delete(no);
        start = page.next;
        if (input.signal?.aborted && page.next) {
          stopped = true;
          finished = false;
          cut.set(name, { region: unit.region, type: unit.type, lister: page.next.lister, token: page.next.token });
          break;
        }
      }
    } catch (e) {
      finished = false;
      if (e instanceof DeadlineError) {
        // The deadline cut a list call's wait: stop here, resuming at the page that was not listed.
        stopped = true;
        if (start) cut.set(name, { region: unit.region, type: unit.type, lister: start.lister, token: start.token });
      } else {
        report.error(reportErrorOf(e, { region: unit.region, type: unit.type }));
      }
    }
    if (finished) {
      finishedNow.add(name);
      // The unit's listing is over: send what its planner group holds now, so its writes overlap the
      // other units' listing instead of waiting for the end of the run (their groups keep filling).
      sendPlanned(planner.flushGroup(unit.region, unit.type));
    }
  };

  // Units are independent, pages within one are a token chain: up to `listConcurrency` units list at
  // once, taken in policy order, all feeding the same selection -> planner -> executor pipeline (the
  // list calls themselves also share the listing limiter). Past the deadline no unit starts.
  const queue = units.filter((u) => !doneNames.has(unitName(u)));
  let nextUnit = 0;
  const worker = async () => {
    while (nextUnit < queue.length) {
      if (stopped || input.signal?.aborted) {
        stopped = true;
        return;
      }
      const unit = queue[nextUnit++] as ListUnit;
      await listOne(unit);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limits.listConcurrency, queue.length)) }, worker));

  let keepBefore = false;
  if (buffered && !limitHit) {
    if (stopped) {
      // The count is not known yet: write nothing, and let the next run start these units' listing again.
      for (const b of buffered)
        report.record({
          region: b.region,
          type: b.type,
          id: b.id,
          keys: b.keys,
          status: 'skipped',
          reason: 'deadline',
        });
      keepBefore = true;
    } else {
      await write(buffered);
    }
  }
  sendPlanned(planner.flush());
  await executor.drain();

  let continuation: Continuation | undefined;
  if (stopped || abandoned.size > 0) {
    // Done: the earlier runs' units, then this run's in policy order; a unit with an abandoned batch is not done.
    const done = keepBefore
      ? doneBefore
      : [...doneBefore, ...units.filter((u) => finishedNow.has(unitName(u)) && !doneNames.has(unitName(u)))];
    const kept = done.filter((u) => !abandoned.has(unitName(u)));
    const cursors: ContinuationCursor[] = [];
    if (keepBefore) {
      cursors.push(...cursorsBefore.filter((c) => !doneNames.has(unitName(c))));
    } else {
      for (const u of units) {
        const c = cut.get(unitName(u));
        if (!c) continue;
        // A unit cut mid-listing with an abandoned batch goes back to the earliest page holding an
        // abandoned resource (from the start when that is its first page).
        const back = abandoned.get(unitName(u));
        if (!back) cursors.push(c);
        else if (back.cursor) cursors.push({ region: u.region, type: u.type, ...back.cursor });
      }
    }
    const [cursor] = cursors;
    continuation = {
      version: 1,
      runId: input.runId,
      done: kept,
      ...(cursor ? { cursor, cursors } : {}),
      hop: (input.continuation?.hop ?? 0) + 1,
    };
  }
  const error = limitHit
    ? {
        code: 'LIMIT_EXCEEDED',
        message: `${wouldChange} resources would change, more than limits.maxResources (${maxResources})`,
        count: wouldChange,
      }
    : undefined;
  return {
    report: report.build({
      now: new Date(now()),
      ...(continuation ? { continuation } : {}),
      ...(error ? { error } : {}),
    }),
    full,
  };
}

/** The cursors a continuation carries: `cursors`, plus `cursor` when an older run wrote only that. */
function continuationCursors(c: Continuation | undefined): ContinuationCursor[] {
  if (!c) return [];
  const out = [...(c.cursors ?? [])];
  if (c.cursor && !out.some((o) => o.region === c.cursor?.region && o.type === c.cursor?.type)) out.unshift(c.cursor);
  return out;
}

/** (region, type) units in policy order; with `narrowTo`, only the units its resources fall in. */
function unitsOf(policy: Policy, narrowTo?: ResourceRef[]): ListUnit[] {
  const units: ListUnit[] = [];
  for (const region of policy.regions) {
    for (const type of policy.resourceTypes as ResourceType[]) {
      if (narrowTo && !narrowTo.some((r) => r.region === region && r.type === type)) continue;
      units.push({ region, type });
    }
  }
  return units;
}
