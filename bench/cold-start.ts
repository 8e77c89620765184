/**
 * Cold start of the function bundle: module init, measured inside fresh `node` processes (one per
 * sample, run one after another) with `performance.now()` around `require(bundle)`. Also reported: the
 * time from process start to the handler being exported, and, for bundles that ship the engine as a
 * lazy chunk, init plus loading that chunk (what a run pays before its first cloud call).
 *
 * Run alone: `npx tsx bench/cold-start.ts [runs]` builds `dist/`-style and eager bundles into a temp
 * directory and prints ours vs eager. Target (issue 4): median init <= 250 ms on this machine.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildFunction } from '../scripts/build.ts';

const run = promisify(execFile);

export const COLD_START_TARGET_MS = 250;

export interface ColdStartOptions {
  bundlePath: string;
  /** Fresh processes to sample (at least 10 for a median worth reading). */
  runs?: number;
  /** Also require this file after the bundle (the engine chunk) and time both together. */
  thenRequire?: string;
}

export interface ColdStartResult {
  /** Median ms of `require(bundle)` (module init). */
  medianMs: number;
  /** Median ms from process start (performance time origin) to the handler exported. */
  sinceStartMedianMs: number;
  /** Median ms of init plus `thenRequire`, when given. */
  withChunkMedianMs?: number;
  samples: number[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

// The child measures itself: the parent's spawn cost is not the function's.
const CHILD = `
const t0 = performance.now();
const m = require(process.argv[1]);
const t1 = performance.now();
if (typeof m.handler !== 'function') throw new Error('no handler exported');
let t2 = t1;
if (process.argv[2]) { require(process.argv[2]); t2 = performance.now(); }
process.stdout.write(JSON.stringify({ init: t1 - t0, sinceStart: t1, withChunk: t2 - t0 }));
`;

/** Median module-init time of a bundle over `runs` fresh node processes. */
export async function measureColdStart(options: ColdStartOptions): Promise<ColdStartResult> {
  const runs = Math.max(10, options.runs ?? 15);
  const init: number[] = [];
  const sinceStart: number[] = [];
  const withChunk: number[] = [];
  for (let i = 0; i < runs; i++) {
    const args = ['-e', CHILD, path.resolve(options.bundlePath)];
    if (options.thenRequire) args.push(path.resolve(options.thenRequire));
    const { stdout } = await run(process.execPath, args, { env: { ...process.env, NODE_OPTIONS: '' } });
    const sample = JSON.parse(stdout) as { init: number; sinceStart: number; withChunk: number };
    init.push(sample.init);
    sinceStart.push(sample.sinceStart);
    withChunk.push(sample.withChunk);
  }
  const result: ColdStartResult = { medianMs: median(init), sinceStartMedianMs: median(sinceStart), samples: init };
  if (options.thenRequire) result.withChunkMedianMs = median(withChunk);
  return result;
}

/** Build both variants into a temp directory and measure them. */
export async function compareColdStart(runs = 15): Promise<{ ours: ColdStartResult; eager: ColdStartResult }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vtc-cold-start-'));
  try {
    const ours = await buildFunction({ outdir: path.join(dir, 'dist') });
    const eager = await buildFunction({ outdir: path.join(dir, 'dist-eager'), eager: true });
    const engineChunk = path.join(path.dirname(ours.bundlePath), 'engine.js');
    return {
      ours: await measureColdStart({
        bundlePath: ours.bundlePath,
        runs,
        ...(existsSync(engineChunk) ? { thenRequire: engineChunk } : {}),
      }),
      eager: await measureColdStart({ bundlePath: eager.bundlePath, runs }),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const runs = Number(process.argv[2] ?? 15);
  const { ours, eager } = await compareColdStart(runs);
  const f = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(0)} ms`);
  console.log(`cold start, median of ${runs} fresh node processes (module init = require of the bundle)`);
  console.log('variant | init | process start -> handler | init + engine chunk');
  console.log(
    `ours (lazy chunks) | ${f(ours.medianMs)} | ${f(ours.sinceStartMedianMs)} | ${f(ours.withChunkMedianMs)}`,
  );
  console.log(
    `eager (one file, SDKs at load) | ${f(eager.medianMs)} | ${f(eager.sinceStartMedianMs)} | ${f(eager.medianMs)}`,
  );
  console.log(
    `target: init <= ${COLD_START_TARGET_MS} ms: ${ours.medianMs <= COLD_START_TARGET_MS ? 'met' : 'NOT met'}`,
  );
}
