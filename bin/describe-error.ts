/**
 * Anything a command can throw, as what the CLI tells people and scripts: a stable `code`, a one-line
 * `message`, the `issues` of bad input, and the exit code. Known shapes are read by their fields (our
 * `CliError`s, the engine's errors by `name`, `@alicloud/fc2` errors, Tea errors of the `@alicloud/*`
 * SDKs, Node network errors); anything else is `INTERNAL`, its first line only, never a stack.
 */
import { RunErrorCode } from '../lib/errors.ts';
import { CliErrorCode, ExitCode, type InputIssue, isCliError } from './errors.ts';

export interface DescribedError {
  code: string;
  message: string;
  issues: InputIssue[];
  exitCode: ExitCode;
  /** A second line for people, e.g. which variable to check. */
  hint?: string;
}

/** Node's codes for an endpoint that cannot be reached at all. */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ECONNRESET',
]);

/** Engine errors that mean the input can never succeed (DESIGN.md: bad input exits 2). */
const INPUT_ERROR_NAMES: ReadonlySet<string> = new Set(['PolicyValidationError']);

/** Cloud and FC codes that say the caller's credentials or permissions are wrong. */
export const AUTH_ERROR_CODE =
  /^(?:SignatureDoesNotMatch|InvalidAccessKeyId(?:\..*)?|Forbidden(?:\..*)?|NoPermission|InvalidSecurityToken(?:\..*)?|AccessDenied|SignatureNotMatch|InvalidAccessKeyID)$/;

/** Collapses a message to one line: people read one line, scripts grep one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function issuesOf(e: object): InputIssue[] {
  const raw = (e as { issues?: unknown }).issues;
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((i): i is { path?: unknown; message?: unknown } => typeof i === 'object' && i !== null)
    .map((i) => ({ path: typeof i.path === 'string' ? i.path : '', message: oneLine(String(i.message ?? '')) }));
}

/** `POST /functions/x/invocations failed with 404. requestid: R, message: M.` (fc2's error message). */
const FC2_MESSAGE = /failed with (\d{3})\. requestid: ([^,]*), message: (.*?)\.?$/s;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 && v !== 'undefined' ? v : undefined;
}

/** An HTTP status that says the request itself was wrong (not throttling, not the server). */
function isClientStatus(status: number | undefined): boolean {
  return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

function remote(code: string, text: string, status: number | undefined, requestId: string | undefined): DescribedError {
  const where = [code, status !== undefined ? `HTTP ${status}` : undefined, requestId && `request id ${requestId}`]
    .filter(Boolean)
    .join(', ');
  const auth = AUTH_ERROR_CODE.test(code) || status === 401 || status === 403;
  return {
    code,
    message: `${oneLine(text).replace(/\.$/, '')} (${where})`,
    issues: [],
    exitCode: auth || isClientStatus(status) ? ExitCode.BadInput : ExitCode.PartialFailure,
    ...(auth
      ? {
          hint: 'check ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET and the RAM permissions (docs/ram-policy.json)',
        }
      : {}),
  };
}

export function describeError(e: unknown): DescribedError {
  if (isCliError(e)) {
    const hint = (e as { hint?: unknown }).hint;
    return {
      code: e.code,
      message: oneLine(e.message),
      issues: issuesOf(e),
      exitCode: e.exitCode,
      ...(typeof hint === 'string' ? { hint } : {}),
    };
  }
  if (typeof e !== 'object' || e === null)
    return { code: RunErrorCode.Internal, message: oneLine(String(e)), issues: [], exitCode: 1 };
  const err = e as { name?: unknown; code?: unknown; message?: unknown; statusCode?: unknown; data?: unknown };
  const name = str(err.name) ?? '';
  const code = str(err.code);
  const message = typeof err.message === 'string' ? err.message : String(e);

  if (INPUT_ERROR_NAMES.has(name))
    return {
      code: code ?? RunErrorCode.InvalidInput,
      message: issuesOf(e).length > 0 ? 'invalid policy' : oneLine(message),
      issues: issuesOf(e),
      exitCode: ExitCode.BadInput,
    };

  // @alicloud/fc2: name FC<Code>Error, code, and the status and message inside the message text.
  const fc2 = /^FC.*Error$/.test(name) ? FC2_MESSAGE.exec(message) : null;
  if (fc2 && code) return remote(code, fc2[3] ?? message, Number(fc2[1]), str(fc2[2]));

  // Tea errors (@alicloud/openapi-core, fc20230330, vpc20160428): the body's Message, not the glued text.
  if (code && typeof err.statusCode === 'number') {
    const data = (typeof err.data === 'object' && err.data !== null ? err.data : {}) as Record<string, unknown>;
    const text = str(data.Message) ?? str(data.message) ?? message.replace(/^code: \d+, /, '').split(' request id:')[0];
    return remote(code, text ?? code, err.statusCode, str(data.RequestId) ?? str(data.requestId));
  }

  // The engine's CloudCallError and other coded errors of ours.
  if (name === 'CloudCallError' && code) {
    const status = (e as { statusCode?: number }).statusCode;
    return remote(code, message, status, str((e as { requestId?: unknown }).requestId));
  }

  const netCode = code ?? str((e as { cause?: { code?: unknown } }).cause?.code);
  if (netCode && UNREACHABLE_CODES.has(netCode)) {
    const host = str((e as { hostname?: unknown }).hostname);
    const address = str((e as { address?: unknown }).address);
    const port = (e as { port?: unknown }).port;
    const target = host ?? (address ? `${address}${typeof port === 'number' ? `:${port}` : ''}` : undefined);
    return {
      code: CliErrorCode.Unreachable,
      message: `cannot reach ${target ?? 'the endpoint'} (${netCode})`,
      issues: [],
      exitCode: ExitCode.PartialFailure,
      hint: 'check the network, or VPC_TAG_CLEANUP_ENDPOINT / VPC_TAG_CLEANUP_FC_ENDPOINT when they are set',
    };
  }
  if (code && name === 'VpcTagCleanupError') return { code, message: oneLine(message), issues: [], exitCode: 1 };
  if (code && /Error$/.test(name) && name !== 'Error' && name !== 'TypeError')
    return { code, message: oneLine(message), issues: [], exitCode: 1 };
  return { code: RunErrorCode.Internal, message: oneLine(message.split('\n')[0] ?? message), issues: [], exitCode: 1 };
}
