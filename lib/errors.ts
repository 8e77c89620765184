/**
 * The engine's errors: one base class, one subclass per failure mode, each with a literal `code` and
 * the `cause` forwarded (STYLE.md habit 3, after Powertools idempotency/errors.ts and ky's errors/).
 * Guards compare by `name` as well as by `instanceof`, so an error that crossed a module copy (the
 * bundled function vs. the sources, two installs of the package) is still recognised.
 *
 * Per-item outcomes are values, not errors: these are thrown only when a whole run (or a whole call)
 * cannot go on. No message here ever holds a secret: `CloudCallError` scrubs what the SDK hands it.
 */

import { scrubSecrets } from './secrets.ts';

/** A problem with one field of the input, `path` in dotted form (`remove.keyPatterns[0]`, '' = root). */
export interface IssueLike {
  path: string;
  message: string;
}

/** Options every error takes: the underlying error, forwarded as the standard `cause`. */
export interface ErrorOptions {
  cause?: unknown;
}

/**
 * Base of every error the engine throws on purpose. `code` is stable and machine-readable (it goes into
 * the report's `error.code`); `message` is for people.
 */
export class VpcTagCleanupError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options: ErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = 'VpcTagCleanupError';
    this.code = code;
  }
}

/** The policy failed validation; `issues` holds every problem found, each with its path. */
export class PolicyValidationError extends VpcTagCleanupError {
  override readonly code = 'INVALID_POLICY' as const;
  readonly issues: IssueLike[];

  constructor(issues: IssueLike[], options: ErrorOptions = {}) {
    super('INVALID_POLICY', formatIssues('invalid policy', issues), options);
    this.name = 'PolicyValidationError';
    this.issues = issues;
  }
}

/** The invocation payload could not be decoded (bad bytes, bad JSON, an unknown trigger shape). */
export class InputDecodeError extends VpcTagCleanupError {
  override readonly code = 'INVALID_INPUT' as const;
  readonly issues: IssueLike[];

  constructor(message: string, issues: IssueLike[] = [], options: ErrorOptions = {}) {
    super('INVALID_INPUT', message, options);
    this.name = 'InputDecodeError';
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
  override readonly code = 'LIMIT_EXCEEDED' as const;
  readonly count: number;
  readonly limit: number;

  constructor(count: number, limit: number, options: ErrorOptions = {}) {
    super('LIMIT_EXCEEDED', `${count} resources would change, more than limits.maxResources (${limit})`, options);
    this.name = 'LimitExceededError';
    this.count = count;
    this.limit = limit;
  }
}

/** The run's deadline signal fired; the run stops scheduling and leaves a continuation. */
export class DeadlineExceededError extends VpcTagCleanupError {
  override readonly code = 'DEADLINE' as const;

  constructor(message = 'the run reached its deadline', options: ErrorOptions = {}) {
    super('DEADLINE', message, options);
    this.name = 'DeadlineExceededError';
  }
}

function hasName(e: unknown, name: string): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === name;
}

/** True for any error of this module, also across module copies (compared by `name` and `code`). */
export function isVpcTagCleanupError(e: unknown): e is VpcTagCleanupError {
  if (e instanceof VpcTagCleanupError) return true;
  return (
    e instanceof Error &&
    typeof (e as { code?: unknown }).code === 'string' &&
    [
      'VpcTagCleanupError',
      'PolicyValidationError',
      'InputDecodeError',
      'CloudCallError',
      'LimitExceededError',
      'DeadlineExceededError',
    ].includes(e.name)
  );
}

/** True for a `PolicyValidationError` (by class or by name). */
export function isPolicyValidationError(e: unknown): e is PolicyValidationError {
  return e instanceof PolicyValidationError || hasName(e, 'PolicyValidationError');
}

/** True for an `InputDecodeError` (by class or by name). */
export function isInputDecodeError(e: unknown): e is InputDecodeError {
  return e instanceof InputDecodeError || hasName(e, 'InputDecodeError');
}

/** True for a `CloudCallError` (by class or by name). */
export function isCloudCallError(e: unknown): e is CloudCallError {
  return e instanceof CloudCallError || hasName(e, 'CloudCallError');
}

/** True for a `LimitExceededError` (by class or by name). */
export function isLimitExceededError(e: unknown): e is LimitExceededError {
  return e instanceof LimitExceededError || hasName(e, 'LimitExceededError');
}

/** True for a `DeadlineExceededError` (by class or by name). */
export function isDeadlineExceededError(e: unknown): e is DeadlineExceededError {
  return e instanceof DeadlineExceededError || hasName(e, 'DeadlineExceededError');
}

/** `prefix: path: message; path: message` — one line, every issue. */
export function formatIssues(prefix: string, issues: readonly IssueLike[]): string {
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
