/**
 * Fan-out and continuation through FC asynchronous invocations of the function itself.
 *
 * - Fan-out: a multi-region policy with fan-out on (policy `fanOut: true` or `VPC_TAG_CLEANUP_FANOUT=1`)
 *   becomes one invocation per region, payload `{policy, runId, shard: {regions: [r]}}`. Each shard owns
 *   whole regions, so shards never share a quota bucket (DESIGN.md, decisions).
 * - Continuation: a run stopped by its deadline invokes itself with `{policy, runId, shard?, continuation}`.
 * - A narrowed run's `narrowTo` (lib/narrow.ts) goes into every payload it sends, hop or shard, unchanged.
 *
 * Task ids are derived from the run id (plus region or hop), so an FC re-delivery of the same event asks
 * for the same task ids and FC refuses the repeats with 409: a shard or a hop never starts twice.
 * Invocations go through the one invoker port (`lib/invoker/`): FC 3.0 through `@alicloud/fc20230330`
 * by default, `@alicloud/fc2` for the 2016-08-15 API, by configuration.
 */
import type { InvokeOutcome, Invoker } from './invoker/index.ts';
import { narrowedRegions } from './narrow.ts';
import { toSafeId } from './trigger/run-id.ts';
import type { RunRequest, Shard } from './trigger/types.ts';
import type { Continuation, ResourceRef } from './types.ts';

/**
 * What an asynchronous self-invocation carries (decoded by `lib/trigger/manual.ts`). A plan run's carries
 * `plan: {stored: planHash}` instead of its policy: the run store's `<runId>/plan.json` (a plan inline
 * would soon outgrow FC's 128 KB asynchronous payload).
 */
export interface SelfPayload {
  policy?: RunRequest['policy'];
  plan?: { stored: string };
  runId: string;
  shard?: Shard;
  continuation?: Continuation;
  /** The run's resources when it is narrowed to some (every hop and shard keeps them). */
  narrowTo?: ResourceRef[];
}

/** The payload of a run's next invocation: its policy and run id, and its narrowing when it has one. */
function selfPayload(run: RunRequest, extra: Pick<SelfPayload, 'shard' | 'continuation'>): SelfPayload {
  if (run.plan) return { plan: { stored: run.plan.planHash }, runId: run.runId, ...extra };
  const payload: SelfPayload = { policy: run.policy, runId: run.runId, ...extra };
  if (run.narrowTo) payload.narrowTo = run.narrowTo;
  return payload;
}

export type { InvokeOutcome, Invoker } from './invoker/index.ts';

/** One shard of a fanned-out run and how its start went. */
export interface ShardStart {
  regions: string[];
  taskId: string;
  outcome: InvokeOutcome;
}

/** Task id of a region's shard: `<runId>-shard-<region>`. */
export function shardTaskId(runId: string, region: string): string {
  return toSafeId(`${runId}-shard-${region}`);
}

/** Task id of a continuation hop, distinct per shard: `<runId>-[<account>-]<regions|all>-hop-<n>`. */
export function continuationTaskId(runId: string, shard: Shard | undefined, hop: number): string {
  const where = shard ? `${shard.account ? `${shard.account}-` : ''}${shard.regions.join('_')}` : 'all';
  return toSafeId(`${runId}-${where}-hop-${hop}`);
}

/**
 * The task id this invocation runs under when it is one of several of its run (a shard, a hop), else
 * undefined (the run's first invocation, whose id the caller chose): it names the invocation's report.
 */
export function invocationTaskId(run: Pick<RunRequest, 'runId' | 'shard' | 'continuation'>): string | undefined {
  if (run.continuation) return continuationTaskId(run.runId, run.shard, run.continuation.hop);
  if (!run.shard) return undefined;
  const region = run.shard.regions.join('_');
  return run.shard.account ? toSafeId(`${run.runId}-${run.shard.account}-${region}`) : shardTaskId(run.runId, region);
}

/**
 * Whether this invocation should split its run into per-region shards: several regions, fan-out on,
 * and not itself a shard, a continuation, or an event-driven run narrowed to a few resources. A policy
 * with `limits.maxResources` is not split: the limit is the whole run's, counted by one invocation chain.
 */
export function shouldFanOut(run: RunRequest, env: { VPC_TAG_CLEANUP_FANOUT?: string | undefined }): boolean {
  if (run.shard || run.continuation || run.narrowTo) return false;
  if (run.policy.limits?.maxResources !== undefined) return false;
  if (run.policy.regions.length < 2) return false;
  return run.policy.fanOut === true || env.VPC_TAG_CLEANUP_FANOUT === '1';
}

/**
 * Start one shard per region (per region it touches, for a narrowed run); the outcomes say which
 * started, which already had, which failed.
 */
export async function fanOut(run: RunRequest, invoker: Invoker, functionName: string): Promise<ShardStart[]> {
  const only = run.narrowTo ?? run.plan?.resources;
  const regions = only ? narrowedRegions(run.policy.regions, only) : run.policy.regions;
  return Promise.all(
    regions.map(async (region) => {
      const shard = { regions: [region] };
      const payload = selfPayload(run, { shard });
      const taskId = shardTaskId(run.runId, region);
      return { regions: shard.regions, taskId, outcome: await invoker.invokeAsync(functionName, payload, taskId) };
    }),
  );
}

/** Hand the rest of a run to a new invocation. */
export async function continueRun(
  run: RunRequest,
  continuation: Continuation,
  invoker: Invoker,
  functionName: string,
): Promise<InvokeOutcome> {
  const payload = selfPayload(run, run.shard ? { continuation, shard: run.shard } : { continuation });
  return invoker.invokeAsync(functionName, payload, continuationTaskId(run.runId, run.shard, continuation.hop));
}
