/**
 * The official FC 3.0 SDK (`@alicloud/fc20230330`, ACS3-signed ROA calls) behind a small surface for tests:
 * InvokeFunction on `/2023-03-30/functions/{name}/invocations`, the raw answer, and the SDK's error as seen.
 */
import { Readable } from 'node:stream';
import Fc3Module, { InvokeFunctionHeaders, InvokeFunctionRequest } from '@alicloud/fc20230330';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';

type Fc3Class = typeof Fc3Module.default;
const Fc3 = ((Fc3Module as unknown as { default?: Fc3Class }).default ?? Fc3Module) as Fc3Class;

export interface Fc3Config {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
}

export interface Fc3Answer {
  statusCode: number;
  headers: Record<string, string>;
  /** Parsed JSON, or text. */
  data: unknown;
}

export interface Fc3TestClient {
  invoke(
    name: string,
    body: string | Buffer,
    headers?: { xFcInvocationType?: string; xFcAsyncTaskId?: string; xFcLogType?: string },
  ): Promise<Fc3Answer>;
}

export function fc3SdkClient(config: Fc3Config): Fc3TestClient {
  const url = new URL(config.url);
  const client = new Fc3(
    new $OpenApiUtil.Config({
      accessKeyId: config.accessKeyId,
      accessKeySecret: config.accessKeySecret,
      ...(config.securityToken ? { securityToken: config.securityToken } : {}),
      endpoint: url.host,
      protocol: 'HTTP',
      readTimeout: 10_000,
    }),
  );
  return {
    async invoke(name, body, headers = {}) {
      const r = await client.invokeFunctionWithOptions(
        name,
        new InvokeFunctionRequest({ body: Readable.from([Buffer.from(body)]) }),
        new InvokeFunctionHeaders(headers),
        new $dara.RuntimeOptions({ autoretry: false }),
      );
      const chunks: Buffer[] = [];
      for await (const c of (r.body ?? []) as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
      const text = Buffer.concat(chunks).toString('utf8');
      let data: unknown = text;
      try {
        data = JSON.parse(text);
      } catch {}
      return { statusCode: r.statusCode ?? 0, headers: r.headers ?? {}, data };
    },
  };
}

/** The SDK's error for a refused call: code, HTTP status, request id and the body it read. */
export async function fc3ErrorOf(
  p: Promise<unknown>,
): Promise<{ code: string; statusCode: number; requestId: string; data: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code: string; statusCode: number; requestId: string; data: Record<string, unknown> };
    return { code: err.code, statusCode: err.statusCode, requestId: err.requestId, data: err.data };
  }
  throw new Error('expected the call to fail');
}
