/**
 * `plan` / `run` of a policy with `accounts`: every (account, region) shard in this process under one
 * concurrency bound (lib/accounts/run-accounts.ts), shard records and the run's index in the run store,
 * the merged report as the answer (the same one `report --run ID` prints later).
 */
import type { Policy } from '../lib/policy/schema.ts';
import type { Io } from './command.ts';
import { ExitCode } from './errors.ts';
import type { Output } from './output.ts';

export async function runAccountsPolicy(
  policy: Policy & { accounts: NonNullable<Policy['accounts']> },
  runId: string,
  values: Record<string, string | boolean | undefined>,
  io: Io,
  out: Output,
  signal: AbortSignal,
): Promise<number> {
  const [
    { defaultCredentialClient, resolveCredentials },
    { tuningFromEnv },
    { runAccounts },
    { renderMerged },
    { openCliStore },
  ] = await Promise.all([
    import('./credentials.ts'),
    import('./lib-api.ts'),
    import('../lib/accounts/run-accounts.ts'),
    import('../lib/accounts/merge.ts'),
    import('./store-option.ts'),
  ]);
  const envTuning = tuningFromEnv({
    VPC_TAG_CLEANUP_LIMITS: io.env.VPC_TAG_CLEANUP_LIMITS,
    VPC_TAG_CLEANUP_QUOTA_SCALE: io.env.VPC_TAG_CLEANUP_QUOTA_SCALE,
  });
  for (const why of envTuning.ignored) out.note(`note: ignored ${why}`);
  const { location, store } = await openCliStore(values, io);
  const credentialClient = defaultCredentialClient();
  await resolveCredentials(credentialClient);
  const endpoint = io.env.VPC_TAG_CLEANUP_ENDPOINT || undefined;
  const result = await runAccounts(policy, runId, {
    credentials: () => resolveCredentials(credentialClient),
    endpoint,
    tuning: envTuning.tuning,
    ...(envTuning.quotaScale !== undefined ? { quotaScale: envTuning.quotaScale } : {}),
    store,
    signal,
  });
  if (store) out.note(`shard reports in ${location}: vpc-tag-cleanup report --run ${runId}`);
  out.answer({ ...result.merged, stsCalls: result.stsCalls }, () => renderMerged(result.merged));
  return result.merged.ok ? ExitCode.Ok : ExitCode.PartialFailure;
}
