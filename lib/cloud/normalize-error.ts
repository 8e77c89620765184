/**
 * Turns whatever the SDK threw into one `CloudCallError {code, statusCode, requestId, retryable}`:
 * the SDK's `ThrottlingError` / `ClientError` / `ServerError`, Node network errors (`ECONNRESET`,
 * `ECONNREFUSED`, socket hang up), httpx timeouts (`RequestTimeoutError`: connect or read) and a
 * non-JSON error body (`SyntaxError`). Classification comes from the catalog; secrets are scrubbed.
 */
import { isRetryableCode } from '../catalog.ts';
import { CloudCallError } from '../errors.ts';
import { scrubSecrets } from '../secrets.ts';

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  requestId?: unknown;
  message?: unknown;
  data?: unknown;
}

export interface CallContext {
  product: string;
  action: string;
  region: string;
  /** Values that must never appear in a message (the access key secret, the security token). */
  secrets: ReadonlyArray<string | undefined>;
}

export function toCloudCallError(err: unknown, ctx: CallContext): CloudCallError {
  if (err instanceof CloudCallError) return err;
  const e = (err && typeof err === 'object' ? err : { message: String(err) }) as SdkErrorShape;
  const name = typeof e.name === 'string' ? e.name : '';
  const rawMessage = typeof e.message === 'string' ? e.message : '';
  const data = e.data && typeof e.data === 'object' ? (e.data as Record<string, unknown>) : undefined;
  let code: string;
  let message: string;
  let statusCode = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  let requestId = typeof e.requestId === 'string' && e.requestId !== 'undefined' ? e.requestId : undefined;

  if (name === 'RequestTimeoutError') {
    // httpx names both kinds the same; the message says which (ConnectTimeout: ... / ReadTimeout: ...).
    code = /ConnectTimeout/i.test(rawMessage) ? 'ConnectTimeout' : 'ReadTimeout';
    message = rawMessage;
  } else if (err instanceof SyntaxError || name === 'SyntaxError') {
    code = 'SyntaxError';
    message = `the endpoint answered a body that is not JSON (${rawMessage})`;
  } else if (typeof e.code === 'string' && e.code !== '' && e.code !== 'undefined') {
    code = e.code;
    const cloudMessage = data && typeof data.Message === 'string' ? data.Message : undefined;
    message = cloudMessage ?? rawMessage;
  } else if (/socket hang up/i.test(rawMessage)) {
    code = 'ECONNRESET';
    message = rawMessage;
  } else if (statusCode !== undefined) {
    code = statusCode >= 500 ? 'ServiceUnavailable' : 'UnknownError';
    message = rawMessage;
  } else {
    code = name && name !== 'Error' ? name : 'UnknownError';
    message = rawMessage;
  }
  if (data && requestId === undefined && typeof data.RequestId === 'string') requestId = data.RequestId;
  if (statusCode === undefined && data && typeof data.statusCode === 'number') statusCode = data.statusCode;

  const init = {
    code,
    message: scrubSecrets(
      `${ctx.product} ${ctx.action} (${ctx.region}) failed: ${code}${statusCode ? ` (HTTP ${statusCode})` : ''}: ${message}`,
      ctx.secrets,
    ),
    product: ctx.product,
    action: ctx.action,
    region: ctx.region,
    retryable: isRetryableCode(code, statusCode),
    cause: err,
    ...(statusCode !== undefined ? { statusCode } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
  };
  return new CloudCallError(init);
}
