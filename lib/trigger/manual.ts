/**
 * Manual invocations: `{policy, runId?, narrowTo?}` or a bare policy object; `narrowTo` (lib/narrow.ts)
 * runs the policy on exactly those resources. The function's own asynchronous invocations add
 * `continuation` (a run cut by its deadline) and `shard: {regions}` (one part of a fanned-out run), and
 * carry `narrowTo` on; all are accepted here so that every hop decodes the same way.
 */
import { z } from 'zod';
import { PRODUCTS, type ProductId, RESOURCE_TYPE_NAMES, type ResourceType } from '../catalog.ts';
import { narrowIssues } from '../narrow.ts';
import type { PlanDocument } from '../reviewed-plan/document.ts';
import type { Continuation, ResourceRef } from '../types.ts';
import { checkPlan, decodePlanField, type PlanField } from './plan-payload.ts';
import { joinPath, parsePolicyAt } from './policy.ts';
import { compactTime, RUN_ID_MAX_LENGTH, shortHash, toSafeId } from './run-id.ts';
import {
  type DecodedEvent,
  type DecodeHints,
  InputErrorCode,
  type InputIssue,
  invalid,
  type RunRequest,
  type SettledEvent,
  type Shard,
  type TriggerSource,
} from './types.ts';

/** Keys of the manual envelope; a payload with `policy` among its keys is an envelope, else a bare policy. */
const ENVELOPE_KEYS = new Set(['policy', 'plan', 'runId', 'narrowTo', 'continuation', 'shard']);

const ShardSchema = z.strictObject({
  regions: z.array(z.string().min(1)).min(1),
  account: z
    .string()
    .regex(/^\d{16}$/, 'must be a 16-digit account id')
    .optional(),
});

const UnitSchema = {
  region: z.string().min(1),
  type: z.enum(RESOURCE_TYPE_NAMES as [ResourceType, ...ResourceType[]]),
};
const NarrowToSchema = z.array(z.strictObject({ ...UnitSchema, id: z.string().min(1) })).min(1);
const CursorSchema = z.looseObject({ ...UnitSchema, lister: z.string(), token: z.string() });

/**
 * Every field of the continuation the engine reads is checked here, to its leaves: a malformed one
 * (`done: [null]`, `cursors: {}`) would otherwise throw inside the run, and FC retries a thrown async
 * invocation forever. Loose objects: the engine may add fields it does not need checked.
 */
const ContinuationSchema = z.looseObject({
  version: z.literal(1),
  runId: z.string().min(1),
  hop: z.number().int().min(0),
  done: z.array(z.looseObject(UnitSchema)),
  cursor: CursorSchema.optional(),
  cursors: z.array(CursorSchema).optional(),
  exactUntag: z.array(z.enum(Object.keys(PRODUCTS) as [ProductId, ...ProductId[]])).optional(),
  failed: z.number().int().min(0).optional(),
});

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether an object is the manual envelope rather than a bare policy. */
export function isManualEnvelope(value: Record<string, unknown>): boolean {
  return Object.hasOwn(value, 'policy') || Object.hasOwn(value, 'plan');
}

/**
 * A manual run id, in order: the payload's `runId` (made safe for FC task ids), the request id of the
 * invocation, or the time and a hash of the payload (so the same payload in the same second is one run).
 */
export function manualRunId(given: string | undefined, payload: unknown, hints: DecodeHints, now: Date): string {
  if (given !== undefined) return toSafeId(given, RUN_ID_MAX_LENGTH);
  if (hints.requestId) return toSafeId(`manual-${hints.requestId}`, RUN_ID_MAX_LENGTH);
  return `manual-${compactTime(now)}-${shortHash(JSON.stringify(payload) ?? '', 10)}`;
}

export interface ManualDecodeOptions {
  /** Prefix of issue paths (`payload` for a timer's payload string). */
  path: string;
  source: TriggerSource;
  hints: DecodeHints;
  now: Date;
  /** Overrides the run id (timer runs derive theirs from the trigger). */
  runId?: string;
}

/** Decode a manual payload already parsed from JSON. */
export function decodeManual(value: unknown, options: ManualDecodeOptions): DecodedEvent {
  const at = (...rest: PropertyKey[]) => joinPath(options.path, rest);
  if (!isRecord(value)) {
    return invalid(InputErrorCode.InvalidPayload, 'payload must be a JSON object: {policy, runId?} or a policy', [
      { path: at(), message: `expected an object, got ${describe(value)}` },
    ]);
  }
  if (!isManualEnvelope(value)) return finish(value, {}, value, options);

  const issues: InputIssue[] = [];
  for (const key of Object.keys(value)) {
    if (!ENVELOPE_KEYS.has(key))
      issues.push({
        path: at(key),
        message: `unknown key '${key}' (expected policy or plan, runId, narrowTo, continuation, shard)`,
      });
  }
  const extras: Extras = {};
  if (value.runId !== undefined) {
    if (typeof value.runId !== 'string' || value.runId.trim() === '')
      issues.push({ path: at('runId'), message: 'runId must be a non-empty string' });
    else extras.runId = value.runId;
  }
  if (value.shard !== undefined) {
    const shard = ShardSchema.safeParse(value.shard);
    if (shard.success)
      extras.shard = shard.data.account
        ? { regions: shard.data.regions, account: shard.data.account }
        : { regions: shard.data.regions };
    else issues.push(...shard.error.issues.map((i) => ({ path: at('shard', ...i.path), message: i.message })));
  }
  if (value.narrowTo !== undefined) {
    const narrow = NarrowToSchema.safeParse(value.narrowTo);
    if (narrow.success) extras.narrowTo = narrow.data;
    else issues.push(...narrow.error.issues.map((i) => ({ path: at('narrowTo', ...i.path), message: i.message })));
  }
  if (value.continuation !== undefined) {
    const cont = ContinuationSchema.safeParse(value.continuation);
    if (cont.success) extras.continuation = cont.data as unknown as Continuation;
    else issues.push(...cont.error.issues.map((i) => ({ path: at('continuation', ...i.path), message: i.message })));
  }
  if (Object.hasOwn(value, 'plan')) return decodeWithPlan(value, extras, options, issues);
  return finish(value.policy, extras, value, options, issues);
}

