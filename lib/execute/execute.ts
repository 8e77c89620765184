/**
 * Runs untag batches: each call through its rate bucket, then one of the write slots (policy
 * `limits.concurrency` or the catalog default) for the call alone, inside the retry loop; the VpcPeer
 * ClientToken made once per call before that loop. A call waiting for its bucket holds no slot. Every resource ends as one value: `untagged` (with the request id),
 * `skipped` (`not-found`: it vanished; `deadline`: left for the continuation) or `failed` (code,
 * message, request id). A failed batch never stops the run.
 *
 * The report is the truth, whatever the cloud does with a call it does not answer plainly:
 * - after an attempt whose outcome is unknown (reset, timeout, server error: it may have been applied)
 *   a batch that does not end in success is read back by `ResourceId.N`, and its resources reported as
 *   the cloud shows them (their keys gone: `untagged`), on every product, ClientToken or not;
 * - on not-found, and on a parameter error naming a key or a resource (one refused key, or a cloud that
 *   refuses a key a resource lacks), the batch is read back and re-sent as calls whose resources each
 *   carry every key named, split further (keys, then ids) when that shape was refused already; so a
 *   vanished id does not cost the others their removal, whether the cloud applied nothing or changed the
 *   others before answering, and one refused key fails only that key of that resource;
 * - a resource the read-back shows bare (no tag at all: stripped, or vanished) is asked alone once more
 *   (not-found: it vanished; answered: it exists without the keys); if that answer is unclear too, it is
 *   reported failed with `OUTCOME_UNKNOWN`, never untagged: only a resource seen to exist without a key
 *   counts that key as removed.
 * Once a call with mixed key sets was refused, the product's calls go out exact (each names only keys
 * all its ids remove: `exactCalls` of lib/plan/exact-calls.ts), the batch refused and those queued
 * re-planned so, and the planner told through the run's `UntagMode`.
 *
 * Deadline: once `signal` fires, a call not yet sent, or waiting for its bucket or a retry's backoff, is
 * not sent (its resources `skipped`/`deadline`, `onAbandon` told so the run keeps its unit out of the
 * continuation's done list); calls already sent finish, and read-backs settle what they may have done.
 * Memory: batches in flight are bounded by `ready()`, split resources wait in the parts merger only until
 * their last part, and a batch's own bookkeeping is O(its ids).
 */
import pLimit, { type LimitFunction } from 'p-limit';
import {
  isBatchTooLargeCode,
  isNotFoundCode,
  isOutcomeUnknownCode,
  isSplitParamCode,
  isTokenPendingCode,
  PRODUCTS,
  type Tuning,
} from '../catalog.ts';
import type { CloudPort } from '../cloud/port.ts';
import type { ListContext } from '../discover/list-call.ts';
import { fetchTagsByIds } from '../discover/tag-list.ts';
import { exactCalls } from '../plan/exact-calls.ts';
import type { ReportError, ResourceOutcome, UntagBatch } from '../types.ts';
import { createUntagMode, type UntagMode } from '../untag-mode.ts';
import { clientTokenFor } from './client-token.ts';
import { createPartsMerger, type FinalOutcomeSink, type PartsMerger } from './parts.ts';
import type { RateLimiter, TokenBucket } from './rate-limiter.ts';
import { DeadlineError, errorCode, statusOf, withRetry } from './retry.ts';

