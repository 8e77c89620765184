/**
 * `validate`, and why it exists (issue 14): `plan` used to accept what `run` refused (`"dryRun": "true"`)
 * and a misspelt region ran as "nothing to change". One function checks for all three commands, offline:
 * no credentials in this file's environment, and the emulator counts zero calls.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { type CliResult, runCliInProcess } from './support/cli-in-process.ts';

let emu: Emulator;
let dir: string;
const saved = {
  id: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,
  secret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
};

async function cli(args: string[]): Promise<CliResult> {
  return runCliInProcess(args, { VPC_TAG_CLEANUP_ENDPOINT: emu.endpoint });
}

const write = (name: string, value: unknown) => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
};

const good = {
  name: 'validate-test',
  regions: ['cn-hangzhou', 'ap-southeast-1'],
  resourceTypes: ['IPAMPOOL', 'PeerConnection'],
  remove: { keys: ['CostCenter'] },
};

const calls = async () => ((await (await fetch(`${emu.url}/__admin/stats`)).json()) as { total: number }).total;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vtc-validate-'));
  emu = await startEmulator({ port: 0, seed: 'none' });
  // Offline means no credentials are needed: there are none here.
  delete process.env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  delete process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
});

afterAll(async () => {
  if (saved.id !== undefined) process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = saved.id;
  if (saved.secret !== undefined) process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = saved.secret;
  await emu?.close();
});

describe('vpc-tag-cleanup validate', () => {
  it('accepts a good policy without credentials or calls, and prints the policy the engine will run', async () => {
    const r = await cli(['validate', '--policy', write('good.json', good)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/valid policy "validate-test"/);
    const j = await cli(['validate', '--policy', write('good.json', good), '--json']);
    expect(JSON.parse(j.stdout)).toEqual({ ok: true, policy: { ...good, dryRun: false } });
    expect(await calls()).toBe(0);
  });

  it('refuses what run refuses, with the same issues as plan and run, and exits 2', async () => {
    const bad = [
      { ...good, dryRun: 'true' },
      { ...good, regions: ['cn-hangzou'] },
      { ...good, resourceTypes: ['Ipam'], limits: { concurrency: 0 } },
    ];
    for (const [i, policy] of bad.entries()) {
      const file = write(`bad-${i}.json`, policy);
      const answers = await Promise.all(['validate', 'plan', 'run'].map((c) => cli([c, '--policy', file, '--json'])));
      for (const a of answers) expect(a.code, `${JSON.stringify(policy)}: ${a.stderr}`).toBe(2);
      const [v, p, r] = answers.map((a) => JSON.parse(a.stdout).error);
      expect(v.code).toBe('INVALID_POLICY');
      expect(v.issues.length).toBeGreaterThan(0);
      expect(p.issues).toEqual(v.issues);
      expect(r.issues).toEqual(v.issues);
    }
    expect(await calls()).toBe(0);
  });
});

describe('a misspelt region', () => {
  it('is a policy error naming the region and the id meant, before any call', async () => {
    const file = write('typo.json', { ...good, regions: ['cn-hangzou', 'cn-shanghai'] });
    const r = await cli(['plan', '--policy', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('regions[0]: "cn-hangzou" is not a known region id (did you mean cn-hangzhou?)');
    expect(r.stdout).toBe('');
    const region = await cli(['validate', '--policy', write('ok.json', good), '--region', 'ap-southeast-11']);
    expect(region.code).toBe(2);
    expect(region.stderr).toMatch(
      /regions\[0\]: "ap-southeast-11" is not a known region id \(did you mean ap-southeast-1\?\)/,
    );
    expect(await calls()).toBe(0);
  });
});
