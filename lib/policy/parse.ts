/**
 * Validation of a cleanup policy at the edge (STYLE.md habit 6): the zod schema for what each field
 * says alone, then the rules that span fields (DESIGN.md "the cleanup policy"). Every issue is
 * reported, each with a dotted path; `parsePolicy` never throws.
 */
import type { z } from 'zod';
import {
  isReservedKey,
  isResourceType,
  keyRuleViolation,
  POLICY_CAPS,
  type ProductId,
  productOf,
  RESERVED_KEY_PREFIXES,
} from '../catalog.ts';
import type { Issue } from '../errors.ts';
import { closest } from '../near-miss.ts';
import { fieldsAt } from './fields.ts';
import { parseJsonText } from './json-text.ts';
import { canListInFull, needsFullListing } from './listing-rule.ts';
import { type Policy, PolicySchema, RemoveAllSchema, RemoveKeysSchema } from './schema.ts';

/** One problem with a policy. `path` is dotted (`remove.keyPatterns[0]`, `match.tags[1].key`), '' for the root. */
export type PolicyIssue = Issue;

/** The policy with defaults applied, or every issue found. */
export type ParseResult = { ok: true; policy: Policy } | { ok: false; issues: PolicyIssue[] };

type PathSegment = PropertyKey;

/** `['match', 'tags', 1, 'key']` -> `match.tags[1].key`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

function getAt(root: unknown, path: readonly PathSegment[]): unknown {
  let cur = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg as string];
  }
  return cur;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `array` -> `an array`, `string` -> `a string`. */
