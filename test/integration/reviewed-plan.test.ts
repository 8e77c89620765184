/**
 * Reviewed plans: `run --plan` removes a key only when the plan names it and the resource still carries
 * the planned value, whatever the policy would select now. Random worlds (seeded), planned, then
 * mutated between plan and run (values changed, keys dropped, new matching keys and resources added,
 * resources deleted); the oracle reads the emulator before and after the run and checks every removal
 * against the plan file alone.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prng } from '../../emulator/prng.ts';
import { runJournaled } from '../../lib/journal/journaled-run.ts';
import type { Policy } from '../../lib/policy/schema.ts';
import { buildPlan, type PlanDocument, parsePlan } from '../../lib/reviewed-plan/document.ts';
import { planRunInput } from '../../lib/reviewed-plan/select.ts';
import { createLocalStore } from '../../lib/store/local.ts';
import { type Seed, TEST_LIMITS, useHarness } from './support/engine-harness.ts';

const h = useHarness();
const R = 'cn-hangzhou';
const TYPES = [
  ['IPAMPOOL', 'ipam-pool-'],
  ['PeerConnection', 'pcc-'],
  ['VSWITCH', 'vsw-'],
] as const;
const KEYS = ['CostCenter', 'tmp-a', 'legacy-x', 'legacy-y', 'owner', 'env'];
const VALUES = ['a', 'b', '', 'c d'];

const POLICY = {
  name: 'reviewed',
  regions: [R],
  resourceTypes: TYPES.map(([t]) => t),
  remove: { keys: ['CostCenter', 'tmp-a'], keyPatterns: ['^legacy-'] },
  protect: { keys: ['owner'] },
  dryRun: false,
} as unknown as Policy;

const deps = () => ({ cloud: h.cloud, limits: { ...TEST_LIMITS, maxIdsPerCall: 4 }, quotaScale: 50 });
const ref = (s: { type: string; id: string }) => `${s.type}|${s.id}`;

function world(rnd: () => number, n: number, from = 0): Seed[] {
  const out: Seed[] = [];
  for (let i = from; i < from + n; i++) {
    const [type, prefix] = TYPES[Math.floor(rnd() * TYPES.length)] as (typeof TYPES)[number];
    const tags: Record<string, string> = {};
    for (const k of KEYS) if (rnd() < 0.5) tags[k] = VALUES[Math.floor(rnd() * VALUES.length)] as string;
    out.push({ type, region: R, id: `${prefix}rp${i}`, tags });
  }
  return out;
}

async function planOf(runId: string): Promise<PlanDocument> {
  const { report, full } = await h.run({ ...POLICY, dryRun: true } as never, { runId }, { retainOutcomes: true });
  expect(report.ok).toBe(true);
  return buildPlan({
    policy: POLICY,
    runId,
    createdAt: new Date(0),
    resources: full
      .filter((o) => o.status === 'planned')
      .map((o) => ({ region: o.region, type: o.type, id: o.id, tags: o.values ?? {} })),
  });
}

describe('run --plan', () => {
  it.each([1, 2, 3, 4, 5, 6])(
    'removes only planned keys whose value is still the planned one (world %i)',
    async (seed) => {
      const rnd = prng(seed * 104729);
      const seeds = world(rnd, 30);
      await h.seed(seeds);
      const plan = await planOf(`plan-${seed}`);
      // The plan file round-trips through JSON and its hashes hold.
      const parsed = parsePlan(JSON.parse(JSON.stringify(plan)));
      expect(parsed.ok).toBe(true);

      // Mutate the world between plan and run.
      const changed: Seed[] = [];
      const gone: Array<{ type: string; region: string; id: string }> = [];
      for (const s of seeds) {
        const r = rnd();
        const tags = { ...s.tags };
        if (r < 0.15) gone.push(s);
        else if (r < 0.55) {
          for (const k of Object.keys(tags)) {
            const m = rnd();
            if (m < 0.25) tags[k] = `${tags[k]}-changed`;
            else if (m < 0.4) delete tags[k];
          }
          if (rnd() < 0.5) tags['legacy-new'] = 'fresh';
          if (rnd() < 0.3) tags.CostCenter = 'added-later';
          changed.push({ ...s, tags });
        }
      }
      const added = world(rnd, 6, 1000);
      await h.seed([...changed, ...added]);
      if (gone.length > 0) await h.remove(gone);
      const beforeRun = await h.state();

      const store = createLocalStore(mkdtempSync(join(tmpdir(), 'vtc-plan-')));
      const { report, full } = await runJournaled(
        { ...planRunInput(plan), runId: `apply-${seed}` },
        { ...deps(), retainOutcomes: true },
        { store, plan },
      );
      expect(report.errors).toEqual([]);
      const after = await h.state();

      // Oracle from the plan file alone: planned (resource, key, value) triples.
      const planned = new Map(plan.resources.map((r) => [`${r.type}|${r.id}`, r.tags]));
      const typeOf = new Map([...seeds, ...added].map((s) => [s.id, s.type]));
      for (const [id, tagsBefore] of Object.entries(beforeRun)) {
        const p = planned.get(ref({ type: typeOf.get(id) as string, id })) ?? {};
        const now = after[id] ?? {};
        for (const [k, v] of Object.entries(tagsBefore)) {
          const shouldGo = Object.hasOwn(p, k) && p[k] === v;
          expect(Object.hasOwn(now, k), `${id} ${k}=${v} planned=${JSON.stringify(p[k])}`).toBe(!shouldGo);
          if (!shouldGo) expect(now[k]).toBe(v);
        }
        // Nothing was added either.
        for (const k of Object.keys(now)) expect(Object.hasOwn(tagsBefore, k)).toBe(true);
      }
      // A planned resource none of whose planned values still hold is reported changed-since-plan.
      for (const r of plan.resources) {
        const now = beforeRun[r.id];
        const anyHolds = now !== undefined && Object.entries(r.tags).some(([k, v]) => now[k] === v);
        const o = full.find((x) => x.id === r.id);
        if (!anyHolds) expect(o).toMatchObject({ status: 'skipped', reason: 'changed-since-plan' });
        else expect(o?.status).toBe('untagged');
      }
      // The executed plan is kept with the run.
      expect(JSON.parse((await store.get(`apply-${seed}/plan.json`)) ?? '{}').planHash).toBe(plan.planHash);
    },
  );

  it('refuses a plan edited after it was made, naming the hash that no longer holds', async () => {
    await h.seed(world(prng(7), 5));
    const plan = await planOf('plan-tamper');
    const edited = JSON.parse(JSON.stringify(plan)) as PlanDocument;
    const first = edited.resources[0];
    if (first) first.tags = { ...first.tags, owner: 'x' };
    const parsed = parsePlan(edited);
    expect(parsed).toMatchObject({ ok: false, issues: [{ path: 'planHash' }] });
    const policyEdited = { ...JSON.parse(JSON.stringify(plan)), policy: { ...plan.policy, remove: { all: true } } };
    expect(parsePlan(policyEdited)).toMatchObject({ ok: false, issues: [{ path: 'policyHash' }] });
  });
});
