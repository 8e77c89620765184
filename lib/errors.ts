/**
 * The engine's errors: one table of run-level codes (`RunErrorCode`), one base class, one subclass per
 * failure mode, each with a literal `code` and the `cause` forwarded (STYLE.md habit 3, after
 * Powertools idempotency/errors.ts and ky's errors/). One guard, `isEngineError(e, Class)`, compares
 * by `name` as well as by `instanceof`, so an error that crossed a module copy (the bundled function
 * vs. the sources, two installs of the package) is still recognised.
 *
 * Per-item outcomes are values, not errors: these are thrown only when a whole run (or a whole call)
 * cannot go on. No message here ever holds a secret: `CloudCallError` scrubs what the SDK hands it.
 */

import { scrubSecrets } from './secrets.ts';

/**
 * Every code a run can answer with in `error.code` or `errors[].code`, besides the cloud's own codes
 * (which `CloudCallError` carries as sent, so that the catalog's tables can classify them).
 */
export const RunErrorCode = {
  /** The policy failed validation (with every issue). */
  InvalidPolicy: 'INVALID_POLICY',
  /** The payload is not UTF-8 JSON, or JSON of the wrong shape. */
  InvalidInput: 'INVALID_INPUT',
  /** An event-driven invocation, but `VPC_TAG_CLEANUP_POLICY` is not set. */
  PolicyNotConfigured: 'POLICY_NOT_CONFIGURED',
  /** A Cloud Config event that does not say which resource it is about. */
  InvalidEvent: 'INVALID_EVENT',
  /** More resources would change than `limits.maxResources`. */
  LimitExceeded: 'LIMIT_EXCEEDED',
  /** The deadline came before a call could be (re)sent. */
  Deadline: 'DEADLINE',
  /** A (region, type) unit the policy gives no way to list. */
  Unlistable: 'UNLISTABLE',
  /** A run continued `maxContinuationHops` times without finishing. */
  TooManyContinuations: 'TOO_MANY_CONTINUATIONS',
  /** Inside FC, the invocation context carries no credentials. */
  CredentialsMissing: 'CREDENTIALS_MISSING',
  /** An asynchronous self-invocation (shard, continuation) failed. */
  SelfInvokeFailed: 'SELF_INVOKE_FAILED',
  /** The write journal refused a batch (it was not sent). */
  JournalFailed: 'JOURNAL_FAILED',
  /** A write whose outcome could not be read back. */
  OutcomeUnknown: 'OUTCOME_UNKNOWN',
  /** A reviewed plan that does not parse, was edited after review (hash), or cannot be read. */
  InvalidPlan: 'INVALID_PLAN',
  /** The run store could not be read or written. */
  StoreUnavailable: 'STORE_UNAVAILABLE',
  /** A store location this tool cannot use. */
  InvalidStore: 'INVALID_STORE',
  /** The function would write, but has no run store for its journal (`VPC_TAG_CLEANUP_STORE`). */
  StoreRequired: 'STORE_REQUIRED',
  /** A run id the store cannot hold (lib/journal/journaled-run.ts). */
  InvalidRunId: 'INVALID_RUN_ID',
  /** Resources named by id that the cloud does not have (lib/resource-ids-not-found.ts). */
  ResourceNotFound: 'RESOURCE_NOT_FOUND',
  /** `restore`: the store holds no journal for that run. */
  RunNotFound: 'RUN_NOT_FOUND',
  /** `restore`: a resource's tags could not be read back. */
  ReadFailed: 'READ_FAILED',
  /** The function's configuration (an environment variable) is wrong: answered, never retried. */
  InvalidConfig: 'INVALID_CONFIG',
  /** The cloud refused the credentials or permissions: the run stopped at the first refusal. */
  AuthFailed: 'AUTH_FAILED',
  /** The endpoint refused connections or its host was not found, several calls in a row: the run stopped. */
  EndpointUnreachable: 'ENDPOINT_UNREACHABLE',
  /** A continued run's earlier hop reported failures (its own report names them): this hop is not ok either. */
  EarlierHopFailed: 'EARLIER_HOP_FAILED',
  /** Anything thrown that is not one of the engine's errors. */
  Internal: 'INTERNAL',
} as const;
export type RunErrorCode = (typeof RunErrorCode)[keyof typeof RunErrorCode];

