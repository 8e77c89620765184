/**
 * Policy validation at the trigger edge, on the engine's `parsePolicy` (every issue, never throws),
 * with issue paths re-rooted inside the event (`policy.regions[0]`, `payload.policy.remove`,
 * `env.VPC_TAG_CLEANUP_POLICY.name`) so a bad payload is answered once with everything wrong in it.
 */
import { formatPath, parsePolicy } from '../policy/parse.ts';
import type { Policy } from '../policy/schema.ts';
import type { InputIssue } from './types.ts';

export type PolicyParse = { ok: true; policy: Policy } | { ok: false; issues: InputIssue[] };

/** `prefix` + a dotted/bracketed path (`policy` + `regions[0]`); '' is the root on either side. */
export function prefixPath(prefix: string, path: string): string {
  if (prefix === '') return path;
  if (path === '') return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}

/** `prefix` + path segments, in the engine's path format (`a.b[1].c`). */
export function joinPath(prefix: string, path: ReadonlyArray<PropertyKey>): string {
  return prefixPath(prefix, formatPath(path));
}

/** Validate `input` (an object, or JSON text) as a policy; issue paths start with `prefix`. */
export function parsePolicyAt(input: unknown, prefix: string): PolicyParse {
  const parsed = parsePolicy(input);
  if (parsed.ok) return parsed;
  return { ok: false, issues: parsed.issues.map((i) => ({ path: prefixPath(prefix, i.path), message: i.message })) };
}

/**
 * The policy in `VPC_TAG_CLEANUP_POLICY` (event-driven runs). Undefined when the variable is unset or
 * blank; issues under `env.VPC_TAG_CLEANUP_POLICY` when it is not JSON or not a valid policy.
 */
export function parseEnvPolicy(text: string | undefined): PolicyParse | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  return parsePolicyAt(text, 'env.VPC_TAG_CLEANUP_POLICY');
}
