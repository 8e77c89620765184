/**
 * What the write-ahead journal holds, one JSON object per line. An `intent` is written (and durable)
 * before the untag call it describes is sent: the before-image of every (resource, key, value) the call
 * removes. An `outcome` follows once the call answered: per resource, its status, request id and code.
 * Restore reads intents alone (outcomes are for people and for `runs`): a crash between the two leaves
 * a value that may or may not have gone, and restore reads the cloud to tell.
 */
import type { ProductId, ResourceType } from '../catalog.ts';

export const JOURNAL_VERSION = 1;

/** A run began writing (one per writer: an FC re-delivery or a continuation hop adds its own). */
export interface RunRecord {
  kind: 'run';
  v: typeof JOURNAL_VERSION;
  runId: string;
  policy: string;
  /** sha256 of the policy as run (hex). */
  policyHash?: string;
  at: string;
  writer: string;
  /** `run --plan`: the plan's hash. */
  planHash?: string;
}

/** The before-image of one untag call, durable before the call is sent. */
export interface IntentRecord {
  kind: 'intent';
  runId: string;
  /** Unique in the run: `<writer>.<n>`. */
  call: string;
  product: ProductId;
  region: string;
  type: ResourceType;
  at: string;
  /** Per resource, the keys this call removes and the values they had when listed. */
  resources: Array<{ id: string; tags: Record<string, string> }>;
}

/** What happened to resources of earlier intents (buffered; written with the next group or at the end). */
export interface OutcomeRecord {
  kind: 'outcome';
  runId: string;
  at: string;
  resources: Array<{
    region: string;
    type: ResourceType;
    id: string;
    status: string;
    reason?: string;
    code?: string;
    requestId?: string;
  }>;
}

export type JournalRecord = RunRecord | IntentRecord | OutcomeRecord;
