/**
 * `report --run ID`: the one report of a run from the run store. A many-account run: its index and
 * every shard's record merged by account × region × type, with the accounts that failed and why and
 * every shard's task id (lib/accounts/merge.ts). A single-account run: its saved report.
 */
import { type Command, requireString } from '../command.ts';
import { ExitCode, RefusedInputError } from '../errors.ts';

export const reportCommand: Command = {
  name: 'report',
  summary: "a run's report from the run store (many-account runs merged by account, region and type)",
  help: `Usage: vpc-tag-cleanup report --run ID [--store S] [--json]

Reads run ID from the run store. For a policy with "accounts", merges every shard's report (one per
account and region) into one table by account x region x type, lists the accounts whose role could
not be assumed (STS code and request id), every shard's task id, and shards without a record yet.

Options:
  --run ID      the run (required)
  --store S     a directory, oss://bucket/prefix (default VPC_TAG_CLEANUP_STORE, else ./.vpc-tag-cleanup/runs)
  --json        one JSON document
`,
  options: { run: { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, io, out) {
    const runId = requireString('report', values, 'run');
    const [{ openCliStore }, { readAccountsRun, renderMerged }, { renderReport }, { readRunReport }] =
      await Promise.all([
        import('../store-option.ts'),
        import('../../lib/accounts/merge.ts'),
        import('../format/table.ts'),
        import('../../lib/store/run-reports.ts'),
      ]);
    const { location, store } = await openCliStore(values, io);
    if (!store) throw new RefusedInputError('NO_STORE', 'report needs a run store: --store none holds no report');
    const merged = await readAccountsRun(store, runId);
    if (merged) {
      out.answer(merged, () => renderMerged(merged));
      return merged.ok ? ExitCode.Ok : ExitCode.PartialFailure;
    }
    // Every invocation's report (fan-out shards, continuation hops), merged; older stores hold one.
    const report = await readRunReport(store, runId);
    if (report === undefined)
      throw new RefusedInputError(
        'RUN_NOT_FOUND',
        `no report for run '${runId}' in ${location} (see vpc-tag-cleanup runs)`,
      );
    out.answer(report, () => renderReport(report));
    return report.ok ? ExitCode.Ok : ExitCode.PartialFailure;
  },
};
