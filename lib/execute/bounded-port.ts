/**
 * The cloud port of a run with a hard end: each call gets at most the time left before its bound
 * (connect and read): `writesEndBy` for untag and tag calls, `callsEndBy` for the rest, so the read-back
 * of a write cut by its bound still fits. A call with no time left is not sent (`DeadlineError`, so the
 * retry loop and the stages treat it as the deadline: not applied, left for the continuation). A margin
 * shorter than the SDK's read timeout then still returns the report before FC ends the instance.
 */
import type { CloudPort } from '../cloud/port.ts';
import { DeadlineError } from './retry.ts';

/** Below this a call cannot complete: not sent. */
const MIN_CALL_MS = 50;

const WRITE_ACTIONS = /^(Un[tT]ag|Tag)Resources$/;

export interface CallBounds {
  /** Epoch ms by which every call must have ended. */
  callsEndBy: number;
  /** Epoch ms by which write calls must have ended (default `callsEndBy`). */
  writesEndBy?: number;
}

export function boundedPort(cloud: CloudPort, bounds: CallBounds, now: () => number = Date.now): CloudPort {
  return {
    call(product, region, action, params, options = {}) {
      const end = WRITE_ACTIONS.test(action) ? (bounds.writesEndBy ?? bounds.callsEndBy) : bounds.callsEndBy;
      const left = end - now();
      if (left < MIN_CALL_MS) return Promise.reject(new DeadlineError());
      const timeoutMs = Math.min(options.timeoutMs ?? Number.POSITIVE_INFINITY, left);
      return cloud.call(product, region, action, params, { ...options, timeoutMs });
    },
  };
}
