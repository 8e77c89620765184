/**
 * Behaviour modes (issue 9): what correctness costs under each reading of the docs, measured.
 * - Calls: the call-efficiency data set (IPAM pools + peers, typed lists) and a Vpc data set listed by
 *   `Tag.N.Key` streams, under the default modes, `listTagsByKey=matching` and `untagAbsentKey=error`,
 *   each against the same untag lower bound (bench/expected.ts), the final state checked tag by tag.
 * - Quota windows: the data set at published quotas x scale under `quotaWindow=smooth` (floor: calls ÷
 *   rate, as in quota-bound) and `minute` (floor: the same run with quotas off, since fewer than N calls
 *   need not wait at all), plus one `minute` run past one window at a tenth of the published quotas
 *   (floor: the unpaced run plus 60 s per full window the busiest API fills).
 */
import type { AdminResource, EmulatorAdmin } from '../admin.ts';
import { benchPolicy, type Dataset, datasetResources, EXACT_KEYS, KEY_POOL, seedDataset } from '../dataset.ts';
import { checkState, expectationFor, type PolicyShape, untagLowerBound } from '../expected.ts';
import { measureOurs, UNPACED } from '../measure.ts';
import type { EmulatorProcess } from '../processes.ts';
import type { CallFigures } from '../results.ts';
import { quotaFloor } from './quota-bound.ts';

export interface ModeCalls {
  mode: string;
  calls: CallFigures;
  untagLowerBound: number;
  untagVsLowerBound: number;
  /** Total calls ÷ (lower bound + the default mode's list calls). */
  totalVsDefault: number;
  stateExact: boolean;
  ok: boolean;
}

export interface WindowRun {
  window: 'smooth' | 'minute';
  wallMs: number;
  floorMs: number;
  wallVsFloor: number;
  throttledShare: number;
  stateExact: boolean;
}

export interface BehaviourModes {
  ipamPeer: ModeCalls[];
  vpcKeyStreams: ModeCalls[];
  quotaWindows: WindowRun[];
  quotaScale: number;
}

const VPC_REGION = 'cn-hangzhou';
const VPC_COUNT = 1_000;

async function setBehaviour(admin: EmulatorAdmin, settings: Record<string, string>): Promise<void> {
  const res = await fetch(`${admin.base}/__admin/behaviour`, { method: 'PUT', body: JSON.stringify(settings) });
  if (!res.ok) throw new Error(`behaviour ${JSON.stringify(settings)}: ${res.status} ${await res.text()}`);
}

async function vpcResources(admin: EmulatorAdmin): Promise<AdminResource[]> {
  return admin.resources({ type: 'VSWITCH', region: VPC_REGION });
}

async function seedVpc(admin: EmulatorAdmin): Promise<void> {
  await admin.reset();
  await admin.generate({
    types: ['VSWITCH'],
    regions: [VPC_REGION],
    count: VPC_COUNT,
    keys: KEY_POOL,
    tagsPerResource: [3, 8],
    seed: 11,
  });
}

/** Five exact keys and a protecting tag: key streams whose verdict looks beyond the listed key. */
const vpcPolicy = {
  name: 'bench-modes-vpc',
  regions: [VPC_REGION],
  resourceTypes: ['VSWITCH'],
  remove: { keys: EXACT_KEYS.slice(0, 5) },
  protect: { resourceTag: { key: 'keep-0' } },
};

async function callsUnder(
  emu: EmulatorProcess,
  mode: Record<string, string>,
  policy: PolicyShape & { name: string },
  seed: () => Promise<void>,
  read: () => Promise<AdminResource[]>,
): Promise<Omit<ModeCalls, 'totalVsDefault'>> {
  await seed();
  await emu.admin.setQuotas({ enabled: false });
  await setBehaviour(emu.admin, mode);
  const before = await read();
  const bound = untagLowerBound(expectationFor(policy, before));
  const ours = await measureOurs(emu, policy, `bench-modes-${Object.values(mode).join('-') || 'default'}`, UNPACED);
  const check = checkState(policy, before, await read());
  return {
    mode:
      Object.entries(mode)
        .map(([k, v]) => `${k}=${v}`)
        .join(',') || 'defaults',
    calls: ours.figures.calls,
    untagLowerBound: bound,
    untagVsLowerBound: bound === 0 ? 1 : ours.figures.calls.untag / bound,
    stateExact: check.notRemoved.length === 0 && check.wronglyTouched.length === 0,
    ok: ours.figures.ok === true,
  };
}

