/**
 * The write path when the cloud does not answer plainly, through the real SDK against the emulator:
 * tags added between listing and writing (All=true), removals whose answer was lost before a final
 * error or the deadline (read back, report what is true), a reused run id (ClientTokens), a resource
 * split over calls cut by the deadline, a key the untag API refuses, and the two untag behaviour
 * switches (a key a resource lacks refused; a vanished id that does not stop the others changing).
 * Expected end states are written out from the seeds, not computed with the engine's selection.
 */
import { describe, expect, it } from 'vitest';
import type { CloudPort } from '../../lib/cloud/port.ts';
import type { PolicyInput } from '../../lib/policy/schema.ts';
import { type Seed, TEST_LIMITS, useHarness } from './support/engine-harness.ts';

const h = useHarness();
const R = 'cn-hangzhou';

const behaviour = async (settings: Record<string, string>) => {
  const res = await fetch(`${h.emu.url}/__admin/behaviour`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(settings),
  });
  if (!res.ok) throw new Error(`behaviour: ${res.status} ${await res.text()}`);
};

/** The real port, telling `after` of each call's outcome (the test's clock for the deadline). */
function observed(cloud: CloudPort, after: (action: string, ok: boolean) => void): CloudPort {
  return {
    async call(product, region, action, params, options) {
      try {
        const res = await cloud.call(product, region, action, params, options);
        after(action, true);
        return res;
      } catch (e) {
        after(action, false);
        throw e;
      }
    },
  };
}

describe('remove.all with a tag added between listing and writing', () => {
  it('keeps the protecting tag added after listing (names the keys instead of sending All=true)', async () => {
    await h.seed([{ type: 'IPAM', region: R, id: 'ipam-p1', tags: { a: '1', b: '2' } }]);
    let tagged = false;
    const { report } = await h.run(
      {
        name: 'all-protect',
        regions: [R],
        resourceTypes: ['IPAM'],
        remove: { all: true },
        protect: { resourceTag: { key: 'cleanup:protect', value: 'true' } },
      },
      {},
      {
        onProgress: async () => {
          if (tagged) return;
          tagged = true;
          await h.seed([
            { type: 'IPAM', region: R, id: 'ipam-p1', tags: { a: '1', b: '2', 'cleanup:protect': 'true' } },
          ]);
        },
      },
    );
    expect((await h.state())['ipam-p1']).toEqual({ 'cleanup:protect': 'true' });
    const calls = await h.requests({ action: 'UntagResources' });
    expect(calls.map((c) => c.params.All)).toEqual([undefined]);
    expect(report.totals.untagged).toBe(1);
  });
});

const LOST_CASES = [
  { product: 'VpcIpam', action: 'UntagResources', type: 'IPAM', prefix: 'ipam-' },
  { product: 'Vpc', action: 'UnTagResources', type: 'ROUTETABLE', prefix: 'vtb-' },
] as const;

describe.each(LOST_CASES)('a removal applied but its answer lost, on $product', (c) => {
  const seeds: Seed[] = [
    { type: c.type, region: R, id: `${c.prefix}l1`, tags: { CostCenter: 'c', keep: 'k' } },
    { type: c.type, region: R, id: `${c.prefix}l2`, tags: { CostCenter: 'c', keep: 'k' } },
    // Nothing left once the key goes: the read-back sees no row for it.
    { type: c.type, region: R, id: `${c.prefix}l3`, tags: { CostCenter: 'c' } },
  ];
  const policy: PolicyInput = { name: 'lost', regions: [R], resourceTypes: [c.type], remove: { keys: ['CostCenter'] } };
  const after = { [`${c.prefix}l1`]: { keep: 'k' }, [`${c.prefix}l2`]: { keep: 'k' }, [`${c.prefix}l3`]: {} };

  it('then a non-retryable error: reported untagged, as the cloud shows', async () => {
    await h.seed(seeds);
    await h.faults({
      rules: [
        { kind: 'applied-then-lost', product: c.product, action: c.action, count: 1 },
        { kind: 'error', product: c.product, action: c.action, code: 'OperationDenied', status: 400, count: 1 },
      ],
    });
    const { report } = await h.run(policy);
    expect(await h.state(c.type)).toEqual(after);
    expect(report.totals).toMatchObject({ untagged: 3, failed: 0, keysRemoved: 3 });
    expect(report.ok).toBe(true);
  });

  it('then retries running out: reported untagged, as the cloud shows', async () => {
    await h.seed(seeds);
    await h.faults({
      rules: [
        { kind: 'applied-then-lost', product: c.product, action: c.action, count: 1 },
        { kind: 'error', product: c.product, action: c.action, code: 'ServiceUnavailable', status: 503 },
      ],
    });
    const { report } = await h.run(policy, {}, { tuning: { ...TEST_LIMITS, maxRetries: 2 } });
    expect(await h.state(c.type)).toEqual(after);
    // l3 shows no tag in the read-back and its lone probe gets no answer either: stripped or vanished,
    // nothing tells, so it is reported as unknown rather than untagged (only a resource seen without the key is).
    expect(report.totals).toMatchObject({ untagged: 2, failed: 1, keysRemoved: 2 });
    const l3 = report.resources.find((r) => r.id === `${c.prefix}l3`);
    expect(l3).toMatchObject({ status: 'failed', code: 'OUTCOME_UNKNOWN' });
  });

  it('then the deadline during the retry wait: reported untagged, nothing left for a continuation', async () => {
    await h.seed(seeds);
    await h.faults({ rules: [{ kind: 'applied-then-lost', product: c.product, action: c.action, count: 1 }] });
    const deadline = new AbortController();
    const cloud = observed(h.cloud, (action, ok) => {
      if (action === c.action && !ok) deadline.abort(new Error('deadline'));
    });
    const { report } = await h.run(
      policy,
      { signal: deadline.signal },
      { cloud, tuning: { ...TEST_LIMITS, retryBaseMs: 5_000, retryMaxMs: 5_000 } },
    );
    expect(await h.state(c.type)).toEqual(after);
    expect(report.totals).toMatchObject({ untagged: 3, failed: 0, skipped: 0, keysRemoved: 3 });
    expect(report.continuation).toBeUndefined();
  });
});

