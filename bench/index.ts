/**
 * `npm run bench`: every scenario of issue 6 (plus the emulator-throughput figure of issue 2 and the
 * cold-start figure of issue 4), ours beside the naive baseline in the same run. Prints a table and
 * writes `bench/results/latest.json` (`--quick`: a reduced set in under two minutes, written to
 * `bench/results/quick.json` so it never replaces the full figures).
 *
 *   --quick              reduced set
 *   --quota-scale N      multiply the published quotas by N for the quota-bound run (default 20)
 *   --latency MS         latency of every call in the latency-bound run (default 50)
 *   --only a,b           run only these scenarios (names as in `SCENARIOS`)
 *   --out FILE           write the JSON here instead
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FULL_DATASET, QUICK_DATASET } from './dataset.ts';
import { spawnEmulator } from './processes.ts';
import { type BenchResults, evaluateTargets, formatTable, machineInfo, type Scenarios } from './results.ts';
import { behaviourModes } from './scenarios/behaviour-modes.ts';
import { callEfficiency } from './scenarios/call-efficiency.ts';
import { coldStart } from './scenarios/cold-start.ts';
import { emulatorThroughput } from './scenarios/emulator-throughput.ts';
import { faultSuite } from './scenarios/fault-suite.ts';
import { latencyBound } from './scenarios/latency-bound.ts';
import { manyAccounts } from './scenarios/many-accounts.ts';
import { quotaBound } from './scenarios/quota-bound.ts';
import { scale } from './scenarios/scale.ts';
import { undoBench } from './scenarios/undo.ts';

const SCENARIOS = [
  'emulatorThroughput',
  'callEfficiency',
  'quotaBound',
  'latencyBound',
  'scale',
  'coldStart',
  'faultSuite',
  'undo',
  'behaviourModes',
  'manyAccounts',
] as const;
type ScenarioName = (typeof SCENARIOS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'quota-scale': { type: 'string', default: '20' },
    latency: { type: 'string', default: '50' },
    only: { type: 'string' },
    out: { type: 'string' },
  },
});

const quick = values.quick === true;
const quotaScale = Number(values['quota-scale']);
const latencyMs = Number(values.latency);
const only = values.only ? new Set(values.only.split(',')) : undefined;
const wanted = (name: ScenarioName): boolean =>
  only ? only.has(name) : !quick || (name !== 'faultSuite' && name !== 'behaviourModes');
const log = (line: string) => process.stderr.write(`${line}\n`);

const started = performance.now();
const scenarios: Scenarios = {};
const failures: Record<string, string> = {};

async function step<K extends keyof Scenarios>(
  name: K & ScenarioName,
  run: () => Promise<NonNullable<Scenarios[K]>>,
): Promise<void> {
  if (!wanted(name)) return;
  log(`bench: ${name}...`);
  const t0 = performance.now();
  try {
    scenarios[name] = await run();
    log(`bench: ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } catch (err) {
    failures[name] = (err as Error).message.split('\n')[0] ?? String(err);
    log(`bench: ${name} failed: ${(err as Error).stack ?? err}`);
  }
}

const dataset = quick ? QUICK_DATASET : FULL_DATASET;

await step('emulatorThroughput', () =>
  emulatorThroughput({ processes: 1, clientsPerProcess: 32, seconds: 3, windows: quick ? 1 : 3 }),
);

// The three call-count scenarios share one emulator child; each reseeds it from the same seed.
if (
  wanted('callEfficiency') ||
  wanted('quotaBound') ||
  wanted('latencyBound') ||
  wanted('undo') ||
  wanted('behaviourModes')
) {
  const emu = await spawnEmulator({ quotas: false });
  try {
    await step('callEfficiency', () => callEfficiency(emu, dataset));
    await step('quotaBound', () => quotaBound(emu, dataset, quotaScale));
    await step('latencyBound', () => latencyBound(emu, dataset, latencyMs));
    await step('undo', () => undoBench(emu, dataset, quotaScale));
    await step('behaviourModes', () => behaviourModes(emu, dataset, quotaScale));
  } finally {
    await emu.close();
  }
}

// Many accounts (issue 11): 50 members x 2 regions at the published quotas, one emulator child of its own.
if (wanted('manyAccounts')) {
  const emu = await spawnEmulator({ quotas: true });
  try {
    await step('manyAccounts', () =>
      manyAccounts(emu, { accounts: quick ? 10 : 50, resourcesPerShard: quick ? 40 : 200, quotaScale: 1 }),
    );
  } finally {
    await emu.close();
  }
}

await step('scale', () => scale(quick ? [100_000] : [100_000, 1_000_000], log, !quick));
await step('coldStart', () => coldStart(quick ? 10 : 15));
await step('faultSuite', () => faultSuite());

const results: BenchResults = {
  generatedAt: new Date().toISOString(),
  quick,
  command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
  durationMs: Math.round(performance.now() - started),
  machine: machineInfo(),
  scenarios,
  failures,
  targets: evaluateTargets(scenarios),
};

const out =
  values.out ?? fileURLToPath(new URL(quick ? './results/quick.json' : './results/latest.json', import.meta.url));
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`${formatTable(results)}\n\nwritten: ${out} (${(results.durationMs / 1000).toFixed(1)} s)\n`);
