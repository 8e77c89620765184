/**
 * One final outcome per resource when its keys went over several calls. A selection with more keys
 * than a call carries (`maxKeysPerCall`; the cloud allows 20 tags per resource, so in practice only
 * under test limits) is planned as several parts, each batch saying how many parts its split ids have
 * (`UntagBatch.parts`). Only those resources are tracked here, until their last part is in: memory is
 * O(split resources in flight), never O(resources), and the report builder needs no per-resource map.
 *
 * A merged outcome tells what is true: `untagged` with every key only when every part went; otherwise
 * the worst status of the parts that did not go (failed over skipped), its `keys` the keys still on the
 * resource and `removed` the keys that went, so a resource cut by the deadline after its first part is
 * not reported as done (the continuation removes the rest and reports it then).
 */
import type { ResourceOutcome, ResourceStatus } from '../types.ts';

/** Worst wins among the parts that did not go. */
const RANK: Record<ResourceStatus, number> = { untagged: 0, skipped: 1, planned: 2, failed: 3 };

/** Receives final outcomes; `keysRemoved` counts the keys that went (the untagged keys, or `removed`). */
export type FinalOutcomeSink = (outcome: ResourceOutcome, keysRemoved?: number) => void;

/** Merges the parts of split resources into one outcome each; whole resources pass straight through. */
export interface PartsMerger {
  /** One part of a resource that was planned as `parts` parts (1: the whole resource). */
  record(outcome: ResourceOutcome, parts: number): void;
  /** Split resources still waiting for a part. */
  readonly open: number;
}

interface Open {
  /** The worst part that did not go (undefined while every part went). */
  worst: ResourceOutcome | undefined;
  last: ResourceOutcome;
  removed: Set<string>;
  left: Set<string>;
  pending: number;
}

/** The keys an outcome says went. */
export function removedKeysOf(o: ResourceOutcome): readonly string[] {
  return o.status === 'untagged' ? o.keys : (o.removed ?? []);
}

export function createPartsMerger(sink: FinalOutcomeSink): PartsMerger {
  const open = new Map<string, Open>();
  return {
    get open() {
      return open.size;
    },
    record(outcome, parts) {
      if (parts <= 1) {
        sink(outcome, new Set(removedKeysOf(outcome)).size);
        return;
      }
      const ref = `${outcome.region}\u0000${outcome.type}\u0000${outcome.id}`;
      let o = open.get(ref);
      if (!o) {
        o = { worst: undefined, last: outcome, removed: new Set(), left: new Set(), pending: parts };
        open.set(ref, o);
      }
      o.pending--;
      o.last = outcome;
      for (const k of removedKeysOf(outcome)) o.removed.add(k);
      if (outcome.status !== 'untagged') {
        for (const k of outcome.keys) o.left.add(k);
        if (!o.worst || RANK[outcome.status] > RANK[o.worst.status]) o.worst = outcome;
      }
      if (o.pending > 0) return;
      open.delete(ref);
      const removed = [...o.removed].sort();
      if (!o.worst) {
        sink({ ...o.last, keys: removed }, removed.length);
        return;
      }
      const { removed: _part, ...worst } = o.worst;
      const merged: ResourceOutcome = { ...worst, keys: [...o.left].sort() };
      if (removed.length > 0) merged.removed = removed;
      sink(merged, removed.length);
    },
  };
}
