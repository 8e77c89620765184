/**
 * Reading a run's journal back: every segment every writer of the run left, merged. A line that does
 * not parse is counted, never fatal (segments are written whole, so none is expected).
 */
import type { ProductId, ResourceType } from '../catalog.ts';
import type { RunStore } from '../store/port.ts';
import { StoreKeys } from '../store/port.ts';
import { emptyTagSet } from '../tag-set.ts';
import type { IntentRecord, JournalRecord, OutcomeRecord, RunRecord } from './records.ts';

export interface JournalContents {
  runs: RunRecord[];
  intents: IntentRecord[];
  outcomes: OutcomeRecord[];
  /** Lines that were not a journal record. */
  unreadable: number;
  segments: number;
}

export async function readJournal(store: RunStore, runId: string): Promise<JournalContents> {
  const keys = await store.list(StoreKeys.journalPrefix(runId));
  const out: JournalContents = { runs: [], intents: [], outcomes: [], unreadable: 0, segments: keys.length };
  // Segments are small; a handful at a time keeps an OSS store's latency from adding up.
  for (let i = 0; i < keys.length; i += 16) {
    const bodies = await Promise.all(keys.slice(i, i + 16).map((k) => store.get(k)));
    for (const body of bodies) {
      for (const line of (body ?? '').split('\n')) {
        if (line.trim() === '') continue;
        let rec: JournalRecord;
        try {
          rec = JSON.parse(line) as JournalRecord;
        } catch {
          out.unreadable++;
          continue;
        }
        if (rec?.kind === 'intent' && Array.isArray(rec.resources)) out.intents.push(rec);
        else if (rec?.kind === 'outcome' && Array.isArray(rec.resources)) out.outcomes.push(rec);
        else if (rec?.kind === 'run') out.runs.push(rec);
        else out.unreadable++;
      }
    }
  }
  const byAt = (a: { at: string }, b: { at: string }) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0);
  out.runs.sort(byAt);
  out.intents.sort(byAt);
  out.outcomes.sort(byAt);
  return out;
}

/** One resource's removed tags as the journal remembers them. */
export interface RemovedTags {
  product: ProductId;
  region: string;
  type: ResourceType;
  id: string;
  /** key -> the value it had before the run (the earliest intent naming the key wins). */
  tags: Record<string, string>;
  /** The last outcome the journal holds for the resource, if any. */
  status?: string;
  requestId?: string;
}

export const refKey = (r: { region: string; type: string; id: string }) => `${r.region}\u0000${r.type}\u0000${r.id}`;

/**
 * Every (resource, key, value) any intent of the run named. An intent whose call never went out (or
 * failed) is kept too: restore reads the cloud and finds such a key still there, so it changes nothing.
 */
export function removedTags(j: JournalContents): RemovedTags[] {
  const map = new Map<string, RemovedTags>();
  for (const intent of j.intents) {
    for (const r of intent.resources) {
      const ref = { region: intent.region, type: intent.type, id: r.id };
      const k = refKey(ref);
      let entry = map.get(k);
      if (!entry) {
        entry = { product: intent.product, ...ref, tags: emptyTagSet() };
        map.set(k, entry);
      }
      for (const [key, value] of Object.entries(r.tags ?? {}))
        if (!Object.hasOwn(entry.tags, key)) entry.tags[key] = value;
    }
  }
  for (const o of j.outcomes) {
    for (const r of o.resources) {
      const entry = map.get(refKey(r));
      if (!entry) continue;
      entry.status = r.status;
      if (r.requestId) entry.requestId = r.requestId;
    }
  }
  return [...map.values()].filter((e) => Object.keys(e.tags).length > 0);
}
