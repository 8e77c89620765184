/**
 * One decoded run inside one FC invocation: fan it out, or run it to the deadline and hand the rest on.
 * The handler calls this and nothing else; the engine (`run.ts`, the SDK-backed cloud port) and the FC
 * SDK behind the invoker port are loaded on first use, so the function's module init stays small (cold start).
 *
 * Throws only what an FC retry can fix: credentials missing from the context, or a self-invocation that
 * failed for a reason that may pass (network, throttling, 5xx). Retrying is safe: run ids, ClientTokens
 * and task ids are derived from the event, so the retry repeats nothing that already happened.
 */

import type { TypeTally } from './accounts/records.ts';
import type { MemberSession } from './accounts/session.ts';
import { accountShardTaskId } from './accounts/shards.ts';
import { tallyOutcome } from './accounts/tally.ts';
import { TUNING, type Tuning } from './catalog.ts';
import {
  type CloudCredentials,
  type CredentialsSource,
  credentialsFromContext,
  resolveCredentials,
} from './cloud/credentials.ts';
import { deadlineFor } from './deadline.ts';
import {
  CredentialsMissingError,
  InvokerConfigError,
  RunErrorCode,
  SelfInvokeError,
  VpcTagCleanupError,
} from './errors.ts';
import {
  continuationTaskId,
  continueRun,
  fanOut,
  type InvokeOutcome,
  type Invoker,
  invocationTaskId,
  shouldFanOut,
} from './fanout.ts';
import type { FcContext } from './fc-context.ts';
import { insideFc } from './fc-context.ts';
import { createInvoker, type InvokerEnv, invokerConfigFromEnv } from './invoker/index.ts';
import { createResourceLog, type LogSink, logJson } from './log.ts';
import { narrowedNotFound } from './narrow.ts';
import { ReportBuilder } from './report.ts';
import { resourceIdsNotFound } from './resource-ids-not-found.ts';
import type { PlanDocument } from './reviewed-plan/document.ts';
import type { RunInput } from './run/types.ts';
import { effectivePolicy } from './trigger/shard.ts';
import { type DecodedEvent, InputErrorCode, invalid, type RunRequest, type SettledEvent } from './trigger/types.ts';
import { tuningFromEnv } from './tuning-env.ts';
import type { Report, ResourceOutcome } from './types.ts';

/** The environment variables an invocation reads (the invoker's: lib/invoker/index.ts). */
export interface InvocationEnv extends InvokerEnv {
  VPC_TAG_CLEANUP_ENDPOINT?: string | undefined;
  VPC_TAG_CLEANUP_FC_ENDPOINT?: string | undefined;
  VPC_TAG_CLEANUP_FANOUT?: string | undefined;
  /** JSON object of `Tuning` overrides (lib/tuning-env.ts). */
  VPC_TAG_CLEANUP_LIMITS?: string | undefined;
  /** Multiplier of the published rate quotas (lib/tuning-env.ts). */
  VPC_TAG_CLEANUP_QUOTA_SCALE?: string | undefined;
  FC_FUNCTION_NAME?: string | undefined;
  /** Any other variable (so `process.env` is one). */
  [name: string]: string | undefined;
}

/** What one invocation runs with: environment, FC context, start time, log sink, test overrides. */
export interface InvocationDeps {
  env: InvocationEnv;
  context: FcContext | undefined;
  /** Epoch ms at handler entry. */
  startedMs: number;
  log: LogSink;
  tuning?: Partial<Tuning>;
  /** Replaces the configured invoker (a test double of the port). */
  invoker?: Invoker;
}

type Engine = typeof import('./engine.ts');
let engine: Promise<Engine> | undefined;

/** The engine and the SDK port, loaded once per instance on the first run (not at module init). */
function loadEngine(): Promise<Engine> {
  engine ??= import('./engine.ts');
  engine.catch(() => {
    engine = undefined;
  });
  return engine;
}

