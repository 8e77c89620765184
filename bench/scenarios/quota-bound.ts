/**
 * Quota-bound: the data set at the published quotas, scaled so the run takes seconds. The floor is what
 * the quotas allow for the calls our engine needed: for each (region, API), ok calls ÷ scaled rate; the
 * largest over the untag APIs, plus the largest over the list APIs (a unit's writes cannot all start
 * before its listing). Ours and the baseline are both divided by that same floor.
 */
import { isListApi, isUntagApi, type LoggedCall } from '../admin.ts';
import { benchPolicy, type Dataset, seedDataset } from '../dataset.ts';
import { measureBaseline, measureOurs } from '../measure.ts';
import type { EmulatorProcess } from '../processes.ts';
import type { QuotaBound } from '../results.ts';

const RING = 20_000;

export async function quotaBound(emu: EmulatorProcess, d: Dataset, quotaScale: number): Promise<QuotaBound> {
  const policy = benchPolicy(d);
  const prepare = async () => {
    await seedDataset(emu.admin, d);
    await emu.admin.setQuotas({ enabled: true, scale: quotaScale });
  };

  await prepare();
  const ours = await measureOurs(emu, policy, 'bench-quota-bound', quotaScale);
  const oursCalls = await emu.admin.requests({ limit: RING });
  const quotas = await emu.admin.quotas();
  const floor = quotaFloor(oursCalls, quotas.perMinute, quotaScale);

  await prepare();
  const base = await measureBaseline(emu, policy);
  await emu.admin.setQuotas({ enabled: false });

  const share = (throttled: number, total: number) => (total === 0 ? 0 : throttled / total);
  return {
    quotaScale,
    floorMs: floor.ms,
    floorWithBurstMs: floor.withBurstMs,
    floorDetail: floor.detail,
    ours: {
      ...ours.figures,
      wallVsFloor: ours.figures.wallMs / floor.ms,
      throttledShare: share(ours.figures.calls.throttled, ours.stats.total),
    },
    baseline: {
      ...base.figures,
      wallVsFloor: base.figures.wallMs / floor.ms,
      throttledShare: share(base.figures.calls.throttled, base.stats.total),
    },
  };
}

export function quotaFloor(calls: LoggedCall[], perMinute: Record<string, number>, scale: number) {
  const counts = new Map<string, number>();
  for (const c of calls) {
    if (c.code !== 'OK') continue;
    const key = `${c.region}|${c.product}:${c.action}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const detail: QuotaBound['floorDetail'] = {};
  let untagS = 0;
  let listS = 0;
  // The emulator's buckets start full with one second's worth of tokens: a run that spends that burst
  // first can beat calls ÷ rate by up to a second per API. Filed beside the floor.
  let untagBurstS = 0;
  let listBurstS = 0;
  for (const [key, n] of counts) {
    const api = key.slice(key.indexOf('|') + 1);
    const perSecond = ((perMinute[api] ?? 300) * scale) / 60;
    const seconds = n / perSecond;
    detail[key] = { calls: n, perSecond: Number(perSecond.toFixed(3)), seconds: Number(seconds.toFixed(3)) };
    const burstSeconds = Math.max(0, n - Math.max(1, perSecond)) / perSecond;
    if (isUntagApi(api)) {
      untagS = Math.max(untagS, seconds);
      untagBurstS = Math.max(untagBurstS, burstSeconds);
    } else if (isListApi(api)) {
      listS = Math.max(listS, seconds);
      listBurstS = Math.max(listBurstS, burstSeconds);
    }
  }
  return { ms: (untagS + listS) * 1000, withBurstMs: (untagBurstS + listBurstS) * 1000, detail };
}
