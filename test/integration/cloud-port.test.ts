/**
 * The SDK-backed cloud port over real HTTP: against the emulator for the happy path and the cloud's
 * own errors, and against small local servers that misbehave on the wire (a non-JSON error body, a
 * reset socket, a hanging answer) for the normalisation of what the SDK throws.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/server.ts';
import { createCloudPort } from '../../lib/cloud/client.ts';
import type { CloudCredentials } from '../../lib/cloud/credentials.ts';
import { CloudCallError, isEngineError } from '../../lib/errors.ts';

type Emu = Awaited<ReturnType<typeof startEmulator>>;
let emu: Emu;
const creds: CloudCredentials = { accessKeyId: 'testAccessKeyId', accessKeySecret: 'testAccessKeySecret' };

beforeAll(async () => {
  emu = await startEmulator({ quotaScale: 50, ...creds });
  await fetch(`${emu.url}/__admin/resources`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      resources: [{ type: 'PeerConnection', region: 'cn-hangzhou', id: 'pcc-1', tags: { a: '1' } }],
    }),
  });
});
afterAll(async () => {
  await emu.close();
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; endpoint: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, endpoint: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

describe('createCloudPort', () => {
  it('calls every product through the one endpoint, with a scheme on the endpoint tolerated', async () => {
    const port = createCloudPort({ credentials: creds, endpoint: emu.url });
    const peer = await port.call(
      'VpcPeer',
      'cn-hangzhou',
      'ListVpcPeerConnections',
      { RegionId: 'cn-hangzhou', MaxResults: 100 },
      { bodyParams: ['RegionId', 'MaxResults'] },
    );
    expect(peer.requestId).not.toBe('');
    expect(peer.body.VpcPeerConnects).toHaveLength(1);
    const ipam = await port.call('VpcIpam', 'cn-hangzhou', 'ListIpams', { RegionId: 'cn-hangzhou' });
    expect(ipam.body.Ipams).toEqual([]);
  });

  it('asks a credentials provider before each call', async () => {
    let asked = 0;
    const port = createCloudPort({
      credentials: async () => {
        asked++;
        return creds;
      },
      endpoint: emu.endpoint,
    });
    await port.call('Vpc', 'cn-hangzhou', 'DescribeVpcs', { RegionId: 'cn-hangzhou' });
    await port.call('Vpc', 'cn-hangzhou', 'DescribeVpcs', { RegionId: 'cn-hangzhou' });
    expect(asked).toBe(2);
  });

  it('turns the cloud’s error answers into CloudCallError with code, status and request id', async () => {
    const port = createCloudPort({ credentials: creds, endpoint: emu.endpoint });
    const e = await failure(
      port.call('VpcPeer', 'cn-hangzhou', 'UnTagResources', {
        RegionId: 'cn-hangzhou',
        ResourceType: 'PeerConnection',
        ResourceId: ['pcc-404'],
        TagKey: ['a'],
      }),
    );
    expect(isEngineError(e, CloudCallError)).toBe(true);
    expect(e).toMatchObject({
      code: 'InvalidInstanceIds.NotFound',
      statusCode: 400,
      retryable: false,
      product: 'VpcPeer',
      action: 'UnTagResources',
    });
    expect((e as { requestId?: string }).requestId).toMatch(/.+/);
  });

  it('refuses a wrong secret and never names it', async () => {
    const port = createCloudPort({
      credentials: { ...creds, accessKeySecret: 'wrong-SECRET-value-123' },
      endpoint: emu.endpoint,
    });
    const e = await failure(port.call('Vpc', 'cn-hangzhou', 'DescribeVpcs', { RegionId: 'cn-hangzhou' }));
    expect(e).toMatchObject({ code: 'SignatureDoesNotMatch', retryable: false });
    expect(JSON.stringify({ m: (e as Error).message, s: (e as Error).stack })).not.toContain('wrong-SECRET-value-123');
  });

  it('classifies a non-JSON error body, a reset socket, a refused connection and a read timeout as retryable', async () => {
    const html = await serve((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>bad gateway</html>');
    });
    const reset = await serve((req) => req.socket.destroy());
    const hang = await serve(() => {});
    try {
      const call = (endpoint: string, extra = {}) =>
        failure(
          createCloudPort({
            credentials: creds,
            endpoint,
            tuning: { connectTimeoutMs: 300, readTimeoutMs: 300, ...extra },
          }).call('Vpc', 'cn-hangzhou', 'DescribeVpcs', { RegionId: 'cn-hangzhou' }),
        );
      expect(await call(html.endpoint)).toMatchObject({ code: 'SyntaxError', retryable: true });
      expect(await call(reset.endpoint)).toMatchObject({ code: 'ECONNRESET', retryable: true });
      expect(await call('127.0.0.1:1')).toMatchObject({ code: 'ECONNREFUSED', retryable: true });
      expect(await call(hang.endpoint)).toMatchObject({
        retryable: true,
        code: expect.stringMatching(/^(ReadTimeout|ConnectTimeout)$/),
      });
    } finally {
      for (const s of [html, reset, hang]) s.server.closeAllConnections();
      await Promise.all([html, reset, hang].map((s) => new Promise((r) => s.server.close(r))));
    }
  });

  it('stops waiting when the call’s signal aborts', async () => {
    const hang = await serve(() => {});
    try {
      const controller = new AbortController();
      const port = createCloudPort({ credentials: creds, endpoint: hang.endpoint });
      const p = port.call(
        'Vpc',
        'cn-hangzhou',
        'DescribeVpcs',
        { RegionId: 'cn-hangzhou' },
        { signal: controller.signal },
      );
      setTimeout(() => controller.abort(new Error('deadline')), 50);
      await expect(p).rejects.toThrow('deadline');
    } finally {
      hang.server.closeAllConnections();
      await new Promise((r) => hang.server.close(r));
    }
  });
});
