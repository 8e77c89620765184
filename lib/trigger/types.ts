/**
 * What a trigger event decodes into (DESIGN.md "invocation payloads and the result"): a run to start,
 * an event to ignore (answered, never retried), or bad input (answered with every issue, never thrown).
 */
import { type Issue, RunErrorCode } from '../errors.ts';
import type { Policy } from '../policy/schema.ts';
import type { PlanDocument } from '../reviewed-plan/document.ts';
import type { Continuation, ResourceRef } from '../types.ts';

/** Which trigger started a run (reported and logged). */
export const TriggerSource = {
  Manual: 'manual',
  Timer: 'timer',
  EventBridge: 'eventbridge',
} as const;
export type TriggerSource = (typeof TriggerSource)[keyof typeof TriggerSource];

/** One problem with the input: `path` in the event, dotted (`policy.regions.0`, `[1].data.evaluationResultIdentifier`). */
export type InputIssue = Issue;

/** The part of a policy's regions one asynchronous invocation owns when a run is fanned out. */
export interface Shard {
  regions: string[];
  /** Many-account runs (policy `accounts`): the member account this shard cleans. */
  account?: string;
}

/** A run to start. `policy` is the policy as given (a shard's invocation narrows regions itself). */
export interface RunRequest {
  policy: Policy;
  runId: string;
  source: TriggerSource;
  continuation?: Continuation;
  shard?: Shard;
  /** Event-driven runs: exactly these resources (the policy is narrowed to them as well). */
  narrowTo?: ResourceRef[];
  /** Events of a batch that were left out, and why (logged with the report). */
  notes?: string[];
  /**
   * A reviewed plan (`{"plan": ...}`): only its (resource, key, value) entries go; `policy` is the plan's.
   * Its hops and shards read it back from the run store (`<runId>/plan.json`) instead of carrying it.
   */
  plan?: PlanDocument;
}

/** Where a payload's reviewed plan is, when it is not in the payload itself. */
export type PlanSource =
  /** `{"plan": "oss://bucket/key"}`: an object in OSS, read with the function's credentials. */
  | { kind: 'oss'; bucket: string; key: string; location: string }
  /** A hop or shard of a plan run: the run store's `<runId>/plan.json`, which must have this hash. */
  | { kind: 'run-store'; runId: string; planHash: string };

/** What the handler should do with an event: run, ignore (answered ok), or answer bad input. */
export type SettledEvent =
  | { kind: 'run'; run: RunRequest }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; code: InputErrorCode; message: string; issues: InputIssue[] };

/**
 * A settled event, or a payload that names a plan to read first (decoding stays pure): the handler
 * reads `source` and hands what it read (parsed JSON) to `resume`, which decodes the rest with it.
 */
export type DecodedEvent =
  | SettledEvent
  | { kind: 'load-plan'; source: PlanSource; path: string; resume(plan: unknown): SettledEvent };

/** Codes of answers to bad input (a part of the run's one table, `RunErrorCode`). */
export const InputErrorCode = {
  /** Not UTF-8 JSON, or JSON of the wrong shape. */
  InvalidPayload: RunErrorCode.InvalidInput,
  /** The policy (in the payload or in `VPC_TAG_CLEANUP_POLICY`) fails validation. */
  InvalidPolicy: RunErrorCode.InvalidPolicy,
  /** An event-driven invocation, but `VPC_TAG_CLEANUP_POLICY` is not set. */
  PolicyNotConfigured: RunErrorCode.PolicyNotConfigured,
  /** A Cloud Config event that does not say which resource it is about. */
  InvalidEvent: RunErrorCode.InvalidEvent,
  /** A reviewed plan that does not parse, was edited after review, or cannot be read. */
  InvalidPlan: RunErrorCode.InvalidPlan,
} as const;
export type InputErrorCode = (typeof InputErrorCode)[keyof typeof InputErrorCode];

export type Invalid = Extract<SettledEvent, { kind: 'invalid' }>;

/** The `invalid` answer with its code, a message for people, and every issue. */
export function invalid(code: InputErrorCode, message: string, issues: InputIssue[]): Invalid {
  return { kind: 'invalid', code, message, issues };
}

/** Environment the decoder reads. */
export interface TriggerEnv {
  VPC_TAG_CLEANUP_POLICY?: string | undefined;
  /** Any other variable (so `process.env` is one). */
  [name: string]: string | undefined;
}

/** Facts from the invocation context that help derive ids (a manual run without `runId`). */
export interface DecodeHints {
  requestId?: string | undefined;
}
