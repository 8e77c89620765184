/**
 * The run's report (DESIGN.md "the result"): exact counts, a cut list of outcomes, errors with request
 * ids, call statistics. Built while the run goes and flat in memory: each outcome is counted when it is
 * recorded, handed to the optional sink (`onOutcome`: the run writes it to the log as one JSON line),
 * and kept only while the bounded list for the return value has room (`cap`, failures kept first).
 *
 * Counting identity (tested): every resource that passed `match` ends in exactly one status, so
 *
 *     totals.matched = totals.untagged + totals.skipped + totals.failed + totals.planned
 *
 * where `skipped` counts matched resources left alone (nothing to remove, protected, vanished, deadline,
 * limit) and resources outside `match` are counted apart in `notMatched` (never kept nor sunk one by
 * one: a count is all a report needs of them).
 *
 * One resource, one `record`: the builder keeps no per-resource map, so the caller gives each resource
 * exactly one final outcome. A resource whose keys went over several calls is merged before it gets
 * here (`lib/execute/parts.ts`: worst status wins, keys united), and `keysRemoved` is passed along for
 * such a merged outcome since its `keys` then also hold the parts that did not go.
 */

import {
  CloudCallError,
  type Issue,
  isEngineError,
  RunErrorCode,
  redactSecrets,
  type VpcTagCleanupError,
} from './errors.ts';
import type { PolicyIssue } from './policy/parse.ts';
import type { CallCounts, Continuation, InputErrorReport, Report, ReportError, ResourceOutcome } from './types.ts';

/** Fixed facts of a run, given when its report starts. */
export interface ReportBuilderOptions {
  runId: string;
  policyName: string;
  dryRun: boolean;
  startedAt: Date;
  /** Resources listed in the returned report (the sink gets them all). */
  cap: number;
  /** Hears every final outcome once, when it is recorded (never a `not-matched` one). */
  onOutcome?: (outcome: ResourceOutcome) => void;
}

/** What only the end of a run knows: the time, where it stopped, why it failed as a whole. */
export interface BuildOptions {
  /** The clock is read by the caller: this module is pure. */
  now: Date;
  continuation?: Continuation;
  error?: Report['error'];
  /** Failures earlier hops of the run reported (`Continuation.failed`): the run is not ok if any. */
  failedBefore?: number;
}

function copyOutcome(o: ResourceOutcome): ResourceOutcome {
  return { ...o, keys: [...o.keys] };
}

/**
 * Accumulates a run's counts and a bounded list of outcomes. Callers count what they see (`scanned`,
 * `matched`, `count`) and `record` exactly one final outcome per resource; `build` may be called more
 * than once (e.g. for a progress line) and does not change the builder. Memory: O(cap), whatever the
 * number of resources.
 */
export class ReportBuilder {
  private readonly opts: ReportBuilderOptions;
  /** The first `cap` failures and the first `cap` other outcomes, each with its arrival number. */
  private readonly keptFailed: Array<[number, ResourceOutcome]> = [];
  private readonly keptOther: Array<[number, ResourceOutcome]> = [];
  private recorded = 0;
  /** The first `cap` run-level errors (a run where every batch fails must not grow with them). */
  private readonly errors: ReportError[] = [];
  private errorCount = 0;
  private readonly calls: CallCounts = { list: 0, untag: 0, throttled: 0, retried: 0 };
  private scannedCount = 0;
  private matchedCount = 0;
  private untagged = 0;
  private skipped = 0;
  private failed = 0;
  private planned = 0;
  private notMatched = 0;
  private keysRemoved = 0;
  private readonly skippedBy: Record<string, number> = {};

  constructor(opts: ReportBuilderOptions) {
    this.opts = { ...opts, cap: Math.max(0, Math.floor(opts.cap)) };
  }

  /** Counts resources discovery yielded. */
  scanned(n = 1): void {
    this.scannedCount += n;
  }

  /** Counts resources that passed `match` (each must also get an outcome for the identity to hold). */
  matched(n = 1): void {
    this.matchedCount += n;
  }

  /**
   * Records the final outcome of one resource: counted, passed to the sink, kept if the list has room.
   * `keysRemoved` defaults to the outcome's distinct keys when it is `untagged`, else 0.
   */
  record(outcome: ResourceOutcome, keysRemoved?: number): void {
    if (outcome.status === 'skipped') {
      const reason = outcome.reason ?? 'unspecified';
      this.skippedBy[reason] = (this.skippedBy[reason] ?? 0) + 1;
      if (reason === 'not-matched') {
        this.notMatched++;
        return;
      }
      this.skipped++;
    } else if (outcome.status === 'untagged') this.untagged++;
    else if (outcome.status === 'failed') this.failed++;
    else this.planned++;
    this.keysRemoved += keysRemoved ?? (outcome.status === 'untagged' ? new Set(outcome.keys).size : 0);
    const seq = this.recorded++;
    const cap = this.opts.cap;
    if (outcome.status === 'failed') {
      if (this.keptFailed.length < cap) this.keptFailed.push([seq, copyOutcome(outcome)]);
    } else if (this.keptOther.length < cap) this.keptOther.push([seq, copyOutcome(outcome)]);
    this.opts.onOutcome?.(outcome);
  }