/**
 * `{plan, runId?, shard?, continuation?}`: the plan carries the policy and the resources, so `policy`
 * and `narrowTo` are refused beside it. A plan to read first (OSS, the run store) comes back to `resume`.
 */
function decodeWithPlan(
  value: Record<string, unknown>,
  extras: Extras,
  options: ManualDecodeOptions,
  issues: InputIssue[],
): DecodedEvent {
  const at = (...rest: PropertyKey[]) => joinPath(options.path, rest);
  if (Object.hasOwn(value, 'policy'))
    issues.push({ path: at('policy'), message: 'give a policy or a plan, not both (a plan carries its policy)' });
  if (extras.narrowTo)
    issues.push({ path: at('narrowTo'), message: 'a plan names its resources: narrowTo does not apply' });
  const runId = options.runId ?? manualRunId(extras.runId, value, options.hints, options.now);
  const field = decodePlanField(value.plan, at('plan'), runId);
  const go = (f: PlanField): SettledEvent => {
    if (f.kind === 'invalid' || issues.length > 0) {
      const all = [...issues, ...(f.kind === 'invalid' ? f.issues : [])];
      const planOnly = issues.length === 0;
      return planOnly
        ? invalid(InputErrorCode.InvalidPlan, `invalid plan: ${all.length} issue(s)`, all)
        : invalid(InputErrorCode.InvalidPayload, `invalid payload: ${all.length} issue(s)`, all);
    }
    if (f.kind === 'source') throw new Error('a plan source resolves to a plan before it runs');
    const { plan } = f;
    // The plan's policy runs as reviewed (never as a dry run); shard and continuation are checked against it.
    return finish({ ...plan.policy, dryRun: false }, { ...extras, runId }, value, { ...options, runId }, [], plan);
  };
  if (field.kind !== 'source') return go(field);
  if (issues.length > 0) return go({ kind: 'invalid', issues: [] });
  const { source } = field;
  return { kind: 'load-plan', source, path: at('plan'), resume: (raw) => go(checkPlan(raw, at('plan'), source)) };
}

/** The envelope's fields besides the policy, each checked on its own. */
interface Extras {
  runId?: string;
  narrowTo?: ResourceRef[];
  continuation?: Continuation;
  shard?: Shard;
}

function finish(
  policyInput: unknown,
  extras: Extras,
  payload: unknown,
  options: ManualDecodeOptions,
  issues: InputIssue[] = [],
  plan?: PlanDocument,
): SettledEvent {
  const bare = policyInput === payload;
  const policyPath = bare ? options.path : joinPath(options.path, [plan ? 'plan' : 'policy']);
  const parsed = policyInput === undefined ? undefined : parsePolicyAt(policyInput, policyPath);
  if (parsed === undefined) issues.push({ path: policyPath, message: 'policy is required' });
  else if (!parsed.ok) issues.push(...parsed.issues);

  if (parsed?.ok && extras.shard) {
    extras.shard.regions.forEach((region, i) => {
      if (!parsed.policy.regions.includes(region))
        issues.push({
          path: joinPath(options.path, ['shard', 'regions', i]),
          message: `region '${region}' is not one of the policy's regions`,
        });
    });
  }
  if (parsed?.ok && extras.narrowTo)
    for (const n of narrowIssues(parsed.policy, extras.narrowTo))
      issues.push({ path: joinPath(options.path, ['narrowTo', n.index, n.field]), message: n.message });
  const runId = options.runId ?? manualRunId(extras.runId, payload, options.hints, options.now);
  if (extras.continuation && extras.continuation.runId !== runId) {
    issues.push({
      path: joinPath(options.path, ['continuation', 'runId']),
      message: `continuation belongs to run '${extras.continuation.runId}', not '${runId}'`,
    });
  }
  if (issues.length > 0 || !parsed?.ok) {
    const policyOnly = issues.every(
      (i) =>
        i.path === policyPath ||
        i.path.startsWith(`${policyPath}.`) ||
        i.path.startsWith(`${policyPath}[`) ||
        policyPath === '',
    );
    return policyOnly && parsed !== undefined
      ? invalid(InputErrorCode.InvalidPolicy, `invalid policy: ${issues.length} issue(s)`, issues)
      : invalid(InputErrorCode.InvalidPayload, `invalid payload: ${issues.length} issue(s)`, issues);
  }
  const run: RunRequest = { policy: parsed.policy, runId, source: options.source };
  if (extras.continuation) run.continuation = extras.continuation;
  if (extras.shard) run.shard = extras.shard;
  if (extras.narrowTo) run.narrowTo = extras.narrowTo;
  if (plan) run.plan = plan;
  return { kind: 'run', run };
}

/** A type name for messages (never the value: it might hold secrets pasted by mistake). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
