/**
 * Policy validation at the trigger edge: every issue, with its path inside the event, so a bad
 * payload is answered once with everything wrong in it.
 */
import { PolicySchema, type Policy } from '../policy/schema.ts';
import type { InputIssue } from './types.ts';

export type PolicyParse = { ok: true; policy: Policy } | { ok: false; issues: InputIssue[] };

/** Join a path prefix and a zod path into the dotted form issues use. */
export function joinPath(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  const parts = path.map((p) => String(p));
  if (prefix === '') return parts.join('.') || '(root)';
  return [prefix, ...parts].join('.');
}

/** Validate `input` as a policy; issue paths start with `prefix` (e.g. `policy`). */
export function parsePolicyAt(input: unknown, prefix: string): PolicyParse {
  const parsed = PolicySchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.map((i) => ({ path: joinPath(prefix, i.path), message: i.message })) };
  }
  const issues = semanticIssues(parsed.data, prefix);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, policy: parsed.data };
}

/** Rules the schema's shape cannot say: `remove` names something, patterns compile. */
function semanticIssues(policy: Policy, prefix: string): InputIssue[] {
  const issues: InputIssue[] = [];
  const remove = policy.remove;
  if (!('all' in remove)) {
    if ((remove.keys?.length ?? 0) === 0 && (remove.keyPatterns?.length ?? 0) === 0) {
      issues.push({ path: joinPath(prefix, ['remove']), message: 'remove needs at least one of keys, keyPatterns (non-empty), or all: true' });
    }
    remove.keyPatterns?.forEach((pattern, i) => {
      try {
        new RegExp(pattern, 'u');
      } catch (e) {
        issues.push({ path: joinPath(prefix, ['remove', 'keyPatterns', i]), message: `not a valid regular expression: ${(e as Error).message}` });
      }
    });
  }
  return issues;
}

/**
 * The policy in `VPC_TAG_CLEANUP_POLICY` (event-driven runs). Undefined when the variable is unset or
 * blank; issues under `env.VPC_TAG_CLEANUP_POLICY` when it is not JSON or not a valid policy.
 */
export function parseEnvPolicy(text: string | undefined): PolicyParse | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const path = 'env.VPC_TAG_CLEANUP_POLICY';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, issues: [{ path, message: `not JSON: ${(e as Error).message}` }] };
  }
  return parsePolicyAt(value, path);
}
