/**
 * A journaled run SIGKILLed at a random instant (no chance to flush or clean up), then `restore`: every
 * value the dead run removed comes back, so the final state is exactly the world before the run. The
 * kill lands anywhere: between batches, while a journal segment is being written, while an untag call
 * is in flight (its intent is durable first, so whatever the cloud applied is in the journal).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countCalls, isUntagApi } from '../../bench/admin.ts';
import { emulatorPort } from '../../bench/engine.ts';
import { expectationFor, resourceKey, untagLowerBound } from '../../bench/expected.ts';
import { restoreRun } from '../../lib/restore/restore.ts';
import { createLocalStore } from '../../lib/store/local.ts';
import { FAULT_LIMITS, loadWorld, type Reliability, startReliability, stateOf, UNPACED } from './support/harness.ts';
import { makeWorld, prng, seedsFor } from './support/world.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let h: Reliability;
beforeAll(async () => {
  h = await startReliability();
});
afterAll(async () => {
  await h?.close();
});

const SEEDS = 5;
let killedMidRun = 0;

function start(input: unknown): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/reliability/support/journaled-run-child.ts', JSON.stringify(input)],
    { cwd: ROOT, stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, exited };
}

async function settled(): Promise<void> {
  let last = -1;
  for (;;) {
    const { total } = await h.admin.stats();
    if (total === last) return;
    last = total;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const asMap = (rs: Array<{ type: string; region: string; id: string; tags: Record<string, string> }>) =>
  Object.fromEntries(rs.map((r) => [resourceKey(r), r.tags]));

describe('a journaled run killed at a random instant, then restore', () => {
  it.each(seedsFor(41, SEEDS))('gives back every removed value (seed %i)', async (seed) => {
    const world = makeWorld(seed, { maxPerUnit: 80, types: ['IPAMPOOL', 'PeerConnection'] });
    world.policy.limits.concurrency = 1 + (seed % 3);
    const rnd = prng(seed);
    await loadWorld(h, world, [
      { kind: 'latency', product: 'VpcIpam', action: 'UntagResources', ms: 15 },
      { kind: 'latency', product: 'VpcPeer', action: 'UnTagResources', ms: 15 },
    ]);
    const before = asMap(await stateOf(h, world));
    const bound = untagLowerBound(expectationFor(world.policy, world.resources));
    // Kill after a random number of answered untag calls, plus a random few ms (mid-call, mid-write).
    const killAfter = Math.floor(bound * rnd() * 0.8);
    const jitterMs = Math.floor(rnd() * 12);
    const storeDir = mkdtempSync(join(tmpdir(), 'vtc-crash-'));
    const runId = `crash-restore-${seed}`;
    const { child, exited } = start({
      endpoint: h.emu.endpoint,
      policy: world.policy,
      runId,
      storeDir,
      limits: FAULT_LIMITS,
      quotaScale: UNPACED,
    });
    let running = true;
    void exited.then(() => {
      running = false;
    });
    while (running) {
      if (countCalls(await h.admin.stats(), isUntagApi, 'ok') >= killAfter) {
        await new Promise((r) => setTimeout(r, jitterMs));
        child.kill('SIGKILL');
        break;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    await exited;
    await settled();
    const atCrash = asMap(await stateOf(h, world));
    if (JSON.stringify(atCrash) !== JSON.stringify(before)) killedMidRun++;
    await h.admin.clearFaults();

    const report = await restoreRun(
      { runId, store: createLocalStore(storeDir) },
      { cloud: emulatorPort(h.emu.endpoint, FAULT_LIMITS), limits: FAULT_LIMITS, quotaScale: UNPACED },
    );
    expect(report.totals.failed, JSON.stringify(report.errors)).toBe(0);
    expect(asMap(await stateOf(h, world))).toEqual(before);
  });

  it('killed runs that had removed something (the case is not vacuous)', () => {
    expect(killedMidRun).toBeGreaterThanOrEqual(Math.ceil(SEEDS / 2));
  });
});