function withArticle(noun: string): string {
  return `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;
}

function unknownTypeMessage(value: unknown, allowed: string[]): string {
  const near = typeof value === 'string' ? closest(value, allowed) : undefined;
  return `${JSON.stringify(value)} is not a known resource type (${near ? `did you mean ${near}? ` : ''}one of ${allowed.join(', ')})`;
}

/** Turns zod's issues into ours: one issue per unknown field, paths from the policy's root. */
function toPolicyIssues(
  issues: readonly z.core.$ZodIssue[],
  root: unknown,
  prefix: readonly PathSegment[] = [],
): PolicyIssue[] {
  const out: PolicyIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const value = getAt(root, path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const hint =
            formatPath(path) === 'remove' && isRecord(value) && 'all' in value
              ? ' ({ "all": true } takes no other field)'
              : '';
          const near = hint ? undefined : closest(key, fieldsAt(path));
          const allowed = fieldsAt(path);
          const tail = near
            ? ` (did you mean "${near}"?)`
            : allowed.length > 0 && !hint
              ? ` (allowed: ${allowed.join(', ')})`
              : '';
          out.push({ path: formatPath([...path, key]), message: `unknown field "${key}"${hint}${tail}` });
        }
        break;
      case 'invalid_type':
        out.push({
          path: formatPath(path),
          message:
            value === undefined
              ? `is required (expected ${issue.expected})`
              : `must be ${withArticle(issue.expected)}, got ${describeValue(value)}`,
        });
        break;
      case 'invalid_value':
        out.push({
          path: formatPath(path),
          message: path[0] === 'resourceTypes' ? unknownTypeMessage(value, issue.values.map(String)) : issue.message,
        });
        break;
      default:
        out.push({ path: formatPath(path), message: issue.message });
    }
  }
  return out;
}

/**
 * `remove` is a union; zod's own report for a failed union is "Invalid input". Pick the branch the
 * author meant (`all` present -> `{all: true}`, else `{keys?, keyPatterns?}`) and report its issues.
 */
function removeIssues(root: unknown): PolicyIssue[] {
  const remove = getAt(root, ['remove']);
  if (remove === undefined)
    return [{ path: 'remove', message: 'is required: { "keys": [...] }, { "keyPatterns": [...] } or { "all": true }' }];
  if (!isRecord(remove))
    return [
      {
        path: 'remove',
        message: `must be an object ({ "keys"?, "keyPatterns"? } or { "all": true }), got ${describeValue(remove)}`,
      },
    ];
  const branch = 'all' in remove ? RemoveAllSchema : RemoveKeysSchema;
  const result = branch.safeParse(remove);
  return result.success ? [] : toPolicyIssues(result.error.issues, root, ['remove']);
}

function stringsAt(root: unknown, path: readonly PathSegment[]): Array<[number, string]> {
  const arr = getAt(root, path);
  if (!Array.isArray(arr)) return [];
  const out: Array<[number, string]> = [];
  arr.forEach((v, i) => {
    if (typeof v === 'string') out.push([i, v]);
  });
  return out;
}

/** Rules that span fields, checked on whatever parts of the raw input are well-formed. */
function crossFieldIssues(root: unknown): PolicyIssue[] {
  const out: PolicyIssue[] = [];
  const types = stringsAt(root, ['resourceTypes']).filter(([, t]) => isResourceType(t)) as Array<
    [number, Policy['resourceTypes'][number]]
  >;
  const products = [...new Set(types.map(([, t]) => productOf(t)))] as ProductId[];

  for (const [i, key] of stringsAt(root, ['remove', 'keys'])) {
    if (key.length === 0) continue; // the schema says so already
    if (isReservedKey(key)) {
      out.push({
        path: `remove.keys[${i}]`,
        message: `"${key}" starts with a prefix the cloud reserves (${RESERVED_KEY_PREFIXES.join(', ')}); such keys are never removed`,
      });
      continue;
    }
    if (products.length === 0) continue;
    const reasons = products.map((p) => [p, keyRuleViolation(p, key)] as const);
    if (reasons.every(([, r]) => r !== undefined)) {
      out.push({
        path: `remove.keys[${i}]`,
        message: `"${key}" cannot be a tag key for any selected resource type: ${reasons.map(([p, r]) => `${p}: ${(r ?? '').replace(` (${p})`, '')}`).join('; ')}`,
      });
    }
  }

  // A pattern or `all` must see every resource of a type; Vpc types without a typed list cannot be enumerated.
  const remove = getAt(root, ['remove']);
  const match = getAt(root, ['match']);
  const narrowed = isRecord(match) && (match.resourceIds !== undefined || match.tags !== undefined);
  if (needsFullListing(remove) && !narrowed) {
    const what = isRecord(remove) && remove.all === true ? 'remove.all' : 'remove.keyPatterns';
    for (const [i, type] of types) {
      if (!canListInFull(type)) {
        out.push({
          path: `resourceTypes[${i}]`,
          message: `${type} has no list API that returns all its resources with their tags, so ${what} cannot find them: add "match" (resourceIds or tags) or remove exact keys only`,
        });
      }
    }
  }
  return out;
}

function dedupe<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/** Duplicate entries are harmless repetition, not an error: keep the first of each. */
function normalise(policy: Policy): Policy {
  const out: Policy = { ...policy, regions: dedupe(policy.regions), resourceTypes: dedupe(policy.resourceTypes) };
  if ('keys' in policy.remove || 'keyPatterns' in policy.remove) {
    const r = policy.remove as { keys?: string[]; keyPatterns?: string[] };
    const remove: { keys?: string[]; keyPatterns?: string[] } = {};
    if (r.keys) remove.keys = dedupe(r.keys);
    if (r.keyPatterns) remove.keyPatterns = dedupe(r.keyPatterns);
    out.remove = remove;
  }
  if (policy.protect?.keys) out.protect = { ...policy.protect, keys: dedupe(policy.protect.keys) };
  if (policy.match?.resourceIds) out.match = { ...policy.match, resourceIds: dedupe(policy.match.resourceIds) };
  return out;
}

/**
 * Validates `input` as a version-1 cleanup policy. On failure, returns every issue found, each with
 * its path and a message that names the field; on success, the policy with defaults applied and
 * duplicate entries removed. A string is read as JSON first. Never throws.
 */
export function parsePolicy(input: unknown): ParseResult {
  try {
    let root = input;
    if (typeof input === 'string') {
      const bytes = Buffer.byteLength(input, 'utf8');
      if (bytes > POLICY_CAPS.policyBytes)
        return {
          ok: false,
          issues: [
            { path: '', message: `is ${bytes} bytes; a policy may be at most ${POLICY_CAPS.policyBytes} bytes` },
          ],
        };
      const parsed = parseJsonText(input);
      if (!parsed.ok) return { ok: false, issues: [{ path: '', message: `is not valid JSON (${parsed.message})` }] };
      root = parsed.value;
    }
    if (!isRecord(root))
      return {
        ok: false,
        issues: [{ path: '', message: `a policy must be a JSON object, got ${describeValue(root)}` }],
      };

    const result = PolicySchema.safeParse(root);
    const issues: PolicyIssue[] = [];
    if (!result.success) {
      const rest = result.error.issues.filter((i) => i.path[0] !== 'remove');
      issues.push(...toPolicyIssues(rest, root));
    }
    issues.push(...removeIssues(root), ...crossFieldIssues(root));

    const seen = new Set<string>();
    const unique = issues.filter((i) => {
      const k = `${i.path}\u0000${i.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    if (unique.length > 0 || !result.success) {
      return { ok: false, issues: unique.length > 0 ? unique : [{ path: '', message: 'is not a valid policy' }] };
    }
    return { ok: true, policy: normalise(result.data) };
  } catch (e) {
    return {
      ok: false,
      issues: [{ path: '', message: `could not be validated (${e instanceof Error ? e.message : String(e)})` }],
    };
  }
}
