/**
 * A validated policy turned into what selection consults per resource: sets for exact keys, compiled
 * patterns, the protection rules and the match filters. Built once per run; pure.
 */
import type { ResourceType } from '../catalog.ts';
import { chooseStrategy, type Strategy } from '../discover/index.ts';
import { compileKeyPattern, type KeyPattern } from './key-pattern.ts';
import type { Policy } from './schema.ts';

/** The policy in the form selection reads: O(1) key look-ups, patterns compiled once. */
export interface CompiledPolicy {
  policy: Policy;
  /** `remove.all`: every key a resource carries, protected and reserved keys excepted. */
  removeAll: boolean;
  /** `remove.keys`. */
  keys: ReadonlySet<string>;
  /** `remove.keyPatterns` on the linear-time engine (found anywhere in a key unless anchored). */
  patterns: readonly KeyPattern[];
  /** `protect.keys`: never removed. */
  protectedKeys: ReadonlySet<string>;
  /** `protect.resourceTag`: a resource carrying it is left alone (no `value`: any value). */
  protectTag?: { key: string; value?: string };
  /** `match.resourceIds`, when given. */
  matchIds?: ReadonlySet<string>;
  /** `match.tags`: a resource must carry all of them (no `value`: any value). Empty: no tag filter. */
  matchTags: ReadonlyArray<{ key: string; value?: string }>;
  /** The listing plan: how discovery lists each of the policy's types, chosen once here. */
  listing: ReadonlyMap<ResourceType, Strategy>;
}

/**
 * Compiles a policy that `parsePolicy` accepted. Patterns were checked to compile there; a pattern
 * that still fails here means the policy skipped validation, and the `SyntaxError` says so.
 */
export function compilePolicy(policy: Policy): CompiledPolicy {
  const remove = policy.remove as { all?: true; keys?: string[]; keyPatterns?: string[] };
  const compiled: CompiledPolicy = {
    policy,
    removeAll: remove.all === true,
    keys: new Set(remove.keys ?? []),
    patterns: (remove.keyPatterns ?? []).map(compileKeyPattern),
    protectedKeys: new Set(policy.protect?.keys ?? []),
    matchTags: (policy.match?.tags ?? []).map((t) =>
      t.value === undefined ? { key: t.key } : { key: t.key, value: t.value },
    ),
    listing: new Map(policy.resourceTypes.map((type) => [type, chooseStrategy(policy, type)])),
  };
  const tag = policy.protect?.resourceTag;
  if (tag) compiled.protectTag = tag.value === undefined ? { key: tag.key } : { key: tag.key, value: tag.value };
  if (policy.match?.resourceIds) compiled.matchIds = new Set(policy.match.resourceIds);
  return compiled;
}
