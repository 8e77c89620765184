/**
 * The one rule for which resource types can be listed in full, and when a policy needs that: a pattern
 * or `remove.all` must see every resource of a type, which only a typed list returning tags inline can
 * give (DESIGN.md, "discovery"). The policy check refuses what this rule forbids, and discovery plans
 * its listing by the same rule, so the two cannot disagree.
 */
import { listerOf, type ResourceType } from '../catalog.ts';

/** Whether some list action returns every resource of `type` with its tags. */
export function canListInFull(type: ResourceType): boolean {
  return listerOf(type) !== undefined;
}

/** Whether a policy's `remove` (validated or raw) can only be served by listing types in full. */
export function needsFullListing(remove: unknown): boolean {
  if (typeof remove !== 'object' || remove === null) return false;
  const r = remove as { all?: unknown; keyPatterns?: unknown };
  return r.all === true || (Array.isArray(r.keyPatterns) && r.keyPatterns.length > 0);
}
