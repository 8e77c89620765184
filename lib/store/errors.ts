/**
 * The store's failure modes. A journal that cannot be written stops the run's writes (fail closed), so
 * these carry the store's location and the backend's own code, never a credential.
 */
import { isEngineError, RunErrorCode, redactSecrets, registerErrorClasses, VpcTagCleanupError } from '../errors.ts';

/** The store could not be read or written (disk full, permission, OSS error, network). */
export class StoreError extends VpcTagCleanupError {
  readonly location: string;
  /** The backend's code (`ENOSPC`, `EACCES`, `NoSuchBucket`, `AccessDenied`...), when it gave one. */
  readonly backendCode?: string;
  constructor(location: string, what: string, cause: unknown) {
    const backendCode = codeOf(cause);
    const detail = cause instanceof Error ? cause.message : String(cause);
    const coded = backendCode && !detail.includes(backendCode) ? ` (${backendCode})` : '';
    super(RunErrorCode.StoreUnavailable, redactSecrets(`run store ${location}: ${what} failed${coded}: ${detail}`), {
      cause,
    });
    this.name = 'StoreError';
    this.location = location;
    if (backendCode) this.backendCode = backendCode;
  }
}

/** A `--store` / `VPC_TAG_CLEANUP_STORE` value that names no store this tool can use. */
export class StoreLocationError extends VpcTagCleanupError {
  constructor(message: string) {
    super(RunErrorCode.InvalidStore, message);
    this.name = 'StoreLocationError';
  }
}

function codeOf(e: unknown): string | undefined {
  const c = (e as { code?: unknown; name?: unknown } | undefined)?.code;
  if (typeof c === 'string' && c) return c;
  return undefined;
}

registerErrorClasses(StoreError, StoreLocationError);

export function isStoreError(e: unknown): e is StoreError {
  return isEngineError(e, StoreError);
}
