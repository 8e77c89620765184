/**
 * The run's report (DESIGN.md "the result"): exact counts, one outcome per resource, errors with
 * request ids, call statistics. Built incrementally while the run goes; `build` cuts the resource list
 * to a cap for the return value and hands back the full list for the log.
 *
 * Counting identity (tested): every resource that passed `match` ends in exactly one status, so
 *
 *     totals.matched = totals.untagged + totals.skipped + totals.failed + totals.planned
 *
 * where `skipped` counts matched resources left alone (nothing to remove, protected, vanished, deadline,
 * limit) and resources outside `match` are counted apart in `notMatched`. A resource recorded more than
 * once (its keys split over several calls) is one resource: its outcomes merge, the worst status wins
 * (failed > untagged > planned > skipped) and `keysRemoved` counts each key it lost once.
 */
import type { PolicyIssue } from './policy/parse.ts';
import { isCloudCallError, isVpcTagCleanupError, redactSecrets } from './errors.ts';
import type { CallCounts, Continuation, InputErrorReport, Report, ReportError, ResourceOutcome, ResourceStatus } from './types.ts';

/** Fixed facts of a run, given when its report starts. */
export interface ReportBuilderOptions {
  runId: string;
  policyName: string;
  dryRun: boolean;
  startedAt: Date;
  /** Resources listed in the returned report (the log gets them all). */
  cap: number;
}

/** What only the end of a run knows: the time, where it stopped, why it failed as a whole. */
export interface BuildOptions {
  /** The clock is read by the caller: this module is pure. */
  now: Date;
  continuation?: Continuation;
  error?: Report['error'];
}

const RANK: Record<ResourceStatus, number> = { skipped: 0, planned: 1, untagged: 2, failed: 3 };

interface Tracked {
  outcome: ResourceOutcome;
  /** Keys this resource lost over all its untagged outcomes. */
  removed?: Set<string>;
}

function refOf(o: { region: string; type: string; id: string }): string {
  return `${o.region}\u0000${o.type}\u0000${o.id}`;
}

function copyOutcome(o: ResourceOutcome): ResourceOutcome {
  return { ...o, keys: [...o.keys] };
}

/**
 * Accumulates a run's counts and outcomes. Callers count what they see (`scanned`, `matched`, `count`)
 * and `record` one outcome per resource (or per part of a resource); `build` may be called more than
 * once (e.g. for a progress line) and does not change the builder.
 */
export class ReportBuilder {
  private readonly opts: ReportBuilderOptions;
  private readonly outcomes = new Map<string, Tracked>();
  private readonly errors: ReportError[] = [];
  private readonly calls: CallCounts = { list: 0, untag: 0, throttled: 0, retried: 0 };
  private scannedCount = 0;
  private matchedCount = 0;

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

  /** Records (or merges into) the outcome of one resource. */
  record(outcome: ResourceOutcome): void {
    const ref = refOf(outcome);
    const prev = this.outcomes.get(ref);
    const removed = outcome.status === 'untagged' ? new Set(outcome.keys) : undefined;
    if (!prev) {
      this.outcomes.set(ref, removed ? { outcome: copyOutcome(outcome), removed } : { outcome: copyOutcome(outcome) });
      return;
    }
    if (removed) {
      if (prev.removed) for (const k of removed) prev.removed.add(k);
      else prev.removed = removed;
    }
    const keys = [...new Set([...prev.outcome.keys, ...outcome.keys])].sort();
    // A not-matched verdict never overrides a later real one, and vice versa the real one wins.
    const newWins = RANK[outcome.status] > RANK[prev.outcome.status] || prev.outcome.reason === 'not-matched';
    prev.outcome = newWins ? { ...copyOutcome(outcome), keys } : { ...prev.outcome, keys };
  }

  /** Counts calls: `list`, `untag` (each attempt that reached the cloud), `throttled`, `retried`. */
  count(kind: keyof CallCounts, n = 1): void {
    this.calls[kind] += n;
  }

