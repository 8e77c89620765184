/**
 * Ctrl-C during `run` (issue 14: it was reported `ok: true` with "skipped: deadline"). The executable
 * gets a real SIGINT mid-run: the answer is `ok: false` / `INTERRUPTED`, the abandoned resources are
 * `skipped`/`interrupted`, the exit code is 130, and `run --continue RUN_ID` finishes the job. The end
 * state is read back from the emulator.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminResource } from '../../emulator/contracts.ts';
import { type Emulator, startEmulator } from '../../emulator/server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let emu: Emulator;
let dir: string;

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, [join(ROOT, 'bin/vpc-tag-cleanup.mjs'), ...args], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      VPC_TAG_CLEANUP_ENDPOINT: emu.endpoint,
      VPC_TAG_CLEANUP_STORE: join(dir, 'store'),
      // Five ids a call: twenty write calls, so a Ctrl-C lands between two of them.
      VPC_TAG_CLEANUP_LIMITS: '{"maxIdsPerCall":5}',
      ALIBABA_CLOUD_ACCESS_KEY_ID: emu.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.accessKeySecret,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c) => {
    stdout += c;
  });
  child.stderr?.on('data', (c) => {
    stderr += c;
  });
  const done = new Promise<Finished>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${emu.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(r.ok, `${method} ${path} -> ${r.status}`).toBe(true);
  return (await r.json()) as T;
}

const untagCalls = async () => {
  const s = await admin<{ byAction: Record<string, Record<string, number>> }>('GET', '/__admin/stats');
  return Object.entries(s.byAction)
    .filter(([api]) => /UntagResources$/.test(api))
    .reduce((n, [, byCode]) => n + Object.values(byCode).reduce((a, b) => a + b, 0), 0);
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vtc-int-'));
  emu = await startEmulator({ port: 0, seed: 'none' });
});

afterAll(async () => {
  await emu?.close();
});

describe('Ctrl-C during run', () => {
  it('answers ok:false / INTERRUPTED with exit 130, and run --continue finishes what was left', async () => {
    const resources: AdminResource[] = Array.from({ length: 100 }, (_, i) => ({
      type: 'IPAMPOOL',
      region: 'cn-hangzhou',
      id: `ipam-pool-int${String(i).padStart(3, '0')}`,
      tags: { CostCenter: `CC-${i}`, owner: 'ops' },
    }));
    await admin('POST', '/__admin/resources', { resources });
    await admin('PUT', '/__admin/faults', {
      rules: [{ kind: 'latency', product: 'VpcIpam', action: 'UntagResources', ms: 150 }],
    });
    const file = join(dir, 'policy.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'interrupt-test',
        regions: ['cn-hangzhou'],
        resourceTypes: ['IPAMPOOL'],
        remove: { keys: ['CostCenter'] },
      }),
    );

    const first = start(['run', '--policy', file, '--json', '--concurrency', '1', '--run-id', 'ctrl-c-1']);
    // Interrupt once the writes have begun, well before the twenty are through.
    for (let i = 0; i < 200 && (await untagCalls()) === 0; i++) await new Promise((r) => setTimeout(r, 25));
    first.child.kill('SIGINT');
    const stopped = await first.done;
    expect(stopped.code, stopped.stderr).toBe(130);
    const report = JSON.parse(stopped.stdout);
    expect(report.ok).toBe(false);
    expect(report.error.code).toBe('INTERRUPTED');
    expect(report.continuation).toBeDefined();
    const skipped = report.resources.filter((r: { status: string }) => r.status === 'skipped');
    expect(skipped.length).toBeGreaterThan(0);
    expect(new Set(skipped.map((r: { reason: string }) => r.reason))).toEqual(new Set(['interrupted']));
    expect(report.totals.skippedBy?.deadline).toBeUndefined();
    expect(stopped.stderr).toContain('vpc-tag-cleanup run --continue ctrl-c-1');
    const carrying = async () =>
      (await admin<{ resources: AdminResource[] }>('GET', '/__admin/resources?type=IPAMPOOL')).resources.filter(
        (r) => 'CostCenter' in r.tags,
      ).length;
    const left = await carrying();
    expect(left).toBeGreaterThan(0);
    expect(left).toBe(skipped.length);

    await admin('PUT', '/__admin/faults', { rules: [] });
    const resumed = await start(['run', '--continue', 'ctrl-c-1', '--json']).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    const final = JSON.parse(resumed.stdout);
    expect(final).toMatchObject({ ok: true, runId: 'ctrl-c-1' });
    expect(final.totals.untagged).toBe(left);
    expect(await carrying()).toBe(0);
  });
});
