/**
 * What a many-account run keeps in the run store (lib/store/), beside the single-account run's objects:
 * one index of the run (members, failed accounts, every shard and its task id) and one record per shard
 * (its report and its counts by resource type). `vpc-tag-cleanup report --run ID` merges them.
 */
import type { Report } from '../types.ts';

/** Counts of one resource type in one shard. */
export interface TypeTally {
  matched: number;
  untagged: number;
  planned: number;
  skipped: number;
  failed: number;
  keysRemoved: number;
}

/** A member whose role could not be assumed (or a directory that could not be read): STS's code and request id. */
export interface FailedAccount {
  accountId: string;
  code: string;
  message: string;
  requestId?: string;
}

export interface ShardRef {
  accountId: string;
  region: string;
  taskId: string;
}

export interface AccountsIndex {
  kind: 'accounts-run';
  runId: string;
  policy: string;
  roleName: string;
  startedAt: string;
  members: string[];
  failed: FailedAccount[];
  shards: ShardRef[];
}

export interface ShardRecord extends ShardRef {
  kind: 'shard';
  runId: string;
  /** Which invocation of the shard wrote it: 0, then one per continuation hop (each counts its own work). */
  hop: number;
  report: Report;
  byType: Record<string, TypeTally>;
  /** The member's role could not be assumed (the shard did nothing). */
  accessFailure?: FailedAccount;
}

export const AccountKeys = {
  index: (runId: string) => `${runId}/accounts/index.json`,
  shardPrefix: (runId: string) => `${runId}/accounts/shards/`,
  shard: (runId: string, accountId: string, region: string, hop = 0) =>
    `${runId}/accounts/shards/${accountId}/${region}/hop-${String(hop).padStart(6, '0')}.json`,
} as const;

export function emptyTally(): TypeTally {
  return { matched: 0, untagged: 0, planned: 0, skipped: 0, failed: 0, keysRemoved: 0 };
}
