/**
 * `npm start` as a newcomer runs it: `tsx bin/demo.ts` in a child process, no cloud account, no Docker.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('npm start (bin/demo.ts)', () => {
  it('previews, applies and reports the sample policy against the in-process emulator, and exits 0', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'npx',
        ['tsx', 'bin/demo.ts'],
        { cwd: ROOT, timeout: 60_000, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' } },
        (error, out, err) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout: out, stderr: err }),
      );
    });
    expect(code, stderr).toBe(0);
    // The dry run lists resources and keys, then the real run's table shows untagged resources.
    expect(stdout).toMatch(/would remove \(\d+ resources/);
    expect(stdout).toMatch(/region\s+type\s+matched\s+untagged\s+skipped\s+failed/);
    const untagged = Number(/resources: scanned \d+ · matched \d+ · untagged (\d+)/.exec(stdout)?.[1]);
    expect(untagged).toBeGreaterThan(0);
    expect(stdout).toContain('result: ok');
    // The after-state summary: nothing unprotected keeps a removed key.
    expect(stdout).toMatch(/still carrying CostCenter or legacy-owner: 0 unprotected/);
  });
});
