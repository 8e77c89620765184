/**
 * The run orchestrator: discover -> select -> plan -> execute -> report as one streaming pipeline.
 * Pages flow from the listers, each resource is judged by `selectRemovals`, complete batches go to the
 * executor at once (writes start while listing continues), and the report gathers every outcome.
 *
 * Safety: `dryRun` makes zero write calls and reports each resource `planned` with its keys;
 * `limits.maxResources` buffers selections until discovery ends (then writes) or the count of resources
 * that would change goes over it (then nothing is written, counting goes on, and the answer is
 * `ok:false`, `LIMIT_EXCEEDED` with the count). A deadline `signal` stops pulling pages, finishes the
 * work already selected, and returns a `continuation` that a later run resumes from.
 */
import pLimit from 'p-limit';
import { type Limits, type ResourceType, withLimits } from './catalog.ts';
import type { CloudPort } from './cloud/port.ts';
import { discoverUnit, type ListContext, type ListCursor, type ListUnit } from './discover/index.ts';
import { createExecutor } from './execute/execute.ts';
import { createRateLimiter, type RateLimiter } from './execute/rate-limiter.ts';
import { createPlanner } from './plan.ts';
import { compilePolicy } from './policy/compile.ts';
import { parsePolicy } from './policy/parse.ts';
import type { Policy } from './policy/schema.ts';
import { ReportBuilder, reportErrorOf } from './report.ts';
import { type RemoveSelection, selectRemovals } from './select.ts';
import type { Continuation, Report, ResourceOutcome, ResourceRef, TaggedResource } from './types.ts';

export interface RunInput {
  policy: Policy;
  runId: string;
  /** Fires a margin before the deadline: stop listing, finish in-flight work, return a continuation. */
  signal?: AbortSignal;
  /** Where an earlier run of the same policy stopped. */
  continuation?: Continuation;
  /** Only these resources (a Config event): listed by explicit ids. */
  narrowTo?: ResourceRef[];
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
  /** Receives the full outcome list as JSON lines (never a secret). */
  log?: (line: string) => void;
  /** Epoch ms clock. */
  now?: () => number;
  onProgress?: (p: RunProgress) => void | Promise<void>;
}

/**
 * Runs one policy to the end (or to the deadline). Never throws for a cloud failure: failed calls
 * become `failed` outcomes and report errors. A policy that does not validate is answered
 * `ok:false` / `INVALID_POLICY` with every issue, before any cloud call.
 */
