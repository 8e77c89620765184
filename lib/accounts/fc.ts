/**
 * Many accounts inside the function. The parent invocation resolves the members (ids, or the Resource
 * Directory read with the function's own role), writes the run's index, and starts one asynchronous
 * invocation per (account, region) through the invoker port, with deterministic task ids: its answer
 * lists every shard and its task id. A shard invocation assumes the member's role from the function's
 * credentials (refreshed before expiry), runs its region, and writes its record (one per hop: a shard
 * continued by FC carries on under its own continuation task ids).
 */
import type { CredentialsSource } from '../cloud/credentials.ts';
import type { InvokeOutcome, Invoker } from '../invoker/index.ts';
import type { Policy } from '../policy/schema.ts';
import type { RunStore } from '../store/port.ts';
import type { RunRequest } from '../trigger/types.ts';
import type { Report } from '../types.ts';
import { createDirectoryReader } from './directory.ts';
import { resolveMembers } from './members.ts';
import { AccountKeys, type AccountsIndex, type FailedAccount, type ShardRecord, type TypeTally } from './records.ts';
import { AccountAccessError, failedAccountOf } from './sdk-failure.ts';
import { createMemberSession, type MemberSession } from './session.ts';
import { shardsOf } from './shards.ts';
import { createRoleAssumer } from './sts.ts';

export interface AccountShardStart {
  accountId: string;
  region: string;
  taskId: string;
  outcome: InvokeOutcome;
}

/** Whether this invocation is the parent of a many-account run (not a shard of it, not a continuation). */
export function isAccountsParent(run: RunRequest): boolean {
  return run.policy.accounts !== undefined && !run.shard && !run.continuation && !run.narrowTo;
}

/** Resolve the members, write the index, start every (account, region) shard. */
export async function fanOutAccounts(
  run: RunRequest,
  deps: {
    invoker: Invoker;
    functionName: string;
    credentials: CredentialsSource;
    endpoint?: string | undefined;
    store?: RunStore | undefined;
    now?: () => number;
  },
): Promise<{ index: AccountsIndex; starts: AccountShardStart[] }> {
  const accounts = run.policy.accounts as NonNullable<Policy['accounts']>;
  const failed: FailedAccount[] = [];
  let members: string[] = [];
  try {
    members = await resolveMembers(accounts, () =>
      createDirectoryReader({ credentials: deps.credentials, endpoint: deps.endpoint }),
    );
  } catch (e) {
    if (!(e instanceof AccountAccessError)) throw e;
    failed.push(failedAccountOf(e.accountId, e.failure));
  }
  const shards = shardsOf(run.runId, members, run.policy.regions);
  const index: AccountsIndex = {
    kind: 'accounts-run',
    runId: run.runId,
    policy: run.policy.name,
    roleName: accounts.roleName,
    startedAt: new Date((deps.now ?? Date.now)()).toISOString(),
    members,
    failed,
    shards,
  };
  if (deps.store) await deps.store.put(AccountKeys.index(run.runId), JSON.stringify(index));
  const starts = await Promise.all(
    shards.map(async (s) => ({
      ...s,
      outcome: await deps.invoker.invokeAsync(
        deps.functionName,
        { policy: run.policy, runId: run.runId, shard: { regions: [s.region], account: s.accountId } },
        s.taskId,
      ),
    })),
  );
  return { index, starts };
}

/** A shard's member credentials, assumed now: the session, or the failure to report. */
export async function memberSessionFor(
  run: RunRequest,
  credentials: CredentialsSource,
  endpoint: string | undefined,
  refreshMarginMs: number,
): Promise<{ ok: true; session: MemberSession } | { ok: false; failure: FailedAccount }> {
  const accounts = run.policy.accounts as NonNullable<Policy['accounts']>;
  const accountId = run.shard?.account as string;
  const session = createMemberSession({
    accountId,
    roleName: accounts.roleName,
    runId: run.runId,
    assumer: createRoleAssumer({ credentials, endpoint }),
    refreshMarginMs,
  });
  const first = await session.start();
  if (first.ok) return { ok: true, session };
  return {
    ok: false,
    failure: {
      accountId,
      code: first.code,
      message: first.message,
      ...(first.requestId ? { requestId: first.requestId } : {}),
    },
  };
}

/** Write a shard invocation's record (its hop's report and counts). */
export async function writeShardRecord(
  store: RunStore | undefined,
  run: RunRequest,
  report: Report,
  byType: Record<string, TypeTally>,
  taskId: string,
  accessFailure?: FailedAccount,
): Promise<void> {
  if (!store || !run.shard?.account) return;
  const region = run.shard.regions[0] as string;
  const hop = run.continuation?.hop ?? 0;
  const record: ShardRecord = {
    kind: 'shard',
    runId: run.runId,
    accountId: run.shard.account,
    region,
    taskId,
    hop,
    report,
    byType,
    ...(accessFailure ? { accessFailure } : {}),
  };
  await store.put(AccountKeys.shard(run.runId, run.shard.account, region, hop), JSON.stringify(record));
}
