/**
 * `limits.maxResources` is the policy's limit for the whole run: across the hops of a run longer than
 * one invocation (issue 12 defect 4) and across the shards of a fanned-out run (defect 5). Expected end
 * states are written from the seeds, not computed by the engine.
 */
import { describe, expect, it } from 'vitest';
import type { PolicyInput } from '../../lib/policy/schema.ts';
import type { Continuation, Report } from '../../lib/types.ts';
import { expectedAfter, many, TEST_LIMITS, useHarness } from './support/engine-harness.ts';
import { invokeInProcess } from './support/function-in-process.ts';

const h = useHarness();
const R1 = 'cn-hangzhou';

const tagged = (region: string, n: number, prefix = `ipam-pool-${region}-`) =>
  many('IPAMPOOL', region, prefix, n, () => ({ tmp: 'x', keep: 'k' }));

/** Runs hop after hop, each cut by its deadline at the second page it lists, until none is left. */
async function runHops(policy: PolicyInput, maxHops: number) {
  const reports: Report[] = [];
  let continuation: Continuation | undefined;
  do {
    const deadline = new AbortController();
    let pages = 0;
    const { report } = await h.run(
      policy,
      { runId: 'capped', signal: deadline.signal, ...(continuation ? { continuation } : {}) },
      {
        tuning: { ...TEST_LIMITS, planBufferSize: 20, listConcurrency: 1 },
        onProgress: () => {
          if (++pages === 2) deadline.abort(new Error('deadline'));
        },
      },
    );
    reports.push(report);
    continuation = report.continuation;
  } while (continuation && reports.length < maxHops);
  return { reports, continuation };
}

const policy = (maxResources: number): PolicyInput => ({
  name: 'capped',
  regions: [R1],
  resourceTypes: ['IPAMPOOL'],
  remove: { keys: ['tmp'] },
  limits: { maxResources },
});

describe('maxResources over a run longer than one invocation', () => {
  it('counts on from hop to hop, then writes: the run finishes instead of listing from scratch forever', async () => {
    const seeds = tagged(R1, 500);
    await h.seed(seeds);
    const { reports, continuation } = await runHops(policy(1000), 30);
    expect(continuation).toBeUndefined();
    expect(reports.every((r) => r.ok)).toBe(true);
    expect(await h.state()).toEqual(expectedAfter(seeds, (_s, k) => k === 'tmp'));
    expect(reports.reduce((n, r) => n + r.totals.untagged, 0)).toBe(500);
  });

  it('refuses with the whole count, and writes nothing, when the count over the hops goes over the limit', async () => {
    const seeds = tagged(R1, 500);
    await h.seed(seeds);
    const { reports, continuation } = await runHops(policy(450), 30);
    expect(continuation).toBeUndefined();
    const last = reports.at(-1) as Report;
    expect(last.ok).toBe(false);
    expect(last.error).toMatchObject({ code: 'LIMIT_EXCEEDED', count: 500 });
    expect(await h.writeCalls()).toBe(0);
    expect(await h.state()).toEqual(expectedAfter(seeds, () => false));
  });
});

describe('maxResources over a fanned-out run', () => {
  /** Runs the function's invocation in process; self-invocations (shards, hops) run the same way. */
  async function invokeFunction(policyInput: PolicyInput) {
    const env = {
      VPC_TAG_CLEANUP_ENDPOINT: h.emu.endpoint,
      VPC_TAG_CLEANUP_FANOUT: '1',
      VPC_TAG_CLEANUP_STORE: 'none',
    };
    return (await invokeInProcess(h.emu, { policy: policyInput, runId: 'fan' }, { env })).reports;
  }

  const regions = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'];
  const fanned = (maxResources: number): PolicyInput => ({ ...policy(maxResources), regions, fanOut: true });

  it('refuses 3 regions x 80 resources under maxResources 100: the limit is the run’s, not each shard’s', async () => {
    const seeds = regions.flatMap((r) => tagged(r, 80));
    await h.seed(seeds);
    const reports = await invokeFunction(fanned(100));
    expect(await h.writeCalls()).toBe(0);
    expect(await h.state()).toEqual(expectedAfter(seeds, () => false));
    expect(reports.some((r) => r.error?.code === 'LIMIT_EXCEEDED' && r.error.count === 240)).toBe(true);
  });

  it('cleans every region when the whole run stays within maxResources', async () => {
    const seeds = regions.flatMap((r) => tagged(r, 30));
    await h.seed(seeds);
    const reports = await invokeFunction(fanned(100));
    expect(await h.state()).toEqual(expectedAfter(seeds, (_s, k) => k === 'tmp'));
    expect(reports.every((r) => r.ok)).toBe(true);
  });
});