export async function runCleanup(input: RunInput, deps: RunDeps): Promise<{ report: Report; full: ResourceOutcome[] }> {
  const now = deps.now ?? Date.now;
  const limits = withLimits(deps.limits);
  const parsed = parsePolicy(input.policy);
  const policyName = typeof input.policy?.name === 'string' ? input.policy.name : '';
  if (!parsed.ok) {
    const b = new ReportBuilder({ runId: input.runId, policyName, dryRun: false, startedAt: new Date(now()), cap: limits.reportResourceCap });
    return b.build({
      now: new Date(now()),
      error: { code: 'INVALID_POLICY', message: 'the policy is not valid', issues: parsed.issues.map((i) => ({ path: i.path, message: i.message })) },
    });
  }
  const policy = parsed.policy;
  const compiled = compilePolicy(policy);
  const report = new ReportBuilder({ runId: input.runId, policyName: policy.name, dryRun: policy.dryRun, startedAt: new Date(now()), cap: limits.reportResourceCap });
  const rateLimiter = deps.rateLimiter ?? createRateLimiter(deps.quotaScale !== undefined ? { quotaScale: deps.quotaScale } : {});
  const listCtx: ListContext = {
    cloud: deps.cloud,
    limits,
    listLimit: pLimit(limits.listConcurrency),
    rateLimiter,
    count: (kind, n) => report.count(kind, n),
  };
  const executor = createExecutor(
    {
      cloud: deps.cloud,
      limits,
      rateLimiter,
      runId: input.runId,
      count: (kind, n) => report.count(kind, n),
      record: (o) => report.record(o),
      error: (e) => report.error(e),
    },
    policy.limits?.concurrency ?? limits.defaultConcurrency,
  );
  const planner = createPlanner({ maxIdsPerCall: limits.maxIdsPerCall, maxKeysPerCall: limits.maxKeysPerCall, bufferSize: limits.planBufferSize });

  const maxResources = policy.limits?.maxResources;
  let buffered: RemoveSelection[] | undefined = maxResources !== undefined && !policy.dryRun ? [] : undefined;
  let wouldChange = 0;
  let limitHit = false;

  const write = async (sels: Iterable<RemoveSelection>) => {
    for (const sel of sels) {
      for (const batch of planner.add(sel)) executor.submit(batch);
      await executor.ready();
    }
  };

  const judge = async (resource: TaggedResource) => {
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
      for (const b of buffered ?? []) report.record({ region: b.region, type: b.type, id: b.id, keys: b.keys, status: 'skipped', reason: 'limit-exceeded' });
      buffered = undefined;
    }
    if (policy.dryRun) {
      report.record({ ...ref, keys: sel.keys, status: 'planned' });
    } else if (limitHit) {
      report.record({ ...ref, keys: sel.keys, status: 'skipped', reason: 'limit-exceeded' });
    } else if (buffered) {
      buffered.push(sel);
    } else {
      await write([sel]);
    }
  };

  const units = unitsOf(policy, input.narrowTo);
  const done: ListUnit[] = [...(input.continuation?.done ?? [])];
  const isDone = (u: ListUnit) => done.some((d) => d.region === u.region && d.type === u.type);
  let stopped = false;
  let stopCursor: Continuation['cursor'];
  const mutating = !policy.dryRun && maxResources === undefined;

  for (const unit of units) {
    if (isDone(unit)) continue;
    if (input.signal?.aborted) {
      stopped = true;
      break;
    }
    const c = input.continuation?.cursor;
    const resume: ListCursor | undefined = c && c.region === unit.region && c.type === unit.type ? { lister: c.lister, token: c.token } : undefined;
    let finished = true;
    try {
      const pages = discoverUnit(listCtx, policy, unit, { mutating, ...(resume ? { resume } : {}), ...(input.narrowTo ? { narrowTo: input.narrowTo } : {}) });
      for await (const page of pages) {
        report.scanned(page.resources.length);
        await deps.onProgress?.({ kind: 'page', region: unit.region, type: unit.type, resources: page.resources });
        for (const r of page.resources) await judge(r);
        if (input.signal?.aborted && page.next) {
          stopped = true;
          finished = false;
          stopCursor = { region: unit.region, type: unit.type, lister: page.next.lister, token: page.next.token };
          break;
        }
      }
    } catch (e) {
      finished = false;
      report.error(reportErrorOf(e, { region: unit.region, type: unit.type }));
    }
    if (finished) done.push(unit);
    if (stopped) break;
  }

  // Selections already made are written even past the deadline: the continuation starts after them.
  if (buffered && !limitHit) {
    if (stopped) {
      // The count is not known yet: write nothing, and let the next run start this unit's listing again.
      for (const b of buffered) report.record({ region: b.region, type: b.type, id: b.id, keys: b.keys, status: 'skipped', reason: 'deadline' });
      done.length = 0;
      done.push(...(input.continuation?.done ?? []));
      stopCursor = input.continuation?.cursor;
    } else {
      await write(buffered);
    }
  }
  for (const batch of planner.flush()) executor.submit(batch);
  await executor.drain();

  const continuation: Continuation | undefined = stopped
    ? { version: 1, runId: input.runId, done, ...(stopCursor ? { cursor: stopCursor } : {}), hop: (input.continuation?.hop ?? 0) + 1 }
    : undefined;
  const error = limitHit
    ? { code: 'LIMIT_EXCEEDED', message: `${wouldChange} resources would change, more than limits.maxResources (${maxResources})`, count: wouldChange }
    : undefined;
  const result = report.build({ now: new Date(now()), ...(continuation ? { continuation } : {}), ...(error ? { error } : {}) });
  if (deps.log) for (const o of result.full) deps.log(JSON.stringify({ runId: input.runId, resource: o }));
  return result;
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
