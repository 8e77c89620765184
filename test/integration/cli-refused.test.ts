/**
 * A wrong secret or a wrong port (issue 14: 8 identical SignatureDoesNotMatch calls, or 18 s of 48
 * retries, then "nothing to change"). The engine stops at the first refusal (branch execute); the CLI
 * says so in one line with what to check, exits 2 for refused credentials, and keeps the cloud's message
 * on one readable line.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { type CliResult, runCliInProcess } from './support/cli-in-process.ts';

let emu: Emulator;
let dir: string;
let file: string;

async function cli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return runCliInProcess(args, { VPC_TAG_CLEANUP_STORE: 'none', ...env });
}

/** A port nothing listens on: bound, then released. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vtc-refused-'));
  emu = await startEmulator({ port: 0, seed: 'none' });
  file = join(dir, 'p.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 'refused',
      regions: ['cn-hangzhou', 'cn-shanghai'],
      resourceTypes: ['IPAMPOOL', 'PeerConnection'],
      remove: { keys: ['tmp'] },
    }),
  );
  process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = emu.accessKeyId;
  process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = 'not-the-secret';
});

afterAll(async () => {
  await emu?.close();
});

describe('refused credentials', () => {
  it('stop at the first answer: one call, one stderr line naming AUTH_FAILED and what to check, exit 2', async () => {
    const r = await cli(['run', '--policy', file], { VPC_TAG_CLEANUP_ENDPOINT: emu.endpoint });
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain('nothing to change');
    const line = r.stderr.split('\n').find((l) => l.startsWith('vpc-tag-cleanup run: '));
    expect(line).toMatch(/AUTH_FAILED.*SignatureDoesNotMatch/);
    expect(line).not.toContain('string to sign');
    expect(r.stderr).toContain('ALIBABA_CLOUD_ACCESS_KEY_SECRET');
    const stats = (await (await fetch(`${emu.url}/__admin/stats`)).json()) as { total: number };
    expect(stats.total).toBeLessThanOrEqual(4); // the calls in flight when the first refusal came, not one per unit and retry
    const j = await cli(['run', '--policy', file, '--json'], { VPC_TAG_CLEANUP_ENDPOINT: emu.endpoint });
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
  });
});

describe('an endpoint nothing listens on', () => {
  it('is said once, on one line with the request set apart, exit 1', async () => {
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = emu.accessKeySecret;
    const port = await closedPort();
    const r = await cli(['plan', '--policy', file], { VPC_TAG_CLEANUP_ENDPOINT: `127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('nothing to change');
    const line = r.stderr.split('\n').find((l) => l.startsWith('vpc-tag-cleanup plan: '));
    expect(line).toMatch(/ENDPOINT_UNREACHABLE/);
    expect(r.stderr).toContain('VPC_TAG_CLEANUP_ENDPOINT');
    // The Tea SDK glues "POST http://... failed." to the socket error: the table sets it apart.
    expect(r.stdout).not.toMatch(/\d(GET|POST) http/);
  });
});
