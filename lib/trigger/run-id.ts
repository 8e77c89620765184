/**
 * Run ids and FC async task ids. Both end up in `x-fc-async-task-id`, which FC restricts to
 * `[A-Za-z_][A-Za-z0-9_-]*` and at most 128 characters (reference/function-compute.md section 6).
 * Everything here is deterministic: the same trigger always yields the same id, so an FC re-delivery
 * reuses the run's ClientTokens and its task ids (FC answers 409 to a task id it has seen).
 */
import { createHash } from 'node:crypto';

/** FC's limit on task ids. */
export const TASK_ID_MAX_LENGTH = 128;

/**
 * Run ids stay well under the task-id limit so that suffixes (`-shard-cn-hangzhou`, `-hop-12`) still fit
 * without hashing in the common case.
 */
export const RUN_ID_MAX_LENGTH = 80;

const SAFE_ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Short, stable hex digest of a string. */
export function shortHash(text: string, length = 16): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** Whether `id` is usable as an FC async task id as it is. */
export function isSafeId(id: string, maxLength = TASK_ID_MAX_LENGTH): boolean {
  return id.length > 0 && id.length <= maxLength && SAFE_ID.test(id);
}

/**
 * Turn any text into an id FC accepts: characters outside `[A-Za-z0-9_-]` become `_`, a leading digit or
 * dash gets a `r` prefix, and a result longer than `maxLength` keeps its head and ends in a hash of the
 * whole original text (two long ids that share a head stay distinct). An already-safe id is unchanged.
 */
export function toSafeId(raw: string, maxLength = TASK_ID_MAX_LENGTH): string {
  if (isSafeId(raw, maxLength)) return raw;
  let id = raw.replace(/[^A-Za-z0-9_-]/g, '_');
  if (!/^[A-Za-z_]/.test(id)) id = `r${id}`;
  // Sanitising is lossy (`a.b` and `a:b` both give `a_b`): mark a changed id with a hash of the original.
  const digest = shortHash(raw);
  if (id.length + 1 + digest.length > maxLength || id !== raw) {
    const head = id.slice(0, Math.max(1, maxLength - digest.length - 1));
    return `${head}-${digest}`;
  }
  return id;
}

/** Compact UTC timestamp for ids: `2025-01-01T03:00:00Z` -> `20250101T030000Z`. */
export function compactTime(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}
