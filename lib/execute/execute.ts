/**
 * Runs untag batches: write concurrency under its own p-limit (policy `limits.concurrency` or the
 * catalog default), each call through its rate bucket and the retry loop, the VpcPeer ClientToken made
 * once per batch before that loop. Every resource ends as a value: `untagged` (with the request id),
 * `skipped`/`not-found` (it vanished: the batch is halved until the vanished id is alone, salvaging the
 * rest), or `failed` (code, message, request id). Too-large answers split the batch as well. A failed
 * batch never stops the run.
 *
 * Deadline: once `signal` fires, a batch not yet sent, or waiting for its bucket or a retry's backoff, is
 * abandoned (its resources `skipped`/`deadline`, `onAbandon` told so the run keeps its unit out of the
 * continuation's done list); calls already sent finish and count. So a deadline is honoured within about
 * one call's time. Memory: the p-limit queue is bounded by `ready()` (the pipeline waits below
 * `highWater` batches), and split resources wait in the parts merger only until their last part.
 */
import pLimit from 'p-limit';
import { isBatchTooLargeCode, isNotFoundCode, type Limits, PRODUCTS } from '../catalog.ts';
import type { CloudPort } from '../cloud/port.ts';
import type { ReportError, ResourceOutcome, UntagBatch } from '../types.ts';
import { clientTokenFor } from './client-token.ts';
import { createPartsMerger, type FinalOutcomeSink, type PartsMerger } from './parts.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { DeadlineError, errorCode, withRetry } from './retry.ts';

export interface ExecuteContext {
  cloud: CloudPort;
  limits: Limits;
  rateLimiter: RateLimiter;
  runId: string;
  count: (kind: 'untag' | 'retried' | 'throttled', n: number) => void;
  /** Final outcomes, one per resource (split resources merged first). */
  record: FinalOutcomeSink;
  error: (e: ReportError) => void;
  /** The run's deadline: cuts waits and stops batches not yet sent. */
  signal?: AbortSignal;
  /** Told of each batch abandoned at the deadline. */
  onAbandon?: (batch: UntagBatch) => void;
  /** Merges parts of split resources; `createExecutor` makes one (a bare `runBatch` falls back to `record`). */
  parts?: PartsMerger;
}

export interface Executor {
  /**
   * Queues a batch; never rejects (failures become outcomes) and resolves, once the batch has settled,
   * with the outcomes its resources got (one per resource part; the run's journal hears them). The
   * `despiteDeadline` option sends it even once the deadline has fired (the run's progress guarantee:
   * see lib/run/writer.ts); its retry waits are not cut.
   */
  submit(batch: UntagBatch, options?: { despiteDeadline?: boolean }): Promise<ResourceOutcome[]>;
  /** Resolves when queued work is small enough to accept more (backpressure for the pipeline). */
  ready(): Promise<void>;
  /** Resolves when every submitted batch has settled. */
  drain(): Promise<void>;
}

