/**
 * The run's deadline inside one FC invocation. FC has no remaining-time API, so it is computed at
 * handler entry from the configured timeout (reference/function-compute.md section 1): stop scheduling
 * a margin before FC would kill the instance, then hand off. The margin is `deadlineMarginMs`, but never
 * more than `deadlineMarginShare` of a short timeout (a 3 s function keeps 2.4 s of work, not none).
 */
import { LIMITS, type Limits } from './catalog.ts';

/** An invocation's deadline: when, with which margin, and the signal that fires then. */
export interface Deadline {
  /** Epoch ms at which the run must stop starting work. */
  at: number;
  marginMs: number;
  /** Aborts at `at` (the timer does not keep the process alive). */
  signal: AbortSignal;
}

/** Margin for a timeout of `timeoutMs`: the catalog's, scaled down for short timeouts. */
export function deadlineMargin(
  timeoutMs: number,
  limits: Pick<Limits, 'deadlineMarginMs' | 'deadlineMarginShare'> = LIMITS,
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
  limits: Pick<Limits, 'deadlineMarginMs' | 'deadlineMarginShare'> = LIMITS,
): Deadline | undefined {
  if (typeof timeoutSeconds !== 'number' || !Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) return undefined;
  const timeoutMs = timeoutSeconds * 1000;
  const margin = marginMs ?? deadlineMargin(timeoutMs, limits);
  const at = startedMs + timeoutMs - margin;
  return { at, marginMs: margin, signal: AbortSignal.timeout(Math.max(0, at - Date.now())) };
}
