/**
 * What listing a policy costs at least, before it runs: per (region, type) unit, the strategy discovery
 * will use (`chooseStrategy`) and the fewest list calls it can take (one per exact-key stream, one per
 * 20 explicit ids, one per typed list). `plan` prints it; pure.
 */
import { TUNING } from '../catalog.ts';
import { chooseStrategy } from '../discover/index.ts';
import type { Policy } from './schema.ts';

export interface ListingCost {
  /** (region, type) units the policy lists. */
  units: number;
  /** The fewest list calls those units take (an empty account; more pages cost more). */
  minListCalls: number;
  /** One line for people: `at least N list calls over U (region, type) units (K exact-key streams)`. */
  summary: string;
}

export function listingCost(policy: Policy, maxIdsPerListCall = TUNING.maxIdsPerListCall): ListingCost {
  let calls = 0;
  let streams = 0;
  const types = [...new Set(policy.resourceTypes)];
  const regions = [...new Set(policy.regions)];
  for (const type of types) {
    const strategy = chooseStrategy(policy, type);
    let perUnit = 0;
    if (strategy.kind === 'ids') perUnit = Math.ceil(strategy.ids.length / maxIdsPerListCall);
    else if (strategy.kind === 'keys') {
      perUnit = Math.max(1, strategy.keys.length);
      streams += perUnit * regions.length;
    } else if (strategy.kind === 'typed') perUnit = 1;
    calls += perUnit * regions.length;
  }
  const units = types.length * regions.length;
  const detail = streams > 0 ? ` (${streams} exact-key list streams)` : '';
  return {
    units,
    minListCalls: calls,
    summary: `listing costs at least ${calls} list calls over ${units} (region, type) units${detail}`,
  };
}
