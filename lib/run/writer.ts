/**
 * The write path of a run: selections go into the planner, the batches it completes go to the executor.
 * Every batch on its way to the cloud passes `send`, the one seam where a write-ahead journal hooks in
 * (`WriteJournal`): `beforeSubmit(batch)` is awaited before the executor sees the batch, and
 * `afterOutcome(batch, outcomes)` hears its resources' outcomes once the batch has settled.
 *
 * Progress guarantee: past the deadline the executor abandons batches unsent (skipped/deadline). A run
 * that reached its deadline without having sent a single write still sends one planned batch, so every
 * hop of a continued run makes progress (a hop whose batches were all still in the planner would
 * otherwise redo the same listing forever). It costs at most one call past the deadline.
 */

import type { ListUnit } from '../discover/types.ts';
import { RunErrorCode } from '../errors.ts';
import type { Executor } from '../execute/execute.ts';
import type { Planner } from '../plan.ts';
import type { RemoveSelection } from '../select.ts';
import type { ResourceOutcome, UntagBatch } from '../types.ts';

/**
 * A journal of the run's writes. `beforeSubmit` is awaited before the batch is submitted: when it
 * rejects, the batch is not sent and its resources are reported `failed` (`JOURNAL_FAILED`), so no write
 * happens without its record. `afterOutcome` hears every outcome of a settled batch (a resource split
 * over several batches once per part); a rejection there is reported as a run error.
 */
export interface WriteJournal {
  beforeSubmit(batch: UntagBatch): Promise<void> | void;
  afterOutcome(batch: UntagBatch, outcomes: readonly ResourceOutcome[]): Promise<void> | void;
  /** Hears each selection (with its listed `values`) before the planner takes it: the before-image. */
  note?(sel: RemoveSelection): void;
  /** The listed values of an outcome's keys, put on the outcome so the report and the log carry them. */
  valuesOf?(o: ResourceOutcome): Record<string, string> | undefined;
  /** Writes what the journal still buffers, once every batch settled; a rejection is a run error. */
  close?(): Promise<void>;
}

/** What the writer needs of the run: its planner and executor, the deadline, and where failures go. */
export interface WriterDeps {
  planner: Planner;
  executor: Executor;
  signal?: AbortSignal;
  /** Untag attempts this run has sent so far (the progress guarantee reads it). */
  untagSent: () => number;
  journal?: WriteJournal;
  /** A resource's final outcome when the writer itself decides it (the journal refused its batch). */
  record: (o: ResourceOutcome) => void;
  error: (e: { code: string; message: string; region?: string; type?: string; ids?: string[] }) => void;
}

/** Planner plus executor behind one seam. */
export interface BatchWriter {
  /** Takes one selection; resolves when the pipeline can take the next (executor backpressure). */
  add(sel: RemoveSelection): Promise<void>;
  /** A unit's listing ended: send what its planner group holds, so its writes overlap other units' listing. */
  unitListed(unit: ListUnit): Promise<void>;
  /** Sends everything still planned and resolves when every batch (and its journal entry) has settled. */
  finish(): Promise<void>;
}

type Group = { region: string; type: RemoveSelection['type'] };

/**
 * Keeps the write slots busy: a slot that comes free takes a full call from any planner group that may
 * hold entries, instead of waiting for the next selection of its own group (between pages none arrives).
 */
