/**
 * Timer trigger: FC delivers `{"triggerTime","triggerName","payload"}`, all strings, with our manual
 * payload JSON-encoded inside `payload` (reference/function-compute.md section 3). The run id comes from
 * the trigger name and time, so a re-delivered tick is the same run (same ClientTokens, same task ids).
 * An empty payload runs the policy in `VPC_TAG_CLEANUP_POLICY`.
 */
import { decodeManual, describe, isRecord } from './manual.ts';
import { parseEnvPolicy } from './policy.ts';
import { compactTime, RUN_ID_MAX_LENGTH, toSafeId } from './run-id.ts';
import {
  type DecodedEvent,
  type DecodeHints,
  InputErrorCode,
  invalid,
  type TriggerEnv,
  TriggerSource,
} from './types.ts';

/** Whether a parsed event is a timer tick (a policy or manual envelope never has these keys). */
export function isTimerEvent(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && Object.hasOwn(value, 'triggerTime') && Object.hasOwn(value, 'triggerName');
}

/** `timer-<name>-<yyyymmddThhmmssZ>`; an unparseable time is kept as text (still deterministic). */
export function timerRunId(triggerName: string, triggerTime: string): string {
  const time = new Date(triggerTime);
  const stamp = Number.isNaN(time.getTime()) ? triggerTime : compactTime(time);
  return toSafeId(`timer-${triggerName}-${stamp}`, RUN_ID_MAX_LENGTH);
}

/** Decode a timer tick: its payload string as a manual payload, under the tick's run id. */
export function decodeTimer(
  event: Record<string, unknown>,
  env: TriggerEnv,
  now: Date,
  hints: DecodeHints,
): DecodedEvent {
  const { triggerName, triggerTime, payload } = event;
  if (typeof triggerName !== 'string' || typeof triggerTime !== 'string' || triggerName === '' || triggerTime === '') {
    return invalid(
      InputErrorCode.InvalidPayload,
      'timer event needs string triggerName and triggerTime',
      [
        { path: 'triggerName', message: `expected a non-empty string, got ${describe(triggerName)}` },
        { path: 'triggerTime', message: `expected a non-empty string, got ${describe(triggerTime)}` },
      ].filter((_, i) =>
        i === 0
          ? typeof triggerName !== 'string' || triggerName === ''
          : typeof triggerTime !== 'string' || triggerTime === '',
      ),
    );
  }
  const runId = timerRunId(triggerName, triggerTime);
  const options = { path: 'payload', source: TriggerSource.Timer, hints, now, runId };

  // FC documents `payload` as a string; accept an object too (a hand-made test event), and nothing else.
  let inner: unknown;
  if (payload === undefined || payload === null || (typeof payload === 'string' && payload.trim() === '')) {
    const envPolicy = parseEnvPolicy(env.VPC_TAG_CLEANUP_POLICY);
    if (envPolicy === undefined) {
      return invalid(
        InputErrorCode.PolicyNotConfigured,
        'timer event has no payload and VPC_TAG_CLEANUP_POLICY is not set',
        [
          {
            path: 'payload',
            message: 'empty: put {"policy": ...} in the trigger payload or set VPC_TAG_CLEANUP_POLICY',
          },
        ],
      );
    }
    if (!envPolicy.ok)
      return invalid(
        InputErrorCode.InvalidPolicy,
        `invalid policy: ${envPolicy.issues.length} issue(s)`,
        envPolicy.issues,
      );
    return { kind: 'run', run: { policy: envPolicy.policy, runId, source: TriggerSource.Timer } };
  }
  if (typeof payload === 'string') {
    try {
      inner = JSON.parse(payload);
    } catch (e) {
      return invalid(InputErrorCode.InvalidPayload, 'timer payload is not JSON', [
        { path: 'payload', message: `not JSON: ${(e as Error).message}` },
      ]);
    }
  } else if (isRecord(payload)) {
    inner = payload;
  } else {
    return invalid(InputErrorCode.InvalidPayload, 'timer payload must be a JSON string', [
      { path: 'payload', message: `expected a string, got ${describe(payload)}` },
    ]);
  }
  return decodeManual(inner, options);
}
