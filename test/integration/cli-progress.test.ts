/**
 * Progress and estimates (issue 14: the progress line had no total, no untagged count and no ETA; `plan`
 * did not say how many write calls or how long at the published quotas). `main` in this process with a
 * TTY-like stderr, against the emulator; the expected figures are worked out by hand below.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.ts';
import type { AdminResource } from '../../emulator/contracts.ts';
import { type Emulator, startEmulator } from '../../emulator/server.ts';

let emu: Emulator;
let dir: string;

async function cli(
  args: string[],
  env: Record<string, string> = {},
  tty = false,
): Promise<{ code: number; stdout: string; stderr: string; stderrChunks: string[] }> {
  const sink = (isTTY: boolean) => {
    const chunks: string[] = [];
    return { chunks, stream: { isTTY, write: (c: string) => chunks.push(String(c)) } };
  };
  const out = sink(false);
  const err = sink(tty);
  const code = await main(args, {
    stdout: out.stream as unknown as NodeJS.WritableStream,
    stderr: err.stream as unknown as NodeJS.WritableStream,
    env: { VPC_TAG_CLEANUP_ENDPOINT: emu.endpoint, ...env },
  });
  return { code, stdout: out.chunks.join(''), stderr: err.chunks.join(''), stderrChunks: err.chunks };
}

async function admin(method: string, path: string, body?: unknown): Promise<void> {
  const r = await fetch(`${emu.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(r.ok).toBe(true);
}

const pools = (n: number, region = 'cn-hangzhou'): AdminResource[] =>
  Array.from({ length: n }, (_, i) => ({
    type: 'IPAMPOOL',
    region,
    id: `ipam-pool-p${region.slice(3, 5)}${String(i).padStart(4, '0')}`,
    tags: { CostCenter: `cc-${i % 7}` },
  }));

const policyFile = (types: string[], regions = ['cn-hangzhou']) => {
  const file = join(dir, `p-${types.join('-')}-${regions.join('-')}.json`);
  writeFileSync(
    file,
    JSON.stringify({ name: 'progress', regions, resourceTypes: types, remove: { keys: ['CostCenter'] } }),
  );
  return file;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vtc-progress-'));
  emu = await startEmulator({ port: 0, seed: 'none' });
  process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = emu.accessKeyId;
  process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = emu.accessKeySecret;
});

afterAll(async () => {
  await emu?.close();
});

beforeEach(async () => {
  await admin('POST', '/__admin/reset', {});
});

describe('plan: what applying it costs', () => {
  it('ends with the write calls the run would make and their time at the published quotas', async () => {
    const peers: AdminResource[] = Array.from({ length: 30 }, (_, i) => ({
      type: 'PeerConnection',
      region: 'cn-hangzhou',
      id: `pcc-p${String(i).padStart(3, '0')}`,
      tags: { CostCenter: 'x' },
    }));
    await admin('POST', '/__admin/resources', { resources: [...pools(250), ...peers] });
    const file = policyFile(['IPAMPOOL', 'PeerConnection']);
    const r = await cli(['plan', '--policy', file]);
    expect(r.code, r.stderr).toBe(0);
    // 250 pools at 20 ids a call: 13 calls; 30 peers: 2. IPAM untag is 300/min = 5/s with a burst of 5:
    // (13 - 5) / 5 = 1.6 s. Peers: 1000/min, 2 calls within the burst.
    expect(r.stdout).toContain('to apply: 15 write calls, at least 1.6 s at the published quotas');
    expect(r.stdout).toContain('cn-hangzhou VpcIpam UntagResources: 13 calls at 300/min, 1.6 s');
    const j = JSON.parse((await cli(['plan', '--policy', file, '--json'])).stdout);
    expect(j.estimate).toMatchObject({ calls: 15, seconds: 1.6 });
    // With the quotas raised tenfold (VPC_TAG_CLEANUP_QUOTA_SCALE), 13 calls fit in the first second's burst.
    const scaled = await cli(['plan', '--policy', file], { VPC_TAG_CLEANUP_QUOTA_SCALE: '10' });
    expect(scaled.stdout).toContain('to apply: 15 write calls, at least 0 ms at the published quotas');
  });
});

describe('the progress line on a TTY', () => {
  it('shows scanned, changed of to-change, calls, throttled and an ETA, and is erased before the report', async () => {
    await admin('POST', '/__admin/resources', { resources: pools(15) });
    await admin('PUT', '/__admin/faults', {
      rules: [
        { kind: 'error', product: 'VpcIpam', action: 'UntagResources', code: 'Throttling.User', count: 1 },
        { kind: 'latency', product: 'VpcIpam', action: 'UntagResources', ms: 120 },
      ],
    });
    const r = await cli(
      ['run', '--policy', policyFile(['IPAMPOOL']), '--concurrency', '1'],
      { VPC_TAG_CLEANUP_LIMITS: '{"maxIdsPerCall":5,"retryBaseMs":50}', VPC_TAG_CLEANUP_STORE: join(dir, 'store') },
      true,
    );
    await admin('PUT', '/__admin/faults', { rules: [] });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderrChunks.filter((c) => c.startsWith('\rscanned'));
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[0]).toMatch(/^\rscanned 15 \(\d+(\.\d)?\/s\) · changed 0\/15 · calls \d+ · throttled 0 · ETA \d/);
    expect(lines.some((l) => / · throttled 1/.test(l))).toBe(true);
    expect(lines.some((l) => /changed [1-9]\d*\/15/.test(l))).toBe(true);
    // Erased after its last drawing, so notes and the report start on a clean line.
    const lastDrawn = r.stderrChunks.findLastIndex((c) => c.startsWith('\rscanned'));
    expect(r.stderrChunks.indexOf('\r\x1b[K', lastDrawn)).toBeGreaterThan(lastDrawn);
    expect(r.stdout).toContain('untagged 15');
  });
});
