/**
 * The undo commands as a user drives them (the CLI's `main` in this process, the emulator on port 0):
 * `plan --out`, `run --plan`, `run` with its journal in `--store`, `runs`, `restore` (dry run and for
 * real), every answer one JSON document under --json, a missing run as bad input (exit 2).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.ts';
import { type Emulator, startEmulator } from '../../emulator/server.ts';

let emu: Emulator;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vtc-cli-undo-'));
  emu = await startEmulator({ port: 0, seed: 'none', ossBuckets: ['cli-runs'] });
  process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = emu.accessKeyId;
  process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = emu.accessKeySecret;
});
afterAll(async () => {
  await emu?.close();
});

async function cli(args: string[], env: Record<string, string> = {}) {
  const chunks = { out: [] as string[], err: [] as string[] };
  const stream = (to: string[]) =>
    ({ isTTY: false, write: (c: string) => to.push(String(c)) }) as unknown as NodeJS.WritableStream;
  const code = await main(args, {
    stdout: stream(chunks.out),
    stderr: stream(chunks.err),
    env: { VPC_TAG_CLEANUP_ENDPOINT: emu.endpoint, ...env },
  });
  return { code, stdout: chunks.out.join(''), stderr: chunks.err.join('') };
}

const seeds = [
  { type: 'IPAMPOOL', region: 'cn-hangzhou', id: 'ipam-pool-cu1', tags: { CostCenter: 'c1', keep: 'k' } },
  { type: 'IPAMPOOL', region: 'cn-hangzhou', id: 'ipam-pool-cu2', tags: { CostCenter: 'c2' } },
  { type: 'PeerConnection', region: 'cn-hangzhou', id: 'pcc-cu3', tags: { CostCenter: 'c3', env: 'dev' } },
];
const policy = {
  name: 'cli-undo',
  regions: ['cn-hangzhou'],
  resourceTypes: ['IPAMPOOL', 'PeerConnection'],
  remove: { keys: ['CostCenter'] },
};
const state = () => Object.fromEntries(emu.admin.list().map((r) => [r.id, r.tags]));

describe.each([
  ['a local directory', () => join(dir, `runs-${Math.random().toString(36).slice(2)}`)],
  ['OSS on the emulator', () => `oss://cli-runs/t-${Math.random().toString(36).slice(2)}`],
])('run, runs and restore with the store in %s', (_name, storeOf) => {
  it('journals the run, lists it, restores it exactly, and a second restore changes nothing', async () => {
    await emu.admin.reset();
    emu.admin.upsert(seeds);
    const store = storeOf();
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify(policy));
    const run = await cli(['run', '--policy', file, '--store', store, '--run-id', 'cli-run-1', '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.resources.find((o: { id: string }) => o.id === 'pcc-cu3')).toMatchObject({
      status: 'untagged',
      values: { CostCenter: 'c3' },
    });
    expect(run.stderr).toContain('restore --run cli-run-1');
    expect(state()['ipam-pool-cu1']).toEqual({ keep: 'k' });

    const runs = await cli(['runs', '--store', store, '--json']);
    expect(JSON.parse(runs.stdout)).toMatchObject({
      ok: true,
      runs: [{ runId: 'cli-run-1', policy: 'cli-undo', untagged: 3, restored: false }],
    });

    const dry = await cli(['restore', '--run', 'cli-run-1', '--store', store, '--dry-run', '--json']);
    expect(JSON.parse(dry.stdout).totals).toMatchObject({ planned: 3, calls: { tag: 0 } });
    expect(state()['ipam-pool-cu1']).toEqual({ keep: 'k' });

    const restore = await cli(['restore', '--run', 'cli-run-1', '--store', store]);
    expect(restore.code).toBe(0);
    expect(restore.stdout).toContain('3 restored (3 keys)');
    expect(state()).toEqual(Object.fromEntries(seeds.map((s) => [s.id, s.tags])));
    const again = await cli(['restore', '--run', 'cli-run-1', '--store', store, '--json']);
    expect(JSON.parse(again.stdout).totals).toMatchObject({ restored: 0, skippedBy: { 'already-restored': 3 } });

    const listed = await cli(['runs', '--store', store]);
    expect(listed.stdout).toMatch(/cli-run-1\s+cli-undo/);
    expect(JSON.parse((await cli(['runs', '--store', store, '--json'])).stdout).runs[0].restored).toBe(true);
  });
});

describe('plan --out, then run --plan', () => {
  it('writes the plan with values and hash, and applying it removes only what it names', async () => {
    await emu.admin.reset();
    emu.admin.upsert(seeds);
    const file = join(dir, 'policy2.json');
    writeFileSync(file, JSON.stringify(policy));
    const planFile = join(dir, 'plan.json');
    const plan = await cli(['plan', '--policy', file, '--out', planFile]);
    expect(plan.code).toBe(0);
    expect(plan.stderr).toContain(`run --plan ${planFile}`);
    const doc = JSON.parse(readFileSync(planFile, 'utf8'));
    expect(doc).toMatchObject({ kind: 'vpc-tag-cleanup/plan', policy: { name: 'cli-undo' } });
    expect(doc.resources).toHaveLength(3);
    expect(doc.planHash).toMatch(/^[0-9a-f]{64}$/);
    // Since the plan: one value changed, a new resource carrying the key appeared.
    emu.admin.upsert([
      { type: 'IPAMPOOL', region: 'cn-hangzhou', id: 'ipam-pool-cu2', tags: { CostCenter: 'changed' } },
      { type: 'IPAMPOOL', region: 'cn-hangzhou', id: 'ipam-pool-cu9', tags: { CostCenter: 'new' } },
    ]);
    const run = await cli(['run', '--plan', planFile, '--store', join(dir, 'plan-runs'), '--json']);
    expect(run.code).toBe(0);
    const by = Object.fromEntries(JSON.parse(run.stdout).resources.map((o: { id: string }) => [o.id, o]));
    expect(by['ipam-pool-cu2']).toMatchObject({ status: 'skipped', reason: 'changed-since-plan' });
    expect(state()).toMatchObject({
      'ipam-pool-cu1': { keep: 'k' },
      'ipam-pool-cu2': { CostCenter: 'changed' },
      'ipam-pool-cu9': { CostCenter: 'new' },
      'pcc-cu3': { env: 'dev' },
    });
  });

  it('refuses an edited plan and a run that is not in the store as bad input, before any cloud call', async () => {
    await emu.admin.reset();
    const planFile = join(dir, 'plan-bad.json');
    writeFileSync(planFile, JSON.stringify({ kind: 'vpc-tag-cleanup/plan' }));
    const bad = await cli(['run', '--plan', planFile, '--json']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false });
    const missing = await cli(['restore', '--run', 'never', '--store', join(dir, 'empty'), '--json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({ ok: false, error: { code: 'RUN_NOT_FOUND' } });
    expect(emu.admin.stats().total).toBe(0);
  });
});
