/**
 * Reading a payload's plan from where it names (lib/trigger/plan-payload.ts): an OSS object through the
 * store's OSS client (ali-oss, signed with the function's credentials), or the run store's
 * `<runId>/plan.json`. What was read goes back to the decoder, which checks it as it checks an inline
 * plan; what could not be read is answered, naming the field, before any cloud call.
 */
import type { CredentialsSource } from '../cloud/credentials.ts';
import { redactSecrets } from '../errors.ts';
import { readJournal } from '../journal/reader.ts';
import { openRunStore } from '../store/from-env.ts';
import { type RunStore, StoreKeys } from '../store/port.ts';
import type { PlanSource } from '../trigger/types.ts';
import type { PlanDocument } from './document.ts';
import { plannedKey } from './select.ts';

/** `retryable`: the store did not answer (network, 5xx), so the same invocation later may read it. */
export type PlanRead = { ok: true; raw: unknown } | { ok: false; message: string; retryable?: boolean };

/** Answers of the store that a retry gets again. */
const FINAL_CODES = new Set(['AccessDenied', 'NoSuchBucket', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'EACCES']);

export interface PlanReadContext {
  env: Record<string, string | undefined>;
  credentials: CredentialsSource;
  region: string | undefined;
}

/** Reads and parses the JSON at `source`; never throws. */
export async function readPlanSource(source: PlanSource, ctx: PlanReadContext): Promise<PlanRead> {
  const where =
    source.kind === 'oss' ? source.location : `the run store's ${StoreKeys.plan(source.runId)} (VPC_TAG_CLEANUP_STORE)`;
  try {
    const location = source.kind === 'oss' ? `oss://${source.bucket}` : (ctx.env.VPC_TAG_CLEANUP_STORE ?? '').trim();
    if (location === '' || location === 'none')
      return { ok: false, message: `${where}: no run store to read the plan from (VPC_TAG_CLEANUP_STORE)` };
    const opened = await openRunStore(location, ctx.env, ctx.credentials, ctx.region);
    if (!opened.ok || !opened.store)
      return { ok: false, message: `${where}: ${opened.ok ? 'no store' : opened.message}` };
    const text = await opened.store.get(source.kind === 'oss' ? source.key : StoreKeys.plan(source.runId));
    if (text === undefined) return { ok: false, message: `${where}: no such object` };
    try {
      return { ok: true, raw: JSON.parse(text) };
    } catch (e) {
      return { ok: false, message: `${where}: not JSON (${e instanceof Error ? e.message : String(e)})` };
    }
  } catch (e) {
    const code = (e as { backendCode?: unknown }).backendCode;
    const message = `${where}: ${redactSecrets(e instanceof Error ? e.message : String(e))}`;
    return { ok: false, message, retryable: !(typeof code === 'string' && FINAL_CODES.has(code)) };
  }
}

/** Keeps the plan a run executes as `<runId>/plan.json`; the failure's message, or undefined. */
export async function storePlan(store: RunStore, runId: string, plan: PlanDocument): Promise<string | undefined> {
  try {
    await store.put(StoreKeys.plan(runId), `${JSON.stringify(plan)}\n`);
    return undefined;
  } catch (e) {
    return `the plan could not be kept in the run store, so nothing was sent: ${redactSecrets(e instanceof Error ? e.message : String(e))}`;
  }
}

/**
 * The planned keys this run's earlier invocations sent removals for: every (resource, key) an intent
 * of its journal names (a hop of a plan run reads it so as not to call its own work a change).
 */
export async function removedByRun(store: RunStore, runId: string): Promise<Set<string>> {
  const journal = await readJournal(store, runId);
  const out = new Set<string>();
  for (const intent of journal.intents)
    for (const r of intent.resources)
      for (const key of Object.keys(r.tags ?? {}))
        out.add(plannedKey({ region: intent.region, type: intent.type, id: r.id }, key));
  return out;
}
