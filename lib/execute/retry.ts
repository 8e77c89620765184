/**
 * Retries for one cloud call: exponential backoff with full jitter for retryable codes and network
 * errors (the catalog's classification), p-retry's `AbortError` for everything else. Each attempt first
 * takes a token from the call's rate bucket, and tells the bucket how the attempt went (AIMD).
 */
import pRetry, { AbortError } from 'p-retry';
import { isRetryableCode, isThrottlingCode, type Tuning } from '../catalog.ts';
import { DeadlineError } from '../errors.ts';
import type { TokenBucket } from './rate-limiter.ts';

interface CodedError {
  code?: unknown;
  statusCode?: unknown;
  retryable?: unknown;
  cause?: unknown;
}

/** The first error code found on `err` or its `cause` chain. */
export function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 8; e = (e as CodedError).cause, depth++) {
    const code = (e as CodedError).code;
    if (typeof code === 'string' && code.length > 0) return code;
  }
  return undefined;
}

export function statusOf(err: unknown): number | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 8; e = (e as CodedError).cause, depth++) {
    const s = (e as CodedError).statusCode;
    if (typeof s === 'number') return s;
  }
  return undefined;
}

/** Whether another attempt could succeed: an explicit `retryable` flag wins, else the catalog's tables. */
export function isRetryableError(err: unknown): boolean {
  if (err && typeof err === 'object' && typeof (err as CodedError).retryable === 'boolean')
    return (err as CodedError).retryable as boolean;
  return isRetryableCode(errorCode(err), statusOf(err));
}

export function isThrottlingError(err: unknown): boolean {
  return isThrottlingCode(errorCode(err));
}

/** Full jitter: uniform in [0, min(cap, base * 2^retry)] (AWS architecture blog, "Exponential Backoff And Jitter"). */
export function backoffDelay(retry: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** retry));
}

export interface RetryOptions {
  limits: Pick<Tuning, 'maxRetries' | 'retryBaseMs' | 'retryMaxMs'>;
  bucket?: TokenBucket;
  /** Counts retries and throttling refusals for the report. */
  count?: (kind: 'retried' | 'throttled', n: number) => void;
  signal?: AbortSignal;
  random?: () => number;
  /**
   * Where an attempt runs once it holds its token (the executor's write slots): a call waiting for its
   * bucket holds no slot, so other buckets' calls go meanwhile. Past the deadline a slot's turn sends nothing.
   */
  slot?: <R>(fn: () => Promise<R>) => Promise<R>;
  /** Wraps the token wait and the attempt (per-bucket cap on calls holding a token while they wait for a slot). */
  gate?: <R>(fn: () => Promise<R>) => Promise<R>;
}

/** Re-exported: the retry loop is where the deadline error is thrown (lib/errors.ts holds the class). */
export { DeadlineError };

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable error, or has used `maxRetries` retries;
 * rejects with the last error as the attempt threw it (never wrapped). `signal` cuts the waits between
 * attempts (bucket and backoff) and stops further attempts with a `DeadlineError`, but never an attempt
 * already sent: its answer, success or failure, is what the caller gets. (The signal is therefore not
 * handed to p-retry, which would throw a completed call's result away if the signal fired during it.)
 */
export async function withRetry<T>(attempt: (attemptNumber: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { limits, bucket, count, signal } = options;
  return pRetry(
    async (n) => {
      if (signal?.aborted) throw new AbortError(new DeadlineError());
      const tokenThenCall = async () => {
        try {
          await bucket?.take(signal);
        } catch (err) {
          if (signal?.aborted) throw new AbortError(new DeadlineError());
          throw new AbortError(err instanceof Error ? err : new Error(String(err)));
        }
        if (!options.slot) return attempt(n);
        return options.slot(() => {
          // The deadline came while this call waited for a slot: it is not sent.
          if (signal?.aborted) throw new AbortError(new DeadlineError());
          return attempt(n);
        });
      };
      try {
        const result = await (options.gate ? options.gate(tokenThenCall) : tokenThenCall());
        bucket?.onSuccess();
        return result;
      } catch (err) {
        if (err instanceof AbortError) throw err;
        if (isThrottlingError(err)) {
          bucket?.onThrottle();
          count?.('throttled', 1);
        }
        if (!isRetryableError(err)) throw new AbortError(err instanceof Error ? err : new Error(String(err)));
        throw err instanceof Error ? err : new Error(String(err));
      }
    },
    {
      retries: limits.maxRetries,
      // p-retry's own delay is off: the full-jitter sleep happens in onFailedAttempt.
      minTimeout: 0,
      maxTimeout: 0,
      onFailedAttempt: async ({ retriesLeft, retriesConsumed }) => {
        if (retriesLeft <= 0) return;
        // A retry would follow: past the deadline it is not made (the last error is not the outcome).
        if (signal?.aborted) throw new DeadlineError();
        count?.('retried', 1);
        const delay = backoffDelay(retriesConsumed, limits.retryBaseMs, limits.retryMaxMs, options.random);
        if (delay > 0 && !(await sleep(delay, signal))) throw new DeadlineError();
      },
    },
  );
}

/** Sleeps `ms`; resolves false at once if `signal` aborts first. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
