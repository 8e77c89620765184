/**
 * The CLI's failure modes. Each carries the exit code it ends the process with; `issues` name the
 * fields of a bad policy. Secrets never go into a message.
 */

import type { Issue } from '../lib/errors.ts';

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

export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly code: string = 'CLI_ERROR';
  readonly exitCode: ExitCode = ExitCode.PartialFailure;
}

/** Unknown command or option, missing argument. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  override readonly code = 'USAGE';
  override readonly exitCode = ExitCode.BadInput;
}

/** A policy file that cannot be read, parsed, or does not satisfy the schema. */
export class BadPolicyError extends CliError {
  override readonly name = 'BadPolicyError';
  override readonly code = 'INVALID_POLICY';
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

export function isCliError(e: unknown): e is CliError {
  return (
    e instanceof CliError ||
    (e instanceof Error &&
      ['CliError', 'UsageError', 'BadPolicyError', 'RefusedInputError', 'MissingCredentialsError'].includes(e.name) &&
      'exitCode' in e)
  );
}