/** A problem with one field of the input, `path` in dotted form (`remove.keyPatterns[0]`, '' = root). */
export interface Issue {
  path: string;
  message: string;
}
/** The former name of `Issue`. */
export type IssueLike = Issue;

/** Options every error takes: the underlying error, forwarded as the standard `cause`. */
export interface ErrorOptions {
  cause?: unknown;
}

/**
 * Base of every error the engine throws on purpose. `code` is stable and machine-readable (it goes into
 * the report's `error.code`); `message` is for people. `name` is the class's own (the build keeps names).
 */
export class VpcTagCleanupError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options: ErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
    ERROR_CLASSES.set(new.target.name, new.target);
  }
}

/** Engine error classes by name, for the guard's by-name comparison (filled as classes are used). */
const ERROR_CLASSES = new Map<string, abstract new (...args: never[]) => VpcTagCleanupError>();

/**
 * Makes classes known to `isEngineError` by name before any instance exists (an error built by another
 * module copy is then still recognised). Each module with error classes registers its own.
 */
export function registerErrorClasses(...classes: Array<abstract new (...args: never[]) => VpcTagCleanupError>): void {
  for (const c of classes) ERROR_CLASSES.set(c.name, c);
}

/** The policy failed validation; `issues` holds every problem found, each with its path. */
export class PolicyValidationError extends VpcTagCleanupError {
  override readonly code = RunErrorCode.InvalidPolicy;
  readonly issues: Issue[];

  constructor(issues: Issue[], options: ErrorOptions = {}) {
    super(RunErrorCode.InvalidPolicy, formatIssues('invalid policy', issues), options);
    this.issues = issues;
  }
}

/** What the cloud port knows about a failed call when it builds a `CloudCallError`. */
export interface CloudCallErrorInit {
  /** The cloud's error code (`Throttling.User`, `ResourceNotFound.Ipam`) or a network code (`ECONNRESET`). */
  code: string;
  message: string;
  product: string;
  action: string;
  region: string;
  retryable: boolean;
  statusCode?: number;
  requestId?: string;
  cause?: unknown;
}

/**
 * One OpenAPI call failed. `code` is the cloud's code as sent (or the network error's code), so tables
 * in the catalog can classify it; `retryable` is that classification, made once by the port.
 */
export class CloudCallError extends VpcTagCleanupError {
  readonly statusCode?: number;
  readonly requestId?: string;
  readonly retryable: boolean;
  readonly product: string;
  readonly action: string;
  readonly region: string;

  constructor(init: CloudCallErrorInit) {
    super(init.code, redactSecrets(init.message), 'cause' in init ? { cause: init.cause } : {});
    this.name = 'CloudCallError';
    this.retryable = init.retryable;
    this.product = init.product;
    this.action = init.action;
    this.region = init.region;
    if (init.statusCode !== undefined) this.statusCode = init.statusCode;
    if (init.requestId !== undefined) this.requestId = init.requestId;
  }
}

/** More resources would change than `limits.maxResources` allows; raised before the first write. */
export class LimitExceededError extends VpcTagCleanupError {
  override readonly code = RunErrorCode.LimitExceeded;
  readonly count: number;
  readonly limit: number;

  constructor(count: number, limit: number, note = '', options: ErrorOptions = {}) {
    super(
      RunErrorCode.LimitExceeded,
      `${count} resources would change, more than limits.maxResources (${limit})${note}`,
      options,
    );
    this.count = count;
    this.limit = limit;
  }
}

/**
 * The run's deadline cut a wait (a rate-bucket wait or a backoff sleep) before the next attempt: the
 * call was not (re)sent, so its resources are left for a continuation.
 */
export class DeadlineError extends VpcTagCleanupError {
  override readonly code = RunErrorCode.Deadline;

