/** What a Tea SDK error (STS, Resource Directory) says, as a value with no secret in it. */
import { registerErrorClasses, VpcTagCleanupError } from '../errors.ts';
import { scrubSecrets } from '../secrets.ts';

export interface SdkFailure {
  code: string;
  message: string;
  requestId?: string;
  httpStatus?: number;
}

export function sdkFailureOf(error: unknown, secrets: ReadonlyArray<string | undefined>): SdkFailure {
  const e = (error ?? {}) as {
    code?: unknown;
    statusCode?: unknown;
    requestId?: unknown;
    message?: unknown;
    data?: { Message?: unknown; RequestId?: unknown };
  };
  const message = String(e.data?.Message ?? e.message ?? error);
  const out: SdkFailure = {
    code: typeof e.code === 'string' && e.code && e.code !== 'undefined' ? e.code : 'Unknown',
    // The one scrubber, with the credentials this call used: every encoding of them, not only the raw text.
    message: scrubSecrets(message, secrets),
  };
  const requestId = e.data?.RequestId ?? e.requestId;
  if (typeof requestId === 'string' && requestId && requestId !== 'undefined') out.requestId = requestId;
  if (typeof e.statusCode === 'number') out.httpStatus = e.statusCode;
  return out;
}

/** A failure carried as an error (thrown out of a credentials provider into the engine). */
export class AccountAccessError extends VpcTagCleanupError {
  override readonly name = 'AccountAccessError';
  readonly requestId: string | undefined;
  constructor(
    readonly accountId: string,
    readonly failure: SdkFailure,
  ) {
    // The cloud's code as sent (STS, Resource Directory), like CloudCallError's.
    super(failure.code, `account ${accountId}: ${failure.code}: ${failure.message}`);
    this.requestId = failure.requestId;
  }
}
registerErrorClasses(AccountAccessError);

/** The report's entry for a member whose access failed (STS or the directory), request id when known. */
export function failedAccountOf(
  accountId: string,
  f: { code: string; message: string; requestId?: string | undefined },
) {
  return { accountId, code: f.code, message: f.message, ...(f.requestId ? { requestId: f.requestId } : {}) };
}
