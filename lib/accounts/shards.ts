/** Shards of a many-account run: one per (account, region), with a task id derived from the run id. */
import { toSafeId } from '../trigger/run-id.ts';
import type { ShardRef } from './records.ts';

/** `<runId>-<account>-<region>`: the same run asks for the same task ids, so FC starts a shard once. */
export function accountShardTaskId(runId: string, accountId: string, region: string): string {
  return toSafeId(`${runId}-${accountId}-${region}`);
}

/** Every (account, region) shard, accounts in order, regions in policy order. */
export function shardsOf(runId: string, accounts: readonly string[], regions: readonly string[]): ShardRef[] {
  return accounts.flatMap((accountId) =>
    regions.map((region) => ({ accountId, region, taskId: accountShardTaskId(runId, accountId, region) })),
  );
}
