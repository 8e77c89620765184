/**
 * The mode matrix (issue 9 item 5): the reliability suite's oracle worlds (test/reliability/support, its
 * expectation from bench/expected.ts, independent of lib/select.ts and lib/plan.ts) run with each
 * behaviour switch flipped one at a time, and a few seeded random combinations. In every cell: zero
 * wrong tags, every tag that should go gone, the report's counts equal to what changed, no failures.
 *
 * Each cell runs IPAM/peer worlds and Vpc worlds under transient faults, and one Vpc world cut by its
 * deadline and finished through continuations (the only path on which a page-numbered list resumes deep).
 * IPAM worlds hold pools whose IPAM is hosted in another region (ipamPoolRegion). Cells that set
 * fcInvokeSignature (and the defaults) also run a world through the function itself on the emulator's FC:
 * fanned out per region, each shard cut by a short timeout and finished by continuation hops, every
 * invocation signed as that cell's gateway accepts (the FC 3.0 SDK under acs3).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AdminResource, FaultRule } from '../../bench/admin.ts';
import { resourceKey } from '../../bench/expected.ts';
import { BEHAVIOUR_NAMES, BEHAVIOURS, type BehaviourName, type BehaviourSettings } from '../../emulator/behaviour.ts';
import { createInvoker } from '../../lib/invoker/index.ts';
import type { Continuation, Report, ResourceOutcome } from '../../lib/types.ts';
import { type BuiltBundle, buildBundle } from '../integration/support/function-bundle.ts';
import {
  describeFailure,
  FAULT_LIMITS,
  loadWorld,
  type Reliability,
  runWorld,
  startReliability,
  stateOf,
  verdict,
} from '../reliability/support/harness.ts';
import { makeWorld, prng, type World } from '../reliability/support/world.ts';

/**
 * Switches whose engine side is not built yet; their cells join the matrix when it lands (delete the
 * entry, and the cells below pick the switch up from the behaviour table). Empty: every switch is in.
 */
const AWAITING: Partial<Record<BehaviourName, string>> = {};

const IN_MATRIX = BEHAVIOUR_NAMES.filter((n) => AWAITING[n] === undefined);

function cells(): Array<[string, BehaviourSettings]> {
  const out: Array<[string, BehaviourSettings]> = [['defaults', {}]];
  for (const name of IN_MATRIX)
    for (const value of BEHAVIOURS[name].values as readonly string[])
      if (value !== BEHAVIOURS[name].default) out.push([`${name}=${value}`, { [name]: value }]);
  const rnd = prng(9_009);
  for (let i = 0; i < 3; i++) {
    const combo: Record<string, string> = {};
    for (const name of IN_MATRIX) {
      const values = BEHAVIOURS[name].values as readonly string[];
      combo[name] = values[Math.floor(rnd() * values.length)] as string;
    }
    out.push([`random#${i} ${JSON.stringify(combo)}`, combo as BehaviourSettings]);
  }
  return out;
}

const FAULTS: FaultRule[] = [
  { kind: 'error', code: 'ServiceUnavailable', status: 503, rate: 0.1 },
  { kind: 'reset', rate: 0.08 },
  { kind: 'applied-then-lost', rate: 0.15 },
];

let h: Reliability;
let bundle: BuiltBundle;
beforeAll(async () => {
  [h, bundle] = await Promise.all([startReliability(), buildBundle()]);
}, 60_000);
afterAll(async () => {
  await h?.close();
  await bundle?.dispose();
});

/** Tags removed and continuation hops over the whole matrix (neither may be zero: nothing vacuous). */
const tally = { removed: 0, hops: 0, cells: 0, vanished: 0, fcHops: 0, hostedPools: 0 };

async function setBehaviour(settings: BehaviourSettings): Promise<void> {
  const res = await fetch(`${h.emu.url}/__admin/behaviour`, { method: 'PUT', body: JSON.stringify(settings) });
  if (!res.ok) throw new Error(`behaviour ${JSON.stringify(settings)}: ${res.status}`);
}

