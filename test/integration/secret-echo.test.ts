/**
 * Issue 12 defect 16: an endpoint that echoes the credentials back in an error, URL-encoded, base64 or
 * hex, embedded in a longer base64 blob: none of those forms reaches the report or a log line. The
 * endpoint is a plain HTTP server on port 0 that answers every call with a 400 quoting what it received.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudPort } from '../../lib/cloud/client.ts';
import type { Policy } from '../../lib/policy/schema.ts';
import { runCleanup } from '../../lib/run.ts';

const SECRET = 'sEcReT+value/with=odd&chars 42';
const TOKEN = 'CAIS1q+Zx/9PqkLm==Ab+cD3fGhIj/KlMnOpQrStUvWxYz0123456789~*!';

/** Every form the echoing endpoint below uses, and the report and log must not hold. */
function forms(secret: string): string[] {
  const b64 = Buffer.from(secret).toString('base64');
  const embedded = Buffer.from(`x-acs-security-token: ${secret}`).toString('base64');
  return [
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(encodeURIComponent(secret)),
    new URLSearchParams({ v: secret }).toString().slice(2),
    b64,
    b64.replace(/=+$/, ''),
    b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
    Buffer.from(secret).toString('hex'),
    // The middle of a longer blob: whatever alignment, these characters are the secret's alone.
    embedded.slice(36, 36 + 32),
  ];
}

let server: Server;
let endpoint = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const token = String(req.headers['x-acs-security-token'] ?? '');
    const echoed = [
      `url=${encodeURIComponent(token)}`,
      `twice=${encodeURIComponent(encodeURIComponent(token))}`,
      `form=${new URLSearchParams({ t: token }).toString()}`,
      `b64=${Buffer.from(token).toString('base64')}`,
      `b64url=${Buffer.from(token).toString('base64url')}`,
      `hex=${Buffer.from(token).toString('hex')}`,
      `blob=${Buffer.from(`x-acs-security-token: ${token}`).toString('base64')}`,
      `secret=${Buffer.from(SECRET).toString('base64')} ${encodeURIComponent(SECRET)}`,
    ].join(' ');
    const body = JSON.stringify({ Code: 'InvalidParameter', Message: `cannot use ${echoed}`, RequestId: 'echo-1' });
    res.writeHead(400, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('credentials echoed by an endpoint in an encoded form', () => {
  it('reach neither the report nor a log line, in any of the forms', async () => {
    const cloud = createCloudPort({
      credentials: { accessKeyId: 'STS.echo', accessKeySecret: SECRET, securityToken: TOKEN },
      endpoint,
      tuning: { maxRetries: 0, connectTimeoutMs: 2_000, readTimeoutMs: 2_000 },
    });
    const lines: string[] = [];
    const policy = { name: 'echo', regions: ['cn-hangzhou'], resourceTypes: ['IPAM'], remove: { keys: ['tmp'] } };
    const result = await runCleanup(
      { policy: policy as unknown as Policy, runId: 'echo' },
      { cloud, tuning: { maxRetries: 0 }, log: (l) => lines.push(l) },
    );
    const out = [JSON.stringify(result), ...lines].join('\n');
    // The error did arrive (the test is about what it carries, not about a silent run).
    expect(out).toMatch(/InvalidParameter/);
    for (const form of [...forms(TOKEN), ...forms(SECRET)]) expect(out).not.toContain(form);
  });
});
