/**
 * The CLI's run store: `--store DIR|oss://bucket/prefix|none`, else `VPC_TAG_CLEANUP_STORE`, else
 * `./.vpc-tag-cleanup/runs`. An OSS store signs with the same credential chain as the cloud calls and
 * goes to `VPC_TAG_CLEANUP_OSS_ENDPOINT` (`http://host:port`), or to the emulator named by
 * `VPC_TAG_CLEANUP_ENDPOINT`, when one is set.
 */
import { DEFAULT_LOCAL_STORE, openStore, type RunStore, StoreLocationError } from '../lib/store/index.ts';
import type { Io } from './command.ts';
import { UsageError } from './errors.ts';

/** The store location the user asked for (not opened). */
export function storeLocation(values: Record<string, string | boolean | undefined>, io: Io): string {
  const flag = values.store;
  if (flag === true || flag === '')
    throw new UsageError('--store needs a value: a directory, oss://bucket/prefix or none');
  if (typeof flag === 'string') return flag;
  const env = io.env.VPC_TAG_CLEANUP_STORE;
  return env && env.trim() !== '' ? env : DEFAULT_LOCAL_STORE;
}

/** Opens the store (undefined for `none`); a location it cannot use is a `UsageError` naming it. */
export async function openCliStore(
  values: Record<string, string | boolean | undefined>,
  io: Io,
): Promise<{ location: string; store: RunStore | undefined }> {
  const location = storeLocation(values, io);
  try {
    const store = await openStore(location, async () => {
      const { resolveCredentials } = await import('./credentials.ts');
      const creds = await resolveCredentials();
      const endpoint =
        io.env.VPC_TAG_CLEANUP_OSS_ENDPOINT ||
        (io.env.VPC_TAG_CLEANUP_ENDPOINT
          ? `http://${io.env.VPC_TAG_CLEANUP_ENDPOINT.replace(/^[a-z]+:\/\//i, '')}`
          : '');
      return {
        ...creds,
        ...(endpoint ? { endpoint } : {}),
        ...(io.env.ALIBABA_CLOUD_REGION_ID ? { region: io.env.ALIBABA_CLOUD_REGION_ID } : {}),
      };
    });
    return { location, store };
  } catch (e) {
    if (e instanceof StoreLocationError) throw new UsageError(`--store: ${e.message}`, { cause: e });
    throw e;
  }
}