/** quotaWindow shapes only a quota that is on: those cells run the engine paced against real quotas. */
const QUOTA_SCALE = 20;

async function prepare(world: World, settings: BehaviourSettings, faults: FaultRule[]): Promise<boolean> {
  await loadWorld(h, world, faults);
  await setBehaviour(settings);
  const paced = settings.quotaWindow !== undefined;
  if (paced) await h.admin.setQuotas({ enabled: true, scale: QUOTA_SCALE });
  return paced;
}

function judge(
  world: World,
  after: Awaited<ReturnType<typeof stateOf>>,
  totals: Report['totals'],
  last?: Report,
  gone: ReadonlySet<string> = new Set(),
) {
  const v = verdict(world, after, gone);
  const why = describeFailure(world, v, last);
  expect(v.check.wronglyTouched, why).toEqual([]);
  expect(v.check.notRemoved, why).toEqual([]);
  expect(v.changed, why).toBe(v.expectedChanged);
  expect(totals.untagged, why).toBe(v.changed);
  expect(totals.keysRemoved, why).toBe(v.removed);
  expect(totals.failed, why).toBe(0);
  tally.removed += v.removed;
}

async function underFaults(world: World, settings: BehaviourSettings): Promise<void> {
  const paced = await prepare(world, settings, FAULTS);
  const { report } = await runWorld(h, world, {}, paced ? { quotaScale: QUOTA_SCALE } : {});
  await h.admin.clearFaults();
  judge(world, await stateOf(h, world), report.totals, report);
}

/** A fifth of the resources deleted once the first page is in (their untag calls meet not-found). */
async function withVanishing(world: World, settings: BehaviourSettings): Promise<void> {
  const paced = await prepare(world, settings, [{ kind: 'latency', ms: 1, jitterMs: 2 }]);
  const rnd = prng(world.seed);
  const doomed = world.resources.filter(() => rnd() < 0.2);
  let fired = false;
  const { report } = await runWorld(
    h,
    world,
    {},
    {
      ...(paced ? { quotaScale: QUOTA_SCALE } : {}),
      onProgress: async () => {
        if (fired || doomed.length === 0) return;
        fired = true;
        await h.admin.deleteResources(doomed.map(({ type, region, id }) => ({ type, region, id })));
      },
    },
  );
  tally.vanished += report.resources.filter((r) => r.reason === 'not-found').length;
  judge(world, await stateOf(h, world), report.totals, report, new Set(doomed.map(resourceKey)));
}

