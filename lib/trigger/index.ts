/**
 * Trigger decoding (DESIGN.md "invocation payloads and the result"): the raw FC event bytes become a
 * run to start, an event to ignore, or bad input with every issue. Pure: no I/O, no clock but `now`,
 * no randomness, so the same event always decodes to the same run id.
 *
 * Shapes, tried in this order on the parsed JSON:
 * - an array, a CloudEvent (`specversion`, or `source`+`type`+`data`), or a bare Cloud Config
 *   notification (RawData) -> EventBridge (`eventbridge.ts`);
 * - `{triggerTime, triggerName, payload}` -> timer (`timer.ts`);
 * - any other object -> manual: `{policy, runId?, narrowTo?, continuation?, shard?}` or a bare policy (`manual.ts`).
 */
import { decodeEventBridge, isCloudEvent, isConfigRawData } from './eventbridge.ts';
import { decodeManual, describe } from './manual.ts';
import { decodeTimer, isTimerEvent } from './timer.ts';
import {
  type DecodedEvent,
  type DecodeHints,
  InputErrorCode,
  invalid,
  type TriggerEnv,
  TriggerSource,
} from './types.ts';

export { isSafeId, shortHash, TASK_ID_MAX_LENGTH, toSafeId } from './run-id.ts';
export { effectivePolicy } from './shard.ts';
export * from './types.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decode an FC event (always a Buffer, possibly empty) into what the handler should do. */
export function decodeInvocation(
  event: Buffer | Uint8Array | string,
  env: TriggerEnv,
  now: Date,
  hints: DecodeHints = {},
): DecodedEvent {
  let textValue: string;
  try {
    textValue = typeof event === 'string' ? event : utf8.decode(event);
  } catch {
    return invalid(InputErrorCode.InvalidPayload, 'event is not UTF-8 text', [
      { path: '', message: 'bytes are not valid UTF-8' },
    ]);
  }
  if (textValue.trim() === '') {
    return invalid(InputErrorCode.InvalidPayload, 'event is empty', [
      { path: '', message: 'expected {policy, runId?}, a policy, a timer event or a CloudEvent' },
    ]);
  }
  let value: unknown;
  try {
    value = JSON.parse(textValue);
  } catch (e) {
    return invalid(InputErrorCode.InvalidPayload, 'event is not JSON', [
      { path: '', message: `not JSON: ${(e as Error).message}` },
    ]);
  }
  if (Array.isArray(value) || isCloudEvent(value) || isConfigRawData(value)) return decodeEventBridge(value, env);
  if (isTimerEvent(value)) return decodeTimer(value, env, now, hints);
  if (typeof value !== 'object' || value === null) {
    return invalid(InputErrorCode.InvalidPayload, 'event must be a JSON object or array', [
      { path: '', message: `got ${describe(value)}` },
    ]);
  }
  return decodeManual(value, { path: '', source: TriggerSource.Manual, hints, now });
}
