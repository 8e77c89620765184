/**
 * The journal writer: intents are durable in the run store before their call is sent. Intents that
 * arrive while a write is under way share the next one (group commit, `group-commit.ts`), so the journal
 * costs about one store write per round of concurrent calls, not one per call. Outcomes ride along with
 * the next group, or with the final flush.
 *
 * Fail closed: once a write fails, every later `intend` rejects at once with the same `StoreError`, so
 * no untag call goes out without its record; the run reports why.
 */
import { randomBytes } from 'node:crypto';
import type { RunStore } from '../store/port.ts';
import { StoreKeys } from '../store/port.ts';
import { emptyTagSet } from '../tag-set.ts';
import type { ResourceOutcome, UntagBatch } from '../types.ts';
import { createGroupCommit } from './group-commit.ts';
import { type IntentRecord, JOURNAL_VERSION, type OutcomeRecord, type RunRecord } from './records.ts';

export interface Journal {
  /** Where the journal goes (for the report). */
  readonly location: string;
  /**
   * Resolves once the before-image of `batch` is durable; rejects (a `StoreError`) when it cannot be,
   * and then the call must not be sent. `values(id)` gives the listed tags of one resource.
   */
  intend(batch: UntagBatch, values: (id: string) => Record<string, string> | undefined): Promise<void>;
  /** Notes a resource's final outcome (written later, in a group). */
  outcome(o: ResourceOutcome): void;
  /** Writes the run record now: a store that cannot be written is found before the run's first call. */
  open(): Promise<void>;
  /** Writes what is still buffered; rejects when that fails. */
  close(): Promise<void>;
  /** The first store failure, once there was one. */
  readonly failure: Error | undefined;
}

export interface JournalOptions {
  store: RunStore;
  runId: string;
  policy: string;
  policyHash?: string;
  planHash?: string;
  now?: () => number;
}

/**
 * Store writes of one journal in flight at once (each its own segment). One: every intent that arrives
 * while a write is under way shares the next, so batches reach the executor in the order they were
 * planned (with several, a later group could be written, and its call sent, first); a PutObject to OSS
 * is short next to the calls it guards, so a second one in flight bought no measurable time.
 */
const MAX_WRITES_IN_FLIGHT = 1;

export function createJournal(opts: JournalOptions): Journal {
  const now = opts.now ?? Date.now;
  // Unique per process and start: two writers of the same run never pick the same segment names.
  const writer = `${now().toString(36)}-${randomBytes(4).toString('hex')}`;
  let calls = 0;
  let start: string | undefined = JSON.stringify(runRecord(opts, writer, now()));
  let outcomes: OutcomeRecord['resources'] = [];
  const group = createGroupCommit({
    maxInFlight: MAX_WRITES_IN_FLIGHT,
    write: (seq, body) => opts.store.put(StoreKeys.journalSegment(opts.runId, writer, seq), body),
    hasBuffered: () => start !== undefined || outcomes.length > 0,
    takeBuffered() {
      const out: string[] = [];
      if (start !== undefined) out.push(start);
      start = undefined;
      if (outcomes.length > 0) {
        const rec: OutcomeRecord = { kind: 'outcome', runId: opts.runId, at: iso(now()), resources: outcomes };
        out.push(JSON.stringify(rec));
        outcomes = [];
      }
      return out;
    },
  });

  return {
    location: opts.store.location,
    get failure() {
      return group.failure;
    },
    intend(batch, values) {
      if (group.failure) return Promise.reject(group.failure);
      const rec = intentRecord(opts.runId, `${writer}.${++calls}`, batch, values, now());
      return group.commit(JSON.stringify(rec));
    },
    outcome(o) {
      if (o.status !== 'planned') outcomes.push(outcomeEntry(o));
    },
    open: () => group.commit(),
    async close() {
      await group.drain();
      if (group.failure) throw group.failure;
      if (start !== undefined || outcomes.length > 0) await group.commit();
    },
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

function runRecord(opts: JournalOptions, writer: string, at: number): RunRecord {
  return {
    kind: 'run',
    v: JOURNAL_VERSION,
    runId: opts.runId,
    policy: opts.policy,
    ...(opts.policyHash ? { policyHash: opts.policyHash } : {}),
    ...(opts.planHash ? { planHash: opts.planHash } : {}),
    at: iso(at),
    writer,
  };
}

/** The before-image of one call: per id, the keys it removes with the values they had when listed. */
function intentRecord(
  runId: string,
  call: string,
  batch: UntagBatch,
  values: (id: string) => Record<string, string> | undefined,
  at: number,
): IntentRecord {
  return {
    kind: 'intent',
    runId,
    call,
    product: batch.product,
    region: batch.region,
    type: batch.type,
    at: iso(at),
    resources: batch.ids.map((id) => {
      const listed = values(id) ?? {};
      const tags = emptyTagSet();
      for (const k of batch.removes[id] ?? []) if (Object.hasOwn(listed, k)) tags[k] = listed[k] as string;
      return { id, tags };
    }),
  };
}

function outcomeEntry(o: ResourceOutcome): OutcomeRecord['resources'][number] {
  return {
    region: o.region,
    type: o.type,
    id: o.id,
    status: o.status,
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
    ...(o.code !== undefined ? { code: o.code } : {}),
    ...(o.requestId !== undefined ? { requestId: o.requestId } : {}),
  };
}
