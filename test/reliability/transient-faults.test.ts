/**
 * Transient faults, many seeded worlds each: a throttling storm on top of real quotas, bursts of 500
 * and 503, connection resets before processing, and writes applied whose answers are lost. Each run must
 * end with every tag that should go gone, no other tag touched, and the report's counts equal to what
 * changed in the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../bench/admin.ts';
import {
  describeFailure,
  loadWorld,
  type Reliability,
  runWorld,
  startReliability,
  stateOf,
  verdict,
} from './support/harness.ts';
import { makeWorld, seedsFor } from './support/world.ts';

let h: Reliability;
beforeAll(async () => {
  h = await startReliability();
});
afterAll(async () => {
  await h?.close();
});

const SEEDS = 12;

/** Per case: faulted answers the emulator gave, and tags the runs removed (both must be > 0 overall). */
const seen = new Map<string, { faulted: number; removed: number }>();

async function survives(
  name: string,
  seed: number,
  faults: FaultRule[],
  setup?: () => Promise<unknown>,
  quotaScale?: number,
) {
  const world = makeWorld(seed);
  await loadWorld(h, world, faults);
  await setup?.();
  const { report } = await runWorld(h, world, {}, quotaScale !== undefined ? { quotaScale } : {});
  await h.admin.clearFaults();
  const stats = await h.admin.stats();
  const v = verdict(world, await stateOf(h, world));
  const tally = seen.get(name) ?? { faulted: 0, removed: 0 };
  for (const outcomes of Object.values(stats.byAction))
    for (const [o, n] of Object.entries(outcomes)) if (o !== 'ok') tally.faulted += n;
  tally.removed += v.removed;
  seen.set(name, tally);
  const why = describeFailure(world, v, report);
  expect(v.check.notRemoved, why).toEqual([]);
  expect(v.check.wronglyTouched, why).toEqual([]);
  expect(v.changed, why).toBe(v.expectedChanged);
  expect(report.totals.untagged, why).toBe(v.changed);
  expect(report.totals.keysRemoved, why).toBe(v.removed);
  expect(report.totals.failed, why).toBe(0);
  return report;
}

describe('a cleanup run under transient faults', () => {
  it.each(seedsFor(1, SEEDS))('ends exact through a throttling storm on top of real quotas (seed %i)', async (seed) => {
    const report = await survives(
      'storm',
      seed,
      [{ kind: 'error', code: 'Throttling.User', status: 400, rate: 0.3 }],
      () =>
        h.admin.setQuotas({
          enabled: true,
          scale: 1,
          perMinute: {
            'VpcIpam:UntagResources': 1_200,
            'VpcPeer:UnTagResources': 1_200,
            'VpcIpam:ListTagResources': 2_400,
          },
        }),
      // The engine believes in 10 x the published quotas, more than the emulator grants: it must adapt.
      10,
    );
    expect(report.ok).toBe(true);
  });

  it.each(seedsFor(2, SEEDS))(
    'ends exact through bursts of 500 InternalError and 503 ServiceUnavailable (seed %i)',
    async (seed) => {
      await survives('5xx', seed, [
        { kind: 'error', code: 'InternalError', status: 500, rate: 0.2 },
        { kind: 'error', code: 'ServiceUnavailable', status: 503, rate: 0.15 },
      ]);
    },
  );

  it.each(seedsFor(3, SEEDS))('ends exact through connection resets before processing (seed %i)', async (seed) => {
    await survives('reset', seed, [{ kind: 'reset', rate: 0.25 }]);
  });

  it.each(seedsFor(4, SEEDS))('ends exact when writes are applied and their answers lost (seed %i)', async (seed) => {
    await survives('lost', seed, [
      { kind: 'applied-then-lost', product: 'VpcIpam', action: 'UntagResources', rate: 0.35 },
      { kind: 'applied-then-lost', product: 'VpcPeer', action: 'UnTagResources', rate: 0.35 },
    ]);
  });

  it.each(seedsFor(5, SEEDS))('ends exact with every fault at once and jittered latency (seed %i)', async (seed) => {
    await survives('all', seed, [
      { kind: 'latency', ms: 1, jitterMs: 4 },
      { kind: 'error', code: 'Throttling.User', status: 400, rate: 0.1 },
      { kind: 'error', code: 'ServiceUnavailable', status: 503, rate: 0.1 },
      { kind: 'reset', rate: 0.1 },
      { kind: 'applied-then-lost', rate: 0.15 },
    ]);
  });

  it('injected faults and removed tags in every case above (so none of them passed vacuously)', () => {
    expect([...seen.keys()].sort()).toEqual(['5xx', 'all', 'lost', 'reset', 'storm']);
    for (const [name, t] of seen) {
      expect(t.faulted, name).toBeGreaterThan(0);
      expect(t.removed, name).toBeGreaterThan(0);
    }
  });
});
