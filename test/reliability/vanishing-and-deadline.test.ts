/**
 * Runs that do not go as planned, many seeded worlds each: resources deleted by someone else while the
 * run lists and writes, and a deadline that fires mid-run followed by continuations until the job is
 * done. The final state must be exact and the reports' counts (summed over the continuations) must
 * equal what changed in the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countCalls, isUntagApi } from '../../bench/admin.ts';
import { resourceKey } from '../../bench/expected.ts';
import type { Continuation, Report, ResourceOutcome } from '../../lib/types.ts';
import {
  describeFailure,
  FAULT_LIMITS,
  loadWorld,
  type Reliability,
  runWorld,
  startReliability,
  stateOf,
  verdict,
} from './support/harness.ts';
import { makeWorld, prng, seedsFor } from './support/world.ts';

let h: Reliability;
beforeAll(async () => {
  h = await startReliability();
});
afterAll(async () => {
  await h?.close();
});

const SEEDS = 12;
/** Untag calls the emulator has answered (in-process: no HTTP round trip inside the engine's loop). */
const untagCalls = () => countCalls(h.emu.admin.stats(), isUntagApi, 'ok');
let vanishedSeen = 0;
let hopsSeen = 0;
let seedsCut = 0;

describe('a cleanup run whose resources are deleted mid-run', () => {
  it.each(seedsFor(11, SEEDS))('cleans the rest exactly and counts only what it changed (seed %i)', async (seed) => {
    const world = makeWorld(seed);
    const rnd = prng(seed);
    await loadWorld(h, world, [{ kind: 'latency', ms: 1, jitterMs: 3 }]);
    // A fifth of the resources vanish once the first page is in: some already listed (their untag
    // call meets a not-found error), some in units not listed yet (never seen).
    const doomed = world.resources.filter(() => rnd() < 0.2);
    const gone = new Set(doomed.map(resourceKey));
    let fired = false;
    const { report } = await runWorld(
      h,
      world,
      {},
      {
        onProgress: async () => {
          if (fired || doomed.length === 0) return;
          fired = true;
          await h.admin.deleteResources(doomed.map(({ type, region, id }) => ({ type, region, id })));
        },
      },
    );
    const v = verdict(world, await stateOf(h, world), gone);
    const why = describeFailure(world, v, report);
    expect(v.check.notRemoved, why).toEqual([]);
    expect(v.check.wronglyTouched, why).toEqual([]);
    expect(v.check.unexpected, why).toEqual([]);
    expect(v.changed, why).toBe(v.expectedChanged);
    expect(report.totals.untagged, why).toBe(v.changed);
    expect(report.totals.keysRemoved, why).toBe(v.removed);
    expect(report.totals.failed, why).toBe(0);
    vanishedSeen += report.resources.filter((r) => r.reason === 'not-found').length;
  });

  it('met at least one not-found resource across the seeds (the case is not vacuous)', () => {
    expect(vanishedSeen).toBeGreaterThan(0);
  });
});

describe('a cleanup run cut by its deadline', () => {
  it.each(seedsFor(12, SEEDS))(
    'finishes exactly through continuations, counts summed over the hops (seed %i)',
    async (seed) => {
      const world = makeWorld(seed, { maxPerUnit: 320 });
      const rnd = prng(seed);
      await loadWorld(h, world, [{ kind: 'latency', ms: 1, jitterMs: 2 }]);
      const totals = { untagged: 0, keysRemoved: 0, failed: 0 };
      let continuation: Continuation | undefined;
      let hops = 0;
      let last: Report | undefined;
      do {
        const deadline = new AbortController();
        // Past the deadline the engine sends nothing new (batches planned and not yet sent are abandoned
        // and redone by the continuation), so a hop makes progress only with batches sent before its
        // deadline. The deadline here fires 0-1 pages after the hop's first untag call was answered:
        // progress is possible in every hop, and each hop is still cut mid-run. A small planner buffer
        // puts these small worlds in the regime of a large run, where batches leave while listing goes
        // on. (A deadline that fires before any batch leaves makes no progress and the continuation
        // starts over: see the bench note.)
        const untagsBefore = untagCalls();
        const concurrent = seed % 2 === 1;
        let extraPages = Math.floor(rnd() * 2);
        const { report } = await runWorld(
          h,
          world,
          { signal: deadline.signal, ...(continuation ? { continuation } : {}) },
          {
            // Odd seeds list up to four units at once (each unit cut mid-listing resumes from its own
            // cursor); even seeds one at a time. Concurrent listing often ends before the first untag
            // answer, when no page is left to fire the deadline: there, the first write answered fires it.
            tuning: { ...FAULT_LIMITS, planBufferSize: 20, ...(concurrent ? {} : { listConcurrency: 1 }) },
            onProgress: () => {
              if (untagCalls() > untagsBefore && extraPages-- <= 0) deadline.abort(new Error('deadline'));
            },
            ...(concurrent
              ? {
                  onOutcome: (o: ResourceOutcome) => {
                    if (o.status === 'untagged' && extraPages <= 0) deadline.abort(new Error('deadline'));
                  },
                }
              : {}),
          },
        );
        last = report;
        totals.untagged += report.totals.untagged;
        totals.keysRemoved += report.totals.keysRemoved;
        totals.failed += report.totals.failed;
        continuation = report.continuation;
        hops++;
      } while (continuation && hops < 200);
      if (hops > 1) seedsCut++;
      hopsSeen += hops - 1;
      const v = verdict(world, await stateOf(h, world));
      const why = describeFailure(world, v, last);
      expect(continuation, why).toBeUndefined();
      expect(v.check.notRemoved, why).toEqual([]);
      expect(v.check.wronglyTouched, why).toEqual([]);
      expect(totals.untagged, why).toBe(v.changed);
      expect(totals.keysRemoved, why).toBe(v.removed);
      expect(totals.failed, why).toBe(0);
    },
  );

  it('needed continuations in most of these seeds (the case is not vacuous)', () => {
    expect(seedsCut).toBeGreaterThanOrEqual(SEEDS / 2);
    expect(hopsSeen).toBeGreaterThan(seedsCut);
  });
});
