/**
 * The reliability (fault) suite, run by the benchmark so its verdict sits beside the other figures:
 * every case there asserts zero wrong tags, so a passing case is a seed set with zero wrong tags.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FaultSuite } from '../results.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface VitestJson {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  testResults: unknown[];
}

export async function faultSuite(): Promise<FaultSuite> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-faults-'));
  const out = join(dir, 'vitest.json');
  const started = performance.now();
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          join(ROOT, 'node_modules/vitest/vitest.mjs'),
          'run',
          'test/reliability',
          '--reporter=json',
          `--outputFile=${out}`,
        ],
        {
          cwd: ROOT,
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
      child.on('error', reject);
      child.on('exit', () => resolve());
    });
    const r = JSON.parse(readFileSync(out, 'utf8')) as VitestJson;
    return {
      files: r.testResults.length,
      tests: r.numTotalTests,
      passed: r.numPassedTests,
      failed: r.numFailedTests,
      wallMs: performance.now() - started,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
