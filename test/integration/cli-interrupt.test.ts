/**
 * Ctrl-C during `run` (issue 14: it was reported `ok: true` with "skipped: deadline"). The executable
 * gets a real SIGINT mid-run: the answer is `ok: false` / `INTERRUPTED`, the abandoned resources are
 * `skipped`/`interrupted`, the exit code is 130, and `run --continue RUN_ID` finishes the job. The end
 * state is read back from the emulator.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminResource } from '../../emulator/contracts.ts';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { parsePolicy } from '../../lib/policy/parse.ts';
import { buildPlan } from '../../lib/reviewed-plan/document.ts';

/** The policy as the CLI validates it (defaults in), so the plan's policy hash is the one `run --plan` checks. */
function validPolicy(raw: unknown) {
  const parsed = parsePolicy(raw);
  if (!parsed.ok) throw new Error('test policy does not validate');
  return parsed.policy;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let emu: Emulator;
let dir: string;

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], store = join(dir, 'store')): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, [join(ROOT, 'bin/vpc-tag-cleanup.mjs'), ...args], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      VPC_TAG_CLEANUP_ENDPOINT: emu.endpoint,
      VPC_TAG_CLEANUP_STORE: store,
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
  emu = await startEmulator({ port: 0, seed: 'none', ossBuckets: ['int-runs'] });
});

afterAll(async () => {
  await emu?.close();
});

describe.each([
  ['a local store', 'ctrl-c-1', () => join(dir, 'store'), false],
  ['an OSS store', 'ctrl-c-oss', () => 'oss://int-runs/cli', false],
  // An interrupted `run --plan` goes on by its plan: a pool the policy would now take is left alone.
  ['a local store, applying a reviewed plan', 'ctrl-c-plan', () => join(dir, 'store'), true],
])('Ctrl-C during run, with %s', (_name, runId, storeOf, withPlan) => {
  it('answers ok:false / INTERRUPTED with exit 130, and run --continue finishes what was left', async () => {
    const store = storeOf();
    await admin('POST', '/__admin/reset');
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

    const planFile = join(dir, `${runId}.plan.json`);
    if (withPlan) {
      const planned = buildPlan({
        policy: validPolicy(JSON.parse(readFileSync(file, 'utf8'))),
        runId: 'review',
        createdAt: new Date(),
        resources: resources.map((r) => ({
          region: r.region,
          type: 'IPAMPOOL',
          id: r.id,
          tags: { CostCenter: r.tags.CostCenter as string },
        })),
      });
      writeFileSync(planFile, JSON.stringify(planned));
    }
    const source = withPlan ? ['--plan', planFile] : ['--policy', file];
    const first = start(['run', ...source, '--json', '--concurrency', '1', '--run-id', runId], store);
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
    expect(stopped.stderr).toContain(`vpc-tag-cleanup run --continue ${runId}`);
    // The continuation is kept in the run's store, wherever that is (an OSS store: nothing local).
    if (store.startsWith('oss://')) {
      expect(emu.oss.objects('int-runs', `cli/${runId}/`).map((o) => o.key)).toContain(
        `cli/${runId}/continuation.json`,
      );
      expect(existsSync(join(dir, '.vpc-tag-cleanup'))).toBe(false);
    } else expect(existsSync(join(store, runId, 'continuation.json'))).toBe(true);
    const carrying = async () =>
      (await admin<{ resources: AdminResource[] }>('GET', '/__admin/resources?type=IPAMPOOL')).resources.filter(
        (r) => 'CostCenter' in r.tags,
      ).length;
    const left = await carrying();
    expect(left).toBeGreaterThan(0);
    expect(left).toBe(skipped.length);

    await admin('PUT', '/__admin/faults', { rules: [] });
    const late = { type: 'IPAMPOOL', region: 'cn-hangzhou', id: 'ipam-pool-late', tags: { CostCenter: 'late' } };
    if (withPlan) await admin('POST', '/__admin/resources', { resources: [late] });
    const resumed = await start(['run', '--continue', runId, '--json'], store).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    const final = JSON.parse(resumed.stdout);
    expect(final).toMatchObject({ ok: true, runId });
    expect(final.totals.untagged).toBe(left);
    expect(await carrying()).toBe(withPlan ? 1 : 0);
    if (withPlan) {
      const now = (await admin<{ resources: AdminResource[] }>('GET', '/__admin/resources?type=IPAMPOOL')).resources;
      expect(now.find((r) => r.id === late.id)?.tags).toEqual(late.tags);
    }
  });
});
