/**
 * Adversarial seed 129502142 (IPAM pools, two regions): the deadline fired at the run's first call; the
 * first region's one batch went out anyway (the progress guarantee) and failed, its unit counted done, and
 * the next hop finished the other region and said `ok` with the keys still on the pools. The failures
 * travel in the continuation (`failed`), so the last hop answers for them (continued-run-failed.test.ts
 * covers the same through a VPC named by id).
 */
import { describe, expect, it } from 'vitest';
import type { CloudPort } from '../../lib/cloud/port.ts';
import type { PolicyInput } from '../../lib/policy/schema.ts';
import { many, TEST_LIMITS, useHarness } from './support/engine-harness.ts';

const h = useHarness();
const R1 = 'cn-hangzhou';
const R2 = 'cn-shanghai';

const policy: PolicyInput = {
  name: 'failed-hop',
  regions: [R2, R1],
  resourceTypes: ['IPAMPOOL'],
  remove: { keys: ['CostCenter'] },
};

/** The real port, with the deadline firing just before the run's first call goes out. */
function deadlineAtFirstCall(inner: CloudPort, controller: AbortController): CloudPort {
  return {
    call(product, region, action, params, options) {
      controller.abort(new Error('deadline'));
      return inner.call(product, region, action, params, options);
    },
  };
}

describe('a continued run after a hop with failures', () => {
  it('answers ok:false on the hop that finishes the run while the first region keeps its keys', async () => {
    await h.faults({
      rules: [{ kind: 'error', product: 'VpcIpam', action: 'UntagResources', region: R2, code: 'InternalError' }],
    });
    const seeds = [
      ...many('IPAMPOOL', R2, 'ipam-pool-bad', 3, () => ({ CostCenter: 'c' })),
      ...many('IPAMPOOL', R1, 'ipam-pool-ok', 3, () => ({ CostCenter: 'c' })),
    ];
    await h.seed(seeds);
    const controller = new AbortController();
    const tuning = { ...TEST_LIMITS, listConcurrency: 1, maxRetries: 1 };
    const first = await h.run(
      policy,
      { runId: 'failed-hop', signal: controller.signal },
      { cloud: deadlineAtFirstCall(h.cloud, controller), tuning },
    );
    // Hop 1 listed R2, sent its one batch despite the deadline (it failed), and left R1 to the next hop.
    expect(first.report.ok).toBe(false);
    expect(first.report.totals.failed).toBe(3);
    const continuation = first.report.continuation;
    if (!continuation) throw new Error('hop 1 handed nothing on');
    expect(continuation.done).toEqual([{ region: R2, type: 'IPAMPOOL' }]);

    await h.faults({ rules: [] });
    const second = await h.run(policy, { runId: 'failed-hop', continuation }, { tuning });
    expect(second.report.continuation).toBeUndefined();
    expect(second.report.totals).toMatchObject({ untagged: 3, failed: 0 });
    // The cloud still holds R2's keys: the run is not done, and its last answer says so.
    const state = await h.state();
    expect(Object.values(state).filter((t) => t.CostCenter === 'c')).toHaveLength(3);
    expect(second.report.ok).toBe(false);
  });
});
