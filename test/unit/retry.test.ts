import { ClientError, ServerError, ThrottlingError } from '@alicloud/openapi-core';
import { describe, expect, it } from 'vitest';
import { toCloudCallError } from '../../lib/cloud/normalize-error.ts';
import type { CloudCallError } from '../../lib/errors.ts';
import {
  backoffDelay,
  DeadlineError,
  isRetryableError,
  isThrottlingError,
  withRetry,
} from '../../lib/execute/retry.ts';

const limits = { maxRetries: 3, retryBaseMs: 1, retryMaxMs: 2 };
const ctx = {
  product: 'VpcIpam',
  action: 'UntagResources',
  region: 'cn-hangzhou',
  secrets: ['s3cr3t-value', 'tok3n-value'],
};

function cloudError(code: string, statusCode = 400): CloudCallError {
  return toCloudCallError(Object.assign(new Error(`${code}: boom`), { code, statusCode, requestId: 'REQ-1' }), ctx);
}

describe('error classification', () => {
  it.each([
    ['Throttling.User', 400, true],
    ['Throttling', 400, true],
    ['ServiceUnavailable', 503, true],
    ['InternalError', 500, true],
    ['OperationFailed.LastTokenProcessing', 400, true],
    ['IncorrectStatus.VpcPeer', 400, true],
    ['ECONNRESET', undefined, true],
    ['ECONNREFUSED', undefined, true],
    ['ResourceNotFound.Ipam', 400, false],
    ['InvalidInstanceIds.NotFound', 400, false],
    ['IllegalParam.TagKey', 400, false],
    ['SignatureDoesNotMatch', 400, false],
    ['Forbidden.NoPermission', 400, false],
  ])('classifies %s (HTTP %s) as retryable: %s', (code, status, retryable) => {
    const e = toCloudCallError(
      Object.assign(new Error('x'), status === undefined ? { code } : { code, statusCode: status }),
      ctx,
    );
    expect(e.code).toBe(code);
    expect(e.retryable).toBe(retryable);
    expect(isRetryableError(e)).toBe(retryable);
  });

  it('normalises the SDK error classes, timeouts, resets and non-JSON bodies', () => {
    const t = toCloudCallError(
      new ThrottlingError({
        code: 'Throttling.User',
        statusCode: 400,
        requestId: 'R1',
        message: 'slow down',
        data: {},
      }),
      ctx,
    );
    expect(t).toMatchObject({ code: 'Throttling.User', statusCode: 400, requestId: 'R1', retryable: true });
    expect(isThrottlingError(t)).toBe(true);
    const c = toCloudCallError(
      new ClientError({ code: 'IllegalParam.TagKey', statusCode: 400, requestId: 'R2', data: { Message: 'bad key' } }),
      ctx,
    );
    expect(c).toMatchObject({ code: 'IllegalParam.TagKey', retryable: false });
    expect(c.message).toContain('bad key');
    const s = toCloudCallError(new ServerError({ code: 'InternalError', statusCode: 500, requestId: 'R3' }), ctx);
    expect(s).toMatchObject({ code: 'InternalError', statusCode: 500, retryable: true });
    const connect = toCloudCallError(
      Object.assign(new Error('ConnectTimeout: Connect http://x failed.'), { name: 'RequestTimeoutError' }),
      ctx,
    );
    expect(connect).toMatchObject({ code: 'ConnectTimeout', retryable: true });
    const read = toCloudCallError(
      Object.assign(new Error('ReadTimeout: 10000. POST / failed.'), { name: 'RequestTimeoutError' }),
      ctx,
    );
    expect(read).toMatchObject({ code: 'ReadTimeout', retryable: true });
    expect(toCloudCallError(new Error('socket hang up'), ctx)).toMatchObject({ code: 'ECONNRESET', retryable: true });
    expect(toCloudCallError(new SyntaxError('Unexpected token < in JSON'), ctx)).toMatchObject({
      code: 'SyntaxError',
      retryable: true,
    });
  });

  it('keeps the secret and the token out of the message', () => {
    const e = toCloudCallError(new Error('signing with s3cr3t-value and tok3n-value failed'), ctx);
    expect(e.message).not.toContain('s3cr3t-value');
    expect(e.message).not.toContain('tok3n-value');
  });
});

