/**
 * The continuation tracker: what a run must remember so that another invocation can finish it. It
 * knows which units an earlier run finished and where the units it cut stand, numbers the pages this
 * run lists, follows each selection handed to the planner until its outcome is final, and hears of
 * batches abandoned at the deadline. `continuation()` then says what is left: units finished, a cursor
 * per unit cut mid-listing, and, for a unit with an abandoned batch, the start of the earliest page that
 * holds an abandoned resource (that unit is not done: the continuation lists that page again).
 *
 * Pure bookkeeping, no I/O. Memory: one entry per selection not yet final and per page holding one
 * (bounded by the planner's buffers and the executor's batches in flight), plus one per unit.
 */
import type { ListCursor, ListUnit } from '../discover/types.ts';
import type { Continuation, ContinuationCursor, ResourceRef, UntagBatch } from '../types.ts';

/** What a continued run under `limits.maxResources` carries between hops (lib/run/limit.ts). */
export type LimitPhase = NonNullable<Continuation['limit']>;

/** Tracks pages, cursors and abandoned batches of one run; builds its continuation. */
export interface ContinuationTracker {
  /** The units this run lists, in policy order: those an earlier run finished are left out. */
  readonly toList: readonly ListUnit[];
  /** Where an earlier run left this unit's listing, if it cut it. */
  resumeOf(unit: ListUnit): ListCursor | undefined;
  /** A page of `unit` was listed that began at `start`; returns its number for `handed`. */
  pageListed(start: ListCursor | undefined): number;
  /** Every resource of the page was judged (the page is forgotten once none of its selections is open). */
  pageJudged(page: number): void;
  /** A selection of `page` went to the planner: it stays open until `settled`. */
  handed(ref: ResourceRef, page: number): void;
  /** A resource's outcome is final. */
  settled(ref: ResourceRef): void;
  /** A batch was abandoned at the deadline: its unit is not done, and resumes no later than its earliest page. */
  abandoned(batch: UntagBatch): void;
  /** The unit's listing ended in this run. */
  finished(unit: ListUnit): void;
  /** The deadline cut the unit's listing; `at` is where it resumes (none: it lists again from its start). */
  cut(unit: ListUnit, at: ListCursor | undefined): void;
  /** The deadline stopped the run before every unit finished. */
  stop(): void;
  readonly stopped: boolean;
  /** What is left, or undefined when the run finished everything. `limit` travels with it unchanged. */
  continuation(runId: string, hop: number, limit?: LimitPhase): Continuation | undefined;
}

const unitName = (u: { region: string; type: string }) => `${u.region}\u0000${u.type}`;
const refName = (r: ResourceRef) => `${r.region}\u0000${r.type}\u0000${r.id}`;

/** The cursors a continuation carries: `cursors`, plus `cursor` when an older run wrote only that. */
export function continuationCursors(c: Continuation | undefined): ContinuationCursor[] {
  if (!c) return [];
  const out = [...(c.cursors ?? [])];
  if (c.cursor && !out.some((o) => o.region === c.cursor?.region && o.type === c.cursor?.type)) out.unshift(c.cursor);
  return out;
}

/**
 * A tracker for a run over `units` (policy order) resuming `before` (an earlier run's continuation,
 * or none; a continuation from another `limit` phase is passed as none).
 */
export function createContinuationTracker(units: readonly ListUnit[], before?: Continuation): ContinuationTracker {
  return new Tracker(units, before);
}

interface Page {
  start: ListCursor | undefined;
  open: number;
  judged: boolean;
}

class Tracker implements ContinuationTracker {
  readonly toList: readonly ListUnit[];
  private readonly doneBefore: ListUnit[];
  private readonly doneNames: Set<string>;
  private readonly resume = new Map<string, ContinuationCursor>();
  private readonly finishedNow = new Set<string>();
  private readonly cuts = new Map<string, ContinuationCursor>();
  private readonly abandonedAt = new Map<string, { page: number; cursor: ListCursor | undefined }>();
  private readonly pageOf = new Map<string, number>();
  private readonly pages = new Map<number, Page>();
  private pageNo = 0;
  private isStopped = false;

  constructor(
    private readonly units: readonly ListUnit[],
    before: Continuation | undefined,
  ) {
    this.doneBefore = [...(before?.done ?? [])];
    this.doneNames = new Set(this.doneBefore.map(unitName));
    for (const c of continuationCursors(before)) if (!this.resume.has(unitName(c))) this.resume.set(unitName(c), c);
    this.toList = units.filter((u) => !this.doneNames.has(unitName(u)));
  }

  resumeOf(unit: ListUnit): ListCursor | undefined {
    const c = this.resume.get(unitName(unit));
    return c ? { lister: c.lister, token: c.token } : undefined;
  }

  pageListed(start: ListCursor | undefined): number {
    const no = ++this.pageNo;
    this.pages.set(no, { start, open: 0, judged: false });
    return no;
  }

  pageJudged(page: number): void {
    const pg = this.pages.get(page);
    if (!pg) return;
    pg.judged = true;
    if (pg.open === 0) this.pages.delete(page);
  }

  handed(ref: ResourceRef, page: number): void {
    this.pageOf.set(refName(ref), page);
    const pg = this.pages.get(page);
    if (pg) pg.open++;
  }

  settled(ref: ResourceRef): void {
    const name = refName(ref);
    const p = this.pageOf.get(name);
    if (p === undefined) return;
    this.pageOf.delete(name);
    const pg = this.pages.get(p);
    if (pg && --pg.open === 0 && pg.judged) this.pages.delete(p);
  }

  abandoned(batch: UntagBatch): void {
    const unit = unitName(batch);
    let first = this.abandonedAt.get(unit);
    for (const id of batch.ids) {
      const p = this.pageOf.get(refName({ region: batch.region, type: batch.type, id }));
      if (p === undefined) continue;
      if (!first || p < first.page) first = { page: p, cursor: this.pages.get(p)?.start };
    }
    this.abandonedAt.set(unit, first ?? { page: -1, cursor: undefined });
  }

  finished(unit: ListUnit): void {
    this.finishedNow.add(unitName(unit));
  }

  cut(unit: ListUnit, at: ListCursor | undefined): void {
    this.isStopped = true;
    if (at) this.cuts.set(unitName(unit), { region: unit.region, type: unit.type, lister: at.lister, token: at.token });
  }

  stop(): void {
    this.isStopped = true;
  }

  get stopped(): boolean {
    return this.isStopped;
  }

  continuation(runId: string, hop: number, limit?: LimitPhase): Continuation | undefined {
    if (!this.isStopped && this.abandonedAt.size === 0) return undefined;
    const name = (u: ListUnit) => unitName(u);
    // Done: the earlier runs' units, then this run's in policy order; a unit with an abandoned batch is not done.
    const done = [
      ...this.doneBefore,
      ...this.units.filter((u) => this.finishedNow.has(name(u)) && !this.doneNames.has(name(u))),
    ];
    const cursors: ContinuationCursor[] = [];
    for (const u of this.units) {
      const c = this.cuts.get(name(u));
      if (!c) continue;
      // A cut unit with an abandoned batch goes back to the earliest page holding an abandoned resource.
      const back = this.abandonedAt.get(name(u));
      if (!back) cursors.push(c);
      else if (back.cursor) cursors.push({ region: u.region, type: u.type, ...back.cursor });
    }
    const [cursor] = cursors;
    return {
      version: 1,
      runId,
      done: done.filter((u) => !this.abandonedAt.has(name(u))),
      ...(cursor ? { cursor, cursors } : {}),
      hop,
      ...(limit ? { limit } : {}),
    };
  }
}
