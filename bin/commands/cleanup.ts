/**
 * `plan` and `run`: one policy from a workstation, against the cloud or `VPC_TAG_CLEANUP_ENDPOINT`.
 * `plan` is the dry run (zero write calls); `run` applies the policy as written. Exit codes: 0 ok,
 * 1 partial failure (the report says `ok: false`), 2 bad input (nothing sent to the cloud).
 */
import { randomUUID } from 'node:crypto';
import { runJournaled } from '../../lib/journal/journaled-run.ts';
import { buildPlan } from '../../lib/reviewed-plan/document.ts';
import { planRunInput } from '../../lib/reviewed-plan/select.ts';
import { type Command, type Io, requireString } from '../command.ts';
import { countingPort } from '../counting-port.ts';
import type { RunProgress } from '../engine.ts';
import { ExitCode, UsageError } from '../errors.ts';
import type { Output } from '../output.ts';
import { loadPlanFile, writePlanFile } from '../plan-file.ts';
import { openCliStore } from '../store-option.ts';

type Mode = 'plan' | 'run';

const helpText = (mode: Mode) => `Usage: vpc-tag-cleanup ${
  mode === 'plan' ? 'plan --policy FILE [--out PLAN.json]' : 'run --policy FILE | --plan PLAN.json [--store S]'
} [--json] [--region R[,R...]] [--concurrency N] [--run-id ID]

${
  mode === 'plan'
    ? 'Dry run: discovers the resources the policy selects and prints which keys would go from which\nresource. Makes list calls only, never a write call.'
    : 'Applies the policy: removes the selected tag keys and prints the report. A policy whose "dryRun"\nis true stays a dry run (use it as a safety latch); "plan" previews any policy.'
}

The policy is JSON, or YAML when the file ends in .yaml/.yml ("-" reads stdin). Calls go to the
cloud, or to VPC_TAG_CLEANUP_ENDPOINT (host:port, e.g. the local emulator) when it is set.
Credentials: the @alicloud/credentials default chain (ALIBABA_CLOUD_ACCESS_KEY_ID,
ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN, then the CLI profile, then a RAM role).

Options:
  --policy FILE      the policy file${mode === 'plan' ? ' (required)' : ''}
${
  mode === 'plan'
    ? `  --out PLAN.json    write the reviewed plan: every (resource, key, value) that would go, the policy and
                     its hash; "run --plan PLAN.json" then removes exactly those (and nothing else)`
    : `  --plan PLAN.json   apply a reviewed plan instead of a policy: only its keys go, and only where the
                     value is still the planned one (else skipped, changed-since-plan)
  --store S          the run store for the journal of removed values and the report: a directory,
                     oss://bucket/prefix, or none (no journal: the run cannot be restored). Default:
                     VPC_TAG_CLEANUP_STORE, else ./.vpc-tag-cleanup/runs. Undo with "restore --run ID".`
}
  --json             print the report as one JSON document (errors too) instead of a table
  --region R[,R...]  replace the policy's regions
  --concurrency N    replace the policy's limits.concurrency (write calls in flight)
  --run-id ID        run id for the report and the ClientTokens (default: a new UUID)

Environment: VPC_TAG_CLEANUP_LIMITS (JSON object of limit overrides, e.g. {"maxRetries":3}) and
VPC_TAG_CLEANUP_QUOTA_SCALE (multiplier of the published rate quotas), as for the function.

Exit codes: 0 success, 1 partial failure (some resources failed, or the run stopped on a limit),
2 bad input (bad arguments, unreadable or invalid policy; nothing was sent to the cloud).
`;

export function makeCleanupCommand(mode: Mode): Command {
  return {
    name: mode,
    summary:
      mode === 'plan'
        ? 'preview a policy: what would be removed (dry run, no writes)'
        : 'apply a policy and print the report',
    help: helpText(mode),
    options: {
      policy: { type: 'string', short: 'p' },
      ...(mode === 'plan'
        ? { out: { type: 'string' as const } }
        : { plan: { type: 'string' as const }, store: { type: 'string' as const } }),
      json: { type: 'boolean' },
      region: { type: 'string' },
      concurrency: { type: 'string' },
      'run-id': { type: 'string' },
    },
    run: (values, io, out) => runPolicy(mode, values, io, out),
  };
}

