/**
 * The CLI's failure modes, subclasses of the engine's one base (`VpcTagCleanupError`, lib/errors.ts):
 * each carries its code and the exit code it ends the process with; `issues` name the fields of a bad
 * policy. Secrets never go into a message.
 */

import { type Issue, isEngineError, RunErrorCode, registerErrorClasses, VpcTagCleanupError } from '../lib/errors.ts';

export const ExitCode = {
  Ok: 0,
  /** The run finished but some resources failed, or it stopped on a limit. */
  PartialFailure: 1,
  /** Bad arguments, an unreadable or invalid policy: nothing was sent to the cloud. */
  BadInput: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The engine's one issue type (lib/errors.ts). */
export type InputIssue = Issue;

/** The codes of the CLI's own errors (beside the engine's `RunErrorCode`, which the CLI passes on). */
export const CliErrorCode = {
  Cli: 'CLI_ERROR',
  /** Unknown command or option, missing or malformed argument. */
  Usage: 'USAGE',
  /** The credentials chain found nothing. */
  NoCredentials: 'NO_CREDENTIALS',
  /** Ctrl-C stopped the run (bin/interrupt.ts). */
  Interrupted: 'INTERRUPTED',
  /** The deployed function threw (`invoke`). */
  FunctionError: 'FUNCTION_ERROR',
  /** The endpoint cannot be reached at all (bin/describe-error.ts). */
  Unreachable: 'UNREACHABLE',
} as const;

export class CliError extends VpcTagCleanupError {
  override readonly name: string = 'CliError';
  override readonly code: string = CliErrorCode.Cli;
  readonly exitCode: ExitCode = ExitCode.PartialFailure;

  constructor(message: string, options: ErrorOptions = {}) {
    // The subclass's own `code` field replaces this once the base is built.
    super(CliErrorCode.Cli, message, options);
  }
}

/** Unknown command or option, missing argument. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  override readonly code = CliErrorCode.Usage;
  override readonly exitCode = ExitCode.BadInput;
}

/** A policy file that cannot be read, parsed, or does not satisfy the schema. */
export class BadPolicyError extends CliError {
  override readonly name = 'BadPolicyError';
  override readonly code = RunErrorCode.InvalidPolicy;
  override readonly exitCode = ExitCode.BadInput;
  readonly issues: InputIssue[];

  constructor(message: string, issues: InputIssue[] = [], options?: ErrorOptions) {
    super(message, options);
    this.issues = issues;
  }
}

/** The deployed function answered that the input can never succeed (`ok: false` with `error`). */
export class RefusedInputError extends CliError {
  override readonly name = 'RefusedInputError';
  override readonly code: string;
  override readonly exitCode = ExitCode.BadInput;
  readonly issues: InputIssue[];

  constructor(code: string, message: string, issues: InputIssue[] = []) {
    super(message);
    this.code = code;
    this.issues = issues;
  }
}

registerErrorClasses(CliError, UsageError, BadPolicyError, RefusedInputError);

/** The engine's one guard (`isEngineError`) for the CLI's errors, which also carry an exit code. */
export function isCliError(e: unknown): e is CliError {
  return isEngineError(e, CliError) && typeof (e as { exitCode?: unknown }).exitCode === 'number';
}
