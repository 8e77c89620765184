/**
 * One (account, region) shard: the policy narrowed to the region, run with the member's refreshed
 * credentials and the account's own rate limiter, counted by resource type, its record written to the
 * store. Used by the CLI (in-process, many at once) and by the function (one shard per invocation).
 */
import type { Tuning } from '../catalog.ts';
import { createCloudPort } from '../cloud/client.ts';
import type { RateLimiter } from '../execute/rate-limiter.ts';
import type { Policy } from '../policy/schema.ts';
import { runCleanup } from '../run.ts';
import type { RunStore } from '../store/port.ts';
import type { ResourceOutcome } from '../types.ts';
import { AccountKeys, type ShardRecord, type ShardRef, type TypeTally } from './records.ts';
import type { MemberSession } from './session.ts';
import { tallyOutcome } from './tally.ts';

export interface ShardRunDeps {
  session: MemberSession;
  rateLimiter: RateLimiter;
  endpoint?: string | undefined;
  tuning?: Partial<Tuning>;
  store?: RunStore | undefined;
  signal?: AbortSignal;
  onOutcome?: (o: ResourceOutcome, shard: ShardRef) => void;
}

/** The policy one shard cleans: its region only, and no `accounts` (the shard is already inside one). */
export function shardPolicy(policy: Policy, region: string): Policy {
  const { accounts: _accounts, ...rest } = policy;
  return { ...rest, regions: [region] };
}

export async function runShard(
  policy: Policy,
  runId: string,
  shard: ShardRef,
  deps: ShardRunDeps,
): Promise<ShardRecord> {
  const cloud = createCloudPort({
    credentials: () => deps.session.credentials(),
    ...(deps.endpoint ? { endpoint: deps.endpoint } : {}),
    ...(deps.tuning ? { tuning: deps.tuning } : {}),
  });
  const byType: Record<string, TypeTally> = {};
  const { report } = await runCleanup(
    { policy: shardPolicy(policy, shard.region), runId, ...(deps.signal ? { signal: deps.signal } : {}) },
    {
      cloud,
      rateLimiter: deps.rateLimiter,
      ...(deps.tuning ? { tuning: deps.tuning } : {}),
      onOutcome: (o) => {
        tallyOutcome(byType, o);
        deps.onOutcome?.(o, shard);
      },
    },
  );
  const record: ShardRecord = { kind: 'shard', runId, ...shard, hop: 0, report, byType };
  if (deps.store) await deps.store.put(AccountKeys.shard(runId, shard.accountId, shard.region), JSON.stringify(record));
  return record;
}
