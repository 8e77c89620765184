/**
 * The journal writer: intents are durable in the run store before their call is sent. Calls in flight
 * at once share one store write (group commit): an intent that arrives while a write is under way goes
 * into the next one, so the journal costs about one store write per round of concurrent calls, not one
 * per call. Outcomes ride along with the next group, or with the final flush.
 *
 * Fail closed: once a write fails, every later `intend` rejects at once with the same `StoreError`, so
 * no untag call goes out without its record; the run reports why.
 */
import { randomBytes } from 'node:crypto';
import type { RunStore } from '../store/port.ts';
import { StoreKeys } from '../store/port.ts';
import { emptyTagSet } from '../tag-set.ts';
import type { ResourceOutcome, UntagBatch } from '../types.ts';
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

export function createJournal(opts: JournalOptions): Journal {
  const now = opts.now ?? Date.now;
  // Unique per process and start: two writers of the same run never pick the same segment names.
  const writer = `${now().toString(36)}-${randomBytes(4).toString('hex')}`;
  let seq = 0;
  let calls = 0;
  let failure: Error | undefined;
  let lines: string[] = [];
  let waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  let outcomes: OutcomeRecord['resources'] = [];
  let writing: Promise<void> | undefined;
  const start: RunRecord = {
    kind: 'run',
    v: JOURNAL_VERSION,
    runId: opts.runId,
    policy: opts.policy,
    ...(opts.policyHash ? { policyHash: opts.policyHash } : {}),
    ...(opts.planHash ? { planHash: opts.planHash } : {}),
    at: new Date(now()).toISOString(),
    writer,
  };
  lines.push(JSON.stringify(start));

  const takeOutcomes = () => {
    if (outcomes.length === 0) return;
    const rec: OutcomeRecord = {
      kind: 'outcome',
      runId: opts.runId,
      at: new Date(now()).toISOString(),
      resources: outcomes,
    };
    lines.push(JSON.stringify(rec));
    outcomes = [];
  };

  // One write at a time; whatever queued meanwhile goes in the next.
  const pump = async (): Promise<void> => {
    while (lines.length > 0 || outcomes.length > 0) {
      takeOutcomes();
      const body = `${lines.join('\n')}\n`;
      const group = waiters;
      lines = [];
      waiters = [];
      try {
        if (failure) throw failure;
        await opts.store.put(StoreKeys.journalSegment(opts.runId, writer, ++seq), body);
        for (const w of group) w.resolve();
      } catch (e) {
        failure ??= e instanceof Error ? e : new Error(String(e));
        for (const w of group) w.reject(failure);
      }
    }
  };
  const kick = () => {
    if (writing) return;
    writing = pump().finally(() => {
      writing = undefined;
    });
  };

  return {
    location: opts.store.location,
    get failure() {
      return failure;
    },
    intend(batch, values) {
      if (failure) return Promise.reject(failure);
      const rec: IntentRecord = {
        kind: 'intent',
        runId: opts.runId,
        call: `${writer}.${++calls}`,
        product: batch.product,
        region: batch.region,
        type: batch.type,
        at: new Date(now()).toISOString(),
        resources: batch.ids.map((id) => {
          const listed = values(id) ?? {};
          const tags = emptyTagSet();
          for (const k of batch.removes[id] ?? []) if (Object.hasOwn(listed, k)) tags[k] = listed[k] as string;
          return { id, tags };
        }),
      };
      const p = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
      lines.push(JSON.stringify(rec));
      // A microtask later, so intents submitted in the same turn share the write.
      queueMicrotask(kick);
      return p;
    },
    outcome(o) {
      if (o.status === 'planned') return;
      outcomes.push({
        region: o.region,
        type: o.type,
        id: o.id,
        status: o.status,
        ...(o.reason !== undefined ? { reason: o.reason } : {}),
        ...(o.code !== undefined ? { code: o.code } : {}),
        ...(o.requestId !== undefined ? { requestId: o.requestId } : {}),
      });
    },
    open() {
      const p = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
      kick();
      return p;
    },
    async close() {
      if (writing) await writing;
      if (failure) throw failure;
      if (outcomes.length > 0 || lines.length > 0) {
        kick();
        await writing;
      }
      if (failure) throw failure;
    },
  };
}
