/**
 * `restore`: puts back what a run removed, read from the run's journal in the store. For each resource
 * the journal names, the cloud is read first (ListTagResources by id): a key that is back with the
 * removed value needs nothing, one back with another value is a conflict and stays as it is, a resource
 * whose tags would go over the limit is left alone; the rest is put back with TagResources, resources
 * that get the same tags sharing calls. Calls go through the same machinery as the run's writes: the
 * rate bucket of (region, product:TagResources), retries with backoff, a write p-limit, the deadline
 * signal, a ClientToken for VpcPeer made once per call. Idempotent by construction: a second restore (or
 * one after a crash mid-restore) reads the keys already back and sends nothing for them.
 */
import pLimit from 'p-limit';
import {
  isNotFoundCode,
  isTagLimitCode,
  PRODUCTS,
  productOf,
  type ResourceType,
  type Tuning,
  withTuning,
} from '../catalog.ts';
import type { CloudPort } from '../cloud/port.ts';
import type { ListContext } from '../discover/list-call.ts';
import { byIdsPages } from '../discover/tag-list.ts';
import { redactSecrets } from '../errors.ts';
import { clientTokenFor } from '../execute/client-token.ts';
import { createRateLimiter, type RateLimiter } from '../execute/rate-limiter.ts';
import { DeadlineError, errorCode, withRetry } from '../execute/retry.ts';
import { readJournal, refKey, removedTags } from '../journal/reader.ts';
import type { RunStore } from '../store/port.ts';
import { StoreKeys } from '../store/port.ts';
import type { ReportError } from '../types.ts';
import { decideRestore, packRestore, type RemovedResource, type TagBatch } from './plan.ts';
import type { RestoreOutcome, RestoreReport } from './types.ts';

export interface RestoreInput {
  runId: string;
  store: RunStore;
  dryRun?: boolean;
  /** Fires a margin before the deadline: no new call starts (calls sent finish). */
  signal?: AbortSignal;
  /** Names this restore's report in the store (default: time-based). */
  restoreId?: string;
  /** TagResources calls in flight (default: the catalog's write concurrency). */
  concurrency?: number;
}

export interface RestoreDeps {
  cloud: CloudPort;
  limits?: Partial<Tuning>;
  quotaScale?: number;
  rateLimiter?: RateLimiter;
  now?: () => number;
  onOutcome?: (o: RestoreOutcome) => void;
}

/** What one restore accumulates while it runs: its outcomes, errors and call counts. */
interface RestoreTally {
  outcomes: RestoreOutcome[];
  errors: ReportError[];
  calls: RestoreReport['totals']['calls'];
  record: (o: RestoreOutcome) => void;
}

type Ref = { region: string; type: ResourceType; id: string };
type Put = RemovedResource & { decided: RestoreOutcome };

