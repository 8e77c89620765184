/**
 * Many accounts (issue 11): a Resource Directory of `accounts` members × `regions`, quota-bound, run by
 * the CLI's in-process runner (lib/accounts/run-accounts.ts) against the emulator child through the STS
 * and Resource Directory SDKs. The target compares the wall time with the slowest single shard's floor:
 * for each (account, region), the largest untag API's ok calls ÷ its rate plus the largest list API's
 * (quotas are per account, region and API, so shards of different accounts never share a bucket). STS
 * calls are counted against accounts × (1 + refreshes); a session lasts an hour, so a run of seconds
 * refreshes none.
 */

import { runAccounts } from '../../lib/accounts/run-accounts.ts';
import type { Policy } from '../../lib/policy/schema.ts';
import { isListApi, isUntagApi, type LoggedCall } from '../admin.ts';
import type { EmulatorProcess } from '../processes.ts';

export interface ManyAccounts {
  accounts: number;
  regions: number;
  resourcesPerShard: number;
  quotaScale: number;
  wallMs: number;
  slowestShardFloorMs: number;
  slowestShard: string;
  wallVsSlowestShardFloor: number;
  stsCalls: number;
  stsBound: number;
  listAccountsCalls: number;
  calls: { list: number; untag: number; throttled: number };
  ok: boolean;
}

const REGIONS = ['cn-hangzhou', 'cn-shanghai'];
const ROLE = 'vpc-tag-cleanup-member';
const RING = 20_000;

export async function manyAccounts(
  emu: EmulatorProcess,
  options: { accounts: number; resourcesPerShard: number; quotaScale: number },
): Promise<ManyAccounts> {
  await emu.admin.reset();
  const ids = Array.from({ length: options.accounts }, (_, i) => String(3_000_000_000_000_001 + i));
  const res = await fetch(`${emu.url}/__admin/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      accounts: ids.map((accountId) => ({ accountId, roles: [{ roleName: ROLE, trust: [MANAGEMENT] }] })),
    }),
  });
  if (!res.ok) throw new Error(`seeding accounts: ${res.status} ${await res.text()}`);
  for (const accountId of ids) {
    const resources = REGIONS.flatMap((region) =>
      Array.from({ length: options.resourcesPerShard }, (_, i) => ({
        accountId,
        type: 'IPAMPOOL',
        region,
        id: `ipam-pool-${accountId}-${region}-${i}`,
        tags: { tmp: 'x', keep: 'k' },
      })),
    );
    await emu.admin.seed(resources);
  }
  await emu.admin.setQuotas({ enabled: true, scale: options.quotaScale });
  const policy = {
    name: 'bench-many-accounts',
    regions: REGIONS,
    resourceTypes: ['IPAMPOOL'],
    remove: { keys: ['tmp'] },
    dryRun: false,
    accounts: { roleName: ROLE, resourceDirectory: true as const },
  } as Policy & { accounts: NonNullable<Policy['accounts']> };
  const t0 = performance.now();
  const result = await runAccounts(policy, 'bench-many-accounts', {
    // The emulator child takes the same keys it inherits (its defaults otherwise).
    credentials: {
      accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID ?? 'testAccessKeyId',
      accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET ?? 'testAccessKeySecret',
    },
    endpoint: emu.endpoint,
    quotaScale: options.quotaScale,
  });
  const wallMs = performance.now() - t0;
  const calls = await emu.admin.requests({ limit: RING });
  const quotas = await emu.admin.quotas();
  const floor = slowestShardFloor(calls, quotas.perMinute, options.quotaScale);
  const t = result.merged.totals;
  return {
    accounts: options.accounts,
    regions: REGIONS.length,
    resourcesPerShard: options.resourcesPerShard,
    quotaScale: options.quotaScale,
    wallMs: Math.round(wallMs),
    slowestShardFloorMs: Math.round(floor.ms),
    slowestShard: floor.shard,
    wallVsSlowestShardFloor: Number((wallMs / floor.ms).toFixed(3)),
    stsCalls: calls.filter((c) => c.action === 'AssumeRole').length,
    // No session of an hour expires in a run of seconds: the bound is one call per account.
    stsBound: options.accounts,
    listAccountsCalls: calls.filter((c) => c.action === 'ListAccounts').length,
    calls: { list: t.calls.list, untag: t.calls.untag, throttled: t.calls.throttled },
    ok: result.merged.ok && t.untagged === options.accounts * REGIONS.length * options.resourcesPerShard,
  };
}

const MANAGEMENT = '1234567890123456';
/** The products whose quotas bound a shard (STS and Resource Directory calls are the runner's, not a shard's). */
const PRODUCTS = new Set(['VpcIpam', 'VpcPeer', 'Vpc']);

/** Per (account, region): the largest untag API's seconds plus the largest list API's; the slowest shard's. */
export function slowestShardFloor(calls: LoggedCall[], perMinute: Record<string, number>, scale: number) {
  const counts = new Map<string, number>();
  for (const c of calls) {
    if (c.code !== 'OK' || !c.accountId || !PRODUCTS.has(c.product)) continue;
    const key = `${c.accountId}|${c.region}|${c.product}:${c.action}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const shards = new Map<string, { untag: number; list: number }>();
  for (const [key, n] of counts) {
    const [account, region, api] = key.split('|') as [string, string, string];
    const seconds = n / (((perMinute[api] ?? 300) * scale) / 60);
    const s = shards.get(`${account}/${region}`) ?? { untag: 0, list: 0 };
    if (isUntagApi(api)) s.untag = Math.max(s.untag, seconds);
    else if (isListApi(api)) s.list = Math.max(s.list, seconds);
    shards.set(`${account}/${region}`, s);
  }
  let worst = { shard: '', ms: 0 };
  for (const [shard, s] of shards) {
    const ms = (s.untag + s.list) * 1000;
    if (ms > worst.ms) worst = { shard, ms };
  }
  return worst;
}
