/**
 * Latency-bound: quotas off, a fixed latency on every call. The floor is the time the calls need at
 * the concurrency allowed: untag calls × latency ÷ write concurrency, list calls × latency ÷ list
 * concurrency, and the longest chain of pages that must follow each other (one per region and list
 * action), whichever is largest. The baseline is held to its own floor (all its calls through its one
 * fixed concurrency).
 */

import { TUNING } from '../../lib/catalog.ts';
import { isListApi } from '../admin.ts';
import { benchPolicy, type Dataset, seedDataset } from '../dataset.ts';
import { BASELINE_OPTIONS, measureBaseline, measureOurs, UNPACED } from '../measure.ts';
import type { EmulatorProcess } from '../processes.ts';
import type { LatencyBound } from '../results.ts';

export async function latencyBound(emu: EmulatorProcess, d: Dataset, latencyMs: number): Promise<LatencyBound> {
  const writeConcurrency = 8;
  const policy = benchPolicy(d, { concurrency: writeConcurrency });
  const prepare = async () => {
    await seedDataset(emu.admin, d);
    await emu.admin.setQuotas({ enabled: false });
    await emu.admin.setFaults([{ kind: 'latency', ms: latencyMs }]);
  };

  await prepare();
  const ours = await measureOurs(emu, policy, 'bench-latency-bound', UNPACED);
  const calls = await emu.admin.requests({ limit: 20_000 });
  const chains = new Map<string, number>();
  for (const c of calls) {
    const api = `${c.product}:${c.action}`;
    if (!isListApi(api)) continue;
    // Pages of one unit follow each other; ListTagResources chains are per key or id batch, so this
    // over-counts them: take it only for the typed lists.
    if (c.action === 'ListTagResources') continue;
    const key = `${c.region}|${api}|${c.params.ResourceType ?? ''}`;
    chains.set(key, (chains.get(key) ?? 0) + 1);
  }
  const longestChain = Math.max(0, ...chains.values());
  const untag = ours.figures.calls.untag;
  const list = ours.figures.calls.list;
  const floorMs = Math.max(
    (untag * latencyMs) / writeConcurrency,
    (list * latencyMs) / TUNING.listConcurrency,
    longestChain * latencyMs,
  );

  await prepare();
  const base = await measureBaseline(emu, policy);
  await emu.admin.clearFaults();
  const baseFloor = (base.figures.calls.total * latencyMs) / BASELINE_OPTIONS.concurrency;

  return {
    latencyMs,
    concurrency: { write: writeConcurrency, list: TUNING.listConcurrency },
    floorMs,
    simpleFloorMs: (ours.figures.calls.total * latencyMs) / writeConcurrency,
    ours: { ...ours.figures, wallVsFloor: ours.figures.wallMs / floorMs },
    baseline: { ...base.figures, floorMs: baseFloor, wallVsFloor: base.figures.wallMs / baseFloor },
  };
}
