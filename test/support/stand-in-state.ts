/**
 * A minimal CloudState for the gateway's tests, so they do not depend on the product actions (built
 * on another branch): tag/untag/list-tags over an in-memory map, and a log of applied writes so a
 * test can tell whether a write ran once or twice.
 */
import type { AdminResource, ApiAnswer, ApiCall, CloudState, ProductName } from '../../emulator/contracts.ts';

export interface StandInState extends CloudState {
  applied: ApiCall[];
}

const WRITES = new Set(['TagResources', 'UntagResources', 'UnTagResources']);

function indexed(params: Record<string, string>, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; params[`${prefix}.${i}`] !== undefined; i++) out.push(params[`${prefix}.${i}`]!);
  return out;
}

export function createStandInState(): StandInState {
  const resources = new Map<string, AdminResource>();
  const keyOf = (type: string, region: string, id: string) => `${type}|${region}|${id}`;
  const applied: ApiCall[] = [];

  const find = (call: ApiCall, id: string) =>
    resources.get(keyOf(call.params.ResourceType ?? '', call.params.RegionId ?? '', id));

  return {
    applied,
    dispatch(call): ApiAnswer {
      const ids = indexed(call.params, 'ResourceId');
      switch (call.action) {
        case 'TagResources':
        case 'UntagResources':
        case 'UnTagResources': {
          const found = ids.map((id) => find(call, id));
          if (ids.length === 0 || found.some((r) => !r)) {
            return {
              status: 400,
              body: { Code: 'InvalidInstanceIds.NotFound', Message: 'The instance does not exist.' },
            };
          }
          applied.push(call);
          for (const r of found) {
            if (call.action === 'TagResources') {
              for (let i = 1; call.params[`Tag.${i}.Key`] !== undefined; i++) {
                r!.tags[call.params[`Tag.${i}.Key`]!] = call.params[`Tag.${i}.Value`] ?? '';
              }
            } else if (call.params.All === 'true') {
              r!.tags = {};
            } else {
              for (const k of indexed(call.params, 'TagKey')) delete r!.tags[k];
            }
          }
          return { status: 200, body: call.product === 'VpcPeer' ? { Success: true } : {} };
        }
        case 'ListTagResources': {
          const rows = ids.flatMap((id) =>
            Object.entries(find(call, id)?.tags ?? {}).map(([TagKey, TagValue]) => ({
              ResourceId: id,
              ResourceType: call.params.ResourceType,
              TagKey,
              TagValue,
            })),
          );
          return { status: 200, body: { NextToken: '', TagResources: rows } };
        }
        default:
          return {
            status: 404,
            body: {
              Code: 'InvalidAction.NotFound',
              Message: 'Specified api is not found, please check your url and method.',
            },
          };
      }
    },
    isWrite: (_product: ProductName, action: string) => WRITES.has(action),
    regionOf: (call) => call.params.RegionId ?? 'cn-hangzhou',
    upsert(list) {
      for (const r of list) resources.set(keyOf(r.type, r.region, r.id), { ...r, tags: { ...r.tags } });
      return list.length;
    },
    remove: (ref) => resources.delete(keyOf(ref.type, ref.region, ref.id)),
    list: (filter) =>
      [...resources.values()].filter(
        (r) => (!filter.type || r.type === filter.type) && (!filter.region || r.region === filter.region),
      ),
    generate(spec) {
      let n = 0;
      for (const type of spec.types) {
        for (const region of spec.regions) {
          for (let i = 0; i < spec.count; i++) {
            resources.set(keyOf(type, region, `${type.toLowerCase()}-${region}-${i}`), {
              type,
              region,
              id: `${type.toLowerCase()}-${region}-${i}`,
              tags: { ...spec.fixedTags },
            });
            n++;
          }
        }
      }
      return n;
    },
    count: () => resources.size,
    reset() {
      resources.clear();
      applied.length = 0;
    },
  };
}
