/**
 * `fcInvokeSignature` (which signature FC 3.0's InvokeFunction accepts on /2023-03-30) and the one invoker
 * port under each of its values: the FC 3.0 SDK (ACS3), fc2 on the 3.0 path (FC scheme), fc2 on the 2.0 path.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { createInvoker, type InvokerConfig } from '../../lib/invoker/index.ts';
import { fc2Client, fc3Client, fcErrorOf } from '../support/fc2-client.ts';
import { fc3ErrorOf, fc3SdkClient } from '../support/fc3-client.ts';

const echo = resolve(import.meta.dirname, '../fixtures/fc/echo.cjs');
let h: Emulator;

beforeAll(async () => {
  h = await startEmulator({ quotas: false });
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  await h.admin.reset();
  h.fc.register({ name: 'echo', modulePath: echo });
});

const keys = () => ({
  accessKeyID: h.accessKeyId,
  accessKeySecret: h.accessKeySecret,
  region: h.region,
  endpoint: h.url,
});
const sdk = () => fc3SdkClient({ accessKeyId: h.accessKeyId, accessKeySecret: h.accessKeySecret, url: h.url });
const invoker = (config: InvokerConfig) =>
  createInvoker(
    {
      credentials: { accessKeyId: h.accessKeyId, accessKeySecret: h.accessKeySecret },
      accountId: h.accountId,
      region: h.region,
      endpoint: h.url,
    },
    config,
  );
const fcRequests = () => h.fc.invocations({ functionName: 'echo' }).length;

describe('fcInvokeSignature on the 2023-03-30 path', () => {
  it('fc: takes the FC scheme and refuses ACS3 with SignatureNotMatch 403 in the 3.0 error shape', async () => {
    h.behaviour.set({ fcInvokeSignature: 'fc' });
    const ok = await fc3Client(h.accountId, keys()).post('/functions/echo/invocations', '{"n":1}');
    expect((ok.data as { event: unknown }).event).toEqual({ n: 1 });
    const refused = await fc3ErrorOf(sdk().invoke('echo', '{}'));
    expect(refused).toMatchObject({ code: 'SignatureNotMatch', statusCode: 403 });
    expect(Object.keys(refused.data).sort()).toEqual(['Code', 'Message', 'RequestId']);
    expect(fcRequests()).toBe(1);
  });

  it('acs3: takes the FC 3.0 SDK and refuses the FC scheme as IncompleteSignature', async () => {
    h.behaviour.set({ fcInvokeSignature: 'acs3' });
    const ok = await sdk().invoke('echo', '{"n":2}');
    expect([ok.statusCode, (ok.data as { event: unknown }).event]).toEqual([200, { n: 2 }]);
    const refused = await fcErrorOf(fc3Client(h.accountId, keys()).post('/functions/echo/invocations', '{}'));
    // fc2 reads ErrorCode only: from a 3.0 {Code, Message} body it keeps just the status.
    expect(refused.message).toContain('failed with 400');
    expect(fcRequests()).toBe(1);
  });

  it('either: takes both schemes', async () => {
    h.behaviour.set({ fcInvokeSignature: 'either' });
    await sdk().invoke('echo', '{}');
    await fc3Client(h.accountId, keys()).post('/functions/echo/invocations', '{}');
    expect(fcRequests()).toBe(2);
  });

  it('leaves the 2016-08-15 path on the FC scheme under every value', async () => {
    for (const mode of ['fc', 'acs3', 'either'] as const) {
      h.behaviour.set({ fcInvokeSignature: mode });
      const r = await fc2Client(h.accountId, keys()).invokeFunction('svc', 'echo', JSON.stringify({ mode }));
      expect((r.data as { event: unknown }).event).toEqual({ mode });
    }
  });
});

describe('the invoker port under each value', () => {
  it('auto reaches the function under fc, acs3 and either, async and sync, and a task id is sent once', async () => {
    const auto = invoker({ api: '2023-03-30', signature: 'auto' });
    for (const mode of ['acs3', 'fc', 'either', 'acs3'] as const) {
      h.behaviour.set({ fcInvokeSignature: mode });
      const sync = await auto.invokeSync('echo', { mode });
      expect(sync).toMatchObject({ status: 'answered', data: { event: { mode } } });
      const started = await auto.invokeAsync('echo', { mode }, `task_${mode}_${fcRequests()}`);
      expect(started.status, JSON.stringify(started)).toBe('started');
    }
    await h.fc.idle(10_000);
    // Refused attempts never reach the function: one invocation per call.
    expect(h.fc.invocations({ functionName: 'echo' }).map((i) => i.status)).toEqual(Array(8).fill('succeeded'));
  });

  it('acs3 only is refused under fc, not retryable, with FC code and request id; fc only under acs3 likewise', async () => {
    h.behaviour.set({ fcInvokeSignature: 'fc' });
    const a = await invoker({ api: '2023-03-30', signature: 'acs3' }).invokeAsync('echo', {}, 'task_a');
    expect(a).toMatchObject({ status: 'failed', code: 'SignatureNotMatch', httpStatus: 403, retryable: false });
    expect(a.status === 'failed' && a.requestId).toMatch(/^1-/);
    h.behaviour.set({ fcInvokeSignature: 'acs3' });
    const f = await invoker({ api: '2023-03-30', signature: 'fc' }).invokeSync('echo', {});
    expect(f).toMatchObject({ status: 'failed', code: 'IncompleteSignature', httpStatus: 400, retryable: false });
    expect(fcRequests()).toBe(0);
  });

  it('reports a reused task id as duplicate on both APIs', async () => {
    h.behaviour.set({ fcInvokeSignature: 'acs3' });
    const v3 = invoker({ api: '2023-03-30', signature: 'acs3' });
    expect(await v3.invokeAsync('echo', {}, 'task_dup')).toMatchObject({ status: 'started', taskId: 'task_dup' });
    expect(await v3.invokeAsync('echo', {}, 'task_dup')).toEqual({ status: 'duplicate', taskId: 'task_dup' });
    const v2 = invoker({ api: '2016-08-15', service: 'svc' });
    expect(await v2.invokeAsync('echo', {}, 'task_dup2')).toMatchObject({ status: 'started' });
    expect(await v2.invokeAsync('echo', {}, 'task_dup2')).toEqual({ status: 'duplicate', taskId: 'task_dup2' });
    await h.fc.idle(10_000);
  });

  it('keeps the secret out of a failure message', async () => {
    const secret = 'a-secret-that-must-not-leak';
    const bad = createInvoker(
      {
        credentials: { accessKeyId: h.accessKeyId, accessKeySecret: secret },
        accountId: h.accountId,
        region: h.region,
        endpoint: h.url,
      },
      { api: '2023-03-30', signature: 'auto' },
    );
    const out = await bad.invokeSync('echo', {});
    expect(out.status).toBe('failed');
    expect(JSON.stringify(out)).not.toContain(secret);
  });
});
