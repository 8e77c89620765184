/**
 * The cloud port as the entry points build it: credentials from the FC context or the default chain,
 * and every call sent to `VPC_TAG_CLEANUP_ENDPOINT` (the emulator) when that variable is set.
 */
import type { Limits } from '../catalog.ts';
import { createCloudPort } from './client.ts';
import { resolveCredentials } from './credentials.ts';
import type { CloudPort } from './port.ts';

export { type CloudPortOptions, createCloudPort } from './client.ts';
export {
  type CloudCredentials,
  type CredentialsSource,
  credentialsFromContext,
  defaultCredentialChain,
  resolveCredentials,
} from './credentials.ts';
export type { CallOptions, CallResult, CloudPort } from './port.ts';

/** A port for this process: `context` is FC's invocation context (its credentials win), `env` defaults to `process.env`. */
export function cloudPortFromEnvironment(
  context?: unknown,
  env: NodeJS.ProcessEnv = process.env,
  limits?: Partial<Limits>,
): CloudPort {
  const endpoint = env.VPC_TAG_CLEANUP_ENDPOINT?.trim();
  return createCloudPort({
    credentials: resolveCredentials(context),
    ...(endpoint ? { endpoint } : {}),
    ...(limits ? { limits } : {}),
  });
}
