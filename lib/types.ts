/**
 * Domain types shared by the stages of the engine (DESIGN.md, "the data flow"):
 * discover -> select -> plan -> execute -> report.
 */
import type { ProductId, ResourceType } from './catalog.ts';
import type { Issue } from './errors.ts';

/** Where a resource lives and what it is. */
export interface ResourceRef {
  region: string;
  type: ResourceType;
  id: string;
}

/** A discovered resource with its full tag set, as a lister yields it. */
export interface TaggedResource extends ResourceRef {
  tags: Record<string, string>;
}

/** Why selection left a resource alone (counted in the report). */
export const SkipReason = {
  NothingToRemove: 'nothing-to-remove',
  ProtectedResource: 'protected-resource',
  NotMatched: 'not-matched',
  NotFound: 'not-found',
  Deadline: 'deadline',
  /** The run stopped before this resource's call (refused credentials, unreachable endpoint). */
  Stopped: 'stopped',
  LimitExceeded: 'limit-exceeded',
  /** `run --plan`: every planned key's value changed (or the key went) since the plan was made. */
  ChangedSincePlan: 'changed-since-plan',
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

/**
 * Selection's verdict on one resource: the keys to remove (never empty), or why it is skipped.
 * `all` is true when the policy says `remove.all` and nothing on the resource is protected, so the
 * call may send `All=true`.
 */
export type Selection =
  | (ResourceRef & { action: 'remove'; keys: string[]; all: boolean; values?: Record<string, string> })
  | (ResourceRef & { action: 'skip'; reason: SkipReason; keys: string[] });

/** One untag call: at most `maxIdsPerCall` ids and `maxKeysPerCall` keys, one region and type. */
export interface UntagBatch {
  product: ProductId;
  region: string;
  type: ResourceType;
  ids: string[];
  /** Keys to send as `TagKey.N`, or `'all'` to send `All=true`. */
  keys: string[] | 'all';
  /** Per id, the keys this batch removes from it (a subset of `keys`, or all its keys for `'all'`). */
  removes: Record<string, string[]>;
  /**
   * For ids whose selection the planner split over several calls (more keys than a call carries), how
   * many parts it has in all, so the executor gives the resource one merged outcome; absent otherwise.
   */
  parts?: Record<string, number>;
}

export const ResourceStatus = {
  Planned: 'planned',
  Untagged: 'untagged',
  Skipped: 'skipped',
  Failed: 'failed',
} as const;
export type ResourceStatus = (typeof ResourceStatus)[keyof typeof ResourceStatus];

/** One entry of the report's `resources`. */
export interface ResourceOutcome {
  region: string;
  type: ResourceType;
  id: string;
  keys: string[];
  status: ResourceStatus;
  reason?: string;
  code?: string;
  requestId?: string;
  /**
   * Keys that did go when the outcome is not `untagged` (a resource whose keys went over several calls
   * and not all of them went); `keys` then lists the keys still on it.
   */
  removed?: string[];
  /** The values the removed (or, planned, to-be-removed) keys had: the journal's before-image. */
  values?: Record<string, string>;
  /** `run --plan`: planned keys left alone because their value changed since the plan. */
  changed?: string[];
}

export interface CallCounts {
  list: number;
  untag: number;
  throttled: number;
  retried: number;
}

export interface Totals {
  scanned: number;
  matched: number;
  untagged: number;
  keysRemoved: number;
  skipped: number;
  failed: number;
  /**
   * Resources whose keys would go but were not written: a dry run, or a run stopped before its writes.
   * Filled by `ReportBuilder`; optional only so that hand-built totals elsewhere stay valid.
   */
  planned?: number;
  /** Resources seen but outside `match` (not counted in `matched` nor `skipped`). */
  notMatched?: number;
  /** `skipped` (and `notMatched`) broken down by reason; filled by `ReportBuilder`. */
  skippedBy?: Partial<Record<string, number>>;
  calls: CallCounts;
}

export interface ReportError {
  code: string;
  message: string;
  region?: string;
  type?: string;
  requestId?: string;
  ids?: string[];
}

/** Where the listing of one (region, type) unit stands: the lister its token belongs to, and the token. */
export interface ContinuationCursor {
  region: string;
  type: ResourceType;
  lister: string;
  token: string;
}

/** Where a run stopped, so another invocation can finish it. Opaque to callers; JSON-safe. */
export interface Continuation {
  version: 1;
  runId: string;
  /** (region, type) units finished. */
  done: Array<{ region: string; type: ResourceType }>;
  /** The unit in progress and where its listing stands, if one was cut mid-way (the first of `cursors`). */
  cursor?: ContinuationCursor;
  /**
   * Every unit cut mid-way and where its listing stands (units list concurrently, so several may be).
   * Absent in continuations written before units listed concurrently: `cursor` alone is then read.
   */
  cursors?: ContinuationCursor[];
  /** How many times the run has been continued. */
  hop: number;
  /**
   * A run under `limits.maxResources` that did not fit one invocation: `count` while it is still counting
   * (`counted` resources would change in the units done and before the cursors), then `write`, listing
   * from the start again with `used` of the limit already spent by the write hops before.
   */
  limit?: { phase: 'count'; counted: number } | { phase: 'write'; used: number };
  /**
   * Products whose untag calls the run learned must be exact (a call naming a key one of its ids lacked
   * was refused): the next hop packs them so from its first call. Absent in older continuations: none.
   */
  exactUntag?: ProductId[];
  /**
   * Failures the hops before reported (failed resources and run-level errors): a unit they mark done is not
   * listed again, so the last hop's `ok` must answer for them. Absent in older continuations: none.
   */
  failed?: number;
}

/** The handler's answer (DESIGN.md "the result"). */
export interface Report {
  ok: boolean;
  runId: string;
  policy: string;
  dryRun: boolean;
  startedAt: string;
  durationMs: number;
  totals: Totals;
  resources: ResourceOutcome[];
  /** True when `resources` was cut to the cap in the return value (the log holds the full list). */
  resourcesTruncated?: boolean;
  errors: ReportError[];
  /** True when `errors` was cut to the report's cap (the run had more run-level errors). */
  errorsTruncated?: boolean;
  continuation?: Continuation;
  error?: { code: string; message: string; count?: number; issues?: Issue[] };
  /** Fan-out: the per-region invocations this run started (lib/fanout.ts); the shards report on their own. */
  shards?: Array<{
    regions: string[];
    /** Many-account runs: the member account of the shard. */
    account?: string;
    taskId: string;
    status: 'started' | 'duplicate' | 'failed';
    requestId?: string;
    code?: string;
    message?: string;
  }>;
  /** Continuation: the asynchronous invocation that carries on from `continuation`. */
  continuedBy?: {
    taskId: string;
    status: 'started' | 'duplicate' | 'failed';
    requestId?: string;
    code?: string;
    message?: string;
  };
  /** Event-driven runs: events of the batch that were left out, and why. */
  notes?: string[];
  /** Conditions the operator must know of on every run (e.g. the journal is off: nothing to restore from). */
  warnings?: string[];
  /** Where the run's journal and report are (`restore --run <runId> --store <store>`). */
  store?: string;
}

/** A report for bad input: answered, never thrown, zero cloud calls. */
export interface InputErrorReport {
  ok: false;
  error: { code: string; message: string; issues: Issue[] };
}