function credentialsFor(context: FcContext | undefined): CredentialsSource {
  const fromContext = credentialsFromContext(context);
  if (fromContext) return fromContext;
  // Inside FC the context is the only source that means anything; outside, the default chain.
  if (insideFc(context)) throw new CredentialsMissingError();
  return resolveCredentials(undefined);
}

async function invokerFor(deps: InvocationDeps, credentials: CredentialsSource): Promise<Invoker | undefined> {
  if (deps.invoker) return deps.invoker;
  const { context, env } = deps;
  if (!context?.accountId || !context.region) return undefined;
  const config = invokerConfigFromEnv(env, context.service?.name);
  if (!config.ok) throw new InvokerConfigError(config.variable, config.message);
  const creds: CloudCredentials = typeof credentials === 'function' ? await credentials() : credentials;
  return createInvoker(
    {
      credentials: creds,
      accountId: context.accountId,
      region: context.region,
      endpoint: env.VPC_TAG_CLEANUP_FC_ENDPOINT || undefined,
      internal: true,
    },
    config.config,
  );
}

function functionName(deps: InvocationDeps): string | undefined {
  return deps.context?.function?.name || deps.env.FC_FUNCTION_NAME || undefined;
}

const asRecord = (taskId: string, o: InvokeOutcome) => {
  const out: { taskId: string; status: InvokeOutcome['status']; requestId?: string; code?: string; message?: string } =
    { taskId, status: o.status };
  if (o.status === 'started' && o.requestId) out.requestId = o.requestId;
  if (o.status === 'failed') Object.assign(out, { code: o.code, message: o.message });
  return out;
};

/** A run's answer and the tuning in force. Its resources went to the log while it ran. */
export interface InvocationResult {
  report: Report;
  tuning: Tuning;
}

/** The report of a run that does its work elsewhere or not at all (fanned out, refused): its facts, no outcomes yet. */
function runReport(run: RunRequest, deps: InvocationDeps, tuning: Tuning): ReportBuilder {
  return new ReportBuilder({
    runId: run.runId,
    policyName: run.policy.name,
    dryRun: run.policy.dryRun,
    startedAt: new Date(deps.startedMs),
    cap: tuning.reportResourceCap,
  });
}

/**
 * A payload that names a plan to read (`{"plan": "oss://..."}`, a plan run's hop): read it with the
 * function's credentials, then decode the rest with it. A plan that cannot be read is answered (naming
 * `plan`), before any cloud call; a store that did not answer is thrown, so FC retries the invocation.
 */
export async function loadPayloadPlan(
  decoded: Extract<DecodedEvent, { kind: 'load-plan' }>,
  deps: Pick<InvocationDeps, 'env' | 'context'>,
): Promise<SettledEvent> {
  const { readPlanSource } = await loadEngine();
  const read = await readPlanSource(decoded.source, {
    env: deps.env,
    credentials: credentialsFor(deps.context),
    region: deps.context?.region,
  });
  if (read.ok) return decoded.resume(read.raw);
  if (read.retryable)
    throw new VpcTagCleanupError(RunErrorCode.StoreUnavailable, `cannot read the plan: ${read.message}`);
  return invalid(InputErrorCode.InvalidPlan, 'cannot read the plan', [{ path: decoded.path, message: read.message }]);
}

/** What an invocation runs with: the tuning in force (catalog, environment, test overrides) and the quota scale. */
function tuningFor(run: RunRequest, deps: InvocationDeps): { tuning: Tuning; quotaScale?: number } {
  const fromEnv = tuningFromEnv(deps.env);
  if (fromEnv.ignored.length > 0) logJson({ kind: 'warning', runId: run.runId, ignored: fromEnv.ignored }, deps.log);
  const tuning: Tuning = { ...TUNING, ...fromEnv.tuning, ...deps.tuning };
  return fromEnv.quotaScale !== undefined ? { tuning, quotaScale: fromEnv.quotaScale } : { tuning };
}