export function createExecutor(context: ExecuteContext, concurrency: number): Executor {
  const ctx: ExecuteContext = { ...context, parts: context.parts ?? createPartsMerger(context.record) };
  const limit = pLimit(Math.max(1, concurrency));
  const inFlight = new Set<Promise<void>>();
  const highWater = Math.max(4, concurrency * 4);
  return {
    submit(batch, options) {
      const base = options?.despiteDeadline ? withoutDeadline(ctx) : ctx;
      const merger = base.parts as PartsMerger;
      const outcomes: ResourceOutcome[] = [];
      const parts: PartsMerger = {
        record: (o, n) => {
          outcomes.push(o);
          merger.record(o, n);
        },
        get open() {
          return merger.open;
        },
      };
      const p = limit(() => runBatch({ ...base, parts }, batch)).finally(() => inFlight.delete(p));
      inFlight.add(p);
      return p.then(() => outcomes);
    },
    async ready() {
      while (inFlight.size >= highWater) await Promise.race(inFlight);
    },
    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

function withoutDeadline(ctx: ExecuteContext): ExecuteContext {
  const { signal: _signal, ...rest } = ctx;
  return rest;
}

/** One batch, split on not-found or too-large answers; the halves run one after the other in the same slot. */
export async function runBatch(ctx: ExecuteContext, batch: UntagBatch): Promise<void> {
  const emit = (o: ResourceOutcome) => {
    const parts = batch.parts?.[o.id] ?? 1;
    if (ctx.parts) ctx.parts.record(o, parts);
    else ctx.record(o);
  };
  if (ctx.signal?.aborted) {
    abandon(ctx, batch, emit);
    return;
  }
  const product = PRODUCTS[batch.product];
  const action = product.untagAction;
  const params: Record<string, unknown> = { RegionId: batch.region, ResourceType: batch.type, ResourceId: batch.ids };
  if (batch.keys === 'all') params.All = true;
  else params.TagKey = batch.keys;
  // Made once, before the retry loop: every attempt of this call carries the same token.
  if (product.clientToken) params.ClientToken = clientTokenFor(ctx.runId, action, batch);
  const bucket = ctx.rateLimiter.bucket(batch.region, batch.product, action);
  try {
    const res = await withRetry(
      async () => {
        ctx.count('untag', 1);
        return ctx.cloud.call(batch.product, batch.region, action, params);
      },
      { limits: ctx.limits, bucket, count: ctx.count, ...(ctx.signal ? { signal: ctx.signal } : {}) },
    );
    for (const id of batch.ids) {
      emit({
        region: batch.region,
        type: batch.type,
        id,
        keys: batch.removes[id] ?? [],
        status: 'untagged',
        requestId: res.requestId,
      });
    }
  } catch (err) {
    if (err instanceof DeadlineError) {
      abandon(ctx, batch, emit);
      return;
    }
    const code = errorCode(err) ?? 'UnknownError';
    if ((isNotFoundCode(code) || isBatchTooLargeCode(code)) && batch.ids.length > 1) {
      const mid = Math.ceil(batch.ids.length / 2);
      await runBatch(ctx, subBatch(batch, batch.ids.slice(0, mid)));
      await runBatch(ctx, subBatch(batch, batch.ids.slice(mid)));
      return;
    }
    const requestId = (err as { requestId?: unknown }).requestId;
    const message = err instanceof Error ? err.message : String(err);
    const extra = typeof requestId === 'string' && requestId ? { requestId } : {};
    for (const id of batch.ids) {
      const base = { region: batch.region, type: batch.type, id, keys: batch.removes[id] ?? [], code, ...extra };
      emit(
        isNotFoundCode(code)
          ? { ...base, status: 'skipped', reason: 'not-found' }
          : { ...base, status: 'failed', reason: message },
      );
    }
    if (!isNotFoundCode(code))
      ctx.error({ code, message, region: batch.region, type: batch.type, ids: [...batch.ids], ...extra });
  }
}

/** The deadline came before this batch was (re)sent: its resources are left for the continuation. */
function abandon(ctx: ExecuteContext, batch: UntagBatch, emit: (o: ResourceOutcome) => void): void {
  // Told first: the run looks up where these resources were listed before their outcomes settle them.
  ctx.onAbandon?.(batch);
  for (const id of batch.ids)
    emit({
      region: batch.region,
      type: batch.type,
      id,
      keys: batch.removes[id] ?? [],
      status: 'skipped',
      reason: 'deadline',
    });
}

function subBatch(batch: UntagBatch, ids: string[]): UntagBatch {
  const removes: Record<string, string[]> = {};
  for (const id of ids) removes[id] = batch.removes[id] ?? [];
  const keys = batch.keys === 'all' ? 'all' : [...new Set(ids.flatMap((id) => removes[id] ?? []))].sort();
  const { parts: _whole, ...rest } = batch;
  const parts = batch.parts
    ? Object.fromEntries(
        ids.filter((id) => batch.parts?.[id] !== undefined).map((id) => [id, batch.parts?.[id] as number]),
      )
    : undefined;
  return parts && Object.keys(parts).length > 0
    ? { ...rest, ids, removes, keys, parts }
    : { ...rest, ids, removes, keys };
}