/** Restores one run; never throws for a cloud failure (failed outcomes), nor for a store one (`error`). */
export async function restoreRun(input: RestoreInput, deps: RestoreDeps): Promise<RestoreReport> {
  const now = deps.now ?? Date.now;
  const started = now();
  const limits = withTuning(deps.limits);
  const dryRun = input.dryRun === true;
  const restoreId = input.restoreId ?? `${new Date(started).toISOString().replace(/[:.]/g, '')}`;
  const tally: RestoreTally = {
    outcomes: [],
    errors: [],
    calls: { list: 0, tag: 0, throttled: 0, retried: 0 },
    record: (o) => {
      tally.outcomes.push(o);
      deps.onOutcome?.(o);
    },
  };
  const finish = (error?: { code: string; message: string }) =>
    summarise(tally, { input, restoreId, dryRun, started, now: now() }, error);

  const loaded = await loadRemoved(input);
  if (!loaded.ok) return finish(loaded.error);
  const removed = loaded.removed;

  const rateLimiter =
    deps.rateLimiter ?? createRateLimiter(deps.quotaScale !== undefined ? { quotaScale: deps.quotaScale } : {});
  const listCtx: ListContext = {
    cloud: deps.cloud,
    limits,
    listLimit: pLimit(limits.listConcurrency),
    rateLimiter,
    count: (kind, n) => {
      tally.calls[kind] += n;
    },
    ...(input.signal ? { signal: input.signal } : {}),
  };
  const { current, unreadable } = await readCurrent(listCtx, removed, tally);
  const puts = decideAll(removed, current, unreadable, limits.maxTagsPerResource, dryRun, tally);
  if (puts.length > 0) {
    const limit = pLimit(Math.max(1, input.concurrency ?? limits.defaultConcurrency));
    const ctx = {
      cloud: deps.cloud,
      limits,
      rateLimiter,
      runId: input.runId,
      calls: tally.calls,
      signal: input.signal,
    };
    await putBack(puts, limits, tally, (b, settle) =>
      limit(() => sendTagBatch(b, { ...ctx, settle, error: (e) => tally.errors.push(e) })),
    );
  }

  const report = finish();
  if (!dryRun) await storeReport(input, restoreId, report);
  return report;
}

/** The report of a restore from what it did (counts by status, skip reasons, keys put back). */
function summarise(
  tally: RestoreTally,
  meta: { input: RestoreInput; restoreId: string; dryRun: boolean; started: number; now: number },
  error?: { code: string; message: string },
): RestoreReport {
  const skippedBy: Record<string, number> = {};
  const count = { restored: 0, planned: 0, skipped: 0, failed: 0, keysRestored: 0 };
  for (const o of tally.outcomes) {
    count[o.status]++;
    if (o.status === 'skipped') skippedBy[o.reason ?? 'unspecified'] = (skippedBy[o.reason ?? 'unspecified'] ?? 0) + 1;
    if (o.status === 'restored') count.keysRestored += Object.keys(o.tags).length;
  }
  return {
    ok: count.failed === 0 && tally.errors.length === 0 && error === undefined,
    kind: 'restore',
    runId: meta.input.runId,
    restoreId: meta.restoreId,
    store: meta.input.store.location,
    dryRun: meta.dryRun,
    startedAt: new Date(meta.started).toISOString(),
    durationMs: Math.max(0, meta.now - meta.started),
    totals: { resources: tally.outcomes.length, ...count, skippedBy, calls: { ...tally.calls } },
    resources: tally.outcomes,
    errors: tally.errors,
    ...(error ? { error } : {}),
  };
}

/** What the run's journal says it removed; an absent journal or an unreadable store is the restore's error. */
async function loadRemoved(
  input: RestoreInput,
): Promise<{ ok: true; removed: RemovedResource[] } | { ok: false; error: { code: string; message: string } }> {
  try {
    const journal = await readJournal(input.store, input.runId);
    if (journal.segments === 0)
      return {
        ok: false,
        error: { code: 'RUN_NOT_FOUND', message: `no journal for run ${input.runId} in ${input.store.location}` },
      };
    return { ok: true, removed: removedTags(journal) };
  } catch (e) {
    return { ok: false, error: { code: 'STORE_UNAVAILABLE', message: errorText(e) } };
  }
}

const errorText = (e: unknown) => redactSecrets(e instanceof Error ? e.message : String(e));

