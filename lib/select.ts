/**
 * Selection: the policy's verdict on one discovered resource (DESIGN.md "the cleanup policy"). Pure:
 * the same resource and policy always give the same answer, so dry runs and real runs agree.
 */
import { isReservedKey } from './catalog.ts';
import type { CompiledPolicy } from './policy/compile.ts';
import type { Selection, TaggedResource } from './types.ts';

/** A selection that removes keys: what the planner packs. */
export type RemoveSelection = Extract<Selection, { action: 'remove' }>;

function carries(tags: Record<string, string>, filter: { key: string; value?: string }): boolean {
  if (!Object.hasOwn(tags, filter.key)) return false;
  return filter.value === undefined || tags[filter.key] === filter.value;
}

/**
 * Keys no untag call can remove: the reserved (system) ones, and "" (UnTagResources accepts an empty
 * `TagKey.N`, but TagResources never makes such a key, so the call removes nothing: never claim it).
 */
function unremovable(key: string): boolean {
  return key === '' || isReservedKey(key);
}

/** Keys of `tags` the policy would remove, protection aside from the resource tag; sorted. */
function keysToRemove(tags: Record<string, string>, policy: CompiledPolicy): string[] {
  const out: string[] = [];
  for (const key of Object.keys(tags)) {
    if (unremovable(key) || policy.protectedKeys.has(key)) continue;
    if (policy.removeAll || policy.keys.has(key) || policy.patterns.some((re) => re.test(key))) out.push(key);
  }
  return out.sort();
}

/**
 * Decides what happens to `resource` under `policy`, in this order: outside `match` -> skip
 * `not-matched` (no keys); carries `protect.resourceTag` -> skip `protected-resource` listing the keys
 * that would have gone; no key left once protected and reserved keys are taken out -> skip
 * `nothing-to-remove`; otherwise remove the sorted keys. `all` (send `All=true`) only under
 * `remove.all`, when the policy protects no key, has no `protect.resourceTag` and the resource carries
 * no reserved or empty key, so that `All=true` can never take a key the policy keeps, even one added after listing.
 */
export function selectRemovals(resource: TaggedResource, policy: CompiledPolicy): Selection {
  const ref = { region: resource.region, type: resource.type, id: resource.id };
  const tags = resource.tags;
  if (policy.matchIds && !policy.matchIds.has(resource.id))
    return { ...ref, action: 'skip', reason: 'not-matched', keys: [] };
  if (!policy.matchTags.every((t) => carries(tags, t)))
    return { ...ref, action: 'skip', reason: 'not-matched', keys: [] };

  const keys = keysToRemove(tags, policy);
  if (policy.protectTag && carries(tags, policy.protectTag))
    return { ...ref, action: 'skip', reason: 'protected-resource', keys };
  if (keys.length === 0) return { ...ref, action: 'skip', reason: 'nothing-to-remove', keys };

  // A key added after listing goes too under All=true: only safe when no key and no resource tag protects.
  const all =
    policy.removeAll &&
    policy.protectedKeys.size === 0 &&
    policy.protectTag === undefined &&
    !Object.keys(tags).some(unremovable);
  return { ...ref, action: 'remove', keys, all };
}
