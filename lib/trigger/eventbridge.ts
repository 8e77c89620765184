/**
 * EventBridge trigger: one CloudEvent, or an array of them (`event-streaming` delivery), or the bare
 * `data` (RawData schema). A Cloud Config `*:Config:NonCompliantNotification` names one resource; the
 * policy in `VPC_TAG_CLEANUP_POLICY` runs as written, narrowed to it by `narrowTo` (lib/narrow.ts). Anything else is ignored with a reason: an
 * error would only make FC retry an event that can never succeed.
 */
import { outsidePolicy, uniqueRefs } from '../narrow.ts';
import type { ResourceRef } from '../types.ts';
import { asObject, dig, resolveConfigResource, text } from './config-resource.ts';
import { describe, isRecord } from './manual.ts';
import { parseEnvPolicy } from './policy.ts';
import { RUN_ID_MAX_LENGTH, shortHash, toSafeId } from './run-id.ts';
import {
  type DecodedEvent,
  InputErrorCode,
  type InputIssue,
  invalid,
  type RunRequest,
  type TriggerEnv,
  TriggerSource,
} from './types.ts';

const NON_COMPLIANT_TYPE = /:Config:NonCompliantNotification$/;

/** Whether a parsed object is a CloudEvents envelope. */
export function isCloudEvent(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  if (typeof value.specversion === 'string') return true;
  return typeof value.source === 'string' && typeof value.type === 'string' && Object.hasOwn(value, 'data');
}

/** Whether a parsed object is a Cloud Config notification delivered without its envelope (RawData). */
export function isConfigRawData(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  return (
    Object.hasOwn(value, 'evaluationResultIdentifier') ||
    value.dataType === 'NonCompliantNotification' ||
    Object.hasOwn(value, 'complianceType')
  );
}

/** One event's verdict. */
type EventVerdict =
  | { kind: 'resource'; ref: ResourceRef; idSeed: string }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; issues: InputIssue[] };

function decodeOne(event: unknown, path: string): EventVerdict {
  const at = (p: string) => (path === '' ? p : `${path}.${p}`);
  if (isCloudEvent(event)) {
    const type = text(event.type) ?? '';
    const source = text(event.source) ?? '';
    if (!NON_COMPLIANT_TYPE.test(type) || !source.startsWith('acs.')) {
      return {
        kind: 'ignored',
        reason: `event type '${type}' from '${source}' is not a Cloud Config non-compliance notification`,
      };
    }
    const data = asObject(event.data);
    if (!data)
      return {
        kind: 'invalid',
        issues: [{ path: at('data'), message: `expected the notification object, got ${describe(event.data)}` }],
      };
    const eventId = text(event.id);
    return fromNotification(data, event, at('data'), eventId);
  }
  if (isConfigRawData(event)) return fromNotification(event, undefined, path, undefined);
  return {
    kind: 'invalid',
    issues: [{ path: path, message: `expected a CloudEvent or a Cloud Config notification, got ${describe(event)}` }],
  };
}

function fromNotification(
  data: Record<string, unknown>,
  envelope: Record<string, unknown> | undefined,
  path: string,
  eventId: string | undefined,
): EventVerdict {
  const compliance = text(data.complianceType);
  // The event type already says non-compliant; a notification without the field is taken at its word.
  if (compliance !== undefined && compliance.toUpperCase() !== 'NON_COMPLIANT') {
    return { kind: 'ignored', reason: `complianceType is '${compliance}', not NON_COMPLIANT` };
  }
  const resolved = resolveConfigResource(data, envelope);
  if (!resolved.ok) {
    if (resolved.unknownType !== undefined)
      return { kind: 'ignored', reason: `resource type '${resolved.unknownType}' is not one this function cleans` };
    const base = path === '' ? '' : `${path}.`;
    return {
      kind: 'invalid',
      issues: resolved.missing.map((field) => ({
        path: `${base}evaluationResultIdentifier.evaluationResultQualifier.${field}`,
        message: `missing (also not found in resourceArn${envelope ? ', subject or aliyunregionid' : ''})`,
      })),
    };
  }
  const { ref } = resolved;
  const stamp =
    text(data.notificationCreationTime) ?? text(dig(data, 'evaluationResultIdentifier', 'orderingTimestamp')) ?? '';
  return { kind: 'resource', ref, idSeed: eventId ?? `config|${ref.region}|${ref.type}|${ref.id}|${stamp}` };
}

/** Decode one CloudEvent, an array of them, or RawData. */
export function decodeEventBridge(events: unknown, env: TriggerEnv): DecodedEvent {
  const list = Array.isArray(events) ? events : [events];
  if (list.length === 0) return { kind: 'ignored', reason: 'empty event batch' };
  const verdicts = list.map((e, i) => ({ index: i, verdict: decodeOne(e, Array.isArray(events) ? `[${i}]` : '') }));

  const label = (i: number) => (Array.isArray(events) ? `event ${i}: ` : '');
  const notes: string[] = [];
  const issues: InputIssue[] = [];
  const found: Array<{ ref: ResourceRef; idSeed: string; index: number }> = [];
  for (const { index, verdict } of verdicts) {
    if (verdict.kind === 'ignored') notes.push(`${label(index)}ignored: ${verdict.reason}`);
    else if (verdict.kind === 'invalid') issues.push(...verdict.issues);
    else found.push({ ...verdict, index });
  }
  if (found.length === 0) {
    if (issues.length > 0)
      return invalid(InputErrorCode.InvalidEvent, 'Cloud Config event does not name a resource', issues);
    return { kind: 'ignored', reason: notes.join('; ') };
  }

  const envPolicy = parseEnvPolicy(env.VPC_TAG_CLEANUP_POLICY);
  if (envPolicy === undefined) {
    return invalid(
      InputErrorCode.PolicyNotConfigured,
      'event-driven invocation but VPC_TAG_CLEANUP_POLICY is not set',
      [{ path: 'env.VPC_TAG_CLEANUP_POLICY', message: 'not set: the policy to apply to flagged resources' }],
    );
  }
  if (!envPolicy.ok)
    return invalid(
      InputErrorCode.InvalidPolicy,
      `invalid policy: ${envPolicy.issues.length} issue(s)`,
      envPolicy.issues,
    );

  const inScope: typeof found = [];
  for (const f of found) {
    const why = outsidePolicy(envPolicy.policy, f.ref);
    if (why) notes.push(`${label(f.index)}ignored: ${why.message}`);
    else inScope.push(f);
  }
  for (const issue of issues) notes.push(`skipped: ${issue.path}: ${issue.message}`);
  if (inScope.length === 0) return { kind: 'ignored', reason: notes.join('; ') };

  const refs = uniqueRefs(inScope.map((f) => f.ref));
  const seeds = [...new Set(inScope.map((f) => f.idSeed))];
  const onlySeed = seeds.length === 1 ? seeds[0]! : undefined;
  const runId =
    onlySeed !== undefined && !onlySeed.startsWith('config|')
      ? toSafeId(onlySeed, RUN_ID_MAX_LENGTH)
      : `eb-${shortHash(seeds.sort().join('\n'), 24)}`;
  const run: RunRequest = {
    policy: envPolicy.policy,
    runId,
    source: TriggerSource.EventBridge,
    narrowTo: refs,
  };
  if (notes.length > 0) run.notes = notes;
  return { kind: 'run', run };
}