/** What each resource carries now, read unit by unit (a resource the cloud lists no tag for reads as {}). */
async function readCurrent(
  listCtx: ListContext,
  removed: RemovedResource[],
  tally: RestoreTally,
): Promise<{ current: Map<string, Record<string, string>>; unreadable: Set<string> }> {
  const units = new Map<string, { region: string; type: ResourceType; items: RemovedResource[] }>();
  for (const r of removed) {
    const u = `${r.region}\u0000${r.type}`;
    let unit = units.get(u);
    if (!unit) {
      unit = { region: r.region, type: r.type, items: [] };
      units.set(u, unit);
    }
    unit.items.push(r);
  }
  const current = new Map<string, Record<string, string>>();
  const unreadable = new Set<string>();
  await Promise.all(
    [...units.values()].map(async (unit) => {
      try {
        const pages = byIdsPages(
          listCtx,
          unit,
          unit.items.map((i) => i.id),
        );
        for await (const page of pages) for (const r of page.resources) current.set(refKey(r), r.tags);
      } catch (e) {
        for (const i of unit.items) unreadable.add(refKey(i));
        tally.errors.push({
          code: errorCode(e) ?? 'UnknownError',
          message: errorText(e),
          region: unit.region,
          type: unit.type,
        });
      }
    }),
  );
  return { current, unreadable };
}

/** Decides every resource: skipped and failed ones are recorded now, the ones to put back are returned. */
function decideAll(
  removed: RemovedResource[],
  current: Map<string, Record<string, string>>,
  unreadable: Set<string>,
  maxTagsPerResource: number,
  dryRun: boolean,
  tally: RestoreTally,
): Put[] {
  const puts: Put[] = [];
  for (const r of removed) {
    const ref = { region: r.region, type: r.type, id: r.id };
    if (unreadable.has(refKey(r))) {
      tally.record({
        ...ref,
        status: 'failed',
        reason: 'its tags could not be read',
        tags: r.tags,
        code: 'READ_FAILED',
      });
      continue;
    }
    const d = decideRestore(r.tags, current.get(refKey(r)) ?? {}, maxTagsPerResource);
    if (d.kind === 'already')
      tally.record({ ...ref, status: 'skipped', reason: 'already-restored', tags: {}, alreadyBack: d.alreadyBack });
    else if (d.kind === 'conflict')
      tally.record({
        ...ref,
        status: 'skipped',
        reason: 'conflict',
        tags: {},
        conflicts: d.conflicts,
        alreadyBack: d.alreadyBack,
      });
    else if (d.kind === 'tag-limit')
      tally.record({ ...ref, status: 'skipped', reason: 'tag-limit', tags: d.tags, tagCount: d.tagCount });
    else {
      const decided: RestoreOutcome = { ...ref, status: dryRun ? 'planned' : 'restored', tags: d.tags };
      if (d.conflicts.length > 0) decided.conflicts = d.conflicts;
      if (d.alreadyBack.length > 0) decided.alreadyBack = d.alreadyBack;
      if (dryRun) tally.record(decided);
      else puts.push({ ...r, tags: d.tags, decided });
    }
  }
  return puts;
}

type Settle = (ref: Ref, parts: number, fail?: Partial<RestoreOutcome>) => void;

/**
 * Packs the puts into TagResources calls and sends each through `send`; a resource whose tags span
 * several calls gets one merged outcome once every part answered (worst wins).
 */
async function putBack(
  puts: Put[],
  limits: Tuning,
  tally: RestoreTally,
  send: (b: TagBatch, settle: Settle) => Promise<void>,
): Promise<void> {
  const byRef = new Map(puts.map((p) => [refKey(p), p]));
  const batches = packRestore(puts, limits.maxIdsPerCall, limits.maxKeysPerCall);
  const open = new Map<string, { left: number; worst?: Partial<RestoreOutcome> }>();
  const settle: Settle = (ref, parts, fail) => {
    const k = refKey(ref);
    const p = byRef.get(k);
    if (!p) return;
    let o = open.get(k);
    if (!o) {
      o = { left: parts };
      open.set(k, o);
    }
    o.left--;
    if (fail && (!o.worst || fail.status === 'failed')) o.worst = fail;
    if (o.left > 0) return;
    open.delete(k);
    tally.record(o.worst ? ({ ...p.decided, ...o.worst } as RestoreOutcome) : p.decided);
  };
  await Promise.all(batches.map((b) => send(b, settle)));
}

