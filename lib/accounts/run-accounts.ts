/**
 * A many-account run in one process (the CLI): resolve the members, assume each member's role once,
 * then run every (account, region) shard under one concurrency bound, one rate-limiter set per account
 * (quotas are per account, region and API, so accounts never wait for each other). A member whose role
 * cannot be assumed is reported failed with STS's code and request id; the others go on. Each shard's
 * record and the run's index go to the store; the answer is the merged report.
 */
import pLimit from 'p-limit';
import { TUNING, type Tuning } from '../catalog.ts';
import type { CredentialsSource } from '../cloud/credentials.ts';
import { createRateLimiter, type RateLimiter } from '../execute/rate-limiter.ts';
import type { Policy } from '../policy/schema.ts';
import type { RunStore } from '../store/port.ts';
import type { ResourceOutcome } from '../types.ts';
import { createDirectoryReader, type DirectoryReader } from './directory.ts';
import { resolveMembers } from './members.ts';
import { type MergedReport, mergeAccountsRun } from './merge.ts';
import { AccountKeys, type AccountsIndex, type FailedAccount, type ShardRecord, type ShardRef } from './records.ts';
import { AccountAccessError, failedAccountOf } from './sdk-failure.ts';
import { createMemberSession, type MemberSession } from './session.ts';
import { runShard } from './shard-run.ts';
import { shardsOf } from './shards.ts';
import { createRoleAssumer, type RoleAssumer } from './sts.ts';

export interface AccountsRunDeps {
  /** The management side's credentials (they assume the member roles and read the directory). */
  credentials: CredentialsSource;
  endpoint?: string | undefined;
  tuning?: Partial<Tuning>;
  quotaScale?: number;
  store?: RunStore | undefined;
  signal?: AbortSignal;
  /** Test and bench seams; default: the STS and Resource Directory SDKs. */
  assumer?: RoleAssumer;
  directory?: DirectoryReader;
  onOutcome?: (o: ResourceOutcome, shard: ShardRef) => void;
  now?: () => number;
}

export interface AccountsRunResult {
  index: AccountsIndex;
  records: ShardRecord[];
  merged: MergedReport;
  /** AssumeRole calls, over all members (first assumptions and refreshes). */
  stsCalls: number;
}

export async function runAccounts(
  policy: Policy & { accounts: NonNullable<Policy['accounts']> },
  runId: string,
  deps: AccountsRunDeps,
): Promise<AccountsRunResult> {
  const now = deps.now ?? Date.now;
  const tuning = { ...TUNING, ...deps.tuning };
  const startedAt = new Date(now()).toISOString();
  const assumer = deps.assumer ?? createRoleAssumer({ credentials: deps.credentials, endpoint: deps.endpoint });
  const failed: FailedAccount[] = [];
  let members: string[] = [];
  try {
    members = await resolveMembers(
      policy.accounts,
      () => deps.directory ?? createDirectoryReader({ credentials: deps.credentials, endpoint: deps.endpoint }),
    );
  } catch (e) {
    if (!(e instanceof AccountAccessError)) throw e;
    failed.push(failedAccountOf(e.accountId, e.failure));
  }

  const sessions = await startSessions(members, policy.accounts.roleName, runId, {
    assumer,
    now,
    refreshMarginMs: tuning.accountRefreshMarginMs,
    failed,
  });
  const okMembers = members.filter((m) => sessions.has(m));
  const shards = shardsOf(runId, okMembers, policy.regions);
  const index: AccountsIndex = {
    kind: 'accounts-run',
    runId,
    policy: policy.name,
    roleName: policy.accounts.roleName,
    startedAt,
    members,
    failed: failed.sort((a, b) => a.accountId.localeCompare(b.accountId)),
    shards,
  };
  if (deps.store) await deps.store.put(AccountKeys.index(runId), JSON.stringify(index));

  const limiters = new Map<string, RateLimiter>();
  const limiterOf = (accountId: string) => {
    let l = limiters.get(accountId);
    if (!l) {
      l = createRateLimiter(deps.quotaScale !== undefined ? { quotaScale: deps.quotaScale } : {});
      limiters.set(accountId, l);
    }
    return l;
  };
  const bound = pLimit(tuning.accountShardConcurrency);
  const records = await Promise.all(
    shards.map((shard) =>
      bound(() =>
        runShard(policy, runId, shard, {
          session: sessions.get(shard.accountId) as MemberSession,
          rateLimiter: limiterOf(shard.accountId),
          endpoint: deps.endpoint,
          tuning: deps.tuning ?? {},
          store: deps.store,
          ...(deps.signal ? { signal: deps.signal } : {}),
          ...(deps.onOutcome ? { onOutcome: deps.onOutcome } : {}),
        }),
      ),
    ),
  );
  const stsCalls =
    [...sessions.values()].reduce((n, s) => n + s.stsCalls, 0) +
    failed.filter((f) => members.includes(f.accountId)).length;
  return { index, records, merged: mergeAccountsRun(index, records), stsCalls };
}

/** Every member's first AssumeRole, at once (STS calls are cheap; each is one per account); refusals go to `failed`. */
async function startSessions(
  members: string[],
  roleName: string,
  runId: string,
  o: {
    assumer: RoleAssumer;
    now: () => number;
    refreshMarginMs: number | undefined;
    failed: FailedAccount[];
  },
): Promise<Map<string, MemberSession>> {
  const sessions = new Map<string, MemberSession>();
  await Promise.all(
    members.map(async (accountId) => {
      const session = createMemberSession({
        accountId,
        roleName,
        runId,
        assumer: o.assumer,
        now: o.now,
        ...(o.refreshMarginMs !== undefined ? { refreshMarginMs: o.refreshMarginMs } : {}),
      });
      const first = await session.start();
      if (first.ok) sessions.set(accountId, session);
      else o.failed.push(failedAccountOf(accountId, first));
    }),
  );
  return sessions;
}
