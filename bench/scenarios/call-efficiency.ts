/**
 * Call efficiency: the data set with quotas off, ours and the baseline on identical seeded data. Untag
 * calls against the lower bound, list calls, total calls against the baseline, and the final state of
 * each run checked tag by tag against the expectation computed from the seed data.
 */

import type { ResourceType } from '../../lib/catalog.ts';
import { untagCallLowerBound } from '../../lib/plan.ts';
import {
  benchPolicy,
  type Dataset,
  datasetResources,
  datasetSize,
  EXACT_KEYS,
  KEY_PATTERN,
  KEY_POOL,
  seedDataset,
} from '../dataset.ts';
import { checkState, expectationFor, untagLowerBound } from '../expected.ts';
import { BASELINE_OPTIONS, measureBaseline, measureOurs, UNPACED } from '../measure.ts';
import type { EmulatorProcess } from '../processes.ts';
import type { CallEfficiency } from '../results.ts';

export async function callEfficiency(emu: EmulatorProcess, d: Dataset): Promise<CallEfficiency> {
  const policy = benchPolicy(d);
  await seedDataset(emu.admin, d);
  await emu.admin.setQuotas({ enabled: false });
  const before = await datasetResources(emu.admin, d);
  const exp = expectationFor(policy, before);
  const lowerBound = untagLowerBound(exp);
  // The planner's own figure for the same bound, from the same selections: the two should agree.
  const engineLowerBound = untagCallLowerBound(
    [...exp.removals].map(([k, keys]) => {
      const [type, region, id] = k.split('|') as [ResourceType, string, string];
      return { type, region, id, keys, action: 'remove' as const, all: false };
    }),
    20,
  );

  const ours = await measureOurs(emu, policy, 'bench-call-efficiency', UNPACED);
  const oursCheck = checkState(policy, before, await datasetResources(emu.admin, d));

  await seedDataset(emu.admin, d);
  await emu.admin.setQuotas({ enabled: false });
  const base = await measureBaseline(emu, policy);
  const baseCheck = checkState(policy, before, await datasetResources(emu.admin, d));

  // The other simple tool: the typed list alone finds the resources (fewer list calls, same writes).
  await seedDataset(emu.admin, d);
  await emu.admin.setQuotas({ enabled: false });
  const typed = await measureBaseline(emu, policy, { ...BASELINE_OPTIONS, discovery: 'typed' });
  const typedCheck = checkState(policy, before, await datasetResources(emu.admin, d));

  return {
    dataset: {
      resources: datasetSize(d),
      perType: { IPAMPOOL: d.pools * d.regions.length, PeerConnection: d.peers * d.regions.length },
      regions: d.regions,
      keyPool: KEY_POOL.length,
      policyKeys: EXACT_KEYS.length,
      patterns: [KEY_PATTERN],
    },
    changed: exp.removals.size,
    keysRemoved: exp.keysRemoved,
    untagLowerBound: lowerBound,
    engineLowerBound,
    ours: ours.figures,
    baseline: base.figures,
    untagVsLowerBound: ours.figures.calls.untag / lowerBound,
    baselineTotalVsOurs: base.figures.calls.total / ours.figures.calls.total,
    baselineTyped: typed.figures,
    baselineTypedTotalVsOurs: typed.figures.calls.total / ours.figures.calls.total,
    wrongTags: {
      ours: oursCheck.notRemoved.length + oursCheck.wronglyTouched.length,
      baseline: baseCheck.notRemoved.length + baseCheck.wronglyTouched.length,
      baselineTyped: typedCheck.notRemoved.length + typedCheck.wronglyTouched.length,
    },
  };
}