async function callTable(
  emu: EmulatorProcess,
  policy: PolicyShape & { name: string },
  seed: () => Promise<void>,
  read: () => Promise<AdminResource[]>,
): Promise<ModeCalls[]> {
  const modes = [{}, { listTagsByKey: 'matching' }, { untagAbsentKey: 'error' }];
  const rows: Array<Omit<ModeCalls, 'totalVsDefault'>> = [];
  for (const mode of modes) rows.push(await callsUnder(emu, mode, policy, seed, read));
  const reference = rows[0]!.untagLowerBound + rows[0]!.calls.list;
  return rows.map((r) => ({ ...r, totalVsDefault: r.calls.total / reference }));
}

async function windowRun(
  emu: EmulatorProcess,
  d: Dataset,
  window: 'smooth' | 'minute',
  quotaScale: number,
): Promise<WindowRun> {
  const policy = benchPolicy(d, { name: `bench-window-${window}` });
  const prepare = async (quotas: boolean) => {
    await seedDataset(emu.admin, d);
    await setBehaviour(emu.admin, { quotaWindow: window });
    await emu.admin.setQuotas({ enabled: quotas, scale: quotaScale });
  };
  const before = await (async () => {
    await prepare(true);
    return datasetResources(emu.admin, d);
  })();
  const ours = await measureOurs(emu, policy, `bench-window-${window}`, quotaScale);
  const check = checkState(policy, before, await datasetResources(emu.admin, d));
  const calls = await emu.admin.requests({ limit: 20_000 });
  const quotas = await emu.admin.quotas();
  let floorMs: number;
  if (window === 'smooth') floorMs = quotaFloor(calls, quotas.perMinute, quotaScale).ms;
  else {
    // Fewer than N calls need not wait: the floor is the same run unpaced, plus 60 s per window filled.
    await prepare(false);
    const free = await measureOurs(emu, policy, `bench-window-${window}-free`, UNPACED);
    floorMs = free.figures.wallMs + 60_000 * windowsFilled(calls, quotas.perMinute, quotaScale);
  }
  return {
    window,
    wallMs: ours.figures.wallMs,
    floorMs,
    wallVsFloor: ours.figures.wallMs / floorMs,
    throttledShare: ours.stats.total === 0 ? 0 : ours.figures.calls.throttled / ours.stats.total,
    stateExact: check.notRemoved.length === 0 && check.wronglyTouched.length === 0,
  };
}

/** Under a minute window: full windows an API's ok calls fill before the last call can go (max over APIs). */
function windowsFilled(
  calls: Array<{ code: string; region: string; product: string; action: string }>,
  perMinute: Record<string, number>,
  scale: number,
): number {
  const counts = new Map<string, number>();
  for (const c of calls) {
    if (c.code !== 'OK') continue;
    const key = `${c.region}|${c.product}:${c.action}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let most = 0;
  for (const [key, n] of counts) {
    const limit = Math.max(1, Math.floor((perMinute[key.slice(key.indexOf('|') + 1)] ?? 300) * scale));
    most = Math.max(most, Math.floor((n - 1) / limit));
  }
  return most;
}

export async function behaviourModes(emu: EmulatorProcess, d: Dataset, quotaScale: number): Promise<BehaviourModes> {
  const ipamPolicy = benchPolicy(d, { name: 'bench-modes-ipam' });
  const ipamPeer = await callTable(
    emu,
    ipamPolicy,
    () => seedDataset(emu.admin, d),
    () => datasetResources(emu.admin, d),
  );
  const vpcKeyStreams = await callTable(
    emu,
    vpcPolicy,
    () => seedVpc(emu.admin),
    () => vpcResources(emu.admin),
  );
  const quotaWindows = [
    await windowRun(emu, d, 'smooth', quotaScale),
    await windowRun(emu, d, 'minute', quotaScale),
    // Past one window: quotas at a tenth of the published ones, so the untag calls need about two windows.
    await windowRun(emu, { ...d, pools: Math.min(d.pools, 1_000), peers: Math.min(d.peers, 200) }, 'minute', 0.1),
  ];
  return { ipamPeer, vpcKeyStreams, quotaWindows, quotaScale };
}
