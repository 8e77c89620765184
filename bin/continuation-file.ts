/**
 * Where an interrupted CLI run leaves what `run --continue` needs: the policy as validated, the run id
 * (so VpcPeer ClientTokens repeat) and the engine's continuation, in `<store>/<runId>/continuation.json`
 * under the local run store (`VPC_TAG_CLEANUP_STORE` when it is a directory, else
 * `./.vpc-tag-cleanup/runs`, DESIGN.md "run store").
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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
}

/** The local store directory the CLI writes to (an `oss://` or `none` store leaves the default). */
export function localStoreDir(env: NodeJS.ProcessEnv): string {
  const s = env.VPC_TAG_CLEANUP_STORE?.trim();
  return s && !s.startsWith('oss://') && s !== 'none' ? s : join('.vpc-tag-cleanup', 'runs');
}

export function continuationPath(env: NodeJS.ProcessEnv, runId: string): string {
  return join(localStoreDir(env), runId, CONTINUATION_FILE);
}

export async function saveContinuation(path: string, saved: SavedContinuation): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(saved, null, 2)}\n`);
}

/** `--continue RUN_ID` (looked up in the store) or `--continue FILE` (a path ending in .json). */
export async function loadContinuation(env: NodeJS.ProcessEnv, ref: string): Promise<SavedContinuation> {
  const path = ref.endsWith('.json') ? ref : continuationPath(env, ref);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(
      `run: --continue ${ref}: no continuation at ${path} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    );
  }
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
