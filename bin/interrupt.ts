/**
 * Ctrl-C during `run`/`plan`: the first SIGINT aborts the run's signal (calls in flight finish, nothing
 * new is sent, the rest is reported); a second one quits at once. The interrupted report is then told
 * apart from a deadline: `ok: false`, error `INTERRUPTED`, resources `skipped`/`interrupted`, and its
 * continuation is what `run --continue` resumes.
 */
import type { Report, ResourceOutcome } from '../lib/types.ts';
import { CliErrorCode } from './errors.ts';

/** Exit code of a process ended by SIGINT, as shells report it (128 + 2). */
export const INTERRUPTED_EXIT = 130;

export interface InterruptWatch {
  readonly fired: boolean;
  dispose(): void;
}

/** Installs the SIGINT handler for the length of a run; `onFirst` says what happens next. */
export function watchInterrupt(controller: AbortController, onFirst: () => void): InterruptWatch {
  let fired = false;
  const handler = () => {
    if (fired) process.exit(INTERRUPTED_EXIT);
    fired = true;
    onFirst();
    controller.abort();
  };
  process.on('SIGINT', handler);
  return {
    get fired() {
      return fired;
    },
    dispose: () => process.off('SIGINT', handler),
  };
}

/** An outcome the run abandoned at its "deadline" was abandoned by Ctrl-C: say so. */
export function interruptedOutcome(o: ResourceOutcome): ResourceOutcome {
  return o.status === 'skipped' && o.reason === 'deadline' ? { ...o, reason: 'interrupted' } : o;
}

/** The report of a run stopped by Ctrl-C: never `ok`, whatever it managed before. Pure. */
export function interruptedReport(report: Report, resumeHint: string | undefined): Report {
  const skippedBy = { ...(report.totals.skippedBy ?? {}) };
  const moved = skippedBy.deadline ?? 0;
  delete skippedBy.deadline;
  if (moved > 0) skippedBy.interrupted = (skippedBy.interrupted ?? 0) + moved;
  return {
    ...report,
    ok: false,
    totals: { ...report.totals, skippedBy },
    resources: report.resources.map(interruptedOutcome),
    error: {
      code: CliErrorCode.Interrupted,
      message: `interrupted (Ctrl-C) before the run finished${moved > 0 ? `: ${moved} resources not done` : ''}${resumeHint ? `; ${resumeHint}` : ''}`,
    },
  };
}
