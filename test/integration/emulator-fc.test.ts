import { resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { type Fc2Client, fc2Client, fc3Client, fcErrorOf } from '../support/fc2-client.ts';
import { type Fc3TestClient, fc3ErrorOf, fc3SdkClient } from '../support/fc3-client.ts';

const fixture = (name: string) => resolve(import.meta.dirname, '../fixtures/fc', name);

interface Invocation {
  requestId: string;
  functionName: string;
  taskId?: string;
  invocationType: string;
  status: string;
  attempts: number;
  retryCounts: number[];
  result?: unknown;
  error?: { errorMessage: string; errorType: string };
  logs?: string;
  payloadBytes: number;
  finishedAt?: string;
}

let h: Emulator;
let v3: Fc2Client;
let v2: Fc2Client;
let sdk: Fc3TestClient;

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${h.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() };
}

async function invocations(query = ''): Promise<Invocation[]> {
  return (await admin('GET', `/__admin/invocations${query}`)).json.invocations;
}

async function waitIdle(timeoutMs = 10_000): Promise<void> {
  const r = await admin('POST', '/__admin/invocations/wait', { timeoutMs });
  expect(r.json.idle).toBe(true);
}

beforeAll(async () => {
  h = await startEmulator({ quotas: false, behaviour: { fcInvokeSignature: 'either' } });
  const config = { accessKeyID: h.accessKeyId, accessKeySecret: h.accessKeySecret, region: h.region, endpoint: h.url };
  v3 = fc3Client(h.accountId, config);
  v2 = fc2Client(h.accountId, config);
  sdk = fc3SdkClient({ accessKeyId: h.accessKeyId, accessKeySecret: h.accessKeySecret, url: h.url });
});
afterAll(async () => {
  await h.close();
});
async function register(spec: Record<string, unknown>): Promise<void> {
  const r = await admin('POST', '/__admin/functions', spec);
  expect(r.status).toBe(201);
}

beforeEach(async () => {
  h.fc.reset();
  await register({ name: 'echo', modulePath: fixture('echo.cjs'), env: { FC_FIXTURE_PROBE: 'from-env' } });
  await register({ name: 'boom', modulePath: fixture('throw.mjs') });
});

