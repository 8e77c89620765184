/**
 * A crash of the run process between batches: a child process runs the policy and is killed (SIGKILL,
 * no chance to clean up) once the emulator has answered N untag calls, then the policy is run again to
 * completion. The final state must be exact, and the re-run must count exactly what it changed after
 * the crash.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countCalls, isUntagApi } from '../../bench/admin.ts';
import { expectationFor, untagLowerBound } from '../../bench/expected.ts';
import {
  describeFailure,
  FAULT_LIMITS,
  loadWorld,
  type Reliability,
  runWorld,
  startReliability,
  stateOf,
  UNPACED,
  verdict,
} from './support/harness.ts';
import { makeWorld, prng, seedsFor } from './support/world.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let h: Reliability;
beforeAll(async () => {
  h = await startReliability();
});
afterAll(async () => {
  await h?.close();
});

const SEEDS = 8;
let cutMidRun = 0;

function startRunProcess(input: unknown): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/child/engine-run.ts', JSON.stringify(input)], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, exited };
}

/** Waits until the emulator has logged no new call for 100 ms (4 x the injected latency). */
async function settled(): Promise<void> {
  let last = -1;
  for (;;) {
    const { total } = await h.admin.stats();
    if (total === last) return;
    last = total;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a cleanup run whose process crashes between batches', () => {
  it.each(seedsFor(21, SEEDS))('is finished exactly by a re-run (seed %i)', async (seed) => {
    const world = makeWorld(seed, { maxPerUnit: 120, types: ['IPAMPOOL', 'PeerConnection'] });
    world.policy.limits.concurrency = 1 + (seed % 2);
    const rnd = prng(seed);
    // Slow writes, so the kill lands between batches rather than after the end.
    await loadWorld(h, world, [
      { kind: 'latency', product: 'VpcIpam', action: 'UntagResources', ms: 25 },
      { kind: 'latency', product: 'VpcPeer', action: 'UnTagResources', ms: 25 },
    ]);
    const bound = untagLowerBound(expectationFor(world.policy, world.resources));
    const killAfter = Math.max(1, Math.floor(bound * (0.2 + 0.5 * rnd())));

    const { child, exited } = startRunProcess({
      endpoint: h.emu.endpoint,
      policy: world.policy,
      runId: `crash-${seed}`,
      limits: FAULT_LIMITS,
      quotaScale: UNPACED,
    });
    let running = true;
    void exited.then(() => {
      running = false;
    });
    while (running) {
      const untags = countCalls(await h.admin.stats(), isUntagApi, 'ok');
      if (untags >= killAfter) {
        child.kill('SIGKILL');
        break;
      }
      await new Promise((r) => setTimeout(r, 3));
    }
    await exited;
    // Calls the dead process had already sent are still applied by the cloud (here after their 25 ms
    // latency): the state "at the crash" is the one once those have landed.
    await settled();
    const atCrash = await stateOf(h, world);
    const before = verdict(world, atCrash);
    if (before.check.notRemoved.length > 0) cutMidRun++;

    const { report } = await runWorld(h, world, { runId: `crash-${seed}` });
    await h.admin.clearFaults();
    const after = await stateOf(h, world);
    const v = verdict(world, after);
    const why = describeFailure(world, v, report);
    expect(v.check.notRemoved, why).toEqual([]);
    expect(v.check.wronglyTouched, why).toEqual([]);
    expect(v.changed, why).toBe(v.expectedChanged);
    // What the re-run changed: the difference between the state at the crash and the final state.
    const atCrashById = new Map(atCrash.map((r) => [`${r.type}|${r.region}|${r.id}`, r]));
    let changed = 0;
    let removed = 0;
    for (const r of after) {
      const was = atCrashById.get(`${r.type}|${r.region}|${r.id}`);
      const lost = was ? Object.keys(was.tags).filter((k) => !Object.hasOwn(r.tags, k)).length : 0;
      if (lost > 0) changed++;
      removed += lost;
    }
    expect(report.totals.untagged, why).toBe(changed);
    expect(report.totals.keysRemoved, why).toBe(removed);
    expect(report.totals.failed, why).toBe(0);
  });

  it('killed most of those runs before they were done (the case is not vacuous)', () => {
    expect(cutMidRun).toBeGreaterThanOrEqual(Math.ceil(SEEDS / 2));
  });
});
