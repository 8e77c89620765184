/**
 * A minimal CloudState for FC tests that need the OpenAPI gateway (signing, STS sessions) but not the
 * emulated resources: it answers Vpc `ListTagResources` from a fixed table and records every call.
 */
import type { AdminResource, ApiCall, CloudState } from '../../emulator/contracts.ts';

export function standInState(resources: AdminResource[]): CloudState & { calls: ApiCall[] } {
  const calls: ApiCall[] = [];
  return {
    calls,
    dispatch(call) {
      calls.push(call);
      if (call.action !== 'ListTagResources') {
        return { status: 404, body: { Code: 'InvalidAction.NotFound', Message: `stand-in has no ${call.action}` } };
      }
      const ids = Object.entries(call.params)
        .filter(([k]) => k.startsWith('ResourceId.'))
        .map(([, v]) => v);
      const rows = resources
        .filter((r) => ids.includes(r.id))
        .flatMap((r) =>
          Object.entries(r.tags).map(([TagKey, TagValue]) => ({ ResourceId: r.id, ResourceType: r.type, TagKey, TagValue })),
        );
      return { status: 200, body: { TagResources: { TagResource: rows }, NextToken: '' } };
    },
    isWrite: () => false,
    regionOf: (call) => call.params.RegionId ?? 'cn-hangzhou',
    upsert: (rs) => rs.length,
    remove: () => false,
    list: () => resources,
    generate: () => 0,
    count: () => resources.length,
    reset: () => {},
  };
}
