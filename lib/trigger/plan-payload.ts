/**
 * The `plan` field of a manual payload, as `run --plan` takes a file: a reviewed plan inline
 * (`{"plan": {...}}`), a plan object in OSS (`{"plan": "oss://bucket/key"}`), or, in the function's own
 * hops and shards of a plan run, `{"plan": {"stored": "<planHash>"}}`: the run store's
 * `<runId>/plan.json`, which must still have that hash (a plan of thousands of resources does not fit
 * FC's 128 KB asynchronous payload, so it is passed by reference). Pure: reading is the handler's.
 */
import { type PlanDocument, parsePlan } from '../reviewed-plan/document.ts';
import { prefixPath } from './policy.ts';
import type { InputIssue, PlanSource } from './types.ts';

/** What a payload's `plan` field is: a plan (checked), where to read one, or what is wrong with it. */
export type PlanField =
  | { kind: 'inline'; plan: PlanDocument }
  | { kind: 'source'; source: PlanSource }
  | { kind: 'invalid'; issues: InputIssue[] };

const HASH = /^[0-9a-f]{64}$/;
// OSS bucket names: 3-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen.
const OSS_OBJECT = /^oss:\/\/([a-z0-9][a-z0-9-]{1,61}[a-z0-9])\/(.+)$/;

/** Decodes the `plan` field found at `path`; `runId` is the run's (a stored plan is that run's). */
export function decodePlanField(value: unknown, path: string, runId: string): PlanField {
  if (typeof value === 'string') {
    const m = OSS_OBJECT.exec(value.trim());
    if (!m || (m[2] ?? '').endsWith('/'))
      return fail(path, 'expected a plan object, or "oss://bucket/key" naming one in OSS');
    return { kind: 'source', source: { kind: 'oss', bucket: m[1] as string, key: m[2] as string, location: value } };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail(path, 'expected a plan object, or "oss://bucket/key" naming one in OSS');
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'stored') {
    const hash = (value as { stored: unknown }).stored;
    if (typeof hash !== 'string' || !HASH.test(hash))
      return fail(prefixPath(path, 'stored'), "expected the plan's planHash (64 hex digits)");
    return { kind: 'source', source: { kind: 'run-store', runId, planHash: hash } };
  }
  return checkPlan(value, path);
}

/** Checks a plan document read from wherever (`source`: the hash a stored plan must have). */
export function checkPlan(raw: unknown, path: string, source?: PlanSource): PlanField {
  const parsed = parsePlan(raw);
  if (!parsed.ok)
    return {
      kind: 'invalid',
      issues: parsed.issues.map((i) => ({ path: prefixPath(path, i.path), message: i.message })),
    };
  if (source?.kind === 'run-store' && parsed.plan.planHash !== source.planHash)
    return fail(path, `the run store's plan of run '${source.runId}' is not the one this run started with`);
  if (parsed.plan.policy.accounts)
    return fail(prefixPath(path, 'policy.accounts'), 'a reviewed plan of a many-account policy cannot be run yet');
  return { kind: 'inline', plan: parsed.plan };
}

const fail = (path: string, message: string): PlanField => ({ kind: 'invalid', issues: [{ path, message }] });
