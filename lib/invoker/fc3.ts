/**
 * The FC 3.0 invoker: InvokeFunction of the 2023-03-30 API through the official FC 3.0 SDK
 * (`@alicloud/fc20230330`), signed ACS3 as an ROA call, the way the Serverless Devs fc3 component invokes
 * (devsapp/fc3 `src/resources/fc/impl/client.ts`). Loaded lazily (`lib/invoker/index.ts`): a run that
 * neither fans out nor continues never pays for the SDK's ~850 model modules. SDK retries stay off: the
 * caller decides (FC re-delivers a thrown async invocation; task ids make a repeat harmless).
 */
import { Readable } from 'node:stream';
import Fc3Module, { InvokeFunctionHeaders, InvokeFunctionRequest } from '@alicloud/fc20230330';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { asyncOutcomeOf, failureOf, redact, type SeenFailure, startedOutcome } from './failure.ts';
import { decodeAnswer, fcHost, type InvokerOptions } from './options.ts';
import type { Invoker } from './port.ts';

// Under ESM the default import is the CommonJS module.exports object; the class is its `.default`.
type Fc3Class = typeof Fc3Module.default;
const Fc3 = ((Fc3Module as unknown as { default?: Fc3Class }).default ?? Fc3Module) as Fc3Class;
type Fc3Client = InstanceType<Fc3Class>;

function clientOf(options: InvokerOptions): Fc3Client {
  const c = options.credentials;
  const url = options.endpoint ? new URL(options.endpoint) : undefined;
  const timeout = options.timeoutMs ?? 10_000;
  const config: Record<string, unknown> = {
    accessKeyId: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    regionId: options.region,
    endpoint: url ? url.host : fcHost(options),
    protocol: url?.protocol === 'http:' ? 'HTTP' : 'HTTPS',
    readTimeout: timeout,
    connectTimeout: Math.min(timeout, 5_000),
  };
  if (c.securityToken) config.securityToken = c.securityToken;
  return new Fc3(new $OpenApiUtil.Config(config));
}

async function bytesOf(body: unknown): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** What the SDK's error says (openapi-core reads FC 3.0's `{Code, Message, RequestId}` body). */
function seenOf(error: unknown, secrets: ReadonlyArray<string | undefined>): SeenFailure {
  const e = (error ?? {}) as {
    code?: unknown;
    name?: unknown;
    statusCode?: unknown;
    requestId?: unknown;
    message?: unknown;
    data?: { Message?: unknown; message?: unknown };
  };
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const code =
    typeof e.code === 'string' && e.code !== 'undefined' ? e.code : status ? `HTTP${status}` : 'InvokeFailed';
  const detail = e.data?.Message ?? e.data?.message ?? e.message ?? error;
  const requestId = typeof e.requestId === 'string' && e.requestId !== 'undefined' ? e.requestId : undefined;
  return { code, message: redact(String(detail), secrets), httpStatus: status, requestId };
}

/** Invoker on the 2023-03-30 API through `@alicloud/fc20230330`. */
export function createFc3Invoker(options: InvokerOptions): Invoker {
  const client = clientOf(options);
  const secrets = [options.credentials.accessKeySecret, options.credentials.securityToken];
  const runtime = () =>
    new $dara.RuntimeOptions({
      autoretry: false,
      maxAttempts: 0,
      readTimeout: options.timeoutMs ?? 10_000,
      connectTimeout: Math.min(options.timeoutMs ?? 10_000, 5_000),
    });
  const call = (functionName: string, payload: unknown, headers: Record<string, string>) =>
    client.invokeFunctionWithOptions(
      functionName,
      new InvokeFunctionRequest({ body: Readable.from([Buffer.from(JSON.stringify(payload), 'utf8')]) }),
      new InvokeFunctionHeaders(headers),
      runtime(),
    );
  return {
    async invokeAsync(functionName, payload, taskId) {
      try {
        const headers: Record<string, string> = { xFcInvocationType: 'Async' };
        if (taskId !== undefined) headers.xFcAsyncTaskId = taskId;
        const response = await call(functionName, payload, headers);
        return startedOutcome(taskId, response.headers?.['x-fc-request-id']);
      } catch (error) {
        return asyncOutcomeOf(seenOf(error, secrets), taskId);
      }
    },
    async invokeSync(functionName, payload) {
      try {
        const response = await call(functionName, payload, { xFcInvocationType: 'Sync' });
        const requestId = response.headers?.['x-fc-request-id'];
        const errorType = response.headers?.['x-fc-error-type'];
        return {
          status: 'answered',
          data: decodeAnswer(await bytesOf(response.body)),
          ...(requestId ? { requestId } : {}),
          ...(errorType ? { errorType } : {}),
        };
      } catch (error) {
        return failureOf(seenOf(error, secrets), undefined);
      }
    },
  };
}
