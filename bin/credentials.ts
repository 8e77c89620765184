/**
 * The CLI's credentials: the engine's one default chain (`lib/cloud/credentials.ts`: environment
 * variables `ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET` / `ALIBABA_CLOUD_SECURITY_TOKEN`, then the CLI
 * profile, then an instance RAM role), with a failure turned into the CLI's bad-input error. The values
 * are handed to SDK clients and never printed.
 */
import { type CloudCredentials, defaultCredentialChain } from '../lib/cloud/credentials.ts';
import { registerErrorClasses } from '../lib/errors.ts';
import { CliError, CliErrorCode, ExitCode } from './errors.ts';

/** A provider over the default chain, asked again whenever credentials are needed (STS ones rotate). */
export type CredentialClient = () => Promise<CloudCredentials>;

export type PlainCredentials = CloudCredentials;

export class MissingCredentialsError extends CliError {
  override readonly name = 'MissingCredentialsError';
  override readonly code = CliErrorCode.NoCredentials;
  override readonly exitCode = ExitCode.BadInput;
}
registerErrorClasses(MissingCredentialsError);

/** The default chain (environment, profile, RAM role), built once per command. */
export function defaultCredentialClient(): CredentialClient {
  return defaultCredentialChain();
}

/** Resolves the chain to plain values (for `@alicloud/fc2`, which takes keys, not a provider). */
export async function resolveCredentials(
  client: CredentialClient = defaultCredentialClient(),
): Promise<PlainCredentials> {
  try {
    return await client();
  } catch (e) {
    // The chain's own message lists every provider it tried (paths, metadata URLs): noise for a person.
    throw new MissingCredentialsError(
      'no credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or configure an aliyun CLI profile',
      { cause: e },
    );
  }
}
