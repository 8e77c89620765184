/**
 * The FC-signature invoker on `@alicloud/fc2` (FC's own scheme, reference function-compute.md section 7).
 * Two routes:
 * - the 2016-08-15 service/function API (`invokeFunction` -> `/2016-08-15/services/{service}/functions/
 *   {fn}/invocations`, task id in `X-Fc-Stateful-Async-Invocation-Id`), `VPC_TAG_CLEANUP_FC_API=2016-08-15`;
 * - the 2023-03-30 path in the FC scheme, for a gateway that takes only that scheme there (the fallback of
 *   `lib/invoker/index.ts`). fc2 builds the headers and the signature; the request goes out here, because
 *   fc2's own transport reads only `ErrorCode`, and FC 3.0 answers errors as `{Code, Message, RequestId}`
 *   (through fc2 a refusal would keep nothing but its status).
 * Loaded lazily: fc2 pulls ali-oss and urllib.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import FCClient from '@alicloud/fc2';
import { VpcTagCleanupError } from '../errors.ts';
import { asyncOutcomeOf, failureOf, redact, type SeenFailure, startedOutcome } from './failure.ts';
import { decodeAnswer, fcHost, type InvokerOptions } from './options.ts';
import type { Invoker } from './port.ts';

/** Which path the fc2 client takes: the 2.0 service path (needs the service) or the 3.0 function path. */
export type Fc2Route = { api: '2016-08-15'; service: string } | { api: '2023-03-30' };

interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/** An HTTP answer outside 2xx, as a value the failure table reads. */
class RefusedAnswer extends VpcTagCleanupError {
  override readonly name = 'RefusedAnswer';
  constructor(readonly seen: SeenFailure) {
    super(seen.code, seen.message);
  }
}

function clientOf(options: InvokerOptions): FCClient {
  const c = options.credentials;
  return new FCClient(options.accountId, {
    accessKeyID: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    securityToken: c.securityToken,
    region: options.region,
    timeout: options.timeoutMs ?? 10_000,
    // fc2 defaults to http; the cloud gets https (its own host rule is the same as fcHost).
    ...(options.endpoint ? { endpoint: options.endpoint } : { endpoint: `https://${fcHost(options)}`, secure: true }),
  });
}

/** POST on the 3.0 path, FC-signed by fc2, answered as status + headers + bytes. */
function post3(client: FCClient, options: InvokerOptions, path: string, body: Buffer, extra: Record<string, string>) {
  const headers: Record<string, string> = {
    ...client.buildHeaders(),
    ...extra,
    'content-type': 'application/octet-stream',
    'content-length': String(body.length),
    // fc2's quirk, kept: base64 of the hex digest.
    'content-md5': Buffer.from(createHash('md5').update(body).digest('hex'), 'utf8').toString('base64'),
  };
  const fullPath = `/2023-03-30${path}`;
  const c = options.credentials;
  headers.authorization = FCClient.getSignature(c.accessKeyId, c.accessKeySecret, 'POST', fullPath, headers, null);
  const url = new URL(`${client.endpoint}${fullPath}`);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Answer>((resolve, reject) => {
    const req = send(url, { method: 'POST', headers, timeout: options.timeoutMs ?? 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers as Record<string, string | undefined>,
          body: Buffer.concat(chunks),
        }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** A refused 3.0 answer: its `{Code, Message, RequestId}` (or the 2.0 spelling, whichever it carries). */
function refusalOf(answer: Answer): SeenFailure {
  const body = decodeAnswer(answer.body) as Record<string, unknown> | string;
  const b = typeof body === 'object' && body !== null ? body : {};
  const code = b.Code ?? b.ErrorCode ?? b.errorCode;
  const message = b.Message ?? b.ErrorMessage ?? b.errorMessage ?? (typeof body === 'string' ? body : '');
  const requestId = b.RequestId ?? answer.headers['x-fc-request-id'];
  return {
    code: typeof code === 'string' && code ? code : `HTTP${answer.status}`,
    message: String(message),
    httpStatus: answer.status,
    requestId: typeof requestId === 'string' ? requestId : undefined,
  };
}

/** What an fc2 2.0-path error says: fc2 puts the HTTP status only in its message (`... failed with 409. ...`). */
function seenOf(error: unknown, secrets: ReadonlyArray<string | undefined>): SeenFailure {
  if (error instanceof RefusedAnswer) return { ...error.seen, message: redact(error.seen.message, secrets) };
  const e = (error ?? {}) as { code?: unknown; message?: unknown };
  const message = String(e.message ?? error);
  const status = /failed with (\d{3})/.exec(message);
  const httpStatus = status ? Number(status[1]) : undefined;
  const requestId = /requestid: ([^,\s]+)/.exec(message)?.[1];
  const code = typeof e.code === 'string' && e.code ? e.code : httpStatus ? `HTTP${httpStatus}` : 'InvokeFailed';
  return { code, message: redact(message, secrets), httpStatus, requestId };
}

/** Invoker on `@alicloud/fc2` for the given route. */
export function createFc2Invoker(options: InvokerOptions, route: Fc2Route): Invoker {
  const client = clientOf(options);
  const secrets = [options.credentials.accessKeySecret, options.credentials.securityToken];
  const send = async (functionName: string, payload: unknown, headers: Record<string, string>): Promise<Answer> => {
    const body = JSON.stringify(payload);
    if (route.api === '2016-08-15') {
      const r = await client.invokeFunction(route.service, functionName, body, headers);
      const data = Buffer.isBuffer(r.data)
        ? r.data
        : Buffer.from(typeof r.data === 'string' ? r.data : JSON.stringify(r.data ?? ''));
      return { status: 200, headers: r.headers, body: data };
    }
    const answer = await post3(
      client,
      options,
      `/functions/${encodeURIComponent(functionName)}/invocations`,
      Buffer.from(body, 'utf8'),
      headers,
    );
    if (answer.status < 200 || answer.status >= 300) throw new RefusedAnswer(refusalOf(answer));
    return answer;
  };
  const taskHeader = route.api === '2016-08-15' ? 'x-fc-stateful-async-invocation-id' : 'x-fc-async-task-id';
  return {
    async invokeAsync(functionName, payload, taskId) {
      try {
        const headers: Record<string, string> = { 'x-fc-invocation-type': 'Async' };
        if (taskId !== undefined) headers[taskHeader] = taskId;
        const answer = await send(functionName, payload, headers);
        return startedOutcome(taskId, answer.headers['x-fc-request-id']);
      } catch (error) {
        return asyncOutcomeOf(seenOf(error, secrets), taskId);
      }
    },
    async invokeSync(functionName, payload) {
      try {
        const answer = await send(functionName, payload, {});
        const requestId = answer.headers['x-fc-request-id'];
        const errorType = answer.headers['x-fc-error-type'];
        return {
          status: 'answered',
          data: decodeAnswer(answer.body),
          ...(requestId ? { requestId } : {}),
          ...(errorType ? { errorType } : {}),
        };
      } catch (error) {
        return failureOf(seenOf(error, secrets), undefined);
      }
    },
  };
}
