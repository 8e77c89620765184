/** What a run takes: the request (`RunInput`) and what it runs with (`RunDeps`). */
import type { ResourceType, Tuning } from '../catalog.ts';
import type { CloudPort } from '../cloud/port.ts';
import type { RateLimiter } from '../execute/rate-limiter.ts';
import type { Policy } from '../policy/schema.ts';
import type { Continuation, ResourceOutcome, ResourceRef, Selection, TaggedResource } from '../types.ts';
import type { WriteJournal } from './writer.ts';

export interface RunInput {
  policy: Policy;
  runId: string;
  /** Fires a margin before the deadline: stop listing, finish in-flight work, return a continuation. */
  signal?: AbortSignal;
  /** Where an earlier run of the same policy stopped. */
  continuation?: Continuation;
  /** Only these resources (a Config event): listed by explicit ids. */
  narrowTo?: ResourceRef[];
  /**
   * The whole policy's regions when this run is one shard of it (`policy.regions` is the shard's): a
   * resource a region lists for another region (IPAM pools under ipamPoolRegion=hosted) is in scope by these.
   */
  scopeRegions?: readonly string[];
  /**
   * `run --plan` (lib/reviewed-plan/): selection by the plan instead of the policy, and the plan's
   * resources that listing never met (recorded once listing is over, unless the deadline cut it).
   */
  reviewedPlan?: {
    select(resource: TaggedResource): { selection: Selection; changed?: string[] };
    unseen(): ResourceOutcome[];
  };
  /** This invocation (FC's request id, kept across re-deliveries); default a fresh id: part of ClientTokens. */
  invocationId?: string;
  /** Epoch ms by which every cloud call must have ended (FC's timeout minus a reserve): calls are bounded by it. */
  callsEndBy?: number;
  /** Epoch ms by which write calls must have ended (earlier, so that a cut write can be read back). */
  writesEndBy?: number;
}

/** What `onProgress` hears: a page was listed (awaited before its resources are judged). */
export interface RunProgress {
  kind: 'page';
  region: string;
  type: ResourceType;
  resources: TaggedResource[];
}

export interface RunDeps {
  cloud: CloudPort;
  /** The operator's tuning and, in tests, lowered API facts (lib/catalog.ts `EngineTuning`, `CallFacts`); not the policy's `limits`. */
  tuning?: Partial<Tuning>;
  /** Multiplies the published quotas the rate limiter starts from (tests, benchmarks). */
  quotaScale?: number;
  /** Buckets shared across runs (a warm FC instance keeps what it learned); default: fresh per run. */
  rateLimiter?: RateLimiter;
  /**
   * Receives every resource's final outcome as one JSON line `{runId, resource}` when it is final
   * (never a secret; resources outside `match` are only counted).
   */
  log?: (line: string) => void;
  /** Receives every resource's final outcome as a value (the function batches them into log lines). */
  onOutcome?: (o: ResourceOutcome) => void;
  /**
   * Keep every outcome and return it as `full` (the CLI and the demo show lists of small runs). Off by
   * default: `full` is then `[]` and the run's memory does not grow with its resources.
   */
  retainOutcomes?: boolean;
  /** Epoch ms clock. */
  now?: () => number;
  onProgress?: (p: RunProgress) => void | Promise<void>;
  /** Hears every batch before it is submitted and after its outcome (lib/run/writer.ts). */
  journal?: WriteJournal;
}
