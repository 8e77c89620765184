/** The official SDK pointed at the emulator: `@alicloud/vpc20160428`'s client and its generic callApi. */

import { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import VpcModule from '@alicloud/vpc20160428';
import * as $dara from '@darabonba/typescript';

const Vpc = ((VpcModule as any).default ?? VpcModule) as typeof VpcModule.default;
export type VpcClient = InstanceType<typeof Vpc>;

export const VERSIONS = { VpcIpam: '2023-02-28', VpcPeer: '2022-01-01', Vpc: '2016-04-28' } as const;

export function sdkClient(
  endpoint: string,
  creds: { accessKeyId: string; accessKeySecret: string; securityToken?: string },
  timeouts: { connectTimeout?: number; readTimeout?: number } = {},
): VpcClient {
  return new Vpc(
    new $OpenApiUtil.Config({
      ...creds,
      endpoint,
      protocol: 'HTTP',
      connectTimeout: timeouts.connectTimeout ?? 5_000,
      readTimeout: timeouts.readTimeout ?? 5_000,
    }),
  );
}

export interface CallOptions {
  /** Params sent in an x-www-form-urlencoded body instead of the query. */
  form?: Record<string, unknown>;
  readTimeout?: number;
}

/** One RPC call through the SDK's generic callApi; resolves `{statusCode, headers, body}`. */
export async function sdkCall(
  client: VpcClient,
  product: keyof typeof VERSIONS,
  action: string,
  query: Record<string, unknown>,
  options: CallOptions = {},
): Promise<{ statusCode: number; body: Record<string, any> }> {
  const params = new $OpenApiUtil.Params({
    action,
    version: VERSIONS[product],
    protocol: 'HTTPS',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
  const request = new $OpenApiUtil.OpenApiRequest({
    query: OpenApiUtil.query(query),
    ...(options.form ? { body: OpenApiUtil.query(options.form) } : {}),
  });
  const runtime = new $dara.RuntimeOptions(
    options.readTimeout ? { readTimeout: options.readTimeout, connectTimeout: options.readTimeout } : {},
  );
  return (await client.callApi(params, request, runtime)) as any;
}