/** The run store named by `VPC_TAG_CLEANUP_STORE` (`none` when unset), opened with the function's credentials. */
async function openStore(deps: InvocationDeps, credentials: CredentialsSource) {
  const { openRunStore } = await loadEngine();
  const storeText = deps.env.VPC_TAG_CLEANUP_STORE?.trim();
  return openRunStore(storeText || 'none', deps.env, credentials, deps.context?.region);
}

/** Run (or fan out) one decoded run; resolves its report. */
export async function runInvocation(run: RunRequest, deps: InvocationDeps): Promise<InvocationResult> {
  const { tuning, quotaScale } = tuningFor(run, deps);
  const credentials = credentialsFor(deps.context);
  const name = functionName(deps);
  // A wrong invoker configuration is refused before any cloud call (a retry by FC cannot fix it).
  const invokerConfig = invokerConfigFromEnv(deps.env, deps.context?.service?.name);
  if (name && !deps.invoker && !invokerConfig.ok) {
    const error = { code: RunErrorCode.InvalidConfig, message: invokerConfig.message };
    return { report: runReport(run, deps, tuning).build({ now: new Date(), error }), tuning };
  }
  // A reviewed plan is kept in the run store first: its shards and hops read it from there.
  if (run.plan) {
    const refused = await keepPlan(run, run.plan, deps, credentials);
    if (refused) return { report: refused, tuning };
  }
  if (shouldFanOut(run, deps.env) && name) {
    const invoker = await invokerFor(deps, credentials);
    if (invoker) return { ...fanOutReport(run, await fanOut(run, invoker, name), deps, tuning), tuning };
  }
  // Many accounts: the parent starts one shard per (account, region); a shard works in its member account.
  const parent = name ? await accountsParent(run, deps, credentials, name, tuning) : undefined;
  if (parent) return { report: parent, tuning };
  const member = await memberOf(run, deps, credentials, tuning);
  if (member.refused) return { report: member.refused, tuning };
  const report = await runHere(run, deps, { tuning, quotaScale, credentials, member: member.session });
  if (name) await handOn(run, report, deps, credentials, name, tuning);
  return { report, tuning };
}

/** A many-account parent's fan-out to its (account, region) shards, or undefined when this is not one. */
async function accountsParent(
  run: RunRequest,
  deps: InvocationDeps,
  credentials: CredentialsSource,
  name: string,
  tuning: Tuning,
): Promise<Report | undefined> {
  if (!run.policy.accounts) return undefined;
  const accountsFc = await import('./accounts/fc.ts');
  if (!accountsFc.isAccountsParent(run)) return undefined;
  const invoker = await invokerFor(deps, credentials);
  if (!invoker) return undefined;
  const opened = await openStore(deps, credentials);
  const { index, starts } = await accountsFc.fanOutAccounts(run, {
    invoker,
    functionName: name,
    credentials,
    endpoint: deps.env.VPC_TAG_CLEANUP_ENDPOINT || undefined,
    store: opened.ok ? opened.store : undefined,
  });
  return accountsFanOutReport(run, index, starts, deps, tuning);
}

/** A member shard's session in its account, or the answer when its role cannot be assumed; nothing for other runs. */
async function memberOf(
  run: RunRequest,
  deps: InvocationDeps,
  credentials: CredentialsSource,
  tuning: Tuning,
): Promise<{ session?: MemberSession; refused?: Report }> {
  if (!run.shard?.account || !run.policy.accounts) return {};
  const accountsFc = await import('./accounts/fc.ts');
  const endpoint = deps.env.VPC_TAG_CLEANUP_ENDPOINT || undefined;
  const got = await accountsFc.memberSessionFor(run, credentials, endpoint, tuning.accountRefreshMarginMs);
  if (got.ok) return { session: got.session };
  // The member's role cannot be assumed: answered (a retry would be refused the same way), recorded.
  const report = storeRefused(run, deps, `${got.failure.code}: ${got.failure.message}`, got.failure.code);
  if (report.error && got.failure.requestId) Object.assign(report.error, { requestId: got.failure.requestId });
  const opened = await openStore(deps, credentials);
  if (opened.ok) await accountsFc.writeShardRecord(opened.store, run, report, {}, shardTaskOf(run), got.failure);
  return { refused: report };
}

