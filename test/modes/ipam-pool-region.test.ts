/**
 * ipamPoolRegion: an IPAM pool is addressed either by its own region (`pool`) or by the region its IPAM is
 * hosted in (`hosted`; ListIpamPools' `RegionId` is "the ID of the managed region", `PoolRegionId` "the
 * region where the IPAM pool is available"). The emulator's two readings over the SDK, then the engine
 * under both: the same end state, written out here, and each untag sent to the region that listed the pool.
 */
import { describe, expect, it } from 'vitest';
import { type Seed, useHarness } from '../integration/support/engine-harness.ts';

const h = useHarness({ quotaScale: 200 });
const HZ = 'cn-hangzhou';
const SH = 'cn-shanghai';
const BJ = 'cn-beijing';

/** The IPAM hosted in cn-hangzhou operates in all three regions; one pool of cn-shanghai has its own IPAM there. */
function world(): Array<Seed & { ipamRegion?: string }> {
  const pool = (id: string, region: string, ipamRegion?: string) => ({
    type: 'IPAMPOOL',
    region,
    id,
    tags: { 'tmp-a': id, keep: 'y' },
    ...(ipamRegion ? { ipamRegion } : {}),
  });
  return [
    ...[0, 1, 2].map((i) => pool(`ipam-pool-hz${i}`, HZ)),
    ...[0, 1, 2].map((i) => pool(`ipam-pool-sh${i}`, SH, HZ)),
    ...[0, 1].map((i) => pool(`ipam-pool-bj${i}`, BJ, HZ)),
    pool('ipam-pool-shown', SH),
  ];
}

async function poolsByRegion(): Promise<Record<string, { region: string; ipamRegion?: string; tags: object }>> {
  const res = await fetch(`${h.emu.url}/__admin/resources?type=IPAMPOOL`);
  const { resources } = (await res.json()) as { resources: Array<Seed & { ipamRegion?: string }> };
  return Object.fromEntries(
    resources.map((r) => [
      r.id,
      { region: r.region, ...(r.ipamRegion ? { ipamRegion: r.ipamRegion } : {}), tags: r.tags },
    ]),
  );
}

const listed = async (region: string) => {
  const { body } = await h.cloud.call('VpcIpam', region, 'ListIpamPools', { RegionId: region, MaxResults: 100 });
  return (body.IpamPools as Array<Record<string, unknown>>).map(
    (p) => `${p.IpamPoolId}@${p.PoolRegionId}/${p.IpamRegionId}`,
  );
};

describe('the emulator’s two readings', () => {
  it('pool: each region lists and untags its own pools; hosted: the IPAM’s region does, for every region', async () => {
    await h.seed(world());
    expect(await listed(SH)).toEqual([
      'ipam-pool-sh0@cn-shanghai/cn-hangzhou',
      'ipam-pool-sh1@cn-shanghai/cn-hangzhou',
      'ipam-pool-sh2@cn-shanghai/cn-hangzhou',
      'ipam-pool-shown@cn-shanghai/cn-shanghai',
    ]);
    await h.behaviour({ ipamPoolRegion: 'hosted' });
    expect(await listed(SH)).toEqual(['ipam-pool-shown@cn-shanghai/cn-shanghai']);
    expect((await listed(HZ)).sort()).toEqual(
      [
        'ipam-pool-bj0@cn-beijing/cn-hangzhou',
        'ipam-pool-bj1@cn-beijing/cn-hangzhou',
        'ipam-pool-hz0@cn-hangzhou/cn-hangzhou',
        'ipam-pool-hz1@cn-hangzhou/cn-hangzhou',
        'ipam-pool-hz2@cn-hangzhou/cn-hangzhou',
        'ipam-pool-sh0@cn-shanghai/cn-hangzhou',
        'ipam-pool-sh1@cn-shanghai/cn-hangzhou',
        'ipam-pool-sh2@cn-shanghai/cn-hangzhou',
      ].sort(),
    );
    // Under hosted the pool's own region does not know it; its IPAM's region does.
    const untag = (region: string) =>
      h.cloud.call('VpcIpam', region, 'UntagResources', {
        RegionId: region,
        ResourceType: 'IPAMPOOL',
        ResourceId: ['ipam-pool-sh0'],
        TagKey: ['tmp-a'],
      });
    await expect(untag(SH)).rejects.toMatchObject({ code: expect.stringMatching(/NotFound/) });
    await untag(HZ);
    // Read back by the admin API: named by its own region, with its IPAM's; flipping back keeps the change.
    await h.behaviour({ ipamPoolRegion: 'pool' });
    expect((await poolsByRegion())['ipam-pool-sh0']).toEqual({ region: SH, ipamRegion: HZ, tags: { keep: 'y' } });
    expect(await listed(SH)).toContain('ipam-pool-sh0@cn-shanghai/cn-hangzhou');
  });
});

/** Every pool of `regions` loses tmp-a, every other pool keeps all its tags. */
function expected(regions: string[], ids?: string[]) {
  return Object.fromEntries(
    world().map((p) => {
      const cleaned = regions.includes(p.region) && (!ids || ids.includes(p.id));
      return [
        p.id,
        {
          region: p.region,
          ...(p.ipamRegion ? { ipamRegion: p.ipamRegion } : {}),
          tags: cleaned ? { keep: 'y' } : p.tags,
        },
      ];
    }),
  );
}

describe.each(['pool', 'hosted'] as const)('the engine under ipamPoolRegion=%s', (mode) => {
  it('cleans the pools of the policy’s regions by their own region, none missed or counted twice', async () => {
    await h.behaviour({ ipamPoolRegion: mode });
    await h.seed(world());
    const { report } = await h.run({
      name: 'pools',
      regions: [HZ, SH],
      resourceTypes: ['IPAMPOOL'],
      remove: { keyPatterns: ['^tmp-'] },
    });
    expect(await poolsByRegion()).toEqual(expected([HZ, SH]));
    expect(report.ok).toBe(true);
    expect(report.totals.untagged).toBe(7);
    const ids = report.resources.filter((r) => r.status === 'untagged').map((r) => r.id);
    expect(new Set(ids).size).toBe(7);
    // Each untag went to the region that addresses the pool under this reading.
    const sent = (await h.requests({ action: 'UntagResources' })).flatMap((c) =>
      Object.entries(c.params)
        .filter(([k]) => k.startsWith('ResourceId.'))
        .map(([, id]) => `${id}@${c.params.RegionId}`),
    );
    const host = (id: string) => (mode === 'hosted' && /-sh\d/.test(id) ? HZ : id.includes('-hz') ? HZ : SH);
    for (const s of sent) expect(s).toBe(`${s.split('@')[0]}@${host(s.split('@')[0] as string)}`);
  });

  it('match.resourceIds takes a pool by its own region too', async () => {
    await h.behaviour({ ipamPoolRegion: mode });
    await h.seed(world());
    const ids = ['ipam-pool-sh1', 'ipam-pool-bj0', 'ipam-pool-hz2'];
    const { report } = await h.run({
      name: 'pool-ids',
      regions: [HZ, SH],
      resourceTypes: ['IPAMPOOL'],
      match: { resourceIds: ids },
      remove: { all: true },
      protect: { keys: ['keep'] },
    });
    expect(await poolsByRegion()).toEqual(expected([HZ, SH], ids));
    expect(report.totals.untagged).toBe(2);
  });
});
