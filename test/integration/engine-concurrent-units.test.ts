/**
 * Units (region, type) list concurrently, through the real SDK against the emulator: the emulator's
 * request log shows the list calls of different units interleaving, and a deadline that fires while
 * several units are mid-listing leaves one cursor per unit, from which a second run finishes exactly.
 */
import { describe, expect, it } from 'vitest';
import type { PolicyInput } from '../../lib/policy/schema.ts';
import type { Continuation, ContinuationCursor } from '../../lib/types.ts';
import {
  expectedAfter,
  type LoggedRequest,
  many,
  type Seed,
  TEST_LIMITS,
  useHarness,
} from './support/engine-harness.ts';

const h = useHarness();

const R1 = 'cn-hangzhou';
const R2 = 'cn-shanghai';
const LIST_ACTIONS = new Set(['ListIpams', 'ListIpamPools']);

/** Four units (two regions x IPAM, IPAMPOOL) of 250 resources each: three list pages of 100 per unit. */
function fourUnits(prefix: string): Seed[] {
  return [R1, R2].flatMap((region) => [
    ...many('IPAM', region, `ipam-${prefix}-${region}-`, 250, () => ({ CostCenter: 'c', keep: 'k' })),
    ...many('IPAMPOOL', region, `ipam-pool-${prefix}-${region}-`, 250, () => ({ CostCenter: 'c', keep: 'k' })),
  ]);
}

const policy: PolicyInput = {
  name: 'concurrent',
  regions: [R1, R2],
  resourceTypes: ['IPAM', 'IPAMPOOL'],
  remove: { keys: ['CostCenter'] },
};
const dropCostCenter = (_: Seed, key: string) => key === 'CostCenter';

/**
 * Whether every unit's first list call reached the emulator before any unit's last one (in arrival
 * order): true when units list at once, false when one unit's listing ends before the next begins.
 */
async function listingsOverlap(): Promise<{ overlap: boolean; units: number; calls: number }> {
  const calls = ((await h.requests({ product: 'VpcIpam' })) as Array<LoggedRequest & { at: string }>)
    .filter((r) => LIST_ACTIONS.has(r.action))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const span = new Map<string, { first: number; last: number }>();
  calls.forEach((r, i) => {
    const unit = `${r.region}/${r.action}`;
    const s = span.get(unit);
    if (s) s.last = i;
    else span.set(unit, { first: i, last: i });
  });
  const spans = [...span.values()];
  const latestFirst = Math.max(...spans.map((s) => s.first));
  const earliestLast = Math.min(...spans.map((s) => s.last));
  return { overlap: latestFirst < earliestLast, units: spans.length, calls: calls.length };
}

describe('runCleanup over several units', () => {
  it('lists the units of a multi-region run concurrently: their list calls interleave in the request log', async () => {
    await h.faults({
      rules: [
        { kind: 'latency', product: 'VpcIpam', action: 'ListIpams', ms: 100 },
        { kind: 'latency', product: 'VpcIpam', action: 'ListIpamPools', ms: 100 },
      ],
    });
    const seeds = fourUnits('il');
    await h.seed(seeds);
    const { report } = await h.run(policy);
    expect(report.ok).toBe(true);
    expect(report.totals).toMatchObject({ scanned: 1_000, untagged: 1_000 });
    expect(await listingsOverlap()).toEqual({ overlap: true, units: 4, calls: 12 });
    expect(await h.state()).toEqual(expectedAfter(seeds, dropCostCenter));
  });

  it('lists one unit after another with listConcurrency 1 (the log check above can tell the two apart)', async () => {
    await h.faults({ rules: [{ kind: 'latency', product: 'VpcIpam', action: 'ListIpams', ms: 20 }] });
    const seeds = fourUnits('serial');
    await h.seed(seeds);
    const { report } = await h.run(policy, {}, { tuning: { ...TEST_LIMITS, listConcurrency: 1 } });
    expect(report.totals).toMatchObject({ scanned: 1_000, untagged: 1_000 });
    expect(await listingsOverlap()).toEqual({ overlap: false, units: 4, calls: 12 });
    expect(await h.state()).toEqual(expectedAfter(seeds, dropCostCenter));
  });
});

