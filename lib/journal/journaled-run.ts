/**
 * A run with its journal: the run store's `<runId>/` gets the journal (every removed value, durable
 * before its call is sent), the executed plan for `run --plan`, and the final report. The store is
 * probed (the run record written) while the run lists, and before its first write call: a store that
 * cannot be written stops the run with no tag removed (`STORE_UNAVAILABLE`); one that fails mid-run
 * stops its writes (lib/run/writer.ts refuses batches whose record could not be made). An OSS store may
 * still be opening (lib/store/lazy.ts): loading its SDK overlaps the listing too. Without a store the run goes on only when the caller said so
 * (`VPC_TAG_CLEANUP_STORE=none`), and its report warns.
 */
import { redactSecrets } from '../errors.ts';
import { parsePolicy } from '../policy/parse.ts';
import type { PlanDocument } from '../reviewed-plan/document.ts';
import { policyHash } from '../reviewed-plan/document.ts';
import { type RunDeps, type RunInput, runCleanup } from '../run.ts';
import type { RunStore } from '../store/port.ts';
import { runIdProblem, StoreKeys } from '../store/port.ts';
import { reportKey } from '../store/run-reports.ts';
import type { CallCounts, Report, ResourceOutcome } from '../types.ts';
import { createRunJournal } from './run-journal.ts';
import { createJournal } from './writer.ts';

export const NO_JOURNAL_WARNING =
  'the run store is off (VPC_TAG_CLEANUP_STORE=none): removed values are not journaled and this run cannot be restored';

export interface JournaledRunOptions {
  /** The run store; undefined only when the caller turned it off explicitly. */
  store: RunStore | undefined;
  /** `run --plan`: the plan executed, kept as `<runId>/plan.json`. */
  plan?: PlanDocument;
  /** False when the caller already keeps the plan in the store (the function's first invocation does). */
  storePlan?: boolean;
  /**
   * The invocation's task id when the run has several (a fan-out shard, a continuation hop): its report
   * goes to `<runId>/reports/<taskId>.json`. Without one, a continued run's report is `reports/hop-<n>.json`
   * and a run's first invocation writes `<runId>/report.json`.
   */
  taskId?: string;
  /** Last words on the report before it is stored and returned (the function adds what the run alone cannot know). */
  finish?: (report: Report) => void;
  now?: () => number;
}

export async function runJournaled(
  input: RunInput,
  deps: RunDeps,
  opts: JournaledRunOptions,
): Promise<{ report: Report; full: ResourceOutcome[] }> {
  const parsed = parsePolicy(input.policy);
  // A policy that does not validate is answered by the run itself, before any store or cloud call.
  if (!parsed.ok) return runCleanup(input, deps);
  const dry = parsed.policy.dryRun;
  const { store } = opts;
  const finished = (result: { report: Report; full: ResourceOutcome[] }) => {
    opts.finish?.(result.report);
    return result;
  };
  if (!store) {
    const result = await runCleanup(input, deps);
    if (!dry) result.report.warnings = [...(result.report.warnings ?? []), NO_JOURNAL_WARNING];
    return finished(result);
  }
  if (dry) return finished(await runCleanup(input, deps));
  const problem = runIdProblem(input.runId);
  if (problem)
    return refused(
      input,
      `run id ${JSON.stringify(input.runId)} ${problem} (it names the run's folder in the store)`,
      'INVALID_RUN_ID',
      opts,
    );
  const journal = createJournal({
    store,
    runId: input.runId,
    policy: input.policy.name,
    policyHash: policyHash(parsed.policy),
    ...(opts.plan ? { planHash: opts.plan.planHash } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  // The store's first write (the run record) overlaps the listing, not the writes: every batch waits for
  // it, so a store that cannot be written stops the run before its first untag call.
  const stop = new AbortController();
  const probe = (async () => {
    await journal.open();
    if (opts.plan && opts.storePlan !== false)
      await store.put(StoreKeys.plan(input.runId), `${JSON.stringify(opts.plan)}\n`);
  })();
  const probed = probe.then(
    () => undefined,
    (e: unknown) => {
      stop.abort();
      return e;
    },
  );
  const signal = input.signal ? AbortSignal.any([input.signal, stop.signal]) : stop.signal;
  const run = await runCleanup({ ...input, signal }, { ...deps, journal: createRunJournal(journal, probe) });
  const failed = await probed;
  if (failed !== undefined)
    return refused(
      input,
      `the run store cannot be written, so no tag was removed: ${message(failed)}`,
      'STORE_UNAVAILABLE',
      opts,
      run.report.totals.calls,
    );
  const result = finished(run);
  result.report.store = store.location;
  try {
    const task = opts.taskId ?? (input.continuation ? `hop-${input.continuation.hop}` : undefined);
    await store.put(reportKey(input.runId, task), `${JSON.stringify(result.report)}\n`);
  } catch (e) {
    result.report.ok = false;
    result.report.errors.push({ code: 'STORE_UNAVAILABLE', message: `the report could not be stored: ${message(e)}` });
  }
  return result;
}

const message = (e: unknown) => redactSecrets(e instanceof Error ? e.message : String(e));

function refused(
  input: RunInput,
  text: string,
  code: string,
  opts: JournaledRunOptions,
  calls: CallCounts = { list: 0, untag: 0, throttled: 0, retried: 0 },
): { report: Report; full: ResourceOutcome[] } {
  const now = new Date((opts.now ?? Date.now)());
  return {
    report: {
      ok: false,
      runId: input.runId,
      policy: input.policy?.name ?? '',
      dryRun: false,
      startedAt: now.toISOString(),
      durationMs: 0,
      totals: {
        scanned: 0,
        matched: 0,
        untagged: 0,
        keysRemoved: 0,
        skipped: 0,
        failed: 0,
        calls,
      },
      resources: [],
      errors: [],
      error: { code, message: text },
      ...(opts.store ? { store: opts.store.location } : {}),
    },
    full: [],
  };
}
