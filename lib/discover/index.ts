/**
 * Discovery: for one (region, type) unit, the cheapest list strategy the policy allows, as an async
 * iterator of pages (never all pages at once), each page carrying where listing would resume.
 *
 * - explicit ids (`narrowTo`, `match.resourceIds`): `ListTagResources` by batches of ids (IPAM pools
 *   named by `match.resourceIds`: `ListIpamPools` by `IpamPoolIds`, whose items carry their own region);
 * - keys only (no patterns, no `all`): the typed list when it pages at 100 (IPAM, Peer: one call sees
 *   100 resources, fewer calls than one stream per key at 50 rows of (resource, tag)); else one
 *   `ListTagResources` stream per exact key (Vpc types);
 * - patterns or `all`: the typed list (sees every resource); a type without one falls back to
 *   `ListTagResources` by `match.tags`, or by the exact keys the policy also names.
 */
import { isReservedKey, listerOf, type ResourceType } from '../catalog.ts';
import { UnlistableUnitError } from '../errors.ts';
import { canListInFull, needsFullListing } from '../policy/listing-rule.ts';
import type { Policy } from '../policy/schema.ts';
import type { ResourceRef } from '../types.ts';
import type { ListContext } from './list-call.ts';
import { BY_IDS_LISTER, BY_KEYS_LISTER, byIdsPages, byKeysPages } from './tag-list.ts';
import { idsListerName, typedIdsPages, typedListPages } from './typed-list.ts';
import type { DiscoveredPage, ListCursor, ListUnit } from './types.ts';

export type { ListContext } from './list-call.ts';
export type { DiscoveredPage, ListCursor, ListUnit } from './types.ts';

export type Strategy =
  | { kind: 'ids'; ids: string[] }
  | { kind: 'typed' }
  | { kind: 'keys'; keys: string[]; extraTags?: Array<{ key: string; value?: string | undefined }> }
  | { kind: 'none'; reason: string };

/** Which list strategy a unit gets under a policy (pure; exported for tests and the CLI's plan). */
export function chooseStrategy(policy: Policy, type: ResourceType, narrowIds?: string[]): Strategy {
  if (narrowIds) return { kind: 'ids', ids: narrowIds };
  if (policy.match?.resourceIds) return { kind: 'ids', ids: policy.match.resourceIds };
  const lister = listerOf(type);
  const remove = policy.remove;
  const protectedKeys = new Set(policy.protect?.keys ?? []);
  const exactKeys =
    'keys' in remove ? (remove.keys ?? []).filter((k) => !protectedKeys.has(k) && !isReservedKey(k)) : [];
  const exactOnly = !needsFullListing(remove);
  const matchTags = policy.match?.tags;
  const keysStrategy = (): Strategy =>
    matchTags ? { kind: 'keys', keys: exactKeys, extraTags: matchTags } : { kind: 'keys', keys: exactKeys };
  if (exactOnly) {
    if (lister && lister.maxResults >= 100) return { kind: 'typed' };
    return keysStrategy();
  }
  if (canListInFull(type)) return { kind: 'typed' };
  if (matchTags) {
    const [first, ...rest] = matchTags;
    // The first match tag drives the stream (as a key filter), the others are pushed down with it.
    if (first)
      return { kind: 'keys', keys: [first.key], extraTags: first.value !== undefined ? [first, ...rest] : rest };
  }
  if (exactKeys.length > 0) return keysStrategy();
  return {
    kind: 'none',
    reason: `${type} has no list action that returns every resource: a pattern or remove.all policy needs match.resourceIds or match.tags`,
  };
}

/**
 * Whether the verdict on a resource found by a `Tag.N.Key` stream can depend on tags outside the stream's
 * filter: a protecting tag, patterns or `remove.all`, or a second removable key (a resource is yielded
 * once, by the first stream that meets it). With one exact key and nothing else, the listed rows decide.
 */
export function needsFullTagSets(policy: Policy, strategy: Extract<Strategy, { kind: 'keys' }>): boolean {
  const remove = policy.remove;
  if (policy.protect?.resourceTag) return true;
  if ('all' in remove) return true;
  if ('keyPatterns' in remove && (remove.keyPatterns ?? []).length > 0) return true;
  return strategy.keys.length !== 1;
}

/** The lister name a strategy's cursors carry (a continuation from another strategy is not resumed). */
export function listerName(strategy: Strategy, type: ResourceType, narrowed = false): string {
  const typed = listerOf(type);
  if (strategy.kind === 'ids') return typed?.idsParam && !narrowed ? idsListerName(typed) : BY_IDS_LISTER;
  if (strategy.kind === 'keys') return BY_KEYS_LISTER;
  return listerOf(type)?.action ?? 'none';
}

/**
 * Pages of one unit. `resume` continues from a cursor of an earlier run when it belongs to the same
 * lister; `mutating` says writes run while listing (key streams then re-list until quiet).
 */
export function discoverUnit(
  ctx: ListContext,
  policy: Policy,
  unit: ListUnit,
  opts: {
    narrowTo?: ResourceRef[];
    resume?: ListCursor;
    mutating: boolean;
    strategy?: Strategy | undefined;
    /** The whole policy's regions when the run is a shard of it. */
    scopeRegions?: readonly string[];
  },
): AsyncGenerator<DiscoveredPage> {
  const narrowIds = opts.narrowTo?.filter((r) => r.region === unit.region && r.type === unit.type).map((r) => r.id);
  // The compiled policy's plan for the type, unless the run is narrowed to given resources.
  const strategy = (!narrowIds && opts.strategy) || chooseStrategy(policy, unit.type, narrowIds);
  const startToken =
    opts.resume && opts.resume.lister === listerName(strategy, unit.type, narrowIds !== undefined)
      ? opts.resume.token
      : undefined;
  const tagFilter = policy.match?.tags;
  // Scope by a resource's own region where a list may answer other regions' (IPAM pools, see typed-list.ts);
  // resources an event names are taken in whichever region answers them.
  const regions = narrowIds ? undefined : (opts.scopeRegions ?? policy.regions);
  const lister = listerOf(unit.type);
  switch (strategy.kind) {
    case 'ids':
      // match.resourceIds of IPAM pools through ListIpamPools: its items say their own region, which decides
      // scope; ListTagResources rows do not. Resources a run is narrowed to are taken wherever they answer.
      if (lister?.idsParam && regions)
        return typedIdsPages(ctx, unit, lister, strategy.ids, {
          ...(startToken !== undefined ? { startToken } : {}),
          ...(regions ? { regions } : {}),
        });
      return byIdsPages(ctx, unit, strategy.ids, startToken);
    case 'keys':
      return byKeysPages(ctx, unit, strategy.keys, {
        mutating: opts.mutating,
        needsFullTags: needsFullTagSets(policy, strategy),
        ...(startToken !== undefined ? { startToken } : {}),
        ...(strategy.extraTags ? { extraTags: strategy.extraTags } : {}),
      });
    case 'typed': {
      if (!lister) throw new Error(`no typed lister for ${unit.type}`);
      return typedListPages(ctx, unit, lister, {
        mutating: opts.mutating,
        ...(regions ? { regions } : {}),
        ...(startToken !== undefined ? { startToken } : {}),
        ...(tagFilter ? { tagFilter } : {}),
      });
    }
    case 'none':
      return unlistable(strategy.reason);
  }
}

export { UnlistableUnitError };

// biome-ignore lint/correctness/useYield: an iterator that fails on first pull, like the others do on a failed call.
async function* unlistable(reason: string): AsyncGenerator<DiscoveredPage> {
  throw new UnlistableUnitError(reason);
}