function slotFiller(
  planner: Planner,
  executor: Executor,
  send: (b: UntagBatch) => Promise<void>,
  signal?: AbortSignal,
) {
  const groups = new Map<string, Group>();
  const groupName = (g: { region: string; type: string }) => `${g.region}\u0000${g.type}`;
  let filling = false;
  /** Gives each free write slot a full call from the planner, if one can be formed (else leaves it). */
  const fill = async (first?: Group) => {
    if (filling) return;
    filling = true;
    try {
      const order = first ? [first, ...groups.values()] : [...groups.values()];
      for (const g of order) {
        while (executor.free > 0 && !signal?.aborted) {
          const full = planner.takeFull(g.region, g.type);
          if (!full) break;
          await send(full);
        }
        if (executor.free === 0) break;
      }
    } finally {
      filling = false;
    }
  };
  executor.onSettled?.(() => {
    if (groups.size > 0) void fill();
  });
  return {
    fill,
    watch: (g: Group) => groups.set(groupName(g), { region: g.region, type: g.type }),
    unwatch: (g: { region: string; type: string }) => groups.delete(groupName(g)),
    clear: () => groups.clear(),
  };
}

/** The journal refused a batch before it was sent: its resources fail, nothing is written without a record. */
function refuseBatch(deps: WriterDeps, batch: UntagBatch, e: unknown): void {
  const message = `journal refused the batch: ${e instanceof Error ? e.message : String(e)}`;
  const code = RunErrorCode.JournalFailed;
  for (const id of batch.ids)
    deps.record({
      region: batch.region,
      type: batch.type,
      id,
      keys: batch.removes[id] ?? [],
      status: 'failed',
      code,
      reason: message,
    });
  deps.error({ code, message, region: batch.region, type: batch.type, ids: [...batch.ids] });
}

function journalError(deps: WriterDeps, e: unknown): void {
  deps.error({ code: RunErrorCode.JournalFailed, message: `journal: ${e instanceof Error ? e.message : String(e)}` });
}

export function createBatchWriter(deps: WriterDeps): BatchWriter {
  const { planner, executor, journal } = deps;
  const settling = new Set<Promise<void>>();
  let progressBatchSent = false;

  // Batches whose journal record is being written: the pipeline goes on meanwhile, so the records of
  // consecutive batches share one store write (group commit), up to this many waiting at once.
  const journaling = new Set<Promise<void>>();
  const maxJournaling = 64;

  const send = async (batch: UntagBatch, planned: boolean) => {
    const guarantee = planned && !progressBatchSent && deps.untagSent() === 0 && deps.signal?.aborted === true;
    if (guarantee) progressBatchSent = true;
    if (!journal) return submit(batch, guarantee);
    const recorded: Promise<void> = Promise.resolve()
      .then(() => journal.beforeSubmit(batch))
      .then(
        () => submit(batch, guarantee),
        (e: unknown) => refuseBatch(deps, batch, e),
      )
      .finally(() => journaling.delete(recorded));
    journaling.add(recorded);
    while (journaling.size >= maxJournaling) await Promise.race(journaling);
  };

  const submit = (batch: UntagBatch, guarantee: boolean) => {
    const outcomes = executor.submit(batch, guarantee ? { despiteDeadline: true } : undefined);
    const settled = outcomes
      .then((os) => journal?.afterOutcome(batch, os))
      .then(
        () => undefined,
        (e: unknown) => journalError(deps, e),
      )
      .finally(() => settling.delete(settled));
    settling.add(settled);
  };

  const sendAll = async (batches: UntagBatch[], planned: boolean) => {
    for (const b of batches) await send(b, planned);
  };

  const slots = slotFiller(planner, executor, (b) => send(b, false), deps.signal);

  return {
    async add(sel) {
      journal?.note?.(sel);
      slots.watch(sel);
      await sendAll(planner.add(sel), false);
      // A free write slot takes a full call now instead of waiting for the planner's buffer to fill.
      await slots.fill(sel);
      await executor.ready();
    },
    unitListed(unit) {
      slots.unwatch(unit);
      return sendAll(planner.flushGroup(unit.region, unit.type), true);
    },
    async finish() {
      slots.clear();
      await sendAll(planner.flush(), true);
      while (journaling.size > 0) await Promise.all([...journaling]);
      await executor.drain();
      while (settling.size > 0) await Promise.all([...settling]);
      if (journal?.close) await journal.close().catch((e: unknown) => journalError(deps, e));
    },
  };
}
