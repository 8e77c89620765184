/**
 * Adversarial seed 129512484: a hop stopped at the deadline, whose write failed, handed on a continuation
 * marking that unit done; the next hop listed only the other region and said `ok` although the named VPC
 * still carried the keys. A continued run's last report answers for every hop before it.
 */
import { describe, expect, it } from 'vitest';
import type { PolicyInput } from '../../lib/policy/schema.ts';
import { useHarness } from './support/engine-harness.ts';

const h = useHarness();
const R1 = 'cn-hangzhou';
const R2 = 'cn-shanghai';
const TAGS = { κλειδί: 'b', 'tmp-ci': 'b', keep: 'a' };

describe('a continued run whose earlier hop failed a write', () => {
  it('its last hop does not say ok while the named VPC keeps the keys', async () => {
    await h.seed([{ type: 'VPC', region: R1, id: 'vpc-adv0001', tags: TAGS }]);
    await h.faults({
      rules: [{ kind: 'error', product: 'Vpc', action: 'UnTagResources', code: 'InternalError', count: 2 }],
    });
    const policy: PolicyInput = {
      name: 'failed-then-continued',
      regions: [R1, R2],
      resourceTypes: ['VPC', 'PeerConnection'],
      remove: { keys: ['κλειδί', 'tmp-ci'] },
      match: { resourceIds: ['vpc-adv0001'] },
    };
    const controller = new AbortController();
    const tuning = { retryBaseMs: 2, retryMaxMs: 5, maxRetries: 1, listConcurrency: 2 };
    const first = await h.run(
      policy,
      { runId: 'cont-1', signal: controller.signal },
      { tuning, onProgress: () => controller.abort(new Error('deadline')) },
    );
    expect(first.report.totals.failed).toBe(1);
    expect(first.report.continuation).toBeDefined();
    const continuation = first.report.continuation;
    const second = await h.run(policy, { runId: 'cont-1', ...(continuation ? { continuation } : {}) }, { tuning });
    expect(second.report.continuation).toBeUndefined();
    const state = await h.state('VPC');
    expect(state['vpc-adv0001']).toEqual(TAGS);
    expect(second.report.ok).toBe(false);
    // Not ok, and it says why: the earlier hop's failures, counted once.
    expect(second.report.errors.map((e) => e.code)).toEqual(['EARLIER_HOP_FAILED']);
    expect(second.report.errors[0]?.message).toContain('cont-1');
  });
});
