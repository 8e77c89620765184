/**
 * `match.resourceIds` that a finished run never saw: each is a report error of its own, so a typo in an
 * id is as loud as a typo in a region. Listing by ids returns only resources that carry tags (and
 * `match.tags` may leave one out), so the message says what "not found" can mean. Pure.
 */
import type { Policy } from './policy/schema.ts';
import type { ReportError } from './types.ts';

export const RESOURCE_NOT_FOUND = 'RESOURCE_NOT_FOUND';

/** One error per id of `match.resourceIds` absent from `seen` (the ids that had an outcome). */
export function resourceIdsNotFound(policy: Policy, seen: ReadonlySet<string>): ReportError[] {
  const ids = policy.match?.resourceIds ?? [];
  const where = `${policy.regions.join(', ')} (${policy.resourceTypes.join(', ')})`;
  const unless = policy.match?.tags ? ', carrying match.tags' : '';
  return ids.flatMap((id, i) =>
    seen.has(id)
      ? []
      : [
          {
            code: RESOURCE_NOT_FOUND,
            message: `match.resourceIds[${i}] "${id}": no resource with this id and tags${unless} in ${where}`,
            ids: [id],
          },
        ],
  );
}