async function runPolicy(
  mode: Mode,
  values: Record<string, string | boolean | undefined>,
  io: Io,
  out: Output,
): Promise<number> {
  // Loaded here, not at the top: `--help` and bad arguments should not pay for the SDKs' load time.
  const [
    { defaultCredentialClient, resolveCredentials },
    { createCloudPort, limitsFromEnv },
    { ProgressLine },
    { OutcomeTally },
    { renderChanges, renderReport },
    { loadPolicy, overridesFrom },
  ] = await Promise.all([
    import('../credentials.ts'),
    import('../engine.ts'),
    import('../format/progress.ts'),
    import('../format/summary.ts'),
    import('../format/table.ts'),
    import('../policy-input.ts'),
  ]);
  const planFile = typeof values.plan === 'string' ? values.plan : undefined;
  if (planFile !== undefined && values.policy !== undefined)
    throw new UsageError('run: give --policy or --plan, not both (a plan carries its policy)');
  if (planFile !== undefined && values.region !== undefined)
    throw new UsageError('run: --region does not apply to --plan (the plan names its resources)');
  const reviewed = planFile !== undefined ? await loadPlanFile(planFile) : undefined;
  const file = planFile ?? requireString(mode, values, 'policy');
  // The same function and the same overrides as `validate`: plan and run check a file identically.
  const policy = reviewed
    ? reviewed.policy
    : await loadPolicy(file, {
        ...overridesFrom(mode, values),
        ...(mode === 'plan' ? { dryRun: true } : {}),
      });
  if (mode === 'run' && policy.dryRun) out.note(`note: ${file} says "dryRun": true, so nothing will be changed`);

  // The function's operator knobs apply here too (limits overrides, raised quotas).
  const envLimits = limitsFromEnv({
    VPC_TAG_CLEANUP_LIMITS: io.env.VPC_TAG_CLEANUP_LIMITS,
    VPC_TAG_CLEANUP_QUOTA_SCALE: io.env.VPC_TAG_CLEANUP_QUOTA_SCALE,
  });
  for (const why of envLimits.ignored) out.note(`note: ignored ${why}`);
  const endpoint = io.env.VPC_TAG_CLEANUP_ENDPOINT || undefined;
  const credentialClient = defaultCredentialClient();
  // Resolve once up front: missing credentials are bad input (exit 2), found before any call.
  await resolveCredentials(credentialClient);
  // A provider, not fixed values: the chain refreshes short-lived (STS) credentials during a long run.
  const sdkPort = createCloudPort({
    credentials: () => resolveCredentials(credentialClient),
    ...(endpoint ? { endpoint } : {}),
  });

  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  const progress = new ProgressLine(io.stderr);
  const seen = { scanned: 0, batchesDone: 0 };
  const tally = new OutcomeTally();
  const cloud = countingPort(sdkPort, () => {
    seen.batchesDone++;
    progress.update(seen);
  });
  const runId = typeof values['run-id'] === 'string' ? values['run-id'] : randomUUID();
  // The journal's store, opened (and its location checked) before any cloud call.
  const { store } = mode === 'run' ? await openCliStore(values, io) : { store: undefined };
  const outFile = typeof values.out === 'string' ? values.out : undefined;
  let result: Awaited<ReturnType<typeof runJournaled>>;
  try {
    const onProgress = (p: RunProgress) => {
      seen.scanned += p.resources.length;
      progress.update(seen);
    };
    const input = reviewed
      ? { ...planRunInput(reviewed), runId, signal: controller.signal }
      : { policy, runId, signal: controller.signal };
    result = await runJournaled(
      input,
      {
        cloud,
        onProgress,
        // The table needs counts and a few examples, not every outcome; --json asks for every outcome.
        onOutcome: (o) => tally.add(o),
        retainOutcomes: out.json || outFile !== undefined,
        limits: envLimits.limits,
        ...(envLimits.quotaScale !== undefined ? { quotaScale: envLimits.quotaScale } : {}),
      },
      { store, ...(reviewed ? { plan: reviewed } : {}) },
    );
  } finally {
    progress.done();
    process.off('SIGINT', onSignal);
  }
  const { report, full } = result;
  for (const w of report.warnings ?? []) out.note(`warning: ${w}`);
  if (outFile !== undefined && report.ok) {
    const plan = buildPlan({
      policy: { ...policy, dryRun: false },
      runId,
      createdAt: new Date(),
      resources: full
        .filter((o) => o.status === 'planned')
        .map((o) => ({ region: o.region, type: o.type, id: o.id, tags: o.values ?? {} })),
    });
    await writePlanFile(outFile, plan);
    const keys = plan.resources.reduce((n, r) => n + Object.keys(r.tags).length, 0);
    out.note(
      `plan written to ${outFile}: ${plan.resources.length} resources, ${keys} keys; apply it with: vpc-tag-cleanup run --plan ${outFile}`,
    );
  }
  if (mode === 'run' && report.store && !report.dryRun && report.error?.code !== 'STORE_UNAVAILABLE')
    out.note(
      `journal and report in ${report.store}; undo with: vpc-tag-cleanup restore --run ${runId}${typeof values.store === 'string' ? ` --store ${values.store}` : ''}`,
    );

  // Machines get every resource, not the capped list the function returns.
  out.answer(
    { ...report, resources: full, resourcesTruncated: false },
    () => `${report.dryRun ? `${renderChanges(tally)}\n` : ''}${renderReport(report, tally)}`,
  );
  return report.ok ? ExitCode.Ok : ExitCode.PartialFailure;
}

export const cleanupCommands: readonly Command[] = [makeCleanupCommand('plan'), makeCleanupCommand('run')];
