/**
 * `match.resourceIds` that do not exist (issue 14: they were silently dropped and the run said "nothing
 * to change"): each missing id is a report error of its own, the run is not `ok`, and the ids that do
 * exist are still cleaned.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminResource } from '../../emulator/contracts.ts';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { type CliResult, runCliInProcess } from './support/cli-in-process.ts';

let emu: Emulator;
let dir: string;

async function cli(args: string[]): Promise<CliResult> {
  return runCliInProcess(args, { VPC_TAG_CLEANUP_ENDPOINT: emu.endpoint, VPC_TAG_CLEANUP_STORE: join(dir, 'store') });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vtc-ids-'));
  emu = await startEmulator({ port: 0, seed: 'none' });
  process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = emu.accessKeyId;
  process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = emu.accessKeySecret;
  const resources: AdminResource[] = [
    { type: 'IPAMPOOL', region: 'cn-hangzhou', id: 'ipam-pool-real1', tags: { CostCenter: 'a' } },
    { type: 'IPAMPOOL', region: 'cn-hangzhou', id: 'ipam-pool-real2', tags: { CostCenter: 'b' } },
  ];
  await fetch(`${emu.url}/__admin/resources`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resources }),
  });
});

afterAll(async () => {
  await emu?.close();
});

describe('match.resourceIds not found', () => {
  it('reports each missing id by its index, exits 1, and still cleans the ids that exist', async () => {
    const file = join(dir, 'ids.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'ids',
        regions: ['cn-hangzhou'],
        resourceTypes: ['IPAMPOOL'],
        match: { resourceIds: ['ipam-pool-real1', 'ipam-pool-typo', 'ipam-pool-real2', 'ipam-pool-gone'] },
        remove: { keys: ['CostCenter'] },
      }),
    );
    const plan = await cli(['plan', '--policy', file]);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('match.resourceIds[1] "ipam-pool-typo"');
    expect(plan.stdout).toContain('match.resourceIds[3] "ipam-pool-gone"');

    const run = await cli(['run', '--policy', file, '--json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.ok).toBe(false);
    expect(
      report.errors
        .filter((e: { code: string }) => e.code === 'RESOURCE_NOT_FOUND')
        .map((e: { ids: string[] }) => e.ids),
    ).toEqual([['ipam-pool-typo'], ['ipam-pool-gone']]);
    expect(report.totals.untagged).toBe(2);
    const state = (await (await fetch(`${emu.url}/__admin/resources?type=IPAMPOOL`)).json()) as {
      resources: AdminResource[];
    };
    expect(state.resources.map((r) => r.tags)).toEqual([{}, {}]);
  });
});