  /** Records a run-level error (a failed listing, a failed batch); secrets are scrubbed from the message. */
  error(e: ReportError): void {
    this.errors.push({ ...e, message: redactSecrets(e.message) });
  }

  /** Builds the report: counts exact, `resources` cut to the cap (failures first), `full` complete. */
  build(opts: BuildOptions): { report: Report; full: ResourceOutcome[] } {
    const full: ResourceOutcome[] = [];
    let untagged = 0;
    let skipped = 0;
    let failed = 0;
    let planned = 0;
    let notMatched = 0;
    let keysRemoved = 0;
    const skippedBy: Record<string, number> = {};
    for (const t of this.outcomes.values()) {
      full.push(copyOutcome(t.outcome));
      keysRemoved += t.removed?.size ?? 0;
      switch (t.outcome.status) {
        case 'untagged':
          untagged++;
          break;
        case 'failed':
          failed++;
          break;
        case 'planned':
          planned++;
          break;
        case 'skipped': {
          if (t.outcome.reason === 'not-matched') notMatched++;
          else skipped++;
          const reason = t.outcome.reason ?? 'unspecified';
          skippedBy[reason] = (skippedBy[reason] ?? 0) + 1;
          break;
        }
      }
    }
    const recordedMatched = untagged + skipped + failed + planned;
    const cap = this.opts.cap;
    let resources = full;
    let truncated = false;
    if (full.length > cap) {
      truncated = true;
      // Keep every failure that fits, then the rest in order, so the cut report still shows what went wrong.
      const keep = new Set<number>();
      full.forEach((o, i) => {
        if (o.status === 'failed' && keep.size < cap) keep.add(i);
      });
      for (let i = 0; i < full.length && keep.size < cap; i++) keep.add(i);
      resources = full.filter((_, i) => keep.has(i));
    }
    const report: Report = {
      ok: failed === 0 && this.errors.length === 0 && opts.error === undefined,
      runId: this.opts.runId,
      policy: this.opts.policyName,
      dryRun: this.opts.dryRun,
      startedAt: this.opts.startedAt.toISOString(),
      durationMs: Math.max(0, opts.now.getTime() - this.opts.startedAt.getTime()),
      totals: {
        scanned: Math.max(this.scannedCount, recordedMatched + notMatched),
        // A caller that records every matched resource but forgets to count one still gets the identity.
        matched: Math.max(this.matchedCount, recordedMatched),
        untagged,
        keysRemoved,
        skipped,
        failed,
        planned,
        notMatched,
        skippedBy,
        calls: { ...this.calls },
      },
      resources: resources.map(copyOutcome),
      errors: this.errors.map((e) => ({ ...e })),
    };
    if (truncated) report.resourcesTruncated = true;
    if (opts.continuation) report.continuation = opts.continuation;
    if (opts.error) report.error = opts.error;
    return { report, full };
  }
}

/** The answer to input that can never succeed: `ok: false`, the code, a message, every issue; zero cloud calls. */
export function inputErrorReport(code: string, message: string, issues: PolicyIssue[]): InputErrorReport {
  return { ok: false, error: { code, message: redactSecrets(message), issues: issues.map((i) => ({ path: i.path, message: i.message })) } };
}

/** A `ReportError` from anything thrown: the engine's errors keep their code and request id; the rest become `INTERNAL`. */
export function reportErrorOf(e: unknown, context: Omit<ReportError, 'code' | 'message'> = {}): ReportError {
  const out: ReportError = { code: 'INTERNAL', message: redactSecrets(e instanceof Error ? e.message : String(e)), ...context };
  if (isVpcTagCleanupError(e)) out.code = e.code;
  if (isCloudCallError(e)) {
    if (out.region === undefined) out.region = e.region;
    if (e.requestId !== undefined && out.requestId === undefined) out.requestId = e.requestId;
  }
  return out;
}
