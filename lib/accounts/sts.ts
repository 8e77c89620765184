/**
 * STS `AssumeRole` through `@alicloud/sts20150401`: the management side's credentials (the function's
 * role, or the workstation's) become a member account's, for `acs:ram::<member>:role/<roleName>`.
 * Endpoint `sts.aliyuncs.com` (or `VPC_TAG_CLEANUP_ENDPOINT`). SDK retries off: a refusal is an answer.
 */

import { $OpenApiUtil } from '@alicloud/openapi-core';
import StsModule, { AssumeRoleRequest } from '@alicloud/sts20150401';
import * as $dara from '@darabonba/typescript';
import type { CloudCredentials, CredentialsSource } from '../cloud/credentials.ts';
import { type SdkFailure, sdkFailureOf } from './sdk-failure.ts';

type StsClass = typeof StsModule.default;
const Sts = ((StsModule as unknown as { default?: StsClass }).default ?? StsModule) as StsClass;

/** Credentials STS issued, and when they stop working (epoch ms). */
export interface AssumedCredentials extends Required<CloudCredentials> {
  expiresAt: number;
}

export type AssumeOutcome = { ok: true; credentials: AssumedCredentials } | ({ ok: false } & SdkFailure);

/** The port: assume a role; never rejects. */
export interface RoleAssumer {
  assume(roleArn: string, sessionName: string, durationSeconds: number): Promise<AssumeOutcome>;
}

export interface StsOptions {
  credentials: CredentialsSource;
  /** `host:port` over HTTP (the emulator); default `sts.aliyuncs.com` over HTTPS. */
  endpoint?: string | undefined;
  timeoutMs?: number;
}

export function createRoleAssumer(options: StsOptions): RoleAssumer {
  return {
    async assume(roleArn, sessionName, durationSeconds) {
      let secrets: Array<string | undefined> = [];
      try {
        const c = typeof options.credentials === 'function' ? await options.credentials() : options.credentials;
        secrets = [c.accessKeySecret, c.securityToken];
        const client = new Sts(
          new $OpenApiUtil.Config({
            accessKeyId: c.accessKeyId,
            accessKeySecret: c.accessKeySecret,
            ...(c.securityToken ? { securityToken: c.securityToken } : {}),
            endpoint: options.endpoint?.replace(/^[a-z]+:\/\//i, '') ?? 'sts.aliyuncs.com',
            protocol: options.endpoint ? 'HTTP' : 'HTTPS',
            readTimeout: options.timeoutMs ?? 10_000,
            connectTimeout: 5_000,
          }),
        );
        const r = await client.assumeRoleWithOptions(
          new AssumeRoleRequest({ roleArn, roleSessionName: sessionName, durationSeconds }),
          new $dara.RuntimeOptions({ autoretry: false }),
        );
        const k = r.body?.credentials;
        if (!k?.accessKeyId || !k.accessKeySecret || !k.securityToken || !k.expiration)
          return { ok: false, code: 'InvalidResponse', message: 'AssumeRole answered without credentials' };
        return {
          ok: true,
          credentials: {
            accessKeyId: k.accessKeyId,
            accessKeySecret: k.accessKeySecret,
            securityToken: k.securityToken,
            expiresAt: Date.parse(k.expiration),
          },
        };
      } catch (error) {
        return { ok: false, ...sdkFailureOf(error, secrets) };
      }
    },
  };
}