  constructor(message = 'the deadline came before the call could be (re)sent', options: ErrorOptions = {}) {
    super(RunErrorCode.Deadline, message, options);
  }
}

/** Why a run stopped before its end: the report's run-level `error` (lib/execute/run-guard.ts). */
export interface RunStop {
  code: typeof RunErrorCode.AuthFailed | typeof RunErrorCode.EndpointUnreachable;
  message: string;
  /** The cloud's (or the network's) code that stopped it. */
  cause: string;
}

/** A call not sent because the run has stopped: a deadline to the stages (nothing applied, nothing retried). */
export class RunStoppedError extends DeadlineError {
  constructor(readonly stop: RunStop) {
    super(`not sent: the run stopped (${stop.code})`);
    this.name = 'RunStoppedError';
  }
}

/** A unit the policy cannot list (reported as an error of the run, the other units go on). */
export class UnlistableUnitError extends VpcTagCleanupError {
  override readonly code = RunErrorCode.Unlistable;

  constructor(message: string) {
    super(RunErrorCode.Unlistable, message);
  }
}

/** The invocation context carries no usable credentials: the function's role is missing or not yet usable. */
export class CredentialsMissingError extends VpcTagCleanupError {
  override readonly code = RunErrorCode.CredentialsMissing;

  constructor() {
    super(
      RunErrorCode.CredentialsMissing,
      'the invocation context carries no credentials: give the function a role (s.yaml `role`)',
    );
  }
}

/** A self-invocation (shard or continuation) failed in a way an FC retry of this invocation may fix. */
export class SelfInvokeError extends VpcTagCleanupError {
  override readonly code = RunErrorCode.SelfInvokeFailed;
  readonly outcomes: ReadonlyArray<{ taskId?: string | undefined; status: string; code?: string }>;

  constructor(outcomes: ReadonlyArray<{ taskId?: string | undefined; status: string; code?: string }>) {
    const failed = outcomes.filter((o) => o.status === 'failed');
    super(
      RunErrorCode.SelfInvokeFailed,
      `asynchronous self-invocation failed: ${failed.map((o) => `${o.taskId ?? '(no task id)'}: ${o.code ?? ''}`).join(', ')}`,
    );
    this.outcomes = outcomes;
  }
}

/** The invoker configuration is wrong: nothing an FC retry could fix, so it is answered, not thrown. */
export class InvokerConfigError extends VpcTagCleanupError {
  override readonly code = RunErrorCode.InvalidConfig;
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(RunErrorCode.InvalidConfig, message);
    this.variable = variable;
  }
}

registerErrorClasses(
  VpcTagCleanupError,
  PolicyValidationError,
  CloudCallError,
  LimitExceededError,
  DeadlineError,
  RunStoppedError,
  UnlistableUnitError,
  CredentialsMissingError,
  SelfInvokeError,
  InvokerConfigError,
);

/**
 * The one guard: true when `e` is an error of class `cls` (default: any engine error), by `instanceof`
 * or, across module copies, by `name` (an engine error's name, or one of `cls`'s subclasses).
 */
export function isEngineError<T extends VpcTagCleanupError = VpcTagCleanupError>(
  e: unknown,
  cls: abstract new (...args: never[]) => T = VpcTagCleanupError as never,
): e is T {
  if (e instanceof cls) return true;
  if (typeof e !== 'object' || e === null) return false;
  const name = (e as { name?: unknown }).name;
  if (typeof name !== 'string') return false;
  if (cls === (VpcTagCleanupError as unknown))
    return e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && ERROR_CLASSES.has(name);
  const known = ERROR_CLASSES.get(name);
  return name === cls.name || (known !== undefined && known.prototype instanceof cls);
}

/** `prefix: path: message; path: message` — one line, every issue. */
export function formatIssues(prefix: string, issues: readonly Issue[]): string {
  if (issues.length === 0) return prefix;
  return `${prefix}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`;
}

/**
 * Scrubs what could be a credential from a message before it is stored (the one scrubber,
 * `lib/secrets.ts`: named values, and the known credentials in every encoding).
 */
export function redactSecrets(text: string): string {
  return scrubSecrets(text);
}