describe('VpcPeer ClientTokens', () => {
  it('a second run with the same run id removes a key that came back (no replay of the first success)', async () => {
    const seeds: Seed[] = [{ type: 'PeerConnection', region: R, id: 'pcc-w1', tags: { CostCenter: 'c', keep: 'k' } }];
    const policy: PolicyInput = {
      name: 'weekly',
      regions: [R],
      resourceTypes: ['PeerConnection'],
      remove: { keys: ['CostCenter'] },
    };
    await h.seed(seeds);
    const first = await h.run(policy, { runId: 'weekly' });
    expect(first.report.totals.untagged).toBe(1);
    await h.seed(seeds);
    const second = await h.run(policy, { runId: 'weekly' });
    expect(await h.state()).toEqual({ 'pcc-w1': { keep: 'k' } });
    expect(second.report.totals.untagged).toBe(1);
    const tokens = (await h.requests({ action: 'UnTagResources' })).map((c) => c.clientToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).not.toBe(tokens[0]);
  });

  it('the same invocation sends the same token for the same batch (an FC re-delivery)', async () => {
    const policy: PolicyInput = {
      name: 'redeliver',
      regions: [R],
      resourceTypes: ['PeerConnection'],
      remove: { keys: ['CostCenter'] },
      dryRun: false,
    };
    const seeds: Seed[] = [{ type: 'PeerConnection', region: R, id: 'pcc-r1', tags: { CostCenter: 'c' } }];
    // Lost on the first delivery and never retried (no retries): the re-delivery replays the token.
    await h.seed(seeds);
    await h.faults({ rules: [{ kind: 'reset', product: 'VpcPeer', action: 'UnTagResources', count: 1 }] });
    const limits = { ...TEST_LIMITS, maxRetries: 0 };
    await h.run(policy, { runId: 'tick-1', invocationId: 'req-1' }, { tuning: limits });
    await h.run(policy, { runId: 'tick-1', invocationId: 'req-1' }, { tuning: limits });
    const tokens = (await h.requests({ action: 'UnTagResources' })).map((c) => c.clientToken);
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    expect(new Set(tokens).size).toBe(1);
  });
});

describe('a resource whose keys go over several calls', () => {
  it('is not reported untagged with all its keys when the deadline stopped its second call', async () => {
    await h.seed([{ type: 'IPAM', region: R, id: 'ipam-s1', tags: { k1: '1', k2: '2', k3: '3', k4: '4', keep: 'k' } }]);
    const policy: PolicyInput = {
      name: 'split',
      regions: [R],
      resourceTypes: ['IPAM'],
      remove: { keys: ['k1', 'k2', 'k3', 'k4'] },
      limits: { concurrency: 1 },
    };
    const deadline = new AbortController();
    const cloud = observed(h.cloud, (action, ok) => {
      if (action === 'UntagResources' && ok) deadline.abort(new Error('deadline'));
    });
    const limits = { ...TEST_LIMITS, maxKeysPerCall: 2 };
    const { report } = await h.run(
      policy,
      { signal: deadline.signal },
      { cloud, tuning: limits, retainOutcomes: true },
    );
    const state = (await h.state())['ipam-s1'] ?? {};
    const left = Object.keys(state)
      .filter((k) => k !== 'keep')
      .sort();
    expect(left).toHaveLength(2);
    expect(report.totals.untagged).toBe(0);
    expect(report.totals.keysRemoved).toBe(2);
    expect(report.resources[0]).toMatchObject({ id: 'ipam-s1', status: 'skipped', reason: 'deadline', keys: left });
    expect(report.continuation).toBeDefined();
    const next = await h.run(policy, { continuation: report.continuation! }, { tuning: limits });
    expect(await h.state()).toEqual({ 'ipam-s1': { keep: 'k' } });
    expect(next.report.totals).toMatchObject({ untagged: 1, keysRemoved: 2 });
  });
});