/** What `runHere` runs with besides the run and the invocation. */
interface HereDeps {
  tuning: Tuning;
  quotaScale: number | undefined;
  credentials: CredentialsSource;
  member: MemberSession | undefined;
}

/** The run itself, in this invocation, to its end or its deadline: journaled, outcomes streamed to the log. */
async function runHere(run: RunRequest, deps: InvocationDeps, here: HereDeps): Promise<Report> {
  const { tuning, credentials, member } = here;
  const { runJournaled, createCloudPort, planRunInput, removedByRun } = await loadEngine();
  // A member shard cleans its region only, without `accounts` (it already is inside one).
  const policy = member ? { ...effectivePolicy(run), accounts: undefined } : effectivePolicy(run);
  // The function writes only with a run store (the journal makes every run undoable), or when told not to.
  if (!deps.env.VPC_TAG_CLEANUP_STORE?.trim() && !policy.dryRun) return storeRequired(run, deps);
  const opened = await openStore(deps, credentials);
  if (!opened.ok) return storeRefused(run, deps, opened.message);
  // A member shard calls with the member's credentials; the store, the journal and FC keep the function's.
  const runCredentials: CredentialsSource = member ? () => member.credentials() : credentials;
  const endpoint = deps.env.VPC_TAG_CLEANUP_ENDPOINT || undefined;
  const cloud = createCloudPort({ credentials: runCredentials, tuning, ...(endpoint ? { endpoint } : {}) });
  // Outcomes stream to the log as they become final, so the function's memory stays flat in resources.
  const resourceLog = createResourceLog(
    run.runId,
    { cap: tuning.reportResourceCap, perLine: tuning.logResourcesPerLine },
    deps.log,
  );
  const byType: Record<string, TypeTally> = {};
  const named = namedIdsWatch(run, policy);
  const onOutcome = (o: ResourceOutcome) => {
    resourceLog.add(o);
    if (member) tallyOutcome(byType, o);
    named?.met(o.id);
  };
  const request = runRequestOf(run, deps, policy, tuning);
  // A plan run lists the plan's resources (this shard's) and removes only what the plan names.
  if (run.plan)
    Object.assign(
      request,
      planRunInput(run.plan, {
        regions: policy.regions,
        maxIdsPerListCall: tuning.maxIdsPerListCall,
        ...(run.continuation ? { continuation: run.continuation } : {}),
        // A hop lists some of its predecessor's pages again: what the run already removed is no change.
        ...(run.continuation && opened.store ? { removedByRun: await removedByRun(opened.store, run.runId) } : {}),
      }),
    );
  const { report } = await runJournaled(
    request,
    { cloud, tuning, onOutcome, ...(here.quotaScale !== undefined ? { quotaScale: here.quotaScale } : {}) },
    {
      store: opened.store,
      ...taskOf(run),
      ...(run.plan ? { plan: run.plan, storePlan: false } : {}),
      ...(named ? { finish: named.finish } : {}),
    },
  );
  resourceLog.flush();
  if (run.notes) report.notes = run.notes;
  if (member)
    await (await import('./accounts/fc.ts')).writeShardRecord(opened.store, run, report, byType, shardTaskOf(run));
  return report;
}