  /** Counts calls: `list`, `untag` (each attempt that reached the cloud), `throttled`, `retried`. */
  count(kind: keyof CallCounts, n = 1): void {
    this.calls[kind] += n;
  }

  /**
   * Records a run-level error (a failed listing, a failed batch); secrets are scrubbed from the message.
   * The first `cap` (at least one) are kept; past that `errorsTruncated` says so (each failed resource
   * still reaches the sink with its code and request id).
   */
  error(e: ReportError): void {
    this.errorCount++;
    if (this.errors.length < Math.max(1, this.opts.cap)) this.errors.push({ ...e, message: redactSecrets(e.message) });
  }

  /** Builds the report: counts exact, `resources` cut to the cap (failures first, then in arrival order). */
  build(opts: BuildOptions): Report {
    const cap = this.opts.cap;
    // Every failure that fits, then the others in order, shown in arrival order: the cut report still
    // shows what went wrong.
    const failed = this.keptFailed.slice(0, cap);
    const kept = [...failed, ...this.keptOther.slice(0, cap - failed.length)].sort((a, b) => a[0] - b[0]);
    const recordedMatched = this.untagged + this.skipped + this.failed + this.planned;
    const report: Report = {
      ok: this.failed === 0 && this.errorCount === 0 && opts.error === undefined && !(opts.failedBefore ?? 0),
      runId: this.opts.runId,
      policy: this.opts.policyName,
      dryRun: this.opts.dryRun,
      startedAt: this.opts.startedAt.toISOString(),
      durationMs: Math.max(0, opts.now.getTime() - this.opts.startedAt.getTime()),
      totals: {
        scanned: Math.max(this.scannedCount, recordedMatched + this.notMatched),
        // A caller that records every matched resource but forgets to count one still gets the identity.
        matched: Math.max(this.matchedCount, recordedMatched),
        untagged: this.untagged,
        keysRemoved: this.keysRemoved,
        skipped: this.skipped,
        failed: this.failed,
        planned: this.planned,
        notMatched: this.notMatched,
        skippedBy: { ...this.skippedBy },
        calls: { ...this.calls },
      },
      resources: kept.map(([, o]) => copyOutcome(o)),
      errors: this.errors.map((e) => ({ ...e })),
    };
    if (this.recorded > kept.length) report.resourcesTruncated = true;
    if (this.errorCount > this.errors.length) report.errorsTruncated = true;
    if (opts.continuation) report.continuation = opts.continuation;
    if (opts.error) report.error = opts.error;
    return report;
  }
}

/** The answer to input that can never succeed: `ok: false`, the code, a message, every issue; zero cloud calls. */
export function inputErrorReport(code: string, message: string, issues: PolicyIssue[]): InputErrorReport {
  return {
    ok: false,
    error: { code, message: redactSecrets(message), issues: issues.map((i) => ({ path: i.path, message: i.message })) },
  };
}

/** The report's `error` for a failure of the whole run: its code, message, and count or issues when it has them. */
export function runErrorOf(
  e: VpcTagCleanupError & { count?: number; issues?: readonly Issue[] },
): NonNullable<Report['error']> {
  const out: NonNullable<Report['error']> = { code: e.code, message: redactSecrets(e.message) };
  if (e.count !== undefined) out.count = e.count;
  if (e.issues) out.issues = e.issues.map((i) => ({ path: i.path, message: i.message }));
  return out;
}

/** A `ReportError` from anything thrown: the engine's errors keep their code and request id; the rest become `INTERNAL`. */
export function reportErrorOf(e: unknown, context: Omit<ReportError, 'code' | 'message'> = {}): ReportError {
  const out: ReportError = {
    code: RunErrorCode.Internal,
    message: redactSecrets(e instanceof Error ? e.message : String(e)),
    ...context,
  };
  if (!isEngineError(e)) return out;
  out.code = e.code;
  if (isEngineError(e, CloudCallError) && out.region === undefined) out.region = e.region;
  // A refusal's request id (a cloud call's, an STS or directory call's), for a support ticket.
  const requestId = (e as { requestId?: unknown }).requestId;
  if (typeof requestId === 'string' && requestId && out.requestId === undefined) out.requestId = requestId;
  return out;
}
