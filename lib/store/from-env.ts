/**
 * The function's run store from its environment: `VPC_TAG_CLEANUP_STORE` (`oss://bucket/prefix`, a
 * directory, or `none`), signed with the function's own credentials; `VPC_TAG_CLEANUP_OSS_ENDPOINT`
 * (`http://host:port`), else the emulator named by `VPC_TAG_CLEANUP_ENDPOINT`, replaces the public
 * OSS endpoint of the function's region.
 */
import type { CredentialsSource } from '../cloud/credentials.ts';
import { isEngineError } from '../errors.ts';
import { openStore } from './index.ts';
import type { RunStore } from './port.ts';

export type OpenedStore = { ok: true; store: RunStore | undefined } | { ok: false; message: string };

export async function openRunStore(
  location: string,
  env: Record<string, string | undefined>,
  credentials: CredentialsSource,
  region: string | undefined,
): Promise<OpenedStore> {
  try {
    const store = await openStore(location, async () => {
      const c = typeof credentials === 'function' ? await credentials() : credentials;
      const endpoint =
        env.VPC_TAG_CLEANUP_OSS_ENDPOINT ||
        (env.VPC_TAG_CLEANUP_ENDPOINT ? `http://${env.VPC_TAG_CLEANUP_ENDPOINT.replace(/^[a-z]+:\/\//i, '')}` : '');
      return {
        accessKeyId: c.accessKeyId,
        accessKeySecret: c.accessKeySecret,
        ...(c.securityToken ? { securityToken: c.securityToken } : {}),
        ...(region ? { region } : {}),
        ...(endpoint ? { endpoint } : {}),
      };
    });
    return { ok: true, store };
  } catch (e) {
    if (isEngineError(e)) return { ok: false, message: e.message };
    throw e;
  }
}