describe('FC invoke, sync', () => {
  it('runs the handler on the 3.0 path and answers its JSON result with FC context fields', async () => {
    const before = process.env.FC_FIXTURE_PROBE;
    const r = await v3.post('/functions/echo/invocations', JSON.stringify({ hello: 'world' }));
    const data = r.data as Record<string, any>;
    expect(data.event).toEqual({ hello: 'world' });
    expect(data.isBuffer).toBe(true);
    expect(data.requestId).toBe(r.headers['x-fc-request-id']);
    expect(data.function).toEqual({ name: 'echo', handler: 'index.handler', memory: 512, timeout: 60 });
    expect(data.service).toMatchObject({ qualifier: 'LATEST', logProject: '', logStore: '', versionId: '' });
    expect([data.region, data.accountId, data.retryCount]).toEqual([h.region, h.accountId, 0]);
    expect([data.stsKey, data.hasToken]).toEqual([true, true]);
    expect(data.envProbe).toBe('from-env');
    expect(process.env.FC_FIXTURE_PROBE).toBe(before);
    expect(r.headers['x-fc-error-type']).toBeUndefined();
  });

  it('answers the 2.0 service path through invokeFunction the same way', async () => {
    const r = await v2.invokeFunction('any-service', 'echo', JSON.stringify({ n: 1 }));
    expect((r.data as any).event).toEqual({ n: 1 });
  });

  it('encodes string, Buffer and undefined results as text, raw bytes and an empty body', async () => {
    const s = await v3.post('/functions/echo/invocations', JSON.stringify({ mode: 'string', value: 'x' }));
    expect(s.data).toBe('text:x');
    // rawBuf: fc2 would otherwise read the body as utf8 text and mangle the bytes.
    const b = await v2.invokeFunction('svc', 'echo', JSON.stringify({ mode: 'buffer' }), {}, undefined, {
      rawBuf: true,
    });
    expect([...(b.data as Buffer)]).toEqual([0, 1, 2, 255]);
    const u = await v3.post('/functions/echo/invocations', JSON.stringify({ mode: 'undefined' }));
    expect(u.data).toBe('');
  });

  it('loads a CommonJS bundle whose import() yields module.exports as default', async () => {
    await register({ name: 'bundle', modulePath: fixture('cjs-bundle/index.js') });
    const r = await v3.post('/functions/bundle/invocations', 'abc');
    expect(r.data).toEqual({ bundle: true, bytes: 3 });
  });

  it('reports a throw as HTTP 200 with X-Fc-Error-Type and FC error body', async () => {
    const r = await v3.post('/functions/boom/invocations', '{}');
    expect(r.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    const data = r.data as any;
    expect(data.errorMessage).toBe('policy has no regions');
    expect(data.errorType).toBe('PolicyRejected');
    expect(Array.isArray(data.stackTrace)).toBe(true);
    const [rec] = await invocations('?function=boom');
    expect(rec).toMatchObject({ status: 'failed', attempts: 1, invocationType: 'Sync' });
  });

  it('returns the base64 log tail when asked with x-fc-log-type Tail', async () => {
    const r = await v3.post('/functions/echo/invocations', '{}', { 'x-fc-log-type': 'Tail' });
    const tail = Buffer.from(r.headers['x-fc-log-result'] ?? '', 'base64').toString('utf8');
    expect(tail).toContain(`${r.headers['x-fc-request-id']} [INFO] echo called with 2 bytes`);
  });

  it('fails an invocation past its timeout with a function error', async () => {
    await register({ name: 'slow', modulePath: fixture('slow.mjs'), timeoutSeconds: 0.2 });
    const started = Date.now();
    const r = await v3.post('/functions/slow/invocations', JSON.stringify({ ms: 1500 }));
    expect(Date.now() - started).toBeLessThan(1200);
    expect(r.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    expect((r.data as any).errorMessage).toBe('Function time out after 0.2 seconds');
  });
});

describe('FC invoke, async', () => {
  it('answers 202 at once and retries a function error until it succeeds, with retryCount 0, 1, 2', async () => {
    await register({ name: 'flaky', modulePath: fixture('flaky.cjs') });
    const r = await v3.post('/functions/flaky/invocations', JSON.stringify({ failUntil: 2 }), {
      'x-fc-invocation-type': 'Async',
    });
    expect(r.headers['x-fc-request-id']).toMatch(/^1-/);
    await waitIdle();
    const [rec] = await invocations('?function=flaky&logs=1');
    expect(rec).toMatchObject({ status: 'succeeded', attempts: 3, retryCounts: [0, 1, 2], result: { succeededAt: 2 } });
    expect(rec?.requestId).toBe(r.headers['x-fc-request-id']);
    expect(rec?.logs).toContain('attempt with retryCount 1');
  });

  it('gives up after maxAsyncRetryAttempts retries', async () => {
    // Through the programmatic surface this time (FcService.register / idle / invocations).
    h.fc.register({ name: 'flaky', modulePath: fixture('flaky.cjs'), maxAsyncRetryAttempts: 1 });
    await v3.post('/functions/flaky/invocations', JSON.stringify({ failUntil: 5 }), {
      'x-fc-invocation-type': 'Async',
    });
    expect(await h.fc.idle(5000)).toBe(true);
    const [rec] = h.fc.invocations({ functionName: 'flaky' });
    expect(rec).toMatchObject({ status: 'failed', attempts: 2, retryCounts: [0, 1] });
    expect(rec?.error?.errorMessage).toBe('transient failure at retryCount 1');
  });

  it('treats an async timeout as a function error and retries it', async () => {
    h.fc.register({ name: 'slow', modulePath: fixture('slow.mjs'), timeoutSeconds: 0.05, maxAsyncRetryAttempts: 1 });
    await v3.post('/functions/slow/invocations', JSON.stringify({ ms: 300, lane: 'async-timeout' }), {
      'x-fc-invocation-type': 'Async',
    });
    expect(await h.fc.idle(5000)).toBe(true);
    const [rec] = h.fc.invocations({ functionName: 'slow' });
    expect(rec).toMatchObject({ status: 'failed', attempts: 2, retryCounts: [0, 1] });
    expect(rec?.error?.errorMessage).toBe('Function time out after 0.05 seconds');
  });

  it('runs at most asyncConcurrency invocations of a function at once', async () => {
    await register({ name: 'slow', modulePath: fixture('slow.mjs'), asyncConcurrency: 2 });
    for (let i = 0; i < 5; i++) {
      await v3.post('/functions/slow/invocations', JSON.stringify({ ms: 200, lane: 'concurrency' }), {
        'x-fc-invocation-type': 'Async',
      });
    }
    // Two run, three wait their turn.
    const early = await invocations('?function=slow');
    expect(early.filter((x) => x.status === 'queued').length).toBeGreaterThanOrEqual(1);
    await waitIdle();
    const recs = await invocations('?function=slow&status=succeeded');
    expect(recs).toHaveLength(5);
    expect(Math.max(...recs.map((x) => (x.result as { maxRunning: number }).maxRunning))).toBe(2);
  });

  it('refuses a reused task id with 409, on the 3.0 header and the 2.0 header', async () => {
    const async = { 'x-fc-invocation-type': 'Async' };
    const first = await sdk.invoke('echo', '{}', { xFcInvocationType: 'Async', xFcAsyncTaskId: 'task_1' });
    expect(first.statusCode).toBe(202);
    const again = await fc3ErrorOf(sdk.invoke('echo', '{}', { xFcInvocationType: 'Async', xFcAsyncTaskId: 'task_1' }));
    expect(again).toMatchObject({ code: 'StatefulAsyncInvocationAlreadyExists', statusCode: 409 });
    await v2.invokeFunction('svc', 'echo', '{}', { ...async, 'x-fc-stateful-async-invocation-id': 'task_2' });
    const again2 = await fcErrorOf(
      v2.invokeFunction('svc', 'echo', '{}', { ...async, 'x-fc-stateful-async-invocation-id': 'task_2' }),
    );
    expect(again2.code).toBe('StatefulAsyncInvocationAlreadyExists');
    await waitIdle();
    expect((await invocations('?function=echo')).map((x) => x.taskId).sort()).toEqual(['task_1', 'task_2']);
  });

  it('waits for a chain of async invocations that functions enqueue with their context credentials', async () => {
    await register({
      name: 'fanout',
      modulePath: fixture('fanout.cjs'),
      env: { VPC_TAG_CLEANUP_FC_ENDPOINT: h.url },
    });
    await v3.post('/functions/fanout/invocations', JSON.stringify({ depth: 3, chain: 'c1' }), {
      'x-fc-invocation-type': 'Async',
    });
    await waitIdle();
    const recs = await invocations('?function=fanout');
    expect(recs.map((x) => x.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(recs.map((x) => (x.result as { depth: number }).depth)).toEqual([3, 2, 1, 0]);
  });
});

describe('FC context credentials', () => {
  it('are STS credentials that the OpenAPI side accepts from the official Vpc client', async () => {
    await register({
      name: 'vpcSts',
      modulePath: fixture('vpc-sts.cjs'),
      env: { VPC_TAG_CLEANUP_ENDPOINT: h.endpoint },
    });
    h.state.upsert([{ type: 'VPC', region: h.region, id: 'vpc-sts-1', tags: { owner: 'fc-test' } }]);
    const r = await v3.post('/functions/vpcSts/invocations', JSON.stringify({ resourceId: 'vpc-sts-1' }));
    expect(r.headers['x-fc-error-type']).toBeUndefined();
    const data = r.data as { stsKey: boolean; requestId: string; tags: string[] };
    expect(data).toMatchObject({ stsKey: true, tags: ['owner=fc-test'] });
    const logged = h.admin.requests({ action: 'ListTagResources' }).find((c) => c.requestId === data.requestId);
    expect(logged).toMatchObject({ product: 'Vpc', code: 'OK', status: 200 });
  });
});

describe('FC refusals', () => {
  it("answers the 3.0 path in the FC 3.0 Error shape {Code, Message, RequestId}, the 2.0 path in fc2's", async () => {
    const e3 = await fc3ErrorOf(sdk.invoke('nope', '{}'));
    expect(e3).toMatchObject({ code: 'FunctionNotFound', statusCode: 404 });
    expect(Object.keys(e3.data).sort()).toEqual(['Code', 'Message', 'RequestId']);
    expect(e3.requestId).toBe(e3.data.RequestId);
    expect(e3.data.Message).toBe("function 'nope' does not exist");
    const e2 = await fcErrorOf(v2.invokeFunction('svc', 'nope', '{}'));
    expect(e2).toMatchObject({ code: 'FunctionNotFound', name: 'FCFunctionNotFoundError' });
    expect(e2.message).toContain('failed with 404');
  });

  it('refuses a wrong secret: SignatureDoesNotMatch for ACS3 on 3.0, SignatureNotMatch 403 for FC on 2.0', async () => {
    const bad = fc3SdkClient({ accessKeyId: h.accessKeyId, accessKeySecret: 'wrong', url: h.url });
    expect(await fc3ErrorOf(bad.invoke('echo', '{}'))).toMatchObject({ code: 'SignatureDoesNotMatch' });
    const badV2 = fc2Client(h.accountId, {
      accessKeyID: h.accessKeyId,
      accessKeySecret: 'wrong',
      region: h.region,
      endpoint: h.url,
    });
    const e = await fcErrorOf(badV2.invokeFunction('svc', 'echo', '{}'));
    expect(e).toMatchObject({ code: 'SignatureNotMatch', name: 'FCSignatureNotMatchError' });
    expect(e.message).toContain('failed with 403');
  });

  it('refuses an unknown access key on both paths', async () => {
    const bad = fc3SdkClient({ accessKeyId: 'LTAI-nobody', accessKeySecret: 'x', url: h.url });
    expect(await fc3ErrorOf(bad.invoke('echo', '{}'))).toMatchObject({ code: 'InvalidAccessKeyId.NotFound' });
    const badV2 = fc2Client(h.accountId, {
      accessKeyID: 'LTAI-nobody',
      accessKeySecret: 'x',
      region: h.region,
      endpoint: h.url,
    });
    expect((await fcErrorOf(badV2.invokeFunction('svc', 'echo', '{}'))).code).toBe('InvalidAccessKeyID');
  });

  it('accepts an issued STS session and refuses it with a wrong security token', async () => {
    const s = h.credentials.issueSession();
    const ok = await fc3SdkClient({ ...s, url: h.url }).invoke('echo', '{}');
    expect((ok.data as any).event).toEqual({});
    const forged = await fc3ErrorOf(fc3SdkClient({ ...s, securityToken: 'forged', url: h.url }).invoke('echo', '{}'));
    expect(forged.code).toBe('InvalidSecurityToken.Malformed');
    const base = { accessKeyID: s.accessKeyId, accessKeySecret: s.accessKeySecret, region: h.region, endpoint: h.url };
    const e = await fcErrorOf(
      fc2Client(h.accountId, { ...base, securityToken: 'forged' }).invokeFunction('svc', 'echo', '{}'),
    );
    expect(e.code).toBe('AccessDenied');
  });

  it('refuses an async payload over 128 KB with EntityTooLarge', async () => {
    const e = await fc3ErrorOf(sdk.invoke('echo', 'x'.repeat(128 * 1024 + 1), { xFcInvocationType: 'Async' }));
    expect(e).toMatchObject({ code: 'EntityTooLarge', statusCode: 400 });
  });
});

describe('FC admin API', () => {
  it('registers a function from JSON and rejects a spec whose export is missing', async () => {
    const ok = await admin('POST', '/__admin/functions', {
      name: 'viaAdmin',
      modulePath: fixture('echo.cjs'),
      timeoutSeconds: 5,
    });
    expect(ok.status).toBe(201);
    expect(ok.json.function).toMatchObject({
      name: 'viaAdmin',
      exportName: 'handler',
      timeoutSeconds: 5,
      memoryMB: 512,
      maxAsyncRetryAttempts: 3,
      asyncConcurrency: 4,
    });
    const r = await v3.post('/functions/viaAdmin/invocations', '{}');
    expect((r.data as any).function.timeout).toBe(5);
    const bad = await admin('POST', '/__admin/functions', {
      name: 'x',
      modulePath: fixture('echo.cjs'),
      exportName: 'nothere',
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain("no function export 'nothere'");
    const unknownField = await admin('POST', '/__admin/functions', {
      name: 'x',
      modulePath: fixture('echo.cjs'),
      timeout: 5,
    });
    expect(unknownField.json.error).toBe('unknown field timeout');
  });

  it('lists and deletes functions, and forgets invocations on request', async () => {
    expect((await admin('GET', '/__admin/functions')).json.functions.map((f: { name: string }) => f.name)).toEqual([
      'echo',
      'boom',
    ]);
    expect((await admin('DELETE', '/__admin/functions/boom')).status).toBe(200);
    expect((await admin('DELETE', '/__admin/functions/boom')).status).toBe(404);
    expect((await fc3ErrorOf(sdk.invoke('boom', '{}'))).code).toBe('FunctionNotFound');
    await v3.post('/functions/echo/invocations', '{}');
    expect(await invocations()).toHaveLength(1);
    await admin('DELETE', '/__admin/invocations');
    expect(await invocations()).toHaveLength(0);
  });

  it('filters invocations by function and status', async () => {
    await v3.post('/functions/echo/invocations', '{}');
    await v3.post('/functions/boom/invocations', '{}');
    expect((await invocations('?status=failed')).map((x) => x.functionName)).toEqual(['boom']);
    expect((await invocations('?function=echo')).map((x) => x.status)).toEqual(['succeeded']);
    expect((await invocations())[0]?.logs).toBeUndefined();
  });
});
