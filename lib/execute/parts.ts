/**
 * One final outcome per resource when its keys went over several calls. A selection with more keys
 * than a call carries (`maxKeysPerCall`; the cloud allows 20 tags per resource, so in practice only
 * under test limits) is planned as several parts, each batch saying how many parts its split ids have
 * (`UntagBatch.parts`). Only those resources are tracked here, until their last part is in: memory is
 * O(split resources in flight), never O(resources), and the report builder needs no per-resource map.
 */
import type { ResourceOutcome, ResourceStatus } from '../types.ts';

/** Worst wins: a failed part makes the resource failed; any untagged part beats planned and skipped. */
const RANK: Record<ResourceStatus, number> = { skipped: 0, planned: 1, untagged: 2, failed: 3 };

/** Receives final outcomes; `keysRemoved` counts the keys that went (a merged outcome also lists the rest). */
export type FinalOutcomeSink = (outcome: ResourceOutcome, keysRemoved?: number) => void;

/** Merges the parts of split resources into one outcome each; whole resources pass straight through. */
export interface PartsMerger {
  /** One part of a resource that was planned as `parts` parts (1: the whole resource). */
  record(outcome: ResourceOutcome, parts: number): void;
  /** Split resources still waiting for a part. */
  readonly open: number;
}

interface Open {
  outcome: ResourceOutcome;
  keys: Set<string>;
  left: number;
  removed: number;
}

export function createPartsMerger(sink: FinalOutcomeSink): PartsMerger {
  const open = new Map<string, Open>();
  return {
    get open() {
      return open.size;
    },
    record(outcome, parts) {
      if (parts <= 1) {
        sink(outcome);
        return;
      }
      const ref = `${outcome.region}\u0000${outcome.type}\u0000${outcome.id}`;
      // Parts carry disjoint key chunks, so an untagged part's keys add up without a set.
      const removed = outcome.status === 'untagged' ? outcome.keys.length : 0;
      let o = open.get(ref);
      if (!o) {
        o = { outcome, keys: new Set(outcome.keys), left: parts - 1, removed };
        open.set(ref, o);
      } else {
        for (const k of outcome.keys) o.keys.add(k);
        o.left--;
        o.removed += removed;
        if (RANK[outcome.status] > RANK[o.outcome.status]) o.outcome = outcome;
      }
      if (o.left > 0) return;
      open.delete(ref);
      sink({ ...o.outcome, keys: [...o.keys].sort() }, o.removed);
    },
  };
}
