/**
 * Where an interrupted CLI run leaves what `run --continue` needs: the policy as validated (or the
 * reviewed plan it was applying), the run id (so VpcPeer ClientTokens repeat) and the engine's
 * continuation, as `<runId>/continuation.json` in the run's store (`--store`, `VPC_TAG_CLEANUP_STORE`,
 * else `./.vpc-tag-cleanup/runs`, DESIGN.md "run store"; an `oss://` store keeps it in OSS). A run
 * without a store (`--store none`) leaves it in `./.vpc-tag-cleanup/runs`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PlanDocument } from '../lib/reviewed-plan/document.ts';
import { type RunStore, StoreKeys } from '../lib/store/index.ts';
import type { Continuation, ResourceRef } from '../lib/types.ts';
import { BadPolicyError, UsageError } from './errors.ts';

export const CONTINUATION_FILE = 'continuation.json';

export interface SavedContinuation {
  version: 1;
  runId: string;
  /** The policy as written (validated again on resume). */
  policy: unknown;
  continuation: Continuation;
  /** The resources the run was narrowed to (`--resource`), kept for the resumed run. */
  narrowTo?: ResourceRef[];
  /** `run --plan`: the plan it was applying (checked again on resume): the rest runs by it, not the policy. */
  plan?: PlanDocument;
}

/** The local store directory the CLI writes to (an `oss://` or `none` store leaves the default). */
export function localStoreDir(env: NodeJS.ProcessEnv): string {
  const s = env.VPC_TAG_CLEANUP_STORE?.trim();
  return s && !s.startsWith('oss://') && s !== 'none' ? s : join('.vpc-tag-cleanup', 'runs');
}

export function continuationPath(env: NodeJS.ProcessEnv, runId: string): string {
  return join(localStoreDir(env), runId, CONTINUATION_FILE);
}

/** Saves into the run's store when it has one, else as a file; says where (for the message). */
export async function saveContinuation(
  store: RunStore | undefined,
  env: NodeJS.ProcessEnv,
  saved: SavedContinuation,
): Promise<string> {
  const text = `${JSON.stringify(saved, null, 2)}\n`;
  if (store) {
    await store.put(StoreKeys.continuation(saved.runId), text);
    return `${store.location} (${StoreKeys.continuation(saved.runId)})`;
  }
  const path = continuationPath(env, saved.runId);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  return path;
}

/** `--continue RUN_ID` (looked up in the run's store) or `--continue FILE` (a path ending in .json). */
export async function loadContinuation(
  env: NodeJS.ProcessEnv,
  ref: string,
  store?: RunStore,
): Promise<SavedContinuation> {
  const path = ref.endsWith('.json')
    ? ref
    : store
      ? `${store.location} (${StoreKeys.continuation(ref)})`
      : continuationPath(env, ref);
  let text: string | undefined;
  try {
    text =
      ref.endsWith('.json') || !store ? await readFile(path, 'utf8') : await store.get(StoreKeys.continuation(ref));
  } catch (e) {
    throw new UsageError(
      `run: --continue ${ref}: no continuation at ${path} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    );
  }
  if (text === undefined) throw new UsageError(`run: --continue ${ref}: no continuation at ${path}`);
  let value: Partial<SavedContinuation>;
  try {
    value = JSON.parse(text) as Partial<SavedContinuation>;
  } catch (e) {
    throw new BadPolicyError(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  if (
    value?.version !== 1 ||
    typeof value.runId !== 'string' ||
    typeof value.continuation !== 'object' ||
    value.continuation === null
  )
    throw new BadPolicyError(`${path}: not a continuation written by vpc-tag-cleanup run`);
  return value as SavedContinuation;
}
