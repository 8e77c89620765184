/**
 * One way to narrow a run to given resources (`narrowTo`, lib/narrow.ts), carried end to end: a manual
 * payload's `narrowTo` and a Config event's resources, through the function's invocation and every
 * continuation hop it hands on. The function runs in process; its self-invocations decode their payload
 * bytes and run the same way. Expected end states are written from the seeds.
 */
import { describe, expect, it } from 'vitest';
import { expectedAfter, many, useHarness } from './support/engine-harness.ts';
import { invokeInProcess } from './support/function-in-process.ts';

const h = useHarness();
const R1 = 'cn-hangzhou';
const R2 = 'cn-shanghai';

const policy = {
  name: 'narrowed',
  regions: [R1, R2],
  resourceTypes: ['IPAMPOOL', 'PeerConnection'],
  remove: { keys: ['tmp'] },
  fanOut: true,
};

const seeds = () => [
  ...many('IPAMPOOL', R1, 'ipam-pool-a', 3, () => ({ tmp: 'x', keep: 'k' })),
  ...many('IPAMPOOL', R2, 'ipam-pool-b', 3, () => ({ tmp: 'x', keep: 'k' })),
  ...many('PeerConnection', R1, 'pcc-a', 3, () => ({ tmp: 'x', keep: 'k' })),
  ...many('PeerConnection', R2, 'pcc-b', 3, () => ({ tmp: 'x', keep: 'k' })),
];

/** Invokes the function with `payload`; the first invocation's deadline has passed before it lists anything. */
function invokeChain(payload: unknown) {
  const env = {
    VPC_TAG_CLEANUP_ENDPOINT: h.emu.endpoint,
    VPC_TAG_CLEANUP_STORE: 'none',
    VPC_TAG_CLEANUP_FANOUT: '1',
    // Event-driven runs apply this policy (DESIGN.md); manual payloads carry their own.
    VPC_TAG_CLEANUP_POLICY: JSON.stringify(policy),
  };
  return invokeInProcess(h.emu, payload, { env, firstExpired: true, maxSelfInvocations: 5 });
}

/** The ids each ListTagResources call asked for, one sorted list per call, calls sorted. */
async function listedIds(): Promise<string[][]> {
  const calls = await h.requests({ action: 'ListTagResources' });
  return calls
    .map((c) =>
      Object.entries(c.params)
        .filter(([k]) => k.startsWith('ResourceId.'))
        .map(([, v]) => String(v))
        .sort(),
    )
    .sort((a, b) => a.join().localeCompare(b.join()));
}

describe('a narrowed run, through the function and its continuation hops', () => {
  it('a manual payload with narrowTo cleans exactly those resources, on the hop after the deadline too', async () => {
    const all = seeds();
    await h.seed(all);
    const narrowTo = [
      { region: R1, type: 'PeerConnection', id: 'pcc-a1' },
      { region: R2, type: 'IPAMPOOL', id: 'ipam-pool-b2' },
    ];
    const { reports, payloads } = await invokeChain({ policy, runId: 'narrow-1', narrowTo });

    // The first invocation listed nothing and handed everything on, narrowTo included.
    expect(reports[0]?.continuation).toBeDefined();
    expect(reports[0]?.totals.scanned).toBe(0);
    expect(payloads).toHaveLength(1);
    expect(payloads[0]).toMatchObject({ runId: 'narrow-1', narrowTo, continuation: { hop: 1 } });
    expect(reports[1]).toMatchObject({ ok: true, totals: { scanned: 2, untagged: 2 } });
    expect(reports[1]?.continuation).toBeUndefined();
    expect(await h.state()).toEqual(
      expectedAfter(all, (s, k) => k === 'tmp' && ['pcc-a1', 'ipam-pool-b2'].includes(s.id)),
    );
    // Each narrowed unit listed by its own id, and nothing else listed.
    expect(await listedIds()).toEqual([['ipam-pool-b2'], ['pcc-a1']]);
    const { byAction } = await h.stats();
    expect(
      Object.keys(byAction)
        .filter((a) => a.includes(':List'))
        .sort(),
    ).toEqual(['VpcIpam:ListTagResources', 'VpcPeer:ListTagResources']);
  });

  it('a Config event batch lists each flagged resource in its own unit only, on every hop', async () => {
    const all = seeds();
    await h.seed(all);
    const event = (id: string, resourceId: string, resourceType: string, regionId: string) => ({
      specversion: '1.0',
      id,
      source: 'acs.config',
      type: 'config:Config:NonCompliantNotification',
      aliyunregionid: regionId,
      data: {
        complianceType: 'NON_COMPLIANT',
        evaluationResultIdentifier: { evaluationResultQualifier: { resourceId, resourceType, regionId } },
      },
    });
    const { reports, payloads } = await invokeChain([
      event('e1', 'pcc-a0', 'ACS::VPC::PeerConnection', R1),
      event('e2', 'ipam-pool-b0', 'ACS::VPC::IPAMPool', R2),
    ]);
    expect(payloads).toHaveLength(1);
    // The hop carries the policy as written and the resources: no policy rewritten to narrow.
    expect(payloads[0]).toMatchObject({
      policy: { regions: [R1, R2], resourceTypes: ['IPAMPOOL', 'PeerConnection'] },
      narrowTo: [
        { region: R1, type: 'PeerConnection', id: 'pcc-a0' },
        { region: R2, type: 'IPAMPOOL', id: 'ipam-pool-b0' },
      ],
    });
    expect(reports.at(-1)).toMatchObject({ ok: true, totals: { scanned: 2, untagged: 2 } });
    expect(await h.state()).toEqual(
      expectedAfter(all, (s, k) => k === 'tmp' && ['pcc-a0', 'ipam-pool-b0'].includes(s.id)),
    );
    // A policy narrowed by rewriting would list both ids in all four (region, type) units.
    expect(await listedIds()).toEqual([['ipam-pool-b0'], ['pcc-a0']]);
  });
});
