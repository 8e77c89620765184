/** Issue 12 defect 14: `plan` says what the policy's listing costs, in the table and under `--json`. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.ts';
import { type Emulator, startEmulator } from '../../emulator/server.ts';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: 'none', quotas: false });
  // The credential chain reads the process environment.
  process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = emu.accessKeyId;
  process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = emu.accessKeySecret;
});
afterAll(async () => {
  delete process.env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  delete process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  await emu?.close();
});

async function plan(args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'plan-cost-'));
  const file = join(dir, 'policy.json');
  const keys = Array.from({ length: 30 }, (_, i) => `legacy-${i}`);
  writeFileSync(
    file,
    JSON.stringify({ name: 'p', regions: ['cn-hangzhou'], resourceTypes: ['EIP'], remove: { keys } }),
  );
  const out: string[] = [];
  const err: string[] = [];
  const stream = (chunks: string[]) =>
    ({ isTTY: false, write: (c: string) => chunks.push(String(c)) }) as unknown as NodeJS.WritableStream;
  const code = await main(['plan', '--policy', file, ...args], {
    stdout: stream(out),
    stderr: stream(err),
    env: {
      VPC_TAG_CLEANUP_ENDPOINT: emu.endpoint,
      ALIBABA_CLOUD_ACCESS_KEY_ID: emu.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.accessKeySecret,
      HOME: dir,
    },
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('plan states the listing cost', () => {
  it('in the table: 30 exact keys on a Vpc type cost 30 list calls', async () => {
    const r = await plan([]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/at least 30 list calls over 1 \(region, type\) units \(30 exact-key list streams\)/);
  });

  it('under --json, as listingCost', async () => {
    const r = await plan(['--json']);
    expect(JSON.parse(r.stdout).listingCost).toMatchObject({ units: 1, minListCalls: 30 });
  });
});
