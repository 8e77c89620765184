/**
 * What a run's invocation actually cleans: the policy, restricted to its shard's regions when the run
 * was fanned out. The payload keeps the whole policy, so a shard's continuation carries it unchanged.
 */
import type { Policy } from '../policy/schema.ts';
import type { RunRequest } from './types.ts';

/** The policy this invocation cleans: all of it, or its shard's regions. */
export function effectivePolicy(run: Pick<RunRequest, 'policy' | 'shard'>): Policy {
  if (!run.shard) return run.policy;
  const regions = run.policy.regions.filter((r) => run.shard!.regions.includes(r));
  return { ...run.policy, regions };
}
