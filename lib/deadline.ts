/**
 * The run's deadline inside one FC invocation. FC has no remaining-time API, so it is computed at
 * handler entry from the configured timeout (reference/function-compute.md section 1): stop scheduling
 * a margin before FC would kill the instance, then hand off. The margin is `deadlineMarginMs`, but never
 * more than `deadlineMarginShare` of a short timeout (a 3 s function keeps 2.4 s of work, not none).
 *
 * A short margin can be shorter than one call in flight (a 10 s read timeout): so every cloud call is
 * also bounded by the time left (`callsEndBy`, `deadlineReserveMs` before the FC timeout, at most half
 * the margin), keeping time for the report and the continuation whatever a call does; writes end
 * half-way there (`writesEndBy`), so a write cut by its bound can still be read back and reported true.
 */
import { TUNING, type Tuning } from './catalog.ts';

type DeadlineLimits = Pick<Tuning, 'deadlineMarginMs' | 'deadlineMarginShare' | 'deadlineReserveMs'>;

/** An invocation's deadline: when, with which margin, and the signal that fires then. */
export interface Deadline {
  /** Epoch ms at which the run must stop starting work. */
  at: number;
  marginMs: number;
  /** Epoch ms by which every cloud call must have ended (between `at` and FC's timeout). */
  callsEndBy: number;
  /** Epoch ms by which write calls must have ended: half-way from `at` to `callsEndBy`, leaving time to read back. */
  writesEndBy: number;
  /** Aborts at `at` (the timer does not keep the process alive). */
  signal: AbortSignal;
}

/** Margin for a timeout of `timeoutMs`: the catalog's, scaled down for short timeouts. */
export function deadlineMargin(
  timeoutMs: number,
  limits: Pick<Tuning, 'deadlineMarginMs' | 'deadlineMarginShare'> = TUNING,
): number {
  return Math.max(0, Math.min(limits.deadlineMarginMs, Math.floor(timeoutMs * limits.deadlineMarginShare)));
}

/**
 * The deadline of an invocation that started at `startedMs` with an FC timeout of `timeoutSeconds`;
 * undefined when the timeout is unknown (outside FC: no deadline). `marginMs` overrides the margin.
 */
export function deadlineFor(
  startedMs: number,
  timeoutSeconds: number | undefined,
  marginMs?: number,
  limits: Partial<DeadlineLimits> = TUNING,
): Deadline | undefined {
  if (typeof timeoutSeconds !== 'number' || !Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) return undefined;
  const full = { ...TUNING, ...limits };
  const timeoutMs = timeoutSeconds * 1000;
  const margin = marginMs ?? deadlineMargin(timeoutMs, full);
  const at = startedMs + timeoutMs - margin;
  const reserve = Math.max(0, Math.min(full.deadlineReserveMs, Math.floor(margin / 2)));
  const callsEndBy = startedMs + timeoutMs - reserve;
  return {
    at,
    marginMs: margin,
    callsEndBy,
    writesEndBy: at + Math.floor((callsEndBy - at) / 2),
    signal: AbortSignal.timeout(Math.max(0, at - Date.now())),
  };
}
