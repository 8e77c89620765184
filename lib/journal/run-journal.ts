/**
 * The journal as the run's write path sees it (lib/run/writer.ts `WriteJournal`): `note` keeps the
 * listed values of the keys a selection removes, `beforeSubmit` makes the batch's before-image durable
 * (rejects: the batch is not sent), `afterOutcome` queues the outcome records and lets the values go.
 * `valuesOf` puts the removed values on outcomes, so the report and the log carry them too.
 *
 * Memory: a selection's values are held from `note` until its last part's outcome, the same span the
 * run holds the selection itself (planner buffers, executor batches in flight).
 */
import type { RemoveSelection } from '../select.ts';
import { emptyTagSet } from '../tag-set.ts';
import type { ResourceOutcome, UntagBatch } from '../types.ts';
import { refKey } from './reader.ts';
import type { Journal } from './writer.ts';

export interface RunJournal {
  /** A selection about to be handed to the planner, with the listed values of its keys. */
  note(sel: RemoveSelection): void;
  beforeSubmit(batch: UntagBatch): Promise<void>;
  afterOutcome(batch: UntagBatch, outcomes: readonly ResourceOutcome[]): void;
  /** The listed values of an outcome's keys (undefined when the run did not note the resource). */
  valuesOf(o: ResourceOutcome): Record<string, string> | undefined;
  /** Flushes the journal (outcome records); rejects when the store failed. */
  close(): Promise<void>;
  readonly journal: Journal;
}

/** `gate`: what every batch waits for besides its own record (the run's first store write). */
export function createRunJournal(journal: Journal, gate?: Promise<void>): RunJournal {
  const images = new Map<string, { tags: Record<string, string>; seen: number }>();
  return {
    journal,
    note(sel) {
      images.set(refKey(sel), { tags: sel.values ?? {}, seen: 0 });
    },
    beforeSubmit(batch) {
      const record = journal.intend(
        batch,
        (id) => images.get(refKey({ region: batch.region, type: batch.type, id }))?.tags,
      );
      return gate ? Promise.all([gate, record]).then(() => undefined) : record;
    },
    afterOutcome(batch, outcomes) {
      for (const o of outcomes) {
        journal.outcome(o);
        const k = refKey(o);
        const image = images.get(k);
        if (!image) continue;
        // A resource split over several calls keeps its values until its last part answered.
        if (++image.seen >= (batch.parts?.[o.id] ?? 1)) images.delete(k);
      }
    },
    valuesOf(o) {
      const image = images.get(refKey(o));
      if (!image) return undefined;
      const out = emptyTagSet();
      for (const k of o.keys) if (Object.hasOwn(image.tags, k)) out[k] = image.tags[k] as string;
      return out;
    },
    close: () => journal.close(),
  };
}