describe('withRetry', () => {
  it('retries retryable errors and counts retries and throttling refusals', async () => {
    const counts = { retried: 0, throttled: 0 };
    let attempts = 0;
    const result = await withRetry(
      async () => {
        attempts++;
        if (attempts === 1) throw cloudError('Throttling.User');
        if (attempts === 2) throw cloudError('ServiceUnavailable', 503);
        return 'done';
      },
      {
        limits,
        count: (k, n) => {
          counts[k] += n;
        },
      },
    );
    expect(result).toBe('done');
    expect(attempts).toBe(3);
    expect(counts).toEqual({ retried: 2, throttled: 1 });
  });

  it('gives up at once on a non-retryable error and rejects with it unchanged', async () => {
    let attempts = 0;
    const err = cloudError('ResourceNotFound.IpamPool', 404);
    await expect(
      withRetry(
        async () => {
          attempts++;
          throw err;
        },
        { limits },
      ),
    ).rejects.toBe(err);
    expect(attempts).toBe(1);
  });

  it('stops after maxRetries retries with the last error', async () => {
    let attempts = 0;
    await expect(
      withRetry(
        async () => {
          attempts++;
          throw cloudError('InternalError', 500);
        },
        { limits },
      ),
    ).rejects.toMatchObject({ code: 'InternalError' });
    expect(attempts).toBe(limits.maxRetries + 1);
  });

  it('cuts a backoff wait when the signal fires, with a DeadlineError and no further attempt', async () => {
    const controller = new AbortController();
    let attempts = 0;
    const slow = { maxRetries: 6, retryBaseMs: 60_000, retryMaxMs: 60_000 };
    const started = performance.now();
    const run = withRetry(
      async () => {
        attempts++;
        setTimeout(() => controller.abort(), 20);
        throw cloudError('ServiceUnavailable', 503);
      },
      { limits: slow, signal: controller.signal, random: () => 0.99 },
    );
    await expect(run).rejects.toBeInstanceOf(DeadlineError);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(attempts).toBe(1);
  });

  it('lets an attempt already sent finish: its result is returned though the signal fired meanwhile', async () => {
    const controller = new AbortController();
    const result = await withRetry(
      async () => {
        controller.abort();
        await new Promise((r) => setTimeout(r, 5));
        return 'applied';
      },
      { limits, signal: controller.signal },
    );
    expect(result).toBe('applied');
  });

  it('rejects with the real error of an attempt that fails for good after the signal fired', async () => {
    const controller = new AbortController();
    const err = cloudError('InvalidTagKey.Malformed', 400);
    await expect(
      withRetry(
        async () => {
          controller.abort();
          throw err;
        },
        { limits, signal: controller.signal },
      ),
    ).rejects.toBe(err);
  });

  it('makes no attempt once the signal has fired, and no retry after a retryable failure past it', async () => {
    const controller = new AbortController();
    controller.abort();
    let attempts = 0;
    const attempt = async () => {
      attempts++;
      return 'x';
    };
    await expect(withRetry(attempt, { limits, signal: controller.signal })).rejects.toBeInstanceOf(DeadlineError);
    expect(attempts).toBe(0);

    const late = new AbortController();
    await expect(
      withRetry(
        async () => {
          attempts++;
          late.abort();
          throw cloudError('InternalError', 500);
        },
        { limits, signal: late.signal },
      ),
    ).rejects.toBeInstanceOf(DeadlineError);
    expect(attempts).toBe(1);
  });

  it('draws full-jitter delays between zero and the capped exponential', () => {
    expect(backoffDelay(3, 100, 10_000, () => 0)).toBe(0);
    expect(backoffDelay(3, 100, 10_000, () => 0.999999)).toBe(799);
    expect(backoffDelay(10, 100, 1_000, () => 0.5)).toBe(500);
  });
});