describe('a key the untag API refuses', () => {
  it('fails only that key of that resource; the other resources of its batch are untagged', async () => {
    const seeds: Seed[] = Array.from({ length: 20 }, (_, i) => ({
      type: 'IPAM',
      region: R,
      id: `ipam-k${String(i).padStart(2, '0')}`,
      tags:
        i === 7 ? { CostCenter: 'c', tmp1: 'x', '9tmp': 'bad', keep: 'k' } : { CostCenter: 'c', tmp1: 'x', keep: 'k' },
    }));
    await h.seed(seeds);
    const { report } = await h.run(
      {
        name: 'bad-key',
        regions: [R],
        resourceTypes: ['IPAM'],
        remove: { keys: ['CostCenter'], keyPatterns: ['tmp'] },
      },
      {},
      { retainOutcomes: true },
    );
    const expected = Object.fromEntries(
      seeds.map((s) => [s.id, s.id === 'ipam-k07' ? { '9tmp': 'bad', keep: 'k' } : { keep: 'k' }]),
    );
    expect(await h.state()).toEqual(expected);
    expect(report.totals).toMatchObject({ untagged: 19, failed: 1, keysRemoved: 40 });
    const failed = report.resources.filter((r) => r.status === 'failed');
    expect(failed).toEqual([
      expect.objectContaining({
        id: 'ipam-k07',
        keys: ['9tmp'],
        code: 'IllegalParam.TagKey',
        removed: ['CostCenter', 'tmp1'],
      }),
    ]);
  });
});

describe('untag behaviour switches', () => {
  it('untagAbsentKey=error: resources with different key sets in one call still all lose their keys', async () => {
    await behaviour({ untagAbsentKey: 'error' });
    const seeds: Seed[] = Array.from({ length: 12 }, (_, i) => ({
      type: 'IPAM',
      region: R,
      id: `ipam-m${String(i).padStart(2, '0')}`,
      tags: i % 3 === 0 ? { a: '1', keep: 'k' } : i % 3 === 1 ? { a: '1', b: '2', keep: 'k' } : { c: '3', keep: 'k' },
    }));
    await h.seed(seeds);
    const { report } = await h.run({
      name: 'absent',
      regions: [R],
      resourceTypes: ['IPAM'],
      remove: { keys: ['a', 'b', 'c'] },
    });
    expect(await h.state()).toEqual(Object.fromEntries(seeds.map((s) => [s.id, { keep: 'k' }])));
    expect(report.totals).toMatchObject({ untagged: 12, failed: 0, keysRemoved: 16 });
  });

  it('untagAbsentKey=error: after the first refusals the run sends its calls split, not refused again', async () => {
    await behaviour({ untagAbsentKey: 'error' });
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const seeds: Seed[] = Array.from({ length: 240 }, (_, i) => ({
      type: 'IPAMPOOL',
      region: R,
      id: `ipam-pool-x${String(i).padStart(3, '0')}`,
      // A key set per resource from its index (a fixed hash: the planner cannot keep key sets apart).
      tags: {
        keep: 'k',
        ...Object.fromEntries(
          keys.filter((_, k) => (Math.imul(i + 1, 2654435761) >>> (k * 4)) % 3 === 0).map((k) => [k, '1']),
        ),
      },
    }));
    await h.seed(seeds);
    const { report } = await h.run({
      name: 'learn',
      regions: [R],
      resourceTypes: ['IPAMPOOL'],
      remove: { keys },
      limits: { concurrency: 2 },
    });
    expect(await h.state()).toEqual(Object.fromEntries(seeds.map((s) => [s.id, { keep: 'k' }])));
    expect(report.totals.failed).toBe(0);
    const refused = (await h.requests({ action: 'UntagResources' })).filter((c) => c.code !== 'OK');
    // At most the calls in flight when the first refusal came back.
    expect(refused.length).toBeLessThanOrEqual(2);
  });

  it('vanishedInBatch=partial with untagAbsentKey=error: the others are untagged and the report says so', async () => {
    await behaviour({ untagAbsentKey: 'error', vanishedInBatch: 'partial' });
    const seeds: Seed[] = Array.from({ length: 10 }, (_, i) => ({
      type: 'IPAMPOOL',
      region: R,
      id: `ipam-pool-v${i}`,
      tags: { CostCenter: 'c', ...(i % 2 ? { keep: 'k' } : {}) },
    }));
    await h.seed(seeds);
    const { report } = await h.run(
      { name: 'vanish', regions: [R], resourceTypes: ['IPAMPOOL'], remove: { keys: ['CostCenter'] } },
      {},
      {
        onProgress: async () => void (await h.remove([{ type: 'IPAMPOOL', region: R, id: 'ipam-pool-v4' }])),
        retainOutcomes: true,
      },
    );
    const expected = Object.fromEntries(
      seeds.filter((s) => s.id !== 'ipam-pool-v4').map((s) => [s.id, s.tags.keep ? { keep: 'k' } : {}]),
    );
    expect(await h.state()).toEqual(expected);
    expect(report.totals).toMatchObject({ untagged: 9, failed: 0, keysRemoved: 9 });
    expect(report.resources.find((r) => r.id === 'ipam-pool-v4')).toMatchObject({
      status: 'skipped',
      reason: 'not-found',
    });
  });
});
