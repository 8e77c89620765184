/**
 * The FC-signature invoker on `@alicloud/fc2` (FC's own scheme, reference function-compute.md section 7).
 * Two uses: the 2016-08-15 service/function API (`invokeFunction` -> `/2016-08-15/services/{service}/
 * functions/{fn}/invocations`, task id in `X-Fc-Stateful-Async-Invocation-Id`), chosen by
 * `VPC_TAG_CLEANUP_FC_API=2016-08-15`; and the 2023-03-30 path for a gateway that takes only the FC scheme
 * there (`client.version = '2023-03-30'` and the generic `post()`, as the fc3 component does for
 * instance exec), the fallback of `lib/invoker/index.ts`. Loaded lazily (it pulls ali-oss and urllib).
 */
import FCClient from '@alicloud/fc2';
import { asyncOutcomeOf, failureOf, redact, type SeenFailure } from './failure.ts';
import { decodeAnswer, fcHost, type InvokerOptions } from './options.ts';
import type { Invoker } from './port.ts';

/** Which path the fc2 client takes: the 2.0 service path (needs the service) or the 3.0 function path. */
export type Fc2Route = { api: '2016-08-15'; service: string } | { api: '2023-03-30' };

function clientOf(options: InvokerOptions, route: Fc2Route): FCClient {
  const c = options.credentials;
  const client = new FCClient(options.accountId, {
    accessKeyID: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    securityToken: c.securityToken,
    region: options.region,
    timeout: options.timeoutMs ?? 10_000,
    // fc2 defaults to http; the cloud gets https (its own host rule is the same as fcHost).
    ...(options.endpoint ? { endpoint: options.endpoint } : { endpoint: `https://${fcHost(options)}`, secure: true }),
  });
  if (route.api === '2023-03-30') client.version = '2023-03-30';
  return client;
}

/** fc2 puts the HTTP status only in its message (`... failed with 409. requestid: ...`). */
function seenOf(error: unknown, secrets: ReadonlyArray<string | undefined>): SeenFailure {
  const e = (error ?? {}) as { code?: unknown; message?: unknown };
  const message = String(e.message ?? error);
  const status = /failed with (\d{3})/.exec(message);
  const httpStatus = status ? Number(status[1]) : undefined;
  const requestId = /requestid: ([^,\s]+)/.exec(message)?.[1];
  // On the 3.0 path FC answers {Code, Message}: fc2 reads ErrorCode only, so its code is then missing.
  const code = typeof e.code === 'string' && e.code ? e.code : httpStatus ? `HTTP${httpStatus}` : 'InvokeFailed';
  return { code, message: redact(message, secrets), httpStatus, requestId };
}

/** Invoker on `@alicloud/fc2` for the given route. */
export function createFc2Invoker(options: InvokerOptions, route: Fc2Route): Invoker {
  const client = clientOf(options, route);
  const secrets = [options.credentials.accessKeySecret, options.credentials.securityToken];
  const send = (functionName: string, payload: unknown, headers: Record<string, string>) => {
    const body = JSON.stringify(payload);
    return route.api === '2016-08-15'
      ? client.invokeFunction(route.service, functionName, body, headers)
      : client.post(`/functions/${encodeURIComponent(functionName)}/invocations`, body, headers);
  };
  const taskHeader = route.api === '2016-08-15' ? 'x-fc-stateful-async-invocation-id' : 'x-fc-async-task-id';
  return {
    async invokeAsync(functionName, payload, taskId) {
      try {
        const headers: Record<string, string> = { 'x-fc-invocation-type': 'Async' };
        if (taskId !== undefined) headers[taskHeader] = taskId;
        const response = await send(functionName, payload, headers);
        const requestId = response.headers['x-fc-request-id'];
        return {
          status: 'started',
          ...(taskId !== undefined ? { taskId } : {}),
          ...(requestId ? { requestId } : {}),
        };
      } catch (error) {
        return asyncOutcomeOf(seenOf(error, secrets), taskId);
      }
    },
    async invokeSync(functionName, payload) {
      try {
        const response = await send(functionName, payload, {});
        const requestId = response.headers['x-fc-request-id'];
        const errorType = response.headers['x-fc-error-type'];
        const data = Buffer.isBuffer(response.data) ? decodeAnswer(response.data) : response.data;
        return {
          status: 'answered',
          data,
          ...(requestId ? { requestId } : {}),
          ...(errorType ? { errorType } : {}),
        };
      } catch (error) {
        return failureOf(seenOf(error, secrets), undefined);
      }
    },
  };
}
