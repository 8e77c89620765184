/**
 * One table for what an invocation failure means, whichever SDK saw it: 409 is a task id FC already holds
 * (a duplicate, not a failure); a refused request (4xx other than timeout and throttling) will be refused
 * again; the rest (no answer, 5xx, 408, 429) may pass later. Messages lose every secret.
 */
import { scrubSecrets } from '../secrets.ts';
import type { InvokeFailure, InvokeOutcome } from './port.ts';

const RETRYABLE_STATUS = new Set([408, 429]);

/** Secrets never leave in a message (an SDK's transport error might echo a header): the one scrubber. */
export function redact(message: string, secrets: ReadonlyArray<string | undefined>): string {
  return scrubSecrets(message, secrets);
}

export interface SeenFailure {
  code: string;
  message: string;
  httpStatus?: number | undefined;
  requestId?: string | undefined;
}

export function failureOf(seen: SeenFailure, taskId: string | undefined): InvokeFailure {
  const s = seen.httpStatus;
  const out: InvokeFailure = {
    status: 'failed',
    code: seen.code,
    message: seen.message,
    retryable: s === undefined || s >= 500 || RETRYABLE_STATUS.has(s),
  };
  if (taskId !== undefined) out.taskId = taskId;
  if (s !== undefined) out.httpStatus = s;
  if (seen.requestId) out.requestId = seen.requestId;
  return out;
}

/** An async call the gateway took: its task id and request id when known. */
export function startedOutcome(taskId: string | undefined, requestId: string | undefined): InvokeOutcome {
  return { status: 'started', ...(taskId !== undefined ? { taskId } : {}), ...(requestId ? { requestId } : {}) };
}

/** An async call's failure as an outcome: 409 (the task id exists) is `duplicate`. */
export function asyncOutcomeOf(seen: SeenFailure, taskId: string | undefined): InvokeOutcome {
  if (seen.httpStatus === 409) return taskId === undefined ? { status: 'duplicate' } : { status: 'duplicate', taskId };
  return failureOf(seen, taskId);
}

/** Codes with which a gateway refuses a request signed in a scheme it does not take on that path. */
export const SIGNATURE_SCHEME_REFUSALS: ReadonlySet<string> = new Set(['SignatureNotMatch', 'IncompleteSignature']);