export interface ExecuteContext {
  cloud: CloudPort;
  limits: Tuning;
  rateLimiter: RateLimiter;
  runId: string;
  /**
   * The invocation whose listing the batches were computed from (FC's request id, kept across its
   * re-deliveries; a fresh id per run otherwise): part of every ClientToken.
   */
  invocationId?: string;
  count: (kind: 'untag' | 'list' | 'retried' | 'throttled', n: number) => void;
  /** Final outcomes, one per resource (split resources merged first), with the keys that went. */
  record: FinalOutcomeSink;
  error: (e: ReportError) => void;
  /** The run's deadline: cuts waits and stops calls not yet sent. */
  signal?: AbortSignal;
  /** Told of each batch (or part of one) abandoned at the deadline. */
  onAbandon?: (batch: UntagBatch) => void;
  /** True once the run has stopped (refused credentials, unreachable endpoint): abandoned is then `stopped`. */
  stopped?: () => boolean;
  /** Merges parts of split resources; `createExecutor` makes one (a bare `runBatch` falls back to `record`). */
  parts?: PartsMerger;
  /** Read-backs' own list limiter (never the discovery one: never nested with a write slot's). */
  readLimit?: LimitFunction;
  /** What the run has learned about the cloud's untag API (shared by every batch of the run). */
  learned?: Learned;
  /** Products whose calls must be exact (shared with the planner and the continuation). */
  untagMode?: UntagMode;
  /** The policy's guard keys (`match.tags`, `protect.resourceTag`): an exact re-plan sends them last. */
  guardKeys?: ReadonlySet<string>;
  /**
   * The run's progress guarantee: once an untag call was refused and none has succeeded, the first batch
   * the deadline would abandon is sent anyway (once per run), so a hop whose writes were all refused (a
   * refused mixed call re-sent exact after the deadline) still makes progress.
   */
  progress?: WriteProgress;
  /** The write slots: a call holds one only while it is on the wire (never while it waits for its bucket). */
  writeSlot?: LimitFunction;
  /** Per bucket, a cap on the calls holding or awaiting its token (so few wait for a slot holding a token). */
  writeGate?: (bucket: TokenBucket) => LimitFunction;
}

interface Learned {
  /** Parameter errors naming a key or a resource answered so far. */
  keyErrors: number;
}

/** Untag calls that succeeded and that were refused, and whether the one batch past the deadline was claimed. */
export interface WriteProgress {
  succeeded: number;
  refused: number;
  rescued: boolean;
}

export interface Executor {
  /**
   * Queues a batch; never rejects (failures become outcomes) and resolves, once the batch has settled,
   * with the outcomes its resources got (one per resource part; the run's journal hears them). The
   * `despiteDeadline` option sends it even once the deadline has fired (the run's progress guarantee:
   * see lib/run/writer.ts); its retry waits are not cut.
   */
  submit(batch: UntagBatch, options?: { despiteDeadline?: boolean }): Promise<ResourceOutcome[]>;
  /** Resolves when queued work is small enough to accept more (backpressure for the pipeline). */
  ready(): Promise<void>;
  /** Write slots no submitted batch is using or waiting for (the run then takes a full batch from the planner). */
  readonly free: number;
  /** `listener` hears each time a batch settles (a slot may have come free); returns its removal. */
  onSettled?(listener: () => void): () => void;
  /** Resolves when every submitted batch has settled. */
  drain(): Promise<void>;
}