/** The engine's input for this invocation: the policy it cleans, its deadline, where it resumes, what it is narrowed to. */
function runRequestOf(run: RunRequest, deps: InvocationDeps, policy: RunInput['policy'], tuning: Tuning): RunInput {
  const request: RunInput = { policy, runId: run.runId };
  const deadline = deadlineFor(deps.startedMs, deps.context?.function?.timeout, undefined, tuning);
  if (deadline) {
    request.signal = deadline.signal;
    request.callsEndBy = deadline.callsEndBy;
    request.writesEndBy = deadline.writesEndBy;
  }
  if (run.continuation) request.continuation = run.continuation;
  if (run.narrowTo) request.narrowTo = run.narrowTo;
  if (run.shard) request.scopeRegions = run.policy.regions;
  if (deps.context?.requestId) request.invocationId = deps.context.requestId;
  return request;
}

/**
 * The ids a run names (`match.resourceIds`, or `narrowTo`) and which of them it met: a finished run
 * reports each one it never saw as `RESOURCE_NOT_FOUND` (as the CLI does). Only an invocation that
 * lists the whole run can tell: not a shard (other regions are another's), not a hop, not a plan run
 * (its missing resources are `changed-since-plan`).
 */
function namedIdsWatch(
  run: RunRequest,
  policy: RunRequest['policy'],
): { met(id: string): void; finish(report: Report): void } | undefined {
  if (run.shard || run.continuation || run.plan) return undefined;
  const { narrowTo } = run;
  const wanted = new Set(narrowTo ? narrowTo.map((r) => r.id) : (policy.match?.resourceIds ?? []));
  if (wanted.size === 0) return undefined;
  const seen = new Set<string>();
  return {
    met(id) {
      if (wanted.has(id)) seen.add(id);
    },
    finish(report) {
      if (report.continuation || report.error) return;
      const missing = narrowTo ? narrowedNotFound(narrowTo, seen) : resourceIdsNotFound(policy, seen);
      if (missing.length === 0) return;
      report.ok = false;
      report.errors.push(...missing);
    },
  };
}

/**
 * Puts a plan run's plan in the run store as `<runId>/plan.json` (its first invocation; shards and hops
 * read it back). A plan runs only with a run store; the answer when there is none or it fails.
 */
async function keepPlan(
  run: RunRequest,
  plan: PlanDocument,
  deps: InvocationDeps,
  credentials: CredentialsSource,
): Promise<Report | undefined> {
  const storeText = deps.env.VPC_TAG_CLEANUP_STORE?.trim();
  if (!storeText || storeText === 'none')
    return storeRefused(
      run,
      deps,
      'a reviewed plan runs only with a run store (VPC_TAG_CLEANUP_STORE=oss://bucket/prefix): its journal makes it undoable, and its shards and hops read the plan from there',
      RunErrorCode.StoreRequired,
    );
  if (run.shard || run.continuation) return undefined;
  const { openRunStore, storePlan } = await loadEngine();
  const opened = await openRunStore(storeText, deps.env, credentials, deps.context?.region);
  if (!opened.ok || !opened.store) return storeRefused(run, deps, opened.ok ? 'no run store' : opened.message);
  const failed = await storePlan(opened.store, run.runId, plan);
  return failed ? storeRefused(run, deps, failed, RunErrorCode.StoreUnavailable) : undefined;
}

/** The invocation's own report object in the store when it is a shard or a hop (lib/store/run-reports.ts). */
function taskOf(run: RunRequest): { taskId?: string } {
  const taskId = invocationTaskId(run);
  return taskId === undefined ? {} : { taskId };
}

/** A run its deadline stopped carries on in a new asynchronous invocation (or stops at the hop limit). */
async function handOn(
  run: RunRequest,
  report: Report,
  deps: InvocationDeps,
  credentials: CredentialsSource,
  name: string,
  tuning: Tuning,
): Promise<void> {
  const continuation = report.continuation;
  if (!continuation) return;
  if (continuation.hop > tuning.maxContinuationHops) {
    report.ok = false;
    report.error = {
      code: RunErrorCode.TooManyContinuations,
      message: `run continued ${continuation.hop} times without finishing; not continuing`,
    };
    return;
  }
  const invoker = await invokerFor(deps, credentials);
  if (!invoker) return;
  const outcome = await continueRun(run, continuation, invoker, name);
  report.continuedBy = asRecord(continuationTaskId(run.runId, run.shard, continuation.hop), outcome);
  if (outcome.status !== 'failed') return;
  if (outcome.retryable) {
    // The retry repeats this run (idempotently); log what this attempt did before FC sees the throw.
    logJson({ kind: 'report', ...report }, deps.log);
    throw new SelfInvokeError([outcome]);
  }
  report.ok = false;
}