/** Keeps the restore's report in the store beside the run (`runs` reads it); a failure makes it not ok. */
async function storeReport(input: RestoreInput, restoreId: string, report: RestoreReport): Promise<void> {
  try {
    await input.store.put(StoreKeys.restore(input.runId, restoreId), `${JSON.stringify(report)}\n`);
  } catch (e) {
    report.ok = false;
    report.error = { code: 'STORE_UNAVAILABLE', message: errorText(e) };
  }
}

interface TagContext {
  cloud: CloudPort;
  limits: Tuning;
  rateLimiter: RateLimiter;
  runId: string;
  calls: RestoreReport['totals']['calls'];
  signal: AbortSignal | undefined;
  settle: Settle;
  error: (e: ReportError) => void;
}

/** One TagResources call; a not-found or tag-limit answer halves it until the culprit is alone. */
async function sendTagBatch(b: TagBatch, ctx: TagContext): Promise<void> {
  const product = productOf(b.type);
  const action = PRODUCTS[product].tagAction;
  const partsOf = (id: string) => b.parts?.[id] ?? 1;
  const settleAll = (fail?: Partial<RestoreOutcome>) => {
    for (const id of b.ids) ctx.settle({ region: b.region, type: b.type, id }, partsOf(id), fail);
  };
  if (ctx.signal?.aborted) return settleAll({ status: 'skipped', reason: 'deadline', tags: {} });
  const params: Record<string, unknown> = {
    RegionId: b.region,
    ResourceType: b.type,
    ResourceId: b.ids,
    Tag: b.tags.map((t) => ({ Key: t.key, Value: t.value })),
  };
  // Made once, before the retry loop: a retried call carries the same token.
  if (PRODUCTS[product].clientToken)
    params.ClientToken = clientTokenFor(`restore:${ctx.runId}`, action, {
      region: b.region,
      type: b.type,
      ids: b.ids,
      keys: b.tags.map((t) => `${t.key}=${t.value}`),
    });
  const bucket = ctx.rateLimiter.bucket(b.region, product, action);
  try {
    const res = await withRetry(
      async () => {
        ctx.calls.tag++;
        return ctx.cloud.call(product, b.region, action, params);
      },
      {
        limits: ctx.limits,
        bucket,
        count: (kind, n) => {
          ctx.calls[kind] += n;
        },
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      },
    );
    for (const id of b.ids)
      ctx.settle(
        { region: b.region, type: b.type, id },
        partsOf(id),
        res.requestId ? { requestId: res.requestId } : undefined,
      );
  } catch (err) {
    if (err instanceof DeadlineError) return settleAll({ status: 'skipped', reason: 'deadline', tags: {} });
    const code = errorCode(err) ?? 'UnknownError';
    const notFound = isNotFoundCode(code);
    const tagLimit = isTagLimitCode(code);
    if ((notFound || tagLimit) && b.ids.length > 1) {
      const mid = Math.ceil(b.ids.length / 2);
      const half = (ids: string[]): TagBatch => {
        const h: TagBatch = { ...b, ids };
        if (b.parts) h.parts = Object.fromEntries(ids.map((id) => [id, partsOf(id)]));
        return h;
      };
      await sendTagBatch(half(b.ids.slice(0, mid)), ctx);
      await sendTagBatch(half(b.ids.slice(mid)), ctx);
      return;
    }
    const requestId = (err as { requestId?: unknown }).requestId;
    const extra = typeof requestId === 'string' && requestId ? { requestId } : {};
    if (notFound) return settleAll({ status: 'skipped', reason: 'not-found', tags: {}, code, ...extra });
    if (tagLimit) return settleAll({ status: 'skipped', reason: 'tag-limit', tags: {}, code, ...extra });
    const message = redactSecrets(err instanceof Error ? err.message : String(err));
    settleAll({ status: 'failed', reason: message, code, ...extra });
    ctx.error({ code, message, region: b.region, type: b.type, ids: [...b.ids], ...extra });
  }
}
