/**
 * FC side of the emulator: the invoke API (`/2023-03-30/functions/{name}/invocations` and the 2016-08-15
 * service path) behind FC's signature, registered functions run in-process, an async queue with
 * bounded concurrency, retries and task-id dedup, and the `/__admin/functions|invocations` API.
 *
 * Admin (loopback only, JSON):
 *   POST   /__admin/functions            FcFunctionSpec -> 201 { function } (module loaded now; 400 { error })
 *   GET    /__admin/functions            -> { functions: [...] }
 *   DELETE /__admin/functions/{name}     -> 200 | 404
 *   GET    /__admin/invocations?function=&status=&logs=1  -> { invocations: [...] } (logs only with logs=1)
 *   DELETE /__admin/invocations          -> forget invocation records
 *   POST   /__admin/invocations/wait     { timeoutMs = 30000 } -> 200 { idle: true, pending: 0 } | 408 { idle: false, pending }
 *
 * Caveat: functions run in this process. Their `env` is applied to the shared `process.env` while they
 * run, a timed-out handler is abandoned (not killed), and a module is loaded once and stays warm.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FcService, FcServiceOptions, ReadRequest } from '../contracts.ts';
import { isLoopback } from '../loopback.ts';
import { AsyncQueue } from './async-queue.ts';
import { type Acs3Verifier, verifyInvocation } from './auth.ts';
import { EnvOverlay } from './env-overlay.ts';
import { FC_API, type FcApi, sendFcError, sendFcErrorRaw } from './errors.ts';
import { InvocationBook, type InvocationRecord } from './invocations.ts';
import { type FunctionConfig, FunctionSpecError, loadHandler, toFunctionConfig } from './registry.ts';
import { type AttemptOutcome, encodeResult, runAttempt } from './runner.ts';

export type { InvocationRecord } from './invocations.ts';
export type { FunctionConfig, FunctionSpec } from './registry.ts';

/** FC's payload limits (reference section 2). */
export const FC_LIMITS = {
  syncPayloadBytes: 32 * 1024 * 1024,
  asyncPayloadBytes: 128 * 1024,
  /** Task ids: `[A-Za-z_][A-Za-z0-9_-]*`, at most 128 characters (reference section 6). */
  taskIdPattern: /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/,
} as const;

/** Options of the FC side beyond the shared contract. */
export interface FcExtraOptions {
  /** First async retry delay; doubles per retry. FC's own backoff is much longer; tests want it short. */
  retryBaseMs?: number;
  /** Echo function log lines to stdout. */
  echoLogs?: boolean;
  /** Bound on how long `close()` waits for in-flight work. */
  closeTimeoutMs?: number;
  /** ACS3 verification for the 2023-03-30 path (without it, that path takes the FC signature only). */
  verifyAcs3?: Acs3Verifier;
}

export interface FcServiceWithAdmin extends FcService {
  unregister(name: string): boolean;
  functions(): FunctionConfig[];
}

/** The three fields FC puts in `context.credentials` (the session's expiry is the emulator's business). */
function sessionCredentials(s: ReturnType<FcServiceOptions['credentials']['issueSession']>) {
  return { accessKeyId: s.accessKeyId, accessKeySecret: s.accessKeySecret, securityToken: s.securityToken };
}

