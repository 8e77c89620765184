/**
 * Outcomes the cloud leaves open, reported as what is true (issue 12, the adversarial suite's execute
 * entries), through the real SDK against the emulator:
 * - a VpcPeer retry answered `OperationFailed.LastTokenProcessing` while the first try (slow, past the
 *   read timeout) is still in process and then applied: the same token is retried until it replays;
 * - a resource deleted before its batch is written, whose lone probe is then answered unclearly: it is
 *   never reported untagged nor its keys counted, since nothing showed it exists without them.
 */
import { describe, expect, it } from 'vitest';
import { createCloudPort } from '../../lib/cloud/client.ts';
import type { CloudPort } from '../../lib/cloud/port.ts';
import type { PolicyInput } from '../../lib/policy/schema.ts';
import { TEST_LIMITS, useHarness } from './support/engine-harness.ts';

const h = useHarness();
const R = 'cn-hangzhou';

describe('a VpcPeer retry meeting its first try still in process', () => {
  it('waits with the same token until the first try settles, and reports the removal that went', async () => {
    await h.seed([{ type: 'PeerConnection', region: R, id: 'pcc-slow', tags: { CostCenter: 'c', keep: 'k' } }]);
    const readTimeoutMs = 300;
    // The SDK's socket idle timeout is the connect timeout: both bound the wait for an answer.
    const limits = {
      ...TEST_LIMITS,
      readTimeoutMs,
      connectTimeoutMs: readTimeoutMs,
      maxRetries: 3,
      retryBaseMs: 5,
      retryMaxMs: 20,
    };
    const cloud = createCloudPort({
      credentials: { accessKeyId: h.emu.accessKeyId, accessKeySecret: h.emu.accessKeySecret },
      endpoint: h.emu.endpoint,
      tuning: limits,
    });
    // The first try is held past the read timeout, then applied: every retry meanwhile is LastTokenProcessing.
    await h.faults({ rules: [{ kind: 'latency', product: 'VpcPeer', action: 'UnTagResources', ms: 450, count: 1 }] });
    const policy: PolicyInput = {
      name: 'pending',
      regions: [R],
      resourceTypes: ['PeerConnection'],
      remove: { keys: ['CostCenter'] },
    };
    const { report } = await h.run(policy, {}, { cloud, tuning: limits });
    expect(await h.state()).toEqual({ 'pcc-slow': { keep: 'k' } });
    const codes = (await h.requests({ action: 'UnTagResources' })).map((c) => c.code);
    expect(codes).toContain('OperationFailed.LastTokenProcessing');
    expect(new Set((await h.requests({ action: 'UnTagResources' })).map((c) => c.clientToken)).size).toBe(1);
    expect(report.totals).toMatchObject({ untagged: 1, failed: 0, keysRemoved: 1 });
  });
});

describe('a resource deleted before its batch is written', () => {
  it('is not reported untagged, nor its keys counted, when its lone probe is answered unclearly', async () => {
    await h.seed([
      { type: 'IPAM', region: R, id: 'ipam-stays', tags: { CostCenter: 'c', keep: 'k' } },
      // Only the removed key: once gone (or deleted), the read-back shows no row for it either way.
      { type: 'IPAM', region: R, id: 'ipam-goes', tags: { CostCenter: 'c' } },
    ]);
    let writes = 0;
    const cloud: CloudPort = {
      async call(product, region, action, params, options) {
        if (action !== 'UntagResources') return h.cloud.call(product, region, action, params, options);
        writes++;
        if (writes === 1) await h.remove([{ type: 'IPAM', region: R, id: 'ipam-goes' }]);
        try {
          return await h.cloud.call(product, region, action, params, options);
        } finally {
          // After the first (not-found) answer, the next calls (the lone probe and its retry) get no clear answer.
          if (writes === 1)
            await h.faults({
              rules: [{ kind: 'error', product: 'VpcIpam', action: 'UntagResources', code: 'InternalError', count: 2 }],
            });
        }
      },
    };
    const policy: PolicyInput = {
      name: 'vanish',
      regions: [R],
      resourceTypes: ['IPAM'],
      remove: { keys: ['CostCenter'] },
    };
    const { report } = await h.run(
      policy,
      {},
      { cloud, tuning: { ...TEST_LIMITS, maxRetries: 1 }, retainOutcomes: true },
    );
    const calls = await h.requests({ action: 'UntagResources' });
    expect(calls.map((c) => c.code)).toEqual(['ResourceNotFound.Ipam', 'InternalError', 'InternalError', 'OK']);
    expect(await h.state()).toEqual({ 'ipam-stays': { keep: 'k' } });
    const goes = report.resources.find((r) => r.id === 'ipam-goes');
    expect(goes?.status).not.toBe('untagged');
    expect(goes?.status).toBe('failed');
    expect(report.totals).toMatchObject({ untagged: 1, keysRemoved: 1 });
  });
});