describe('runCleanup with a deadline while several units are mid-listing', () => {
  /**
   * Runs until every unit has listed its first page, had that page's writes answered, and listed its
   * second page; then the deadline fires before the second pages are judged. With a planner buffer of
   * 20, each first page leaves as five full calls while listing goes on; each second page is planned
   * past the deadline, so its batches are abandoned and each unit goes back to its second page.
   */
  async function cutAtSecondPages(seeds: Seed[]) {
    const controller = new AbortController();
    const pagesOf = new Map<string, number>();
    let arrived = 0;
    let release: () => void = () => {};
    const barrier = new Promise<void>((resolve) => {
      release = resolve;
    });
    // A serial run would never bring all four units to their second page: give up after a while so the
    // test fails on its assertions instead of hanging.
    const giveUp = setTimeout(() => {
      controller.abort();
      release();
    }, 8_000);
    const written = async () => Object.values(await h.state()).filter((t) => !('CostCenter' in t)).length;
    const first = await h.run(
      policy,
      { runId: 'run-cc', signal: controller.signal },
      {
        tuning: { ...TEST_LIMITS, planBufferSize: 20 },
        onProgress: async (p) => {
          const unit = `${p.region}/${p.type}`;
          const n = (pagesOf.get(unit) ?? 0) + 1;
          pagesOf.set(unit, n);
          if (n !== 2) return;
          if (++arrived === 4) {
            while ((await written()) < 400) await new Promise((r) => setTimeout(r, 10));
            controller.abort();
            release();
          }
          await barrier;
        },
      },
    );
    clearTimeout(giveUp);
    expect(seeds).toHaveLength(1_000);
    return first;
  }

  it('leaves one cursor per unit cut, and a second run from the continuation finishes exactly', async () => {
    const seeds = fourUnits('dl');
    await h.seed(seeds);
    const first = await cutAtSecondPages(seeds);
    expect(first.report.totals).toMatchObject({
      scanned: 800,
      untagged: 400,
      skipped: 400,
      skippedBy: { deadline: 400 },
    });
    expect(first.report.totals.calls.untag).toBe(20);
    const cont = JSON.parse(JSON.stringify(first.report.continuation)) as Continuation;
    expect(cont.done).toEqual([]);
    const cursors = cont.cursors as ContinuationCursor[];
    // Every unit is cut, in policy order; each goes back to its second page (the first holding an
    // abandoned resource), so its cursor is where its first page's listing led.
    expect(cursors.map((c) => [c.region, c.type, c.lister])).toEqual([
      [R1, 'IPAM', 'ListIpams'],
      [R1, 'IPAMPOOL', 'ListIpamPools'],
      [R2, 'IPAM', 'ListIpams'],
      [R2, 'IPAMPOOL', 'ListIpamPools'],
    ]);
    expect(cont.cursor).toEqual(cursors[0]);
    expect(Object.values(await h.state()).filter((t) => !('CostCenter' in t))).toHaveLength(400);

    const second = await h.run(policy, { runId: 'run-cc', continuation: cont });
    expect(second.report.continuation).toBeUndefined();
    // Each unit resumed at its second page: 150 resources listed per unit, the 600 left all written.
    expect(second.report.totals).toMatchObject({ scanned: 600, untagged: 600 });
    expect(await h.state()).toEqual(expectedAfter(seeds, dropCostCenter));
  });

  it('still reads a continuation that carries only `cursor`: that unit resumes, the others list again', async () => {
    const seeds = fourUnits('legacy');
    await h.seed(seeds);
    const first = await cutAtSecondPages(seeds);
    const { cursors: _cursors, ...legacy } = JSON.parse(JSON.stringify(first.report.continuation)) as Continuation;
    expect(legacy.cursor).toMatchObject({ region: R1, type: 'IPAM' });

    const second = await h.run(policy, { runId: 'run-cc', continuation: legacy });
    expect(second.report.continuation).toBeUndefined();
    // R1's IPAM from its second page (150), the three other units from the start (3 x 250).
    expect(second.report.totals).toMatchObject({ scanned: 150 + 750, untagged: 600 });
    expect(await h.state()).toEqual(expectedAfter(seeds, dropCostCenter));
  });
});
