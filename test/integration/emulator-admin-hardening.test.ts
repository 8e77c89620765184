/**
 * Issue 12 defect 17 and the admin items of its "Also" list: the emulator's admin API bounds what one
 * request may ask (`generate.count`), answers 400 for a function module path that cannot load, and
 * answers every loopback caller (127.0.0.0/8 and ::1), not only 127.0.0.1.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server.ts';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: 'none', quotas: false });
});
afterAll(async () => {
  await emu?.close();
});

/** One admin request from `localAddress`, answered status and body text. */
function admin(method: string, path: string, body?: unknown, localAddress?: string) {
  const url = new URL(path, emu.url);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
        ...(localAddress ? { localAddress } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('emulator admin limits', () => {
  it('refuses generate.count beyond the bound with 400, without generating anything', async () => {
    for (const count of [1e8, 2e7, -1, 1.5, Number.MAX_SAFE_INTEGER]) {
      const r = await admin('POST', '/__admin/resources', {
        generate: { types: ['IPAMPOOL'], regions: ['cn-hangzhou'], count },
      });
      expect(r.status, `count ${count}`).toBe(400);
      expect(r.text).toMatch(/count/);
    }
    // The bound is on the whole request: many types times many regions counts too.
    const wide = await admin('POST', '/__admin/resources', {
      generate: { types: ['IPAMPOOL', 'IPAM'], regions: ['cn-hangzhou', 'cn-shanghai'], count: 1_000_000 },
    });
    expect(wide.status).toBe(400);
    expect(emu.admin.count()).toBe(0);
  });

  it('refuses a key pool beyond the bound with 400', async () => {
    const r = await admin('POST', '/__admin/resources', {
      generate: { types: ['IPAMPOOL'], regions: ['cn-hangzhou'], count: 1, keyCount: 1e9 },
    });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/keyCount/);
  });

  it('still generates within the bound', async () => {
    const r = await admin('POST', '/__admin/resources', {
      generate: { types: ['IPAMPOOL'], regions: ['cn-hangzhou'], count: 50 },
    });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text).generated).toBe(50);
  });

  it('answers 400 for a function whose module path does not load', async () => {
    const missing = await admin('POST', '/__admin/functions', {
      name: 'nope',
      modulePath: '/nonexistent/handler.mjs',
      exportName: 'handler',
    });
    expect(missing.status).toBe(400);
    expect(missing.text).toMatch(/modulePath/);
  });

  it('answers a caller on 127.0.0.2 as loopback', async () => {
    const r = await admin('GET', '/__admin/stats', undefined, '127.0.0.2');
    expect(r.status).toBe(200);
    const fc = await admin('GET', '/__admin/functions', undefined, '127.0.0.2');
    expect(fc.status).toBe(200);
  });
});
