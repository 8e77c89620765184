/**
 * Stops a run that cannot succeed, at the first answer that says so, with one run-level error: the
 * cloud refusing the credentials or permissions (`AUTH_FAILED`: a wrong secret would otherwise make the
 * same refused call for every unit and batch), or the endpoint not reachable at all (`ENDPOINT_UNREACHABLE`
 * after `unreachableAttempts` such answers in a row, instead of every call's full retry budget). Once
 * stopped, the guard's signal fires (listing and writing stop as at a deadline) and every further call
 * is answered at once with `RunStoppedError` without reaching the network; the first refusal itself goes
 * to its caller as it came, so the report names it once.
 */
import { isAuthFailureCode, isUnreachableCode } from '../catalog.ts';
import type { CloudPort } from '../cloud/port.ts';
import { RunErrorCode, type RunStop, RunStoppedError } from '../errors.ts';
import { errorCode } from './retry.ts';

export type { RunStop } from '../errors.ts';
export { RunStoppedError } from '../errors.ts';

export interface RunGuard {
  port: CloudPort;
  /** Fires when the run stops (and when `outer`, the deadline, fires). */
  signal: AbortSignal;
  stopped(): RunStop | undefined;
}

export function createRunGuard(cloud: CloudPort, opts: { unreachableAttempts: number; outer?: AbortSignal }): RunGuard {
  const controller = new AbortController();
  let stop: RunStop | undefined;
  let unreachableInARow = 0;
  const halt = (s: RunStop) => {
    stop = s;
    controller.abort(new RunStoppedError(s));
  };
  const port: CloudPort = {
    async call(product, region, action, params, options) {
      if (stop) throw new RunStoppedError(stop);
      try {
        const res = await cloud.call(product, region, action, params, options);
        unreachableInARow = 0;
        return res;
      } catch (err) {
        const code = errorCode(err);
        // Refusals already in flight when the run stopped: the first one has said it.
        if (stop && (isAuthFailureCode(code) || isUnreachableCode(code))) throw new RunStoppedError(stop);
        const message = err instanceof Error ? err.message : String(err);
        if (isAuthFailureCode(code)) {
          halt({
            code: RunErrorCode.AuthFailed,
            cause: code ?? '',
            message: `the cloud refused the credentials or permissions (${code}); the run stopped at the first refusal: ${message}`,
          });
        } else if (isUnreachableCode(code)) {
          if (++unreachableInARow >= Math.max(1, opts.unreachableAttempts))
            halt({
              code: RunErrorCode.EndpointUnreachable,
              cause: code ?? '',
              message: `the endpoint cannot be reached (${code}, ${unreachableInARow} calls in a row); the run stopped: ${message}`,
            });
        } else {
          unreachableInARow = 0;
        }
        throw err;
      }
    },
  };
  const signal = opts.outer ? AbortSignal.any([opts.outer, controller.signal]) : controller.signal;
  return { port, signal, stopped: () => stop };
}