/** A run that would write, but the function has no run store and was not told to go without one. */
function storeRequired(run: RunRequest, deps: InvocationDeps): Report {
  return storeRefused(
    run,
    deps,
    'the function writes only with a run store for its journal: set VPC_TAG_CLEANUP_STORE to oss://bucket/prefix (or to none to run without a journal, and without undo)',
    RunErrorCode.StoreRequired,
  );
}

function storeRefused(
  run: RunRequest,
  deps: InvocationDeps,
  message: string,
  code: string = RunErrorCode.InvalidStore,
): Report {
  const report = new ReportBuilder({
    runId: run.runId,
    policyName: run.policy.name,
    dryRun: run.policy.dryRun,
    startedAt: new Date(deps.startedMs),
    cap: 0,
  }).build({ now: new Date(), error: { code, message } });
  return report;
}

/** The task id this shard invocation runs under (its first invocation's, or its hop's). */
function shardTaskOf(run: RunRequest): string {
  // A hop runs under the task id its predecessor invoked it with (lib/fanout.ts continueRun).
  const region = run.shard?.regions[0] ?? '';
  return run.continuation
    ? continuationTaskId(run.runId, run.shard, run.continuation.hop)
    : accountShardTaskId(run.runId, run.shard?.account ?? '', region);
}

/** The parent's answer: every (account, region) shard and its task id; FC refusals as errors. */
function accountsFanOutReport(
  run: RunRequest,
  index: import('./accounts/records.ts').AccountsIndex,
  starts: import('./accounts/fc.ts').AccountShardStart[],
  deps: InvocationDeps,
  tuning: Tuning,
): Report {
  if (starts.some((s) => s.outcome.status === 'failed' && s.outcome.retryable))
    throw new SelfInvokeError(starts.map((s) => s.outcome));
  const builder = new ReportBuilder({
    runId: run.runId,
    policyName: run.policy.name,
    dryRun: run.policy.dryRun,
    startedAt: new Date(deps.startedMs),
    cap: tuning.reportResourceCap,
  });
  for (const f of index.failed)
    builder.error({ code: f.code, message: f.message, ...(f.requestId ? { requestId: f.requestId } : {}) });
  for (const s of starts)
    if (s.outcome.status === 'failed')
      builder.error({ code: s.outcome.code, message: s.outcome.message, region: s.region });
  const report = builder.build({ now: new Date() });
  report.shards = starts.map((s) => ({ regions: [s.region], account: s.accountId, ...asRecord(s.taskId, s.outcome) }));
  return report;
}

function fanOutReport(
  run: RunRequest,
  starts: Awaited<ReturnType<typeof fanOut>>,
  deps: InvocationDeps,
  tuning: Tuning,
): { report: Report } {
  const failed = starts.filter((s) => s.outcome.status === 'failed');
  if (failed.some((s) => s.outcome.status === 'failed' && s.outcome.retryable))
    throw new SelfInvokeError(starts.map((s) => s.outcome));
  const builder = runReport(run, deps, tuning);
  for (const s of failed) {
    if (s.outcome.status === 'failed')
      builder.error({ code: s.outcome.code, message: s.outcome.message, region: s.regions.join(',') });
  }
  const report = builder.build({ now: new Date() });
  report.shards = starts.map((s) => ({ regions: s.regions, ...asRecord(s.taskId, s.outcome) }));
  return { report };
}
