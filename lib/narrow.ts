/**
 * The one way to narrow a run to given resources: `narrowTo`, a list of (region, type, id). It comes
 * from a Config event, a manual payload's `narrowTo`, the CLI's `--resource` or a reviewed plan, and
 * every self-invocation (continuation hop, fan-out shard) carries it unchanged; the policy itself is
 * never rewritten to narrow. The engine lists exactly those units, each by its ids (lib/run/list-units.ts).
 */
import { RESOURCE_TYPE_NAMES } from './catalog.ts';
import type { Policy } from './policy/schema.ts';
import { RESOURCE_NOT_FOUND } from './resource-ids-not-found.ts';
import type { ReportError, ResourceRef } from './types.ts';

/** Exactly these resources, nothing else. */
export type NarrowTo = ResourceRef[];

/** Why a resource is outside the policy's scope (which field, and a message), or undefined when it is inside. */
export function outsidePolicy(
  policy: Pick<Policy, 'regions' | 'resourceTypes' | 'match'>,
  ref: ResourceRef,
): { field: 'region' | 'type' | 'id'; message: string } | undefined {
  if (!policy.resourceTypes.includes(ref.type))
    return { field: 'type', message: `${ref.type} ${ref.id}: type not in the policy's resourceTypes` };
  if (!policy.regions.includes(ref.region))
    return { field: 'region', message: `${ref.type} ${ref.id}: region ${ref.region} not in the policy's regions` };
  const ids = policy.match?.resourceIds;
  if (ids && !ids.includes(ref.id))
    return { field: 'id', message: `${ref.type} ${ref.id}: not in the policy's match.resourceIds` };
  return undefined;
}

/** Every resource of `refs` the policy does not cover: its index, the field at fault and why. */
export function narrowIssues(
  policy: Pick<Policy, 'regions' | 'resourceTypes' | 'match'>,
  refs: readonly ResourceRef[],
): Array<{ index: number; field: 'region' | 'type' | 'id'; message: string }> {
  return refs.flatMap((ref, index) => {
    const why = outsidePolicy(policy, ref);
    return why ? [{ index, ...why }] : [];
  });
}

/** The same resources once each, first occurrence's order. */
export function uniqueRefs(refs: readonly ResourceRef[]): NarrowTo {
  const seen = new Map<string, ResourceRef>();
  for (const r of refs) {
    const key = `${r.region}\n${r.type}\n${r.id}`;
    if (!seen.has(key)) seen.set(key, { region: r.region, type: r.type, id: r.id });
  }
  return [...seen.values()];
}

/** The regions a narrowed run touches, in the policy's order. */
export function narrowedRegions(regions: readonly string[], narrowTo: readonly ResourceRef[]): string[] {
  return regions.filter((region) => narrowTo.some((r) => r.region === region));
}

/**
 * `REGION/TYPE/ID[,REGION/TYPE/ID...]` (the CLI's `--resource`) as resources, or the first part that is
 * not one. TYPE is a catalog name (`VPC`, `IPAMPOOL`, `PeerConnection`...), matched ignoring case.
 */
export function parseResourceList(text: string): { ok: true; refs: NarrowTo } | { ok: false; message: string } {
  const refs: ResourceRef[] = [];
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [region, typeText, id, ...rest] = part.split('/');
    if (!region || !typeText || !id || rest.length > 0)
      return { ok: false, message: `'${part}' is not REGION/TYPE/ID (e.g. cn-hangzhou/VPC/vpc-bp1abc)` };
    const type = RESOURCE_TYPE_NAMES.find((t) => t.toLowerCase() === typeText.toLowerCase());
    if (!type)
      return { ok: false, message: `'${typeText}' is not a resource type (one of ${RESOURCE_TYPE_NAMES.join(', ')})` };
    refs.push({ region, type, id });
  }
  if (refs.length === 0) return { ok: false, message: 'expected at least one REGION/TYPE/ID' };
  return { ok: true, refs: uniqueRefs(refs) };
}

/** One `RESOURCE_NOT_FOUND` error per resource of `narrowTo` a finished run never had an outcome for. */
export function narrowedNotFound(narrowTo: readonly ResourceRef[], seen: ReadonlySet<string>): ReportError[] {
  return narrowTo.flatMap((r, i) =>
    seen.has(r.id)
      ? []
      : [
          {
            code: RESOURCE_NOT_FOUND,
            message: `narrowTo[${i}] ${r.region}/${r.type}/${r.id}: no resource with this id and tags`,
            ids: [r.id],
          },
        ],
  );
}
