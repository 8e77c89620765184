/**
 * Fan-out and continuation through FC asynchronous invocations of the function itself.
 *
 * - Fan-out: a multi-region policy with fan-out on (policy `fanOut: true` or `VPC_TAG_CLEANUP_FANOUT=1`)
 *   becomes one invocation per region, payload `{policy, runId, shard: {regions: [r]}}`. Each shard owns
 *   whole regions, so shards never share a quota bucket (DESIGN.md, decisions).
 * - Continuation: a run stopped by its deadline invokes itself with `{policy, runId, shard?, continuation}`.
 *
 * Task ids are derived from the run id (plus region or hop), so an FC re-delivery of the same event asks
 * for the same task ids and FC refuses the repeats with 409: a shard or a hop never starts twice.
 * The invoker is a small port: `@alicloud/fc2` (loaded only when needed) implements it today; a
 * 3.0-native client could replace it (the 3.0 gateway accepting the FC signature is inferred).
 */
import { createHash } from 'node:crypto';
import { scrubSecrets } from './secrets.ts';
import { toSafeId } from './trigger/run-id.ts';
import type { RunRequest, Shard } from './trigger/types.ts';
import type { Continuation } from './types.ts';

/** What an asynchronous self-invocation carries (decoded by `lib/trigger/manual.ts`). */
export interface SelfPayload {
  policy: RunRequest['policy'];
  runId: string;
  shard?: Shard;
  continuation?: Continuation;
}

/** One asynchronous invocation's outcome, as a value. */
export type InvokeOutcome =
  | { status: 'started'; taskId: string; requestId?: string }
  /** FC already holds a task with this id (409): started by an earlier delivery. */
  | { status: 'duplicate'; taskId: string }
  | { status: 'failed'; taskId: string; code: string; message: string; httpStatus?: number; retryable: boolean };

/** The port: start an asynchronous invocation with a task id. Never rejects; failures are outcomes. */
export interface Invoker {
  invokeAsync(functionName: string, payload: SelfPayload, taskId: string): Promise<InvokeOutcome>;
}

/** One shard of a fanned-out run and how its start went. */
export interface ShardStart {
  regions: string[];
  outcome: InvokeOutcome;
}

/** Task id of a region's shard: `<runId>-shard-<region>`. */
export function shardTaskId(runId: string, region: string): string {
  return toSafeId(`${runId}-shard-${region}`);
}

/** Task id of a continuation hop, distinct per shard: `<runId>-<regions|all>-hop-<n>`. */
export function continuationTaskId(runId: string, shard: Shard | undefined, hop: number): string {
  return toSafeId(`${runId}-${shard ? shard.regions.join('_') : 'all'}-hop-${hop}`);
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

/** Start one shard per region; the outcomes say which started, which already had, which failed. */
export async function fanOut(run: RunRequest, invoker: Invoker, functionName: string): Promise<ShardStart[]> {
  return Promise.all(
    run.policy.regions.map(async (region) => {
      const shard = { regions: [region] };
      const payload: SelfPayload = { policy: run.policy, runId: run.runId, shard };
      return {
        regions: shard.regions,
        outcome: await invoker.invokeAsync(functionName, payload, shardTaskId(run.runId, region)),
      };
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
  const payload: SelfPayload = { policy: run.policy, runId: run.runId, continuation };
  if (run.shard) payload.shard = run.shard;
  return invoker.invokeAsync(functionName, payload, continuationTaskId(run.runId, run.shard, continuation.hop));
}

/** Credentials (the invocation's), account, region and endpoint of the fc2 invoker. */
export interface FcInvokerOptions {
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string | undefined };
  accountId: string;
  region: string;
  /**
   * `http://host:port` (`VPC_TAG_CLEANUP_FC_ENDPOINT`); default: the region's internal FC host over https,
   * `<account>.<region>-internal.fc.aliyuncs.com` (alibabacloud.com/help/en/functioncompute/fc-3-0/developer-reference/fc-endpoints).
   */
  endpoint?: string | undefined;
  timeoutMs?: number;
}

type Fc2Module = typeof import('@alicloud/fc2');
let fc2Module: Promise<Fc2Module> | undefined;
const clients = new Map<string, Promise<any>>();

/** The fc2 client for these credentials; the latest identity's client is kept for warm invocations. */
async function fc2Client(options: FcInvokerOptions): Promise<any> {
  const c = options.credentials;
  // Keyed by a digest so no secret sits in a map key; STS credentials rotate, so keep only the latest.
  const key = createHash('sha256')
    .update(
      [
        c.accessKeyId,
        c.accessKeySecret,
        c.securityToken ?? '',
        options.accountId,
        options.region,
        options.endpoint ?? '',
      ].join('\n'),
    )
    .digest('hex');
  let client = clients.get(key);
  if (!client) {
    clients.clear();
    fc2Module ??= import('@alicloud/fc2');
    client = fc2Module.then((mod) => {
      const FCClient = ((mod as any).default ?? mod) as any;
      const config: Record<string, unknown> = {
        accessKeyID: c.accessKeyId,
        accessKeySecret: c.accessKeySecret,
        securityToken: c.securityToken,
        region: options.region,
        timeout: options.timeoutMs ?? 10_000,
      };
      if (options.endpoint) config.endpoint = options.endpoint;
      else Object.assign(config, { secure: true, internal: true });
      const instance = new FCClient(options.accountId, config);
      // fc2 speaks 2016-08-15 by default; its generic post() reaches the 3.0 path with this version.
      instance.version = '2023-03-30';
      return instance;
    });
    client.catch(() => clients.delete(key));
    clients.set(key, client);
  }
  return client;
}

/** HTTP status of an fc2 error (it puts it only in the message: `... failed with 409. ...`). */
function statusOf(error: unknown): number | undefined {
  const match = /failed with (\d{3})/.exec(String((error as Error)?.message ?? ''));
  return match ? Number(match[1]) : undefined;
}

/** Invoker on `@alicloud/fc2` with `client.version = '2023-03-30'` and its generic `post()`. */
export function createFcInvoker(options: FcInvokerOptions): Invoker {
  return {
    async invokeAsync(functionName, payload, taskId) {
      try {
        const client = await fc2Client(options);
        const response = await client.post(
          `/functions/${encodeURIComponent(functionName)}/invocations`,
          JSON.stringify(payload),
          {
            'x-fc-invocation-type': 'Async',
            'x-fc-async-task-id': taskId,
          },
        );
        const requestId = response?.headers?.['x-fc-request-id'];
        return typeof requestId === 'string' ? { status: 'started', taskId, requestId } : { status: 'started', taskId };
      } catch (error) {
        const httpStatus = statusOf(error);
        if (httpStatus === 409) return { status: 'duplicate', taskId };
        const code = String((error as { code?: unknown })?.code ?? (httpStatus ? `HTTP${httpStatus}` : 'InvokeFailed'));
        // A refused request (4xx other than timeout/throttling) will be refused again; the rest may pass later.
        const retryable = httpStatus === undefined || httpStatus >= 500 || httpStatus === 408 || httpStatus === 429;
        const failed: InvokeOutcome = {
          status: 'failed',
          taskId,
          code,
          message: scrubSecrets(String((error as Error)?.message ?? error), [
            options.credentials.accessKeySecret,
            options.credentials.securityToken,
          ]),
          retryable,
        };
        if (httpStatus !== undefined) failed.httpStatus = httpStatus;
        return failed;
      }
    },
  };
}
