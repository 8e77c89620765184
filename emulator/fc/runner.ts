/**
 * One attempt of one invocation: build FC's context, apply the function's env, call the handler
 * in-process, enforce the timeout. Function errors are values, never throws.
 */
import type { Credentials } from '../contracts.ts';
import type { EnvOverlay } from './env-overlay.ts';
import { InvocationLog } from './invocation-log.ts';
import type { FcHandler, FunctionConfig } from './registry.ts';
import { loadHandler } from './registry.ts';

/** FC's function-error body (reference section 1). */
export interface FunctionErrorBody {
  errorMessage: string;
  errorType: string;
  stackTrace: string[];
}

export type AttemptOutcome =
  | { ok: true; value: unknown; log: InvocationLog }
  | { ok: false; error: FunctionErrorBody; timedOut: boolean; log: InvocationLog };

export interface AttemptInput {
  config: FunctionConfig;
  event: Buffer;
  requestId: string;
  retryCount: number;
  credentials: Required<Credentials>;
  region: string;
  accountId: string;
  env: EnvOverlay;
  echoLogs: boolean;
}

/**
 * errorType of a timed-out invocation. FC documents the message ("Function time out after ...") and
 * reports it as a function error; the errorType name is unverified.
 */
export const TIMEOUT_ERROR_TYPE = 'FunctionTimeoutError';

function toErrorBody(e: unknown): FunctionErrorBody {
  if (e instanceof Error) {
    return {
      errorMessage: e.message,
      errorType: e.name,
      stackTrace: (e.stack ?? '')
        .split('\n')
        .slice(1)
        .map((l) => l.trim())
        .filter(Boolean),
    };
  }
  return { errorMessage: String(e), errorType: 'Error', stackTrace: [] };
}

export function buildContext(input: AttemptInput, log: InvocationLog): Record<string, unknown> {
  const { config } = input;
  return {
    requestId: input.requestId,
    credentials: { ...input.credentials },
    function: {
      name: config.name,
      handler: `index.${config.exportName}`,
      memory: config.memoryMB,
      timeout: config.timeoutSeconds,
    },
    service: { name: config.name, logProject: '', logStore: '', qualifier: 'LATEST', versionId: '' },
    region: input.region,
    accountId: input.accountId,
    logger: log.logger(),
    retryCount: input.retryCount,
    tracing: {},
  };
}

export async function runAttempt(input: AttemptInput): Promise<AttemptOutcome> {
  const log = new InvocationLog(input.requestId, input.echoLogs);
  let handler: FcHandler;
  try {
    handler = await loadHandler(input.config);
  } catch (e) {
    log.write('ERROR', [e]);
    return { ok: false, error: toErrorBody(e), timedOut: false, log };
  }
  const context = buildContext(input, log);
  const release = input.env.apply(input.config.env);
  let running: Promise<unknown>;
  try {
    running = Promise.resolve(handler(input.event, context));
  } catch (e) {
    release();
    log.write('ERROR', [e]);
    return { ok: false, error: toErrorBody(e), timedOut: false, log };
  }
  // The handler cannot be killed in-process: past the timeout it is abandoned, and its env stays
  // applied until it settles.
  running.then(release, release);
  const ms = Math.round(input.config.timeoutSeconds * 1000);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((res) => {
    timer = setTimeout(() => res('timeout'), ms);
  });
  try {
    const first = await Promise.race([running.then((value) => ({ value })), timeout]);
    if (first === 'timeout') {
      const message = `Function time out after ${input.config.timeoutSeconds} seconds`;
      log.write('ERROR', [message]);
      return {
        ok: false,
        error: { errorMessage: message, errorType: TIMEOUT_ERROR_TYPE, stackTrace: [] },
        timedOut: true,
        log,
      };
    }
    return { ok: true, value: first.value, log };
  } catch (e) {
    log.write('ERROR', [e]);
    return { ok: false, error: toErrorBody(e), timedOut: false, log };
  } finally {
    clearTimeout(timer);
  }
}

/** Encode a handler's result as FC does: object -> JSON, string/number -> text, Buffer raw, undefined -> empty. */
export function encodeResult(value: unknown): { body: Buffer; contentType: string } {
  if (value === undefined || value === null) return { body: Buffer.alloc(0), contentType: 'application/octet-stream' };
  if (Buffer.isBuffer(value)) return { body: value, contentType: 'application/octet-stream' };
  if (value instanceof Uint8Array) return { body: Buffer.from(value), contentType: 'application/octet-stream' };
  if (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    typeof value === 'bigint'
  ) {
    return { body: Buffer.from(String(value), 'utf8'), contentType: 'text/plain; charset=utf-8' };
  }
  return { body: Buffer.from(JSON.stringify(value), 'utf8'), contentType: 'application/json' };
}
