/**
 * Credentials through the `@alicloud/credentials` default chain (environment variables
 * `ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET` / `ALIBABA_CLOUD_SECURITY_TOKEN`, then the CLI profile, then
 * an instance RAM role). The values are handed to SDK clients and never printed.
 */
import CredentialModule from '@alicloud/credentials';
import { CliError, ExitCode } from './errors.ts';

/** The part of the package's `Credential` client the CLI uses. */
export interface CredentialClient {
  getCredential(): Promise<{ accessKeyId?: string; accessKeySecret?: string; securityToken?: string }>;
}

// The package's default export is its CommonJS module.exports under ESM (see reference/alibaba-openapi.md §12).
const Credential = ((CredentialModule as any).default ?? CredentialModule) as new () => CredentialClient;

export interface PlainCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export class MissingCredentialsError extends CliError {
  override readonly name = 'MissingCredentialsError';
  override readonly code = 'NO_CREDENTIALS';
  override readonly exitCode = ExitCode.BadInput;
}

/** The default-chain credential client (environment, profile, RAM role), built once per command. */
export function defaultCredentialClient(): CredentialClient {
  return new Credential();
}

/** Resolves the default chain to plain values (for `@alicloud/fc2`, which takes keys, not a client). */
export async function resolveCredentials(
  client: CredentialClient = defaultCredentialClient(),
): Promise<PlainCredentials> {
  try {
    const c = await client.getCredential();
    if (!c.accessKeyId || !c.accessKeySecret) throw new Error('empty access key');
    return c.securityToken
      ? { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken }
      : { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret };
  } catch (e) {
    // The chain's own message lists every provider it tried (paths, metadata URLs): noise for a person.
    throw new MissingCredentialsError(
      'no credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or configure an aliyun CLI profile',
      { cause: e },
    );
  }
}