export function createExecutor(context: ExecuteContext, concurrency: number): Executor {
  const slots = Math.max(1, concurrency);
  const gates = new Map<TokenBucket, LimitFunction>();
  const ctx: ExecuteContext = {
    ...context,
    parts: context.parts ?? createPartsMerger(context.record),
    readLimit: context.readLimit ?? pLimit(Math.max(1, context.limits.listConcurrency)),
    learned: context.learned ?? { keyErrors: 0 },
    untagMode: context.untagMode ?? createUntagMode(),
    // A batch holds no slot while its bucket makes it wait (a used-up 60 s window in one region must not
    // stall the other regions' writes): the slot is taken once the token is, for the call only.
    writeSlot: pLimit(slots),
    writeGate: (bucket) => {
      let g = gates.get(bucket);
      if (!g) {
        g = pLimit(slots);
        gates.set(bucket, g);
      }
      return g;
    },
  };
  const inFlight = new Set<Promise<void>>();
  const listeners = new Set<() => void>();
  const highWater = Math.max(4, concurrency * 4);
  return {
    submit(batch, options) {
      // The writer's own progress batch is the run's one batch past the deadline: no second one.
      if (options?.despiteDeadline && ctx.progress) ctx.progress.rescued = true;
      const base = options?.despiteDeadline ? withoutDeadline(ctx) : ctx;
      const merger = base.parts as PartsMerger;
      const outcomes: ResourceOutcome[] = [];
      const parts: PartsMerger = {
        record: (o, n) => {
          outcomes.push(o);
          merger.record(o, n);
        },
        get open() {
          return merger.open;
        },
      };
      const p = runBatch({ ...base, parts }, batch).finally(() => {
        inFlight.delete(p);
        for (const l of listeners) l();
      });
      inFlight.add(p);
      return p.then(() => outcomes);
    },
    async ready() {
      while (inFlight.size >= highWater) await Promise.race(inFlight);
    },
    get free() {
      return Math.max(0, slots - inFlight.size);
    },
    onSettled(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

function withoutDeadline(ctx: ExecuteContext): ExecuteContext {
  const { signal: _signal, ...rest } = ctx;
  return rest;
}

/** How one resource of a batch fared over the calls the batch became. */
interface Tally {
  removed: Set<string>;
  requestId?: string;
  failure?: Failure;
  skip?: { reason: 'not-found' | 'deadline' | 'stopped'; code?: string };
}

interface Failure {
  code: string;
  message: string;
  requestId?: string;
}

type Tallies = Map<string, Tally>;

interface Step {
  depth: number;
  /** A bare resource asked alone: a tag-key refusal then says it exists without those keys. */
  probe?: boolean;
}

/** Calls one batch may become (splits, re-sends, probes) before its rest is reported failed. */
const MAX_DEPTH = 12;

/** One batch to its resources' final outcomes (the calls it becomes run one after the other in its slot). */
export async function runBatch(ctx: ExecuteContext, batch: UntagBatch): Promise<void> {
  const tallies: Tallies = new Map();
  const { parts: _parts, ...plain } = batch;
  await resolve(ctx, plain, tallies, { depth: 0 });
  for (const id of batch.ids) {
    const o = outcomeOf(batch, id, tallies.get(id));
    if (ctx.parts) ctx.parts.record(o, batch.parts?.[id] ?? 1);
    else ctx.record(o, o.status === 'untagged' ? o.keys.length : (o.removed?.length ?? 0));
  }
}

function outcomeOf(batch: UntagBatch, id: string, t: Tally | undefined): ResourceOutcome {
  const keys = batch.removes[id] ?? [];
  const base = { region: batch.region, type: batch.type, id };
  const removed = keys.filter((k) => t?.removed.has(k));
  const left = keys.filter((k) => !t?.removed.has(k));
  const went = removed.length > 0 ? { removed } : {};
  if (t?.skip?.reason === 'not-found')
    return {
      ...base,
      keys: left.length > 0 ? left : keys,
      status: 'skipped',
      reason: 'not-found',
      ...(t.skip.code ? { code: t.skip.code } : {}),
      ...went,
    };
  if (left.length === 0)
    return { ...base, keys, status: 'untagged', ...(t?.requestId ? { requestId: t.requestId } : {}) };
  if (t?.failure)
    return {
      ...base,
      keys: left,
      status: 'failed',
      reason: t.failure.message,
      code: t.failure.code,
      ...(t.failure.requestId ? { requestId: t.failure.requestId } : {}),
      ...went,
    };
  if (t?.skip) return { ...base, keys: left, status: 'skipped', reason: t.skip.reason, ...went };
  return { ...base, keys: left, status: 'failed', reason: 'no outcome recorded', code: 'INTERNAL', ...went };
}

function tallyOf(tallies: Tallies, id: string): Tally {
  let t = tallies.get(id);
  if (!t) {
    t = { removed: new Set() };
    tallies.set(id, t);
  }
  return t;
}

function markRemoved(tallies: Tallies, id: string, keys: readonly string[], requestId?: string): void {
  const t = tallyOf(tallies, id);
  for (const k of keys) t.removed.add(k);
  if (requestId) t.requestId = requestId;
}

type Sent =
  | { ok: true; requestId: string }
  | { ok: false; err: unknown; code: string; failure: Failure; uncertain: boolean };

/** One call with its retries; `uncertain` when some attempt may have been applied without an answer. */
async function send(ctx: ExecuteContext, batch: UntagBatch, signal: AbortSignal | undefined): Promise<Sent> {
  const product = PRODUCTS[batch.product];
  const action = product.untagAction;
  const params: Record<string, unknown> = { RegionId: batch.region, ResourceType: batch.type, ResourceId: batch.ids };
  if (batch.keys === 'all') params.All = true;
  else params.TagKey = batch.keys;
  // Made once, before the retry loop: every attempt of this call carries the same token.
  if (product.clientToken) params.ClientToken = clientTokenFor(ctx.runId, action, batch, ctx.invocationId);
  const bucket = ctx.rateLimiter.bucket(batch.region, batch.product, action);
  let uncertain = false;
  /** When an attempt first met the token's earlier request still in process. */
  let pendingSince: number | undefined;
  const retried = () =>
    withRetry(
      async () => {
        ctx.count('untag', 1);
        try {
          return await ctx.cloud.call(batch.product, batch.region, action, params);
        } catch (err) {
          const code = errorCode(err);
          if (isOutcomeUnknownCode(code, statusOf(err))) uncertain = true;
          if (isTokenPendingCode(code)) {
            // An earlier attempt with this token is still in process: it may yet be applied.
            uncertain = true;
            pendingSince ??= Date.now();
          }
          throw err;
        }
      },
      {
        limits: ctx.limits,
        bucket,
        count: ctx.count,
        ...(signal ? { signal } : {}),
        ...(ctx.writeSlot ? { slot: ctx.writeSlot } : {}),
        ...(ctx.writeGate ? { gate: ctx.writeGate(bucket) } : {}),
      },
    );
  try {
    const res = await settled(retried, () => pendingSince, ctx.limits, signal);
    return { ok: true, requestId: res.requestId };
  } catch (err) {
    const code = err instanceof DeadlineError ? err.code : (errorCode(err) ?? 'UnknownError');
    if (isSplitParamCode(code) && ctx.learned) ctx.learned.keyErrors++;
    const requestId = (err as { requestId?: unknown }).requestId;
    const failure: Failure = {
      code,
      message: err instanceof Error ? err.message : String(err),
      ...(typeof requestId === 'string' && requestId ? { requestId } : {}),
    };
    return { ok: false, err, code, failure, uncertain };
  }
}

/**
 * Runs `call` (a call with its retries) again, same token, while its answer is that the token's earlier
 * request is still in process, for up to one read timeout from the first such answer: that request's own
 * outcome is then replayed, so the report need not guess. Past that, or past the deadline, the last error.
 */
async function settled<T>(
  call: () => Promise<T>,
  pendingSince: () => number | undefined,
  limits: Tuning,
  signal: AbortSignal | undefined,
): Promise<T> {
  for (let wait = 0; ; wait++) {
    try {
      return await call();
    } catch (err) {
      const since = pendingSince();
      if (!isTokenPendingCode(errorCode(err)) || since === undefined || signal?.aborted) throw err;
      if (Date.now() - since >= limits.readTimeoutMs) throw err;
      const delay = Math.max(1, Math.min(limits.retryMaxMs, limits.retryBaseMs * 2 ** wait));
      if (!(await sleepUnless(delay, signal))) throw err;
    }
  }
}

/** Sleeps `ms`; false at once if `signal` aborts first. */
function sleepUnless(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((done) => {
    if (signal?.aborted) return done(false);
    const onAbort = () => {
      clearTimeout(t);
      done(false);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      done(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function resolve(ctx: ExecuteContext, batch: UntagBatch, tallies: Tallies, step: Step): Promise<void> {
  if (ctx.signal?.aborted && !step.probe) {
    if (!rescue(ctx)) return abandon(ctx, batch, tallies);
    return resolve(withoutDeadline(ctx), batch, tallies, step);
  }
  if (ctx.untagMode?.exact.has(batch.product) && !step.probe && isMixed(batch)) {
    for (const g of exactSplit(ctx, batch)) await resolve(ctx, g, tallies, step);
    return;
  }
  const sent = await send(ctx, batch, step.probe ? undefined : ctx.signal);
  if (sent.ok) {
    if (ctx.progress) ctx.progress.succeeded++;
    for (const id of batch.ids) markRemoved(tallies, id, batch.removes[id] ?? [], sent.requestId);
    return;
  }
  const { code, failure, uncertain } = sent;
  if (ctx.progress && !(sent.err instanceof DeadlineError)) ctx.progress.refused++;
  if (sent.err instanceof DeadlineError) {
    if (uncertain) return fromReadBack(ctx, batch, tallies, step, undefined);
    if (rescue(ctx)) return resolve(withoutDeadline(ctx), batch, tallies, step);
    return abandon(ctx, batch, tallies);
  }
  const [onlyId] = batch.ids;
  if (isNotFoundCode(code)) {
    if (batch.ids.length === 1 && onlyId !== undefined) {
      tallyOf(tallies, onlyId).skip = { reason: 'not-found', code };
      return;
    }
    return reconcile(ctx, batch, tallies, step, failure, false);
  }
  if (isBatchTooLargeCode(code) && batch.ids.length > 1) {
    for (const half of halves(batch, 'ids')) await resolve(ctx, half, tallies, { depth: step.depth + 1 });
    return;
  }
  if (isSplitParamCode(code)) {
    // Asked alone because the read-back showed it bare: it exists, and none of these keys is on it.
    if (step.probe && onlyId !== undefined) return markRemoved(tallies, onlyId, batch.removes[onlyId] ?? []);
    if (pairsOf(batch) > 1) return reconcile(ctx, batch, tallies, step, failure, true);
  }
  if (uncertain) return fromReadBack(ctx, batch, tallies, step, failure);
  fail(ctx, batch, tallies, failure);
}

/**
 * After an uncertain outcome: the keys the read-back shows gone went; bare resources are asked alone;
 * the rest failed with `failure`, or (no failure: the deadline) are left for the continuation.
 */
async function fromReadBack(
  ctx: ExecuteContext,
  batch: UntagBatch,
  tallies: Tallies,
  step: Step,
  failure: Failure | undefined,
): Promise<void> {
  const truth = await readBack(ctx, batch);
  if (!truth) return failure ? fail(ctx, batch, tallies, unknownOutcome(failure)) : abandon(ctx, batch, tallies);
  // A bare resource may have vanished: asked alone once; if that answer is unclear too, nobody knows.
  const rest = await settleFromTruth(ctx, batch, tallies, step, truth, step.probe ? 'unknown' : 'probe');
  if (rest.ids.length === 0) return;
  if (failure) fail(ctx, rest, tallies, failure);
  else abandon(ctx, rest, tallies);
}

/**
 * Not-found or a parameter error naming a key or a resource: read back, then re-send what is left as
 * calls whose resources each carry every key named; a shape the cloud refused already is halved.
 */
async function reconcile(
  ctx: ExecuteContext,
  batch: UntagBatch,
  tallies: Tallies,
  step: Step,
  failure: Failure,
  keyError: boolean,
): Promise<void> {
  if (step.depth >= MAX_DEPTH) return fail(ctx, batch, tallies, failure);
  if (keyError && isMixed(batch)) {
    // Resources with different keys refused together: most likely a cloud that refuses to remove a key a
    // resource lacks. Re-send at once as exact calls (no read-back: the listing is fresh; a part refused
    // again is read back below), and pack the product's later batches exactly.
    ctx.untagMode?.exact.add(batch.product);
    for (const sub of exactSplit(ctx, batch)) await resolve(ctx, sub, tallies, { depth: step.depth + 1 });
    return;
  }
  const truth = await readBack(ctx, batch);
  let rest: UntagBatch;
  if (truth) rest = await settleFromTruth(ctx, batch, tallies, step, truth, 'probe');
  else if (isNotFoundCode(failure.code) || keyError) rest = batch;
  else return fail(ctx, batch, tallies, failure);
  if (rest.ids.length === 0) return;
  let subs = byKeySet(rest, rest.removes, ctx.limits.maxIdsPerCall);
  const [only] = subs;
  if (subs.length === 1 && only && sameShape(only, batch)) subs = halves(only, pairsKeys(only) > 1 ? 'keys' : 'ids');
  for (const sub of subs) await resolve(ctx, sub, tallies, { depth: step.depth + 1 });
}

/**
 * Marks what the read-back shows gone, and returns the part of `batch` still to go (each resource with
 * the keys it still carries). A bare resource (no tag at all: stripped or vanished, the read-back cannot
 * tell) is asked alone (`probe`), or, when it was the one asked alone already, reported failed (`unknown`).
 */
async function settleFromTruth(
  ctx: ExecuteContext,
  batch: UntagBatch,
  tallies: Tallies,
  step: Step,
  truth: Map<string, Set<string>>,
  bareIs: 'unknown' | 'probe',
): Promise<UntagBatch> {
  const removes: Record<string, string[]> = Object.create(null);
  const ids: string[] = [];
  const bare: string[] = [];
  for (const id of batch.ids) {
    const planned = batch.removes[id] ?? [];
    const carried = truth.get(id);
    if (!carried) {
      if (bareIs === 'unknown') fail(ctx, subBatch(batch, [id], { [id]: planned }), tallies, UNKNOWN_IF_PRESENT);
      else bare.push(id);
      continue;
    }
    markRemoved(
      tallies,
      id,
      planned.filter((k) => !carried.has(k)),
    );
    const still = planned.filter((k) => carried.has(k));
    if (still.length > 0) {
      ids.push(id);
      removes[id] = still;
    }
  }
  for (const id of bare) {
    const probe = subBatch(batch, [id], { [id]: batch.removes[id] ?? [] });
    if (step.depth + 1 >= MAX_DEPTH) {
      fail(ctx, probe, tallies, {
        code: 'OUTCOME_UNKNOWN',
        message: 'the resource could not be read back after an uncertain answer',
      });
      continue;
    }
    await resolve(ctx, probe, tallies, { depth: step.depth + 1, probe: true });
  }
  return subBatch(batch, ids, removes);
}

const UNKNOWN_IF_PRESENT: Failure = {
  code: 'OUTCOME_UNKNOWN',
  message: 'the answers were unclear and the read-back shows no tag on the resource: it was stripped, or it vanished',
};

/** Each resource's current keys (`ResourceId.N`, every page); a resource with no tag is absent. Undefined if the read fails. */
async function readBack(ctx: ExecuteContext, batch: UntagBatch): Promise<Map<string, Set<string>> | undefined> {
  const listCtx: ListContext = {
    cloud: ctx.cloud,
    limits: ctx.limits,
    listLimit: ctx.readLimit ?? pLimit(1),
    rateLimiter: ctx.rateLimiter,
    count: ctx.count,
  };
  const out = new Map<string, Set<string>>();
  const size = Math.max(1, ctx.limits.maxIdsPerListCall);
  try {
    for (let i = 0; i < batch.ids.length; i += size) {
      const found = await fetchTagsByIds(listCtx, batch, batch.ids.slice(i, i + size));
      for (const r of found) out.set(r.id, new Set(Object.keys(r.tags)));
    }
  } catch {
    return undefined;
  }
  return out;
}

function unknownOutcome(failure: Failure): Failure {
  return { ...failure, message: `${failure.message} (it may have been applied: the read-back failed too)` };
}

function fail(ctx: ExecuteContext, batch: UntagBatch, tallies: Tallies, failure: Failure): void {
  for (const id of batch.ids) {
    const t = tallyOf(tallies, id);
    t.failure ??= failure;
  }
  ctx.error({
    code: failure.code,
    message: failure.message,
    region: batch.region,
    type: batch.type,
    ids: [...batch.ids],
    ...(failure.requestId ? { requestId: failure.requestId } : {}),
  });
}

/** The deadline came before this call was (re)sent: its resources are left for the continuation. */
function abandon(ctx: ExecuteContext, batch: UntagBatch, tallies: Tallies): void {
  // Told first: the run looks up where these resources were listed before their outcomes settle them.
  ctx.onAbandon?.(batch);
  for (const id of batch.ids) {
    const t = tallyOf(tallies, id);
    t.skip ??= { reason: ctx.stopped?.() ? 'stopped' : 'deadline' };
  }
}

/** Claims the run's one batch past the deadline: a call was refused, none succeeded, none claimed yet. */
function rescue(ctx: ExecuteContext): boolean {
  const p = ctx.progress;
  if (!p || p.succeeded > 0 || p.refused === 0 || p.rescued) return false;
  p.rescued = true;
  return true;
}

/** The batch as exact calls: each names only keys all its ids remove (guard keys last). */
function exactSplit(ctx: ExecuteContext, batch: UntagBatch): UntagBatch[] {
  const items = batch.ids.map((id) => ({ id, keys: batch.removes[id] ?? [] }));
  const calls = exactCalls(items, ctx.limits.maxIdsPerCall, ctx.limits.maxKeysPerCall, ctx.guardKeys);
  return calls.map((c) => subBatch(batch, c.ids, Object.fromEntries(c.ids.map((id) => [id, c.keys]))));
}

function pairsOf(batch: UntagBatch): number {
  let n = 0;
  for (const id of batch.ids) n += batch.removes[id]?.length ?? 0;
  return Math.max(n, batch.ids.length);
}

function pairsKeys(batch: UntagBatch): number {
  return batch.keys === 'all' ? 1 : batch.keys.length;
}

function keySetName(keys: readonly string[]): string {
  return JSON.stringify([...keys].sort());
}

function isMixed(batch: UntagBatch): boolean {
  if (batch.keys === 'all') return false;
  const first = batch.ids[0];
  const name = keySetName(first !== undefined ? (batch.removes[first] ?? []) : []);
  return batch.ids.some((id) => keySetName(batch.removes[id] ?? []) !== name);
}

function sameShape(a: UntagBatch, b: UntagBatch): boolean {
  if (a.ids.length !== b.ids.length || keySetName(a.ids) !== keySetName(b.ids)) return false;
  if (a.keys === 'all' || b.keys === 'all') return a.keys === b.keys;
  return keySetName(a.keys) === keySetName(b.keys);
}

/**
 * Calls whose resources each carry every key named, as few as this batch allows: grouped by key set
 * (resources removing the same keys share a call), or by holder set (keys removed from the same
 * resources share a call; a resource then takes part in several calls), whichever makes fewer.
 */
function byKeySet(batch: UntagBatch, removes: Record<string, string[]>, maxIds: number): UntagBatch[] {
  const bySets = byResourceKeySet(batch, removes, maxIds);
  if (batch.keys === 'all' || bySets.length <= 1) return bySets;
  const byHolders = byKeyHolders(batch, removes);
  return byHolders.length < bySets.length ? byHolders : bySets;
}

/** One call per set of resources holding the same keys: the keys removed from exactly those resources. */
function byKeyHolders(batch: UntagBatch, removes: Record<string, string[]>): UntagBatch[] {
  const holders = new Map<string, string[]>();
  for (const id of batch.ids)
    for (const k of removes[id] ?? []) {
      const h = holders.get(k);
      if (h) h.push(id);
      else holders.set(k, [id]);
    }
  const groups = new Map<string, { ids: string[]; keys: string[] }>();
  for (const [k, ids] of holders) {
    const name = JSON.stringify(ids);
    const g = groups.get(name);
    if (g) g.keys.push(k);
    else groups.set(name, { ids, keys: [k] });
  }
  const out: UntagBatch[] = [];
  for (const g of groups.values()) {
    const own: Record<string, string[]> = Object.create(null);
    for (const id of g.ids) own[id] = [...g.keys].sort();
    out.push(subBatch(batch, g.ids, own));
  }
  return out;
}

/** One call per distinct key set (at most `maxIds` ids each). */
function byResourceKeySet(batch: UntagBatch, removes: Record<string, string[]>, maxIds: number): UntagBatch[] {
  if (batch.keys === 'all') return batch.ids.length > 0 ? [batch] : [];
  const groups = new Map<string, string[]>();
  for (const id of batch.ids) {
    const name = keySetName(removes[id] ?? []);
    const g = groups.get(name);
    if (g) g.push(id);
    else groups.set(name, [id]);
  }
  const out: UntagBatch[] = [];
  for (const ids of groups.values())
    for (let i = 0; i < ids.length; i += Math.max(1, maxIds))
      out.push(subBatch(batch, ids.slice(i, i + maxIds), removes));
  return out;
}

/** Two smaller calls: the keys in two halves (each to the resources that carry them), or the ids. */
function halves(batch: UntagBatch, by: 'keys' | 'ids'): UntagBatch[] {
  if (by === 'ids' || batch.keys === 'all') {
    const mid = Math.ceil(batch.ids.length / 2);
    return [batch.ids.slice(0, mid), batch.ids.slice(mid)]
      .filter((ids) => ids.length > 0)
      .map((ids) => subBatch(batch, ids, batch.removes));
  }
  const keys = [...batch.keys].sort();
  const mid = Math.ceil(keys.length / 2);
  const out: UntagBatch[] = [];
  for (const half of [new Set(keys.slice(0, mid)), new Set(keys.slice(mid))]) {
    const removes: Record<string, string[]> = Object.create(null);
    const ids: string[] = [];
    for (const id of batch.ids) {
      const mine = (batch.removes[id] ?? []).filter((k) => half.has(k));
      if (mine.length === 0) continue;
      ids.push(id);
      removes[id] = mine;
    }
    if (ids.length > 0) out.push(subBatch(batch, ids, removes));
  }
  return out;
}

/** `ids` of `batch`, each removing `removes[id]`; the keys sent are their union (or still `all`). */
function subBatch(batch: UntagBatch, ids: string[], removes: Record<string, string[]>): UntagBatch {
  const own: Record<string, string[]> = Object.create(null);
  for (const id of ids) own[id] = [...(removes[id] ?? [])];
  const keys = batch.keys === 'all' ? 'all' : [...new Set(ids.flatMap((id) => own[id] ?? []))].sort();
  return { product: batch.product, region: batch.region, type: batch.type, ids, keys, removes: own };
}