/** Pools of two regions (some hosted in the other's IPAM, some outside the policy) and peers, fanned out. */
function fcWorld(seed: number): World {
  const rnd = prng(seed);
  const resources: AdminResource[] = [];
  for (const region of ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'])
    for (const [type, prefix, n] of [
      ['IPAMPOOL', 'ipam-pool-', 240],
      ['PeerConnection', 'pcc-', 20],
    ] as const)
      for (let i = 0; i < (region === 'cn-beijing' ? 3 : n); i++) {
        const tags: Record<string, string> = { keep: 'k' };
        if (rnd() < 0.8) tags['tmp-a'] = 'x';
        if (rnd() < 0.3) tags.legacy = 'y';
        if (rnd() < 0.05) tags['cleanup-protect'] = 'true';
        const hosted = type === 'IPAMPOOL' && region !== 'cn-hangzhou' && i % 2 === 0;
        resources.push({
          type,
          region,
          id: `${prefix}f${seed}-${region.slice(3, 6)}-${i}`,
          tags,
          ...(hosted ? { ipamRegion: 'cn-hangzhou' } : {}),
        });
      }
  const policy = {
    name: `fc-${seed}`,
    regions: ['cn-hangzhou', 'cn-shanghai'],
    resourceTypes: ['IPAMPOOL', 'PeerConnection'],
    remove: { keys: ['legacy'], keyPatterns: ['^tmp-'] },
    protect: { resourceTag: { key: 'cleanup-protect', value: 'true' } },
    dryRun: false,
    limits: { concurrency: 1 },
    fanOut: true,
  };
  return { seed, resources, policy };
}

interface FcInvocation {
  taskId?: string;
  status: string;
  attempts: number;
  result?: { totals?: Report['totals']; continuation?: unknown };
}

/** The function on the emulator's FC: a 3 s timeout with a 2 s margin and paced writes force hops. */
async function throughFc(world: World, settings: BehaviourSettings, runId: string): Promise<number> {
  await loadWorld(h, world, []);
  await setBehaviour(settings);
  await h.admin.setQuotas({ enabled: true, scale: 1 });
  h.emu.fc.register({
    name: 'vpc-tag-cleanup',
    modulePath: bundle.bundlePath,
    timeoutSeconds: 3,
    maxAsyncRetryAttempts: 0,
    env: {
      VPC_TAG_CLEANUP_ENDPOINT: h.emu.endpoint,
      VPC_TAG_CLEANUP_FC_ENDPOINT: h.emu.url,
      VPC_TAG_CLEANUP_STORE: 'none',
      VPC_TAG_CLEANUP_QUOTA_SCALE: '1',
      VPC_TAG_CLEANUP_LIMITS: JSON.stringify({ deadlineMarginMs: 2000, deadlineMarginShare: 0.7, planBufferSize: 20 }),
    },
  });
  const signature = settings.fcInvokeSignature === 'fc' || settings.fcInvokeSignature === undefined ? 'fc' : 'acs3';
  const invoker = createInvoker(
    {
      credentials: { accessKeyId: h.emu.accessKeyId, accessKeySecret: h.emu.accessKeySecret },
      accountId: h.emu.accountId,
      region: h.emu.region,
      endpoint: h.emu.url,
    },
    { api: '2023-03-30', signature },
  );
  // The function logs one JSON line per report: hundreds over the matrix.
  const quiet = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    const started = await invoker.invokeAsync('vpc-tag-cleanup', { policy: world.policy, runId }, runId);
    expect(started.status, JSON.stringify(started)).toBe('started');
    expect(await h.emu.fc.idle(60_000)).toBe(true);
  } finally {
    quiet.mockRestore();
  }
  const all = h.emu.fc.invocations({ functionName: 'vpc-tag-cleanup' }) as unknown as FcInvocation[];
  // Every invocation (the parent, one shard per region, their hops) ran once and handed over in time.
  expect(all.map((i) => [i.taskId, i.status, i.attempts])).toEqual(all.map((i) => [i.taskId, 'succeeded', 1]));
  expect(all.filter((i) => i.taskId?.startsWith(`${runId}-shard-`))).toHaveLength(2);
  const totals = { untagged: 0, keysRemoved: 0, failed: 0 } as Report['totals'];
  for (const i of all) {
    totals.untagged += i.result?.totals?.untagged ?? 0;
    totals.keysRemoved += i.result?.totals?.keysRemoved ?? 0;
    totals.failed += i.result?.totals?.failed ?? 0;
  }
  await h.admin.setQuotas({ enabled: false });
  judge(world, await stateOf(h, world), totals);
  const hops = all.filter((i) => /-hop-\d+$/.test(i.taskId ?? '')).length;
  tally.fcHops += hops;
  return hops;
}

