/**
 * Selection under a reviewed plan (pure): a resource loses only the keys the plan names, and only
 * where the value it carries now is still the planned one. Whatever the policy would select now is
 * irrelevant; reserved keys are never removed.
 */
import { isReservedKey } from '../catalog.ts';
import { BY_IDS_LISTER } from '../discover/tag-list.ts';
import { continuationCursors } from '../run/continuation.ts';
import { type Continuation, type ResourceOutcome, type Selection, SkipReason, type TaggedResource } from '../types.ts';
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

/** A planned (resource, key) as `removedByRun` names it. */
export const plannedKey = (r: { region: string; type: string; id: string }, key: string) => `${planRef(r)}\u0000${key}`;

/**
 * `removedByRun`: planned keys an earlier invocation of the same run sent a removal for (its journal). A
 * later hop lists some of the same pages again; such a key, now gone, is this run's work, not a change.
 */
export function selectFromPlan(
  resource: TaggedResource,
  planned: PlannedResource | undefined,
  removedByRun?: ReadonlySet<string>,
): PlanSelection {
  const ref = { region: resource.region, type: resource.type, id: resource.id };
  const notMatched: PlanSelection = {
    selection: { ...ref, action: 'skip', reason: 'not-matched', keys: [] },
    changed: [],
  };
  if (!planned) return notMatched;
  const keys: string[] = [];
  const changed: string[] = [];
  for (const key of Object.keys(planned.tags).sort()) {
    if (isReservedKey(key)) continue;
    if (Object.hasOwn(resource.tags, key) && resource.tags[key] === planned.tags[key]) keys.push(key);
    else if (Object.hasOwn(resource.tags, key) || !removedByRun?.has(plannedKey(ref, key))) changed.push(key);
  }
  // Everything planned already went in an earlier hop, which reported it.
  if (keys.length === 0 && changed.length === 0) return notMatched;
  if (keys.length === 0)
    return { selection: { ...ref, action: 'skip', reason: SkipReason.ChangedSincePlan, keys: changed }, changed };
  return { selection: { ...ref, action: 'remove', keys, all: false }, changed };
}

/**
 * Which part of a plan one invocation runs: a fan-out shard's regions, and where an earlier hop of the
 * same run stopped. A planned resource an earlier hop already listed is not this hop's to report.
 */
export interface PlanScope {
  regions?: readonly string[];
  continuation?: Continuation;
  /** Ids per listing call (the catalog's `maxIdsPerListCall`): a by-ids cursor counts chunks of this many. */
  maxIdsPerListCall: number;
  /** A hop: the planned keys earlier invocations of the run sent removals for (`plannedKey`, from its journal). */
  removedByRun?: ReadonlySet<string>;
}

/**
 * What `runCleanup` needs to execute a plan: the plan's policy (dry run off), its resources as
 * `narrowTo` (listed by id, nothing else), selection by the plan, and the planned resources listing
 * never met (gone, or carrying no tag at all any more: each planned key changed since the plan).
 */
export function planRunInput(plan: PlanDocument, scope?: PlanScope) {
  const index = indexPlan(plan);
  const seen = new Set<string>();
  const inScope = plan.resources.filter((r) => !scope?.regions || scope.regions.includes(r.region));
  const expected = scope ? expectedThisHop(inScope, scope) : inScope;
  return {
    policy: { ...plan.policy, ...(scope?.regions ? { regions: [...scope.regions] } : {}), dryRun: false },
    narrowTo: inScope.map((r) => ({ region: r.region, type: r.type, id: r.id })),
    reviewedPlan: {
      select(resource: TaggedResource) {
        const ref = planRef(resource);
        seen.add(ref);
        return selectFromPlan(resource, index.get(ref), scope?.removedByRun);
      },
      unseen(): ResourceOutcome[] {
        const done = scope?.removedByRun;
        return expected
          .filter((r) => !seen.has(planRef(r)))
          .filter((r) => !done || !Object.keys(r.tags).every((k) => done.has(plannedKey(r, k))))
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

const unitOf = (r: { region: string; type: string }) => `${r.region}\u0000${r.type}`;

/**
 * The planned resources this invocation's listing should meet: none of a unit an earlier hop finished,
 * and in a unit it cut, those from its by-ids cursor on (the listing asks ids in plan order, a chunk of
 * `maxIdsPerListCall` per call, and the cursor's token is the next chunk's index).
 */
function expectedThisHop(resources: PlannedResource[], scope: PlanScope): PlannedResource[] {
  const c = scope.continuation;
  if (!c) return resources;
  const done = new Set(c.done.map(unitOf));
  const from = new Map<string, number>();
  for (const cur of continuationCursors(c))
    from.set(unitOf(cur), cur.lister === BY_IDS_LISTER ? Number(cur.token) * scope.maxIdsPerListCall : 0);
  const position = new Map<string, number>();
  return resources.filter((r) => {
    const u = unitOf(r);
    if (done.has(u)) return false;
    const at = position.get(u) ?? 0;
    position.set(u, at + 1);
    return at >= (from.get(u) ?? 0);
  });
}