function newRequestId(): string {
  // Shaped like FC's `1-64e70cf1-5cbef92ea8fc8c42899cf5d1`.
  return `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function headerValue(r: ReadRequest, name: string): string | undefined {
  const v = r.req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const INVOKE_3 = /^\/2023-03-30\/functions\/([^/]+)\/invocations$/;
const INVOKE_2 = /^\/2016-08-15\/services\/([^/]+)\/functions\/([^/]+)\/invocations$/;

export function createFcService(options: FcServiceOptions & FcExtraOptions): FcServiceWithAdmin {
  const retryBaseMs = options.retryBaseMs ?? 50;
  const closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
  const registry = new Map<string, FunctionConfig>();
  const book = new InvocationBook();
  const queue = new AsyncQueue();
  const env = new EnvOverlay();
  const taskIds = new Set<string>();
  const syncInFlight = new Set<Promise<unknown>>();
  // Bumped by reset() so work started before it does not write into the new state.
  let generation = 0;

  function attempt(config: FunctionConfig, rec: InvocationRecord, event: Buffer, retryCount: number) {
    rec.attempts += 1;
    rec.retryCounts.push(retryCount);
    rec.status = 'running';
    return runAttempt({
      config,
      event,
      requestId: rec.requestId,
      retryCount,
      credentials: sessionCredentials(options.credentials.issueSession()),
      region: options.region,
      accountId: options.accountId,
      env,
      echoLogs: options.echoLogs ?? false,
    });
  }

  function settle(rec: InvocationRecord, outcome: AttemptOutcome, final: boolean): void {
    rec.logs = (rec.logs ?? '') + outcome.log.text();
    if (outcome.ok) {
      const v = outcome.value;
      rec.result = Buffer.isBuffer(v) ? v.toString('base64') : v;
      delete rec.error;
      rec.status = 'succeeded';
    } else {
      rec.error = outcome.error;
      rec.status = final ? 'failed' : 'retrying';
    }
    if (rec.status === 'succeeded' || rec.status === 'failed') rec.finishedAt = new Date().toISOString();
  }

  function runAsync(config: FunctionConfig, rec: InvocationRecord, event: Buffer, retryCount: number, gen: number) {
    return async () => {
      if (gen !== generation) return;
      const outcome = await attempt(config, rec, event, retryCount);
      if (gen !== generation) return;
      // Function errors (throws and timeouts) are retried up to maxAsyncRetryAttempts times.
      const final = outcome.ok || retryCount >= config.maxAsyncRetryAttempts;
      settle(rec, outcome, final);
      if (!final) {
        const next = retryCount + 1;
        queue.later(
          retryBaseMs * 2 ** retryCount,
          config.name,
          config.asyncConcurrency,
          runAsync(config, rec, event, next, gen),
        );
      }
    };
  }

  async function invoke(r: ReadRequest, functionName: string, api: FcApi): Promise<void> {
    const { res } = r;
    const requestId = newRequestId();
    const verdict = verifyInvocation(
      api,
      options.behaviour?.get('fcInvokeSignature') ?? 'fc',
      {
        method: r.req.method ?? 'POST',
        path: r.url.pathname,
        query: r.url.searchParams,
        headers: r.req.headers,
        body: r.body,
      },
      options.credentials,
      options.verifyAcs3,
    );
    if (!verdict.ok) return sendFcErrorRaw(res, requestId, verdict.status, verdict.code, verdict.message, api);
    if (r.req.method !== 'POST')
      return sendFcError(res, requestId, 'PathNotSupported', `${r.req.method} ${r.url.pathname}`, api);
    const config = registry.get(functionName);
    if (!config) return sendFcError(res, requestId, 'FunctionNotFound', functionName, api);
    const type = (headerValue(r, 'x-fc-invocation-type') ?? 'Sync').toLowerCase();
    if (type !== 'sync' && type !== 'async') {
      return sendFcError(res, requestId, 'InvalidArgument', `invalid X-Fc-Invocation-Type '${type}'`, api);
    }
    const isAsync = type === 'async';
    const limit = isAsync ? FC_LIMITS.asyncPayloadBytes : FC_LIMITS.syncPayloadBytes;
    if (r.body.length > limit) return sendFcError(res, requestId, 'EntityTooLarge', String(limit), api);
    const rec: InvocationRecord = {
      requestId,
      functionName,
      invocationType: isAsync ? 'Async' : 'Sync',
      status: isAsync ? 'queued' : 'running',
      attempts: 0,
      retryCounts: [],
      startedAt: new Date().toISOString(),
      payloadBytes: r.body.length,
    };
    if (isAsync) {
      const taskId = headerValue(r, 'x-fc-async-task-id') ?? headerValue(r, 'x-fc-stateful-async-invocation-id');
      if (taskId !== undefined) {
        if (!FC_LIMITS.taskIdPattern.test(taskId)) {
          return sendFcError(res, requestId, 'InvalidArgument', `invalid async task id '${taskId}'`, api);
        }
        const key = `${functionName}/${taskId}`;
        if (taskIds.has(key)) return sendFcError(res, requestId, 'StatefulAsyncInvocationAlreadyExists', taskId, api);
        taskIds.add(key);
        rec.taskId = taskId;
      }
      book.add(rec);
      // Copy: the request's buffer belongs to the server.
      queue.push(functionName, config.asyncConcurrency, runAsync(config, rec, Buffer.from(r.body), 0, generation));
      res.writeHead(202, { 'x-fc-request-id': requestId, 'content-length': 0 });
      res.end();
      return;
    }
    book.add(rec);
    const gen = generation;
    const running = attempt(config, rec, r.body, 0);
    syncInFlight.add(running);
    const outcome = await running.finally(() => syncInFlight.delete(running));
    if (gen === generation) settle(rec, outcome, true);
    const headers: Record<string, string | number> = { 'x-fc-request-id': requestId };
    if ((headerValue(r, 'x-fc-log-type') ?? '').toLowerCase() === 'tail') {
      headers['x-fc-log-result'] = outcome.log.tailBase64();
    }
    if (!outcome.ok) {
      // A function error is still HTTP 200, marked by the header (reference section 1).
      const body = Buffer.from(JSON.stringify(outcome.error), 'utf8');
      res.writeHead(200, {
        ...headers,
        'x-fc-error-type': 'UnhandledInvocationError',
        'content-type': 'application/json',
        'content-length': body.length,
      });
      res.end(body);
      return;
    }
    const { body, contentType } = encodeResult(outcome.value);
    res.writeHead(200, { ...headers, 'content-type': contentType, 'content-length': body.length });
    res.end(body);
  }

  function readJson(r: ReadRequest): unknown {
    if (r.body.length === 0) return {};
    return JSON.parse(r.body.toString('utf8'));
  }

  async function admin(r: ReadRequest): Promise<void> {
    const { res, url } = r;
    const method = r.req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '');
    // Registering a function runs arbitrary code from a path: never for a remote caller.
    if (!isLoopback(r.req.socket.remoteAddress)) {
      return sendJson(res, 403, { error: 'the admin API answers loopback callers only' });
    }
    try {
      if (path === '/__admin/functions' && method === 'POST') {
        const config = toFunctionConfig(readJson(r));
        // Load now so a wrong path or export is reported to the caller, not at first invocation.
        await loadHandler(config);
        registry.set(config.name, config);
        return sendJson(res, 201, { function: config });
      }
      if (path === '/__admin/functions' && method === 'GET')
        return sendJson(res, 200, { functions: [...registry.values()] });
      const one = /^\/__admin\/functions\/([^/]+)$/.exec(path);
      if (one && method === 'DELETE') {
        const name = decodeURIComponent(one[1] as string);
        return sendJson(res, registry.delete(name) ? 200 : 404, { deleted: name });
      }
      if (path === '/__admin/invocations' && method === 'GET') {
        const withLogs = ['1', 'true'].includes(url.searchParams.get('logs') ?? '');
        const functionName = url.searchParams.get('function') ?? undefined;
        const status = url.searchParams.get('status') ?? undefined;
        const filter = { ...(functionName ? { functionName } : {}), ...(status ? { status } : {}) };
        return sendJson(res, 200, { invocations: book.list(filter, withLogs) });
      }
      if (path === '/__admin/invocations/wait' && method === 'POST') {
        const body = readJson(r) as { timeoutMs?: unknown };
        const timeoutMs = typeof body.timeoutMs === 'number' ? body.timeoutMs : 30_000;
        const idle = await queue.waitIdle(timeoutMs);
        return sendJson(res, idle ? 200 : 408, { idle, pending: queue.pending() });
      }
      if (path === '/__admin/invocations' && method === 'DELETE') {
        book.clear();
        return sendJson(res, 200, { cleared: true });
      }
      return sendJson(res, 404, { error: `no admin route ${method} ${path}` });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return sendJson(res, e instanceof FunctionSpecError || e instanceof SyntaxError ? 400 : 500, { error: message });
    }
  }

  const service: FcServiceWithAdmin = {
    async handle(r) {
      const path = r.url.pathname;
      if (path.startsWith('/__admin/functions') || path.startsWith('/__admin/invocations')) {
        await admin(r);
        return true;
      }
      const v3 = INVOKE_3.exec(path);
      if (v3) {
        await invoke(r, decodeURIComponent(v3[1] as string), FC_API.v3);
        return true;
      }
      const v2 = INVOKE_2.exec(path);
      if (v2) {
        await invoke(r, decodeURIComponent(v2[2] as string), FC_API.v2);
        return true;
      }
      if (path.startsWith('/2023-03-30/') || path.startsWith('/2016-08-15/')) {
        const api = path.startsWith('/2023-03-30/') ? FC_API.v3 : FC_API.v2;
        sendFcError(r.res, newRequestId(), 'PathNotSupported', `${r.req.method} ${path}`, api);
        return true;
      }
      return false;
    },
    register(spec) {
      const config = toFunctionConfig(spec);
      registry.set(config.name, config);
      return config;
    },
    unregister: (name) => registry.delete(name),
    functions: () => [...registry.values()],
    invocations: (filter = {}) => book.list(filter, true),
    idle: (timeoutMs = 30_000) => queue.waitIdle(timeoutMs),
    reset() {
      generation += 1;
      queue.clear();
      registry.clear();
      book.clear();
      taskIds.clear();
    },
    async close() {
      const deadline = new Promise<void>((res) => setTimeout(res, closeTimeoutMs).unref());
      await Promise.race([Promise.all([queue.waitIdle(closeTimeoutMs), ...syncInFlight]), deadline]);
      queue.clear();
    },
  };
  return service;
}
