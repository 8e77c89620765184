/**
 * One list call as discovery makes it: under the listing limiter (its own p-limit, never nested with
 * the write limiter), through the rate bucket of (region, product:action), with retries, counted.
 */
import type { LimitFunction } from 'p-limit';
import type { ProductId, Tuning } from '../catalog.ts';
import type { CloudPort } from '../cloud/port.ts';
import type { RateLimiter } from '../execute/rate-limiter.ts';
import { withRetry } from '../execute/retry.ts';
import { emptyTagSet } from '../tag-set.ts';

export interface ListContext {
  cloud: CloudPort;
  limits: Tuning;
  listLimit: LimitFunction;
  rateLimiter: RateLimiter;
  count: (kind: 'list' | 'retried' | 'throttled', n: number) => void;
  signal?: AbortSignal;
}

export async function listCall(
  ctx: ListContext,
  product: ProductId,
  region: string,
  action: string,
  params: Record<string, unknown>,
  bodyParams?: readonly string[],
): Promise<Record<string, unknown>> {
  const bucket = ctx.rateLimiter.bucket(region, product, action);
  return ctx.listLimit(() =>
    withRetry(
      async () => {
        ctx.count('list', 1);
        const res = await ctx.cloud.call(product, region, action, params, bodyParams ? { bodyParams } : {});
        return res.body;
      },
      // The deadline cuts bucket and backoff waits (a DeadlineError the run turns into a continuation).
      { limits: ctx.limits, bucket, count: ctx.count, ...(ctx.signal ? { signal: ctx.signal } : {}) },
    ),
  );
}

/** Reads `a.b.c` from a response body (Vpc nests lists: `Vpcs.Vpc`, `TagResources.TagResource`). */
export function pathGet(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** `[{Key, Value}]` (any case) to a plain map. */
export function tagsFromList(list: unknown): Record<string, string> {
  const tags = emptyTagSet();
  if (!Array.isArray(list)) return tags;
  for (const t of list) {
    if (!t || typeof t !== 'object') continue;
    const r = t as Record<string, unknown>;
    const key = r.Key ?? r.key ?? r.TagKey;
    const value = r.Value ?? r.value ?? r.TagValue;
    if (typeof key === 'string') tags[key] = typeof value === 'string' ? value : '';
  }
  return tags;
}
