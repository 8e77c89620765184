/**
 * `plan` and `run`: one policy from a workstation, against the cloud or `VPC_TAG_CLEANUP_ENDPOINT`.
 * `plan` is the dry run (zero write calls); `run` applies the policy as written. Exit codes: 0 ok,
 * 1 partial failure (the report says `ok: false`), 2 bad input (nothing sent to the cloud).
 */
import { randomUUID } from 'node:crypto';
import type { Tuning } from '../../lib/catalog.ts';
import { withTuning } from '../../lib/catalog.ts';
import { runJournaled } from '../../lib/journal/journaled-run.ts';
import { buildPlan, type PlanDocument, parsePlan } from '../../lib/reviewed-plan/document.ts';
import { removedByRun } from '../../lib/reviewed-plan/load.ts';
import { type PlanScope, planRunInput } from '../../lib/reviewed-plan/select.ts';
import type { RunStore } from '../../lib/store/index.ts';
import type { Continuation } from '../../lib/types.ts';
import { type Command, type Io, requireString } from '../command.ts';
import { ExitCode, UsageError } from '../errors.ts';
import { cleanMessage } from '../format/clean-message.ts';
import type { RunProgress } from '../lib-api.ts';
import type { Output } from '../output.ts';
import { loadPlanFile, writePlanFile } from '../plan-file.ts';
import { openCliStore } from '../store-option.ts';

type Mode = 'plan' | 'run';

