/**
 * Opening a run store from what the user wrote: `--store DIR`, `--store oss://bucket/prefix`, or the
 * `VPC_TAG_CLEANUP_STORE` variable; `none` turns the store (and with it the journal) off explicitly.
 */
import { StoreLocationError } from './errors.ts';
import { lazyStore } from './lazy.ts';
import { createLocalStore } from './local.ts';
import type { RunStore } from './port.ts';

export { isStoreError, StoreError, StoreLocationError } from './errors.ts';
export { createLocalStore } from './local.ts';
export { type RunStore, runIdProblem, StoreKeys } from './port.ts';

/** The CLI's store when neither `--store` nor `VPC_TAG_CLEANUP_STORE` names one. */
export const DEFAULT_LOCAL_STORE = './.vpc-tag-cleanup/runs';

/** The value that turns the store off on purpose (the function then warns on every run). */
export const NO_STORE = 'none';

/** Credentials and endpoint an OSS store needs (the function's role, or the CLI's chain). */
export interface OssStoreOptions {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  /** OSS region (`oss-cn-hangzhou`) or the region id (`cn-hangzhou`). */
  region?: string;
  /** `http://host:port`: every OSS request goes there (the emulator). */
  endpoint?: string;
}

export type StoreLocation =
  | { kind: 'none' }
  | { kind: 'local'; dir: string }
  | { kind: 'oss'; bucket: string; prefix: string };

/** Parses a store location; throws `StoreLocationError` naming what is wrong. */
export function parseStoreLocation(text: string): StoreLocation {
  const t = text.trim();
  if (t === NO_STORE) return { kind: 'none' };
  if (t === '') throw new StoreLocationError('the store location is empty (a directory, oss://bucket/prefix or none)');
  if (/^oss:\/\//i.test(t)) {
    const rest = t.slice('oss://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
    // OSS bucket names: 3-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen.
    if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket))
      throw new StoreLocationError(`store ${t}: '${bucket}' is not a valid OSS bucket name`);
    return { kind: 'oss', bucket, prefix };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t))
    throw new StoreLocationError(`store ${t}: only a directory, oss://bucket/prefix or none are supported`);
  return { kind: 'local', dir: t };
}

/** The store at `location`, or undefined for `none`. OSS needs `oss` options (credentials, endpoint). */
export async function openStore(location: string, oss?: () => Promise<OssStoreOptions>): Promise<RunStore | undefined> {
  const loc = parseStoreLocation(location);
  if (loc.kind === 'none') return undefined;
  if (loc.kind === 'local') return createLocalStore(loc.dir);
  if (!oss) throw new StoreLocationError(`store ${location}: OSS needs credentials`);
  // Usable at once: loading ali-oss and the credentials overlap what the caller does next (a run's listing).
  const opening = Promise.all([import('./oss.ts'), oss()]).then(([{ createOssStore }, options]) =>
    createOssStore({ bucket: loc.bucket, prefix: loc.prefix, location, ...options }),
  );
  return lazyStore(location, opening);
}
