/**
 * Invokes a deployed FC 3.0 function through `@alicloud/fc2` (the design's choice): the client is
 * switched to `version = '2023-03-30'` and its generic `post()` reaches
 * `/2023-03-30/functions/{name}/invocations` with the FC signature. That the 3.0 gateway accepts this
 * signature is inferred from the Serverless Devs fc3 component, not verified against the cloud; this
 * module is the one place to swap for a 3.0-native client.
 */
import { createRequire } from 'node:module';
import type { PlainCredentials } from './credentials.ts';

interface Fc2Response {
  headers: Record<string, string | undefined>;
  data: unknown;
}

interface Fc2Client {
  version: string;
  post(path: string, body: string | Buffer, headers?: Record<string, string>): Promise<Fc2Response>;
}

type Fc2Ctor = new (accountId: string, config: Record<string, unknown>) => Fc2Client;

// fc2 is untyped CommonJS; createRequire avoids an ambient declaration.
const FCClient = createRequire(import.meta.url)('@alicloud/fc2') as Fc2Ctor;

export interface InvokeTarget {
  accountId: string;
  region: string;
  functionName: string;
  /** `http://host:port` (VPC_TAG_CLEANUP_FC_ENDPOINT); omitted means `https://{account}.{region}.fc.aliyuncs.com`. */
  endpoint?: string;
  timeoutMs?: number;
}

export interface InvokeResult {
  requestId: string | undefined;
  /** Set when the function itself failed (HTTP 200 with `X-Fc-Error-Type`). */
  errorType: string | undefined;
  /** The function's answer (parsed JSON when it is JSON); empty for an async invocation. */
  data: unknown;
}

export async function invokeFunction(
  target: InvokeTarget,
  credentials: PlainCredentials,
  payload: unknown,
  options: { async?: boolean; taskId?: string } = {},
): Promise<InvokeResult> {
  const client = new FCClient(target.accountId, {
    accessKeyID: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    ...(credentials.securityToken ? { securityToken: credentials.securityToken } : {}),
    region: target.region,
    // fc2 defaults to http; the cloud gets https, the local emulator plain http.
    secure: target.endpoint === undefined,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    timeout: target.timeoutMs ?? 900_000,
  });
  client.version = '2023-03-30';
  const headers: Record<string, string> = {};
  if (options.async) headers['x-fc-invocation-type'] = 'Async';
  if (options.async && options.taskId) headers['x-fc-async-task-id'] = options.taskId;
  const r = await client.post(
    `/functions/${encodeURIComponent(target.functionName)}/invocations`,
    JSON.stringify(payload),
    headers,
  );
  let data = r.data;
  if (Buffer.isBuffer(data)) {
    const text = data.toString('utf8');
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  return { requestId: r.headers['x-fc-request-id'], errorType: r.headers['x-fc-error-type'], data };
}
