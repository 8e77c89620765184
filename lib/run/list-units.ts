/**
 * The listing side of a run: up to `listConcurrency` (region, type) units list at once, taken in
 * policy order; pages within a unit are a token chain. Each page is counted, announced (`onProgress`),
 * numbered by the tracker and judged resource by resource. Past the deadline no unit starts, and a
 * unit stops after the page in hand, its cursor kept by the tracker.
 */
import type { ResourceType } from '../catalog.ts';
import { discoverUnit, type ListCursor, type ListUnit } from '../discover/index.ts';
import { DeadlineError, isEngineError } from '../errors.ts';
import type { CompiledPolicy } from '../policy/compile.ts';
import { reportErrorOf } from '../report.ts';
import type { ResourceRef, TaggedResource } from '../types.ts';
import type { RunContext } from './context.ts';
import type { ContinuationTracker } from './continuation.ts';
import { prefetched } from './prefetch.ts';
import type { RunProgress } from './types.ts';

/** What the listing loop hands each resource to, and how it lists. */
export interface ListingDeps {
  ctx: RunContext;
  tracker: ContinuationTracker;
  compiled: CompiledPolicy;
  /** Writes run while listing (key streams then re-list until quiet). */
  mutating: boolean;
  narrowTo?: ResourceRef[];
  /** The whole policy's regions when the run is a shard (lib/run/types.ts `scopeRegions`). */
  scopeRegions?: readonly string[];
  onProgress?: (p: RunProgress) => void | Promise<void>;
  judge: (resource: TaggedResource, page: number) => Promise<void>;
  /** A unit's listing ended (its planner group can go). */
  unitListed: (unit: ListUnit) => Promise<void>;
}

/** (region, type) units in policy order; with `narrowTo`, only the units its resources fall in. */
export function unitsOf(
  policy: { regions: readonly string[]; resourceTypes: readonly string[] },
  narrowTo?: readonly ResourceRef[],
): ListUnit[] {
  const units: ListUnit[] = [];
  for (const region of policy.regions) {
    for (const type of policy.resourceTypes as ResourceType[]) {
      if (narrowTo && !narrowTo.some((r) => r.region === region && r.type === type)) continue;
      units.push({ region, type });
    }
  }
  return units;
}

/** Lists one unit to its end or to the deadline. */
async function listUnit(deps: ListingDeps, unit: ListUnit): Promise<void> {
  const { ctx, tracker } = deps;
  const resume = tracker.resumeOf(unit);
  let start: ListCursor | undefined = resume;
  try {
    const pages = prefetched(
      discoverUnit(ctx.list, deps.compiled.policy, unit, {
        mutating: deps.mutating,
        strategy: deps.compiled.listing.get(unit.type),
        ...(resume ? { resume } : {}),
        ...(deps.narrowTo ? { narrowTo: deps.narrowTo } : {}),
        ...(deps.scopeRegions ? { scopeRegions: deps.scopeRegions } : {}),
      }),
    );
    for await (const page of pages) {
      ctx.report.scanned(page.resources.length);
      await deps.onProgress?.({ kind: 'page', region: unit.region, type: unit.type, resources: page.resources });
      const no = tracker.pageListed(start);
      for (const r of page.resources) await deps.judge(r, no);
      tracker.pageJudged(no);
      start = page.next;
      if (ctx.signal?.aborted && page.next) {
        tracker.cut(unit, page.next);
        return;
      }
    }
  } catch (e) {
    // The deadline cut a list call's wait: stop here, resuming at the page that was not listed.
    if (isEngineError(e, DeadlineError)) tracker.cut(unit, start);
    else ctx.report.error(reportErrorOf(e, { region: unit.region, type: unit.type }));
    return;
  }
  tracker.finished(unit);
  await deps.unitListed(unit);
}

/** Lists every unit the tracker has left, `listConcurrency` at a time. */
export async function listUnits(deps: ListingDeps): Promise<void> {
  const queue = deps.tracker.toList;
  const signal = deps.ctx.signal;
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      if (deps.tracker.stopped || signal?.aborted) {
        deps.tracker.stop();
        return;
      }
      await listUnit(deps, queue[next++] as ListUnit);
    }
  };
  const workers = Math.max(1, Math.min(deps.ctx.tuning.listConcurrency, queue.length));
  await Promise.all(Array.from({ length: workers }, worker));
}