async function throughContinuations(world: World, settings: BehaviourSettings): Promise<void> {
  const paced = await prepare(world, settings, []);
  const totals = { untagged: 0, keysRemoved: 0, failed: 0 } as Report['totals'];
  let continuation: Continuation | undefined;
  let last: Report | undefined;
  let hops = 0;
  do {
    const deadline = new AbortController();
    let pages = 0;
    let untagged = 0;
    const cut = () => {
      if (pages >= 3 && untagged > 0) deadline.abort(new Error('deadline'));
    };
    const { report } = await runWorld(
      h,
      world,
      { signal: deadline.signal, ...(continuation ? { continuation } : {}) },
      {
        tuning: { ...FAULT_LIMITS, planBufferSize: 20, listConcurrency: 1 },
        ...(paced ? { quotaScale: QUOTA_SCALE } : {}),
        // Cut each hop after its third page, once a write has landed (a deadline shorter than one write
        // makes no progress under untagAbsentKey=error: see the closing note): units resume from deep cursors.
        onProgress: () => {
          pages++;
          cut();
        },
        onOutcome: (o: ResourceOutcome) => {
          if (o.status === 'untagged') untagged++;
          cut();
        },
      },
    );
    last = report;
    totals.untagged += report.totals.untagged;
    totals.keysRemoved += report.totals.keysRemoved;
    totals.failed += report.totals.failed;
    continuation = report.continuation;
    hops++;
  } while (continuation && hops < 60);
  expect(continuation, `seed ${world.seed}: no end after ${hops} hops`).toBeUndefined();
  tally.hops += hops - 1;
  judge(world, await stateOf(h, world), totals, last);
}

describe.each(cells().map((c, i) => [...c, i] as const))('mode cell %s', (_name, settings, index) => {
  it('IPAM and peer worlds under transient faults end exact', async () => {
    for (const seed of [1, 2, 3]) {
      const world = makeWorld(91_000 + seed, { hostedPools: true });
      tally.hostedPools += world.resources.filter((r) => r.ipamRegion !== undefined).length;
      await underFaults(world, settings);
    }
    tally.cells++;
  });

  it('Vpc worlds (key streams, Describe* pages) under transient faults end exact', async () => {
    // Exact keys + protect (key streams that need whole tag sets), patterns, patterns + match.tags.
    for (const seed of [92_001, 92_002, 92_003])
      await underFaults(makeWorld(seed, { types: ['VPC', 'VSWITCH'], maxPerUnit: 90 }), settings);
    // Two exact keys, nothing else: a resource met by the first stream must still lose the second key.
    await underFaults(makeWorld(93_007, { types: ['VSWITCH'], maxPerUnit: 200 }), settings);
  });

  it('worlds whose resources vanish mid-run end exact, the vanished ones untouched by the report', async () => {
    await withVanishing(makeWorld(94_001, { hostedPools: true }), settings);
    await withVanishing(makeWorld(94_002, { types: ['VPC', 'VSWITCH'], maxPerUnit: 60 }), settings);
  });

  it('Vpc worlds cut by their deadline end exact through continuations', async () => {
    // remove.all through DescribeVSwitches (deep resumes), and remove.all + match.tags (a tag-filtered
    // page-numbered list its own writes shift).
    for (const seed of [93_011, 93_008])
      await throughContinuations(makeWorld(seed, { types: ['VSWITCH'], maxPerUnit: 200 }), settings);
  });

  it.runIf(index === 0 || settings.fcInvokeSignature !== undefined)(
    'a world fanned out over FC and finished by continuation hops ends exact',
    async () => {
      const hops = await throughFc(fcWorld(95_001), settings, `mx${index}`);
      // Under acs3 alone (smooth quotas) the shards must have needed hops: fan-out and continuation both ran on ACS3.
      if (settings.fcInvokeSignature === 'acs3' && Object.keys(settings).length === 1) expect(hops).toBeGreaterThan(0);
    },
    90_000,
  );
});

describe('the matrix itself', () => {
  it('covers every registered switch, or names the branch whose engine work it waits for', () => {
    for (const name of BEHAVIOUR_NAMES) expect(IN_MATRIX.includes(name) || AWAITING[name] !== undefined).toBe(true);
    expect(IN_MATRIX.length).toBeGreaterThanOrEqual(4);
  });

  it('removed tags and needed continuations (no cell passed vacuously)', () => {
    expect(tally.cells).toBe(cells().length);
    expect(tally.removed).toBeGreaterThan(0);
    expect(tally.hops).toBeGreaterThan(tally.cells);
    expect(tally.vanished).toBeGreaterThan(0);
    expect(tally.fcHops).toBeGreaterThan(0);
    expect(tally.hostedPools).toBeGreaterThan(0);
  });
});
