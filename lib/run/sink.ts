/**
 * Where the selections of a run go, chosen once per run (`chooseSink`): a dry run records them
 * `planned`; a run under `limits.maxResources` counts before it writes (lib/run/limit.ts); any other run
 * writes them at once through the batch writer (lib/run/writer.ts, whose `send` is the journal's seam:
 * `WriteJournal.beforeSubmit` before each batch is submitted, `afterOutcome` after its outcome).
 */
import type { ListUnit } from '../discover/types.ts';
import type { ReportBuilder } from '../report.ts';
import type { RemoveSelection } from '../select.ts';
import type { Report } from '../types.ts';
import type { ContinuationTracker, LimitPhase } from './continuation.ts';
import type { BatchWriter } from './writer.ts';

/** How a sink ended: an error of the whole run, and what the continuation carries for `maxResources`. */
export interface SinkEnd {
  error?: Report['error'];
  /** The `limit` phase the continuation carries (absent: none). */
  limit?: LimitPhase;
  /** The run must be continued from the start in this phase, whatever the tracker says (count done, write next). */
  restart?: LimitPhase;
  /** The run is over: no continuation, whatever the tracker says (the limit was exceeded). */
  final?: boolean;
}

/** Takes the selections of resources that would change; decides when (and whether) they are written. */
export interface WriteSink {
  /** Whether writes may run while listing goes on (listers of key streams then re-list until quiet). */
  readonly mutating: boolean;
  /** One resource that would change, listed on tracker page `page`. */
  take(sel: RemoveSelection, page: number): Promise<void>;
  /** A unit's listing ended. */
  unitListed(unit: ListUnit): Promise<void>;
  /** Listing is over (`stopped`: the deadline cut it); resolves when every outcome is final. */
  finish(stopped: boolean): Promise<SinkEnd>;
}

/** A dry run: every selection is recorded `planned`, nothing is written. */
export function dryRunSink(report: ReportBuilder): WriteSink {
  return {
    mutating: false,
    async take(sel) {
      report.record({
        region: sel.region,
        type: sel.type,
        id: sel.id,
        keys: sel.keys,
        status: 'planned',
        ...(sel.values ? { values: sel.values } : {}),
      });
    },
    async unitListed() {},
    async finish() {
      return {};
    },
  };
}

/** Writes each selection as it comes: the planner packs it, the executor sends full batches. */
export function directSink(writer: BatchWriter, tracker: ContinuationTracker): WriteSink {
  return {
    mutating: true,
    async take(sel, page) {
      tracker.handed(sel, page);
      await writer.add(sel);
    },
    unitListed: (unit) => writer.unitListed(unit),
    async finish() {
      await writer.finish();
      return {};
    },
  };
}
