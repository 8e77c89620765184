/**
 * Selection under a reviewed plan (pure): a resource loses only the keys the plan names, and only
 * where the value it carries now is still the planned one. Whatever the policy would select now is
 * irrelevant; reserved keys are never removed.
 */
import { isReservedKey } from '../catalog.ts';
import { type ResourceOutcome, type Selection, SkipReason, type TaggedResource } from '../types.ts';
import type { PlanDocument, PlannedResource } from './document.ts';

export const planRef = (r: { region: string; type: string; id: string }) => `${r.region}\u0000${r.type}\u0000${r.id}`;

export function indexPlan(plan: PlanDocument): Map<string, PlannedResource> {
  return new Map(plan.resources.map((r) => [planRef(r), r]));
}

export interface PlanSelection {
  selection: Selection;
  /** Planned keys left alone because their value changed (or they went) since the plan. */
  changed: string[];
}

export function selectFromPlan(resource: TaggedResource, planned: PlannedResource | undefined): PlanSelection {
  const ref = { region: resource.region, type: resource.type, id: resource.id };
  if (!planned) return { selection: { ...ref, action: 'skip', reason: 'not-matched', keys: [] }, changed: [] };
  const keys: string[] = [];
  const changed: string[] = [];
  for (const key of Object.keys(planned.tags).sort()) {
    if (isReservedKey(key)) continue;
    if (Object.hasOwn(resource.tags, key) && resource.tags[key] === planned.tags[key]) keys.push(key);
    else changed.push(key);
  }
  if (keys.length === 0)
    return { selection: { ...ref, action: 'skip', reason: SkipReason.ChangedSincePlan, keys: changed }, changed };
  return { selection: { ...ref, action: 'remove', keys, all: false }, changed };
}

/**
 * What `runCleanup` needs to execute a plan: the plan's policy (dry run off), its resources as
 * `narrowTo` (listed by id, nothing else), selection by the plan, and the planned resources listing
 * never met (gone, or carrying no tag at all any more: each planned key changed since the plan).
 */
export function planRunInput(plan: PlanDocument) {
  const index = indexPlan(plan);
  const seen = new Set<string>();
  return {
    policy: { ...plan.policy, dryRun: false },
    narrowTo: plan.resources.map((r) => ({ region: r.region, type: r.type, id: r.id })),
    reviewedPlan: {
      select(resource: TaggedResource) {
        const ref = planRef(resource);
        seen.add(ref);
        return selectFromPlan(resource, index.get(ref));
      },
      unseen(): ResourceOutcome[] {
        return plan.resources
          .filter((r) => !seen.has(planRef(r)))
          .map((r) => ({
            region: r.region,
            type: r.type,
            id: r.id,
            keys: Object.keys(r.tags).sort(),
            status: 'skipped' as const,
            reason: SkipReason.ChangedSincePlan,
            changed: Object.keys(r.tags).sort(),
          }));
      },
    },
  };
}
