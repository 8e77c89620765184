/**
 * `restore --run ID`: puts back what a run removed, from the run's journal in the store, through each
 * product's TagResources (lib/restore/). `runs`: the runs a store holds. Both answer one JSON document
 * under `--json`.
 */
import { type Command, type Io, optionalPositiveInt, requireString } from '../command.ts';
import { ExitCode, RefusedInputError } from '../errors.ts';
import type { Output } from '../output.ts';

const STORE_HELP = `  --store S          the run store: a directory, oss://bucket/prefix (default: VPC_TAG_CLEANUP_STORE,
                     else ./.vpc-tag-cleanup/runs)`;

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'put back the tags a run removed (from its journal in the run store)',
  help: `Usage: vpc-tag-cleanup restore --run ID [--store S] [--dry-run] [--json] [--concurrency N]

Reads the run's journal (the value of every key it removed), reads each resource's tags now, and puts
back with TagResources every removed key the resource does not carry. Never overwrites: a key that is
back with another value is skipped as a conflict (both values reported). A resource that would go over
its 20-tag limit is skipped (tag-limit); one that is gone is skipped (not-found). Running it again
changes nothing (already-restored).

Options:
  --run ID           the run to restore (required; see "vpc-tag-cleanup runs")
${STORE_HELP}
  --dry-run          read and report what would be put back; no write call
  --concurrency N    TagResources calls in flight (default 8)
  --json             print the restore report as one JSON document

Exit codes: 0 every removed value is back (or was already), 1 something was skipped for a conflict,
the tag limit or failed, 2 bad input (no such run, bad arguments; nothing was sent).
`,
  options: {
    run: { type: 'string' },
    store: { type: 'string' },
    'dry-run': { type: 'boolean' },
    concurrency: { type: 'string' },
    json: { type: 'boolean' },
  },
  run: (values, io, out) => runRestore(values, io, out),
};

async function runRestore(values: Record<string, string | boolean | undefined>, io: Io, out: Output): Promise<number> {
  const runId = requireString('restore', values, 'run');
  const concurrency = optionalPositiveInt('restore', values, 'concurrency');
  const [
    { openCliStore },
    { defaultCredentialClient, resolveCredentials },
    { createCloudPort, tuningFromEnv },
    { restoreRun },
    { renderRestore },
    { readJournal },
  ] = await Promise.all([
    import('../store-option.ts'),
    import('../credentials.ts'),
    import('../lib-api.ts'),
    import('../../lib/restore/restore.ts'),
    import('../format/restore.ts'),
    import('../../lib/journal/reader.ts'),
  ]);
  const { location, store } = await openCliStore(values, io);
  if (!store) throw new RefusedInputError('NO_STORE', 'restore needs a run store: --store none holds no journal');
  const journal = await readJournal(store, runId);
  if (journal.segments === 0)
    throw new RefusedInputError(
      'RUN_NOT_FOUND',
      `no journal for run '${runId}' in ${location} (see vpc-tag-cleanup runs)`,
    );
  const envLimits = tuningFromEnv({
    VPC_TAG_CLEANUP_LIMITS: io.env.VPC_TAG_CLEANUP_LIMITS,
    VPC_TAG_CLEANUP_QUOTA_SCALE: io.env.VPC_TAG_CLEANUP_QUOTA_SCALE,
  });
  for (const why of envLimits.ignored) out.note(`note: ignored ${why}`);
  const credentialClient = defaultCredentialClient();
  await resolveCredentials(credentialClient);
  const endpoint = io.env.VPC_TAG_CLEANUP_ENDPOINT || undefined;
  const cloud = createCloudPort({
    credentials: () => resolveCredentials(credentialClient),
    ...(endpoint ? { endpoint } : {}),
  });
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  let report: Awaited<ReturnType<typeof restoreRun>>;
  try {
    report = await restoreRun(
      {
        runId,
        store,
        dryRun: values['dry-run'] === true,
        signal: controller.signal,
        ...(concurrency !== undefined ? { concurrency } : {}),
      },
      {
        cloud,
        limits: envLimits.tuning,
        ...(envLimits.quotaScale !== undefined ? { quotaScale: envLimits.quotaScale } : {}),
      },
    );
  } finally {
    process.off('SIGINT', onSignal);
  }
  out.answer(report, () => renderRestore(report));
  const clean = report.ok && report.totals.skipped === (report.totals.skippedBy['already-restored'] ?? 0);
  return clean ? ExitCode.Ok : ExitCode.PartialFailure;
}

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list the runs in a run store (id, policy, time, counts, restored?)',
  help: `Usage: vpc-tag-cleanup runs [--store S] [--json]

Lists the runs the store holds, newest first: run id, policy, start time, resources untagged, keys
removed, failures, and whether (and when) the run was restored.

Options:
${STORE_HELP}
  --json             print the list as one JSON document
`,
  options: { store: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, io, out) {
    const [{ openCliStore }, { listRuns }, { renderRuns }] = await Promise.all([
      import('../store-option.ts'),
      import('../../lib/store/runs.ts'),
      import('../format/restore.ts'),
    ]);
    const { location, store } = await openCliStore(values, io);
    if (!store) throw new RefusedInputError('NO_STORE', 'runs needs a run store: --store none holds none');
    const runs = await listRuns(store);
    out.answer({ ok: true, store: location, runs }, () => renderRuns(runs, location));
    return ExitCode.Ok;
  },
};