const helpText = (mode: Mode) => `Usage: vpc-tag-cleanup ${
  mode === 'plan' ? 'plan --policy FILE [--out PLAN.json]' : 'run --policy FILE | --plan PLAN.json [--store S]'
} [--json] [--region R[,R...]] [--resource REGION/TYPE/ID[,...]] [--concurrency N] [--run-id ID]

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
  --resource REGION/TYPE/ID[,...]
                     only these resources (each inside the policy), listed by id, e.g.
                     cn-hangzhou/VPC/vpc-bp1abc,cn-hangzhou/IPAMPOOL/ipam-pool-1
  --concurrency N    replace the policy's limits.concurrency (write calls in flight)
  --run-id ID        run id for the report and the ClientTokens (default: a new UUID)
${mode === 'run' ? '  --continue RUN     resume run RUN where Ctrl-C stopped it (its saved policy and run id;\n                     RUN is a run id in the local store, or the continuation.json file)\n' : ''}
Environment: VPC_TAG_CLEANUP_LIMITS (JSON object of limit overrides, e.g. {"maxRetries":3}) and
VPC_TAG_CLEANUP_QUOTA_SCALE (multiplier of the published rate quotas), as for the function.

Ctrl-C stops sending (calls in flight finish), reports ok: false / INTERRUPTED and${mode === 'run' ? ' saves a\ncontinuation in the run store (VPC_TAG_CLEANUP_STORE, default ./.vpc-tag-cleanup/runs) for --continue.' : ' exits 130.'}

Exit codes: 0 success, 1 partial failure (some resources failed, or the run stopped on a limit),
2 bad input (bad arguments, unreadable or invalid policy; nothing was sent to the cloud), 130 Ctrl-C.
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
      json: { type: 'boolean' },
      region: { type: 'string' },
      resource: { type: 'string' },
      concurrency: { type: 'string' },
      'run-id': { type: 'string' },
      ...(mode === 'run'
        ? {
            continue: { type: 'string' as const },
            plan: { type: 'string' as const },
            store: { type: 'string' as const },
          }
        : { out: { type: 'string' as const } }),
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
    {
      createCloudPort,
      createRateLimiter,
      createWriteEstimator,
      tuningFromEnv,
      listingCost,
      narrowedNotFound,
      resourceIdsNotFound,
      withTuning,
    },
    { ProgressLine },
    { OutcomeTally },
    { renderChanges, renderEstimate, renderReport },
    { checkPolicy, narrowFrom, overridesFrom },
    { readPolicyFile },
    { loadContinuation, saveContinuation },
    { INTERRUPTED_EXIT, interruptedOutcome, interruptedReport, watchInterrupt },
    { RunMeter },
  ] = await Promise.all([
    import('../credentials.ts'),
    import('../lib-api.ts'),
    import('../format/progress.ts'),
    import('../format/summary.ts'),
    import('../format/table.ts'),
    import('../policy-input.ts'),
    import('../policy-file.ts'),
    import('../continuation-file.ts'),
    import('../interrupt.ts'),
    import('../run-meter.ts'),
  ]);
  // The journal's store, opened (and its location checked) before any cloud call; `--continue` reads from it.
  const early = typeof values.continue === 'string' && mode === 'run' ? await openCliStore(values, io) : undefined;
  const resume =
    typeof values.continue === 'string' ? await loadContinuation(io.env, values.continue, early?.store) : undefined;
  if (resume && typeof values.policy === 'string')
    throw new UsageError(`${mode}: --continue resumes the policy it saved; leave out --policy`);
  if (resume && typeof values['run-id'] === 'string' && values['run-id'] !== resume.runId)
    throw new UsageError(`${mode}: --continue resumes run ${resume.runId}; --run-id must be left out or match it`);
  const planFile = typeof values.plan === 'string' ? values.plan : undefined;
  if (planFile !== undefined && (values.policy !== undefined || resume))
    throw new UsageError('run: give --policy, --plan or --continue, one of them (a plan carries its policy)');
  if (planFile !== undefined && values.region !== undefined)
    throw new UsageError('run: --region does not apply to --plan (the plan names its resources)');
  if ((planFile !== undefined || resume) && values.resource !== undefined)
    throw new UsageError('run: --resource does not apply to --plan or --continue (they name their resources)');
  // An interrupted `run --plan` goes on by its plan, never by the plan's policy alone.
  const reviewed =
    planFile !== undefined ? await loadPlanFile(planFile) : resume?.plan ? savedPlan(resume.plan) : undefined;
  const file = resume ? `--continue ${values.continue}` : (planFile ?? requireString(mode, values, 'policy'));
  const raw = reviewed ? reviewed.policy : resume ? resume.policy : await readPolicyFile(file);
  // The same function and the same overrides as `validate`: plan and run check a file identically.
  const policy = reviewed
    ? reviewed.policy
    : checkPolicy(raw, file, {
        ...overridesFrom(mode, values),
        ...(mode === 'plan' ? { dryRun: true } : {}),
      });
  // One way to narrow (lib/narrow.ts): --resource, or what the interrupted run was narrowed to.
  const narrowTo = resume ? resume.narrowTo : reviewed ? undefined : narrowFrom(mode, values, policy);
  if (mode === 'run' && policy.dryRun) out.note(`note: ${file} says "dryRun": true, so nothing will be changed`);
  if (policy.accounts) {
    if (narrowTo) throw new UsageError(`${mode}: --resource does not apply to a policy with accounts`);
    // Many accounts: one shard per (account, region) in this process (bin/accounts-run.ts).
    const { runAccountsPolicy } = await import('../accounts-run.ts');
    const runId = typeof values['run-id'] === 'string' ? values['run-id'] : randomUUID();
    const stop = new AbortController();
    return runAccountsPolicy({ ...policy, accounts: policy.accounts }, runId, values, io, out, stop.signal);
  }

  // The function's operator knobs apply here too (tuning overrides, raised quotas).
  const envTuning = tuningFromEnv({
    VPC_TAG_CLEANUP_LIMITS: io.env.VPC_TAG_CLEANUP_LIMITS,
    VPC_TAG_CLEANUP_QUOTA_SCALE: io.env.VPC_TAG_CLEANUP_QUOTA_SCALE,
  });
  for (const why of envTuning.ignored) out.note(`note: ignored ${why}`);
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
  const interrupt = watchInterrupt(controller, () => {
    progress.done();
    out.note('interrupted: finishing the calls in flight, sending nothing new (Ctrl-C again to quit at once)');
  });
  const progress = new ProgressLine(io.stderr, { dryRun: policy.dryRun });
  const tally = new OutcomeTally();
  // The run's own limiter, shared with the meter: the ETA reads the rates the run is held to.
  const rateLimiter = createRateLimiter(envTuning.quotaScale !== undefined ? { quotaScale: envTuning.quotaScale } : {});
  const tuning = withTuning(envTuning.tuning);
  const meter = new RunMeter(policy, rateLimiter, tuning.maxIdsPerCall);
  const draw = () => progress.update(() => meter.snapshot());
  const cloud = meter.port(sdkPort);
  // A dry run ends with what applying it would cost (lib/estimate.ts).
  const estimator = policy.dryRun
    ? createWriteEstimator({
        tuning: envTuning.tuning,
        ...(envTuning.quotaScale !== undefined ? { quotaScale: envTuning.quotaScale } : {}),
      })
    : undefined;
  // Which of match.resourceIds the run met: the others are reported one by one.
  const wanted = new Set(narrowTo ? narrowTo.map((r) => r.id) : (policy.match?.resourceIds ?? []));
  const metIds = new Set<string>();
  const runId = resume?.runId ?? (typeof values['run-id'] === 'string' ? values['run-id'] : randomUUID());
  const { store } = early ?? (mode === 'run' ? await openCliStore(values, io) : { store: undefined });
  const outFile = typeof values.out === 'string' ? values.out : undefined;
  let result: Awaited<ReturnType<typeof runJournaled>>;
  try {
    const onProgress = (p: RunProgress) => {
      meter.page(p.resources);
      draw();
    };
    const input = reviewed
      ? {
          ...planRunInput(
            reviewed,
            resume ? await planScope(resume.continuation, store, runId, envTuning.tuning) : undefined,
          ),
          runId,
          signal: controller.signal,
          ...(resume ? { continuation: resume.continuation } : {}),
        }
      : {
          policy,
          runId,
          signal: controller.signal,
          ...(resume ? { continuation: resume.continuation } : {}),
          ...(narrowTo ? { narrowTo } : {}),
        };
    result = await runJournaled(
      input,
      {
        cloud,
        onProgress,
        // The table needs counts and a few examples, not every outcome; --json asks for every outcome.
        onOutcome: (o) => {
          if (wanted.has(o.id)) metIds.add(o.id);
          if (o.status === 'planned') estimator?.add(o);
          meter.outcome(o);
          tally.add(interrupt.fired ? interruptedOutcome(o) : o);
          draw();
        },
        rateLimiter,
        retainOutcomes: out.json || outFile !== undefined,
        tuning: envTuning.tuning,
        ...(envTuning.quotaScale !== undefined ? { quotaScale: envTuning.quotaScale } : {}),
      },
      { store, ...(reviewed ? { plan: reviewed } : {}) },
    );
  } finally {
    progress.done();
    interrupt.dispose();
  }
  let { report, full } = result;
  // Only a run that listed everything can say an id is not there.
  if (!report.continuation && !report.error && wanted.size > 0) {
    const missing = narrowTo ? narrowedNotFound(narrowTo, metIds) : resourceIdsNotFound(policy, metIds);
    if (missing.length > 0) report = { ...report, ok: false, errors: [...report.errors, ...missing] };
  }
  if (interrupt.fired) {
    let hint: string | undefined;
    if (report.continuation && !report.dryRun) {
      await saveContinuation(store, io.env, {
        version: 1,
        runId,
        policy: raw,
        continuation: report.continuation,
        ...(narrowTo ? { narrowTo } : {}),
        ...(reviewed ? { plan: reviewed } : {}),
      });
      hint = `resume with: vpc-tag-cleanup run --continue ${runId}`;
    }
    report = interruptedReport(report, hint);
    full = full.map(interruptedOutcome);
    if (hint) out.note(hint);
  }
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

  const estimate = estimator?.result();
  // Machines get every resource, not the capped list the function returns.
  // A plan says what its listing costs, so a policy of many exact keys or ids shows its price (issue 12).
  const cost = report.dryRun ? listingCost(policy) : undefined;
  out.answer(
    {
      ...report,
      resources: full,
      resourcesTruncated: false,
      ...(cost ? { listingCost: cost } : {}),
      ...(estimate ? { estimate } : {}),
    },
    () =>
      `${cost ? `${report.error ? '' : `${renderChanges(tally)}\n`}${cost.summary}\n` : ''}${renderReport(report, tally)}${estimate ? renderEstimate(estimate) : ''}`,
  );
  if (interrupt.fired) return INTERRUPTED_EXIT;
  // A run the engine stopped at the first refusal (lib/execute/run-guard.ts): say so where people look.
  const stop = report.error?.code;
  if (stop === 'AUTH_FAILED' || stop === 'ENDPOINT_UNREACHABLE') {
    out.note(`vpc-tag-cleanup ${mode}: ${stop}: ${cleanMessage(report.error?.message ?? '')}`);
    out.note(
      stop === 'AUTH_FAILED'
        ? 'check ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET (or the profile) and the RAM permissions (docs/ram-policy.json)'
        : 'check the network, or VPC_TAG_CLEANUP_ENDPOINT when it is set',
    );
    // Credentials refused before anything changed are bad input; a refusal after some writes is a partial failure.
    if (stop === 'AUTH_FAILED' && report.totals.untagged === 0) return ExitCode.BadInput;
  }
  return report.ok ? ExitCode.Ok : ExitCode.PartialFailure;
}

/** A plan saved with an interrupted run, checked again (its hashes) before it goes on. */
function savedPlan(raw: unknown): PlanDocument {
  const parsed = parsePlan(raw);
  if (!parsed.ok)
    throw new UsageError(
      `run: --continue: the saved plan does not check (${parsed.issues.map((i) => i.path || '(root)').join(', ')})`,
    );
  return parsed.plan;
}

/** What a resumed `run --plan` still has to list, and what the run already removed (its journal). */
async function planScope(
  continuation: Continuation,
  store: RunStore | undefined,
  runId: string,
  tuning: Partial<Tuning> | undefined,
): Promise<PlanScope> {
  return {
    continuation,
    maxIdsPerListCall: withTuning(tuning).maxIdsPerListCall,
    ...(store ? { removedByRun: await removedByRun(store, runId) } : {}),
  };
}

export const cleanupCommands: readonly Command[] = [makeCleanupCommand('plan'), makeCleanupCommand('run')];
