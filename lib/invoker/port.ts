/**
 * The invoker port: the one way this project invokes a deployed function. Fan-out, continuation and
 * the CLI's `invoke` all go through it; which FC API and SDK serve it is configuration
 * (`lib/invoker/index.ts`). Methods never reject: every failure is an outcome value.
 */

/** An asynchronous invocation's outcome. */
export type InvokeOutcome =
  | { status: 'started'; taskId?: string; requestId?: string }
  /** FC already holds a task with this id (409): started by an earlier delivery. */
  | { status: 'duplicate'; taskId?: string }
  | InvokeFailure;

/** A synchronous invocation's outcome: the function answered (perhaps with a function error), or the call failed. */
export type SyncOutcome =
  | {
      status: 'answered';
      requestId?: string;
      /** Set when the function itself failed (HTTP 200 with `X-Fc-Error-Type`). */
      errorType?: string;
      /** The function's answer: parsed JSON when it is JSON, else text. */
      data: unknown;
    }
  | InvokeFailure;

/** FC refused or never answered the call. `retryable`: the same call may pass later. */
export interface InvokeFailure {
  status: 'failed';
  taskId?: string;
  code: string;
  message: string;
  httpStatus?: number;
  requestId?: string;
  retryable: boolean;
}

export interface Invoker {
  /** Queue an asynchronous invocation (`X-Fc-Invocation-Type: Async`), with a task id when given. */
  invokeAsync(functionName: string, payload: unknown, taskId?: string): Promise<InvokeOutcome>;
  /** Invoke and wait for the function's answer. */
  invokeSync(functionName: string, payload: unknown): Promise<SyncOutcome>;
}
