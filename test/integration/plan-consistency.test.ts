/**
 * The planner's calls stay within the policy whatever the cloud does with a named key a resource lacks,
 * through the real SDK against the emulator: a key one id plans is not taken from another id that got it
 * after listing when the policy decides on it by value (the protect tag); a split resource is never in a
 * call naming keys of its other parts, and its match.tags key goes in its last part; `remove.all` names
 * keys instead of sending All=true; under `untagAbsentKey=error` the run learns exact packing, carries it
 * across hops, and a hop whose deadline fires before its first write answer still makes progress.
 * Expected end states are written out from the seeds, not computed with the engine's selection.
 */
import { describe, expect, it } from 'vitest';
import type { CloudPort } from '../../lib/cloud/port.ts';
import type { PolicyInput } from '../../lib/policy/schema.ts';
import type { Report } from '../../lib/types.ts';
import { type Seed, TEST_LIMITS, useHarness } from './support/engine-harness.ts';

const h = useHarness();
const R = 'cn-hangzhou';
const isUntag = (action: string) => /^Un[tT]agResources$/.test(action);

/** The real port; `before` hears each untag call as it is sent, `after` once it answered. */
function watched(cloud: CloudPort, hooks: { before?: () => void; after?: () => void }): CloudPort {
  return {
    async call(product, region, action, params, options) {
      if (isUntag(action)) hooks.before?.();
      try {
        return await cloud.call(product, region, action, params, options);
      } finally {
        if (isUntag(action)) hooks.after?.();
      }
    },
  };
}

/** Every key a report says stayed on a resource is still there; every key it says went is gone. */
function reportProblems(reports: Report[], state: Record<string, Record<string, string>>): string[] {
  const out: string[] = [];
  const last = new Map<string, Report['resources'][number]>();
  for (const r of reports) for (const o of r.resources) last.set(o.id, o);
  for (const o of last.values()) {
    const tags = state[o.id] ?? {};
    const went = o.status === 'untagged' ? o.keys : (o.removed ?? []);
    for (const k of went) if (Object.hasOwn(tags, k)) out.push(`${o.id}: ${k} reported removed, still there`);
    if (o.status !== 'untagged')
      for (const k of o.keys) if (!Object.hasOwn(tags, k)) out.push(`${o.id}: ${k} reported ${o.status}, gone`);
  }
  return out;
}

describe('policy-consistent union packing', () => {
  it('keeps a protect tag added after listing to an id that did not plan that key (seed 305)', async () => {
    await h.seed([
      { type: 'IPAM', region: R, id: 'ipam-a', tags: { owner: 'bob', tmp: '1' } },
      { type: 'IPAM', region: R, id: 'ipam-b', tags: { tmp: '1' } },
    ]);
    let tagged = false;
    await h.run(
      {
        name: 'protect-late',
        regions: [R],
        resourceTypes: ['IPAM'],
        remove: { keys: ['owner', 'tmp'] },
        protect: { resourceTag: { key: 'owner', value: 'keep' } },
      },
      {},
      {
        onProgress: async () => {
          if (tagged) return;
          tagged = true;
          await h.seed([{ type: 'IPAM', region: R, id: 'ipam-b', tags: { tmp: '1', owner: 'keep' } }]);
        },
      },
    );
    const state = await h.state();
    expect(state['ipam-b']).toEqual({ owner: 'keep' });
    expect(state['ipam-a']).toEqual({});
  });

  it("never names a key of a split resource's other part, so a cut run reports what is true", async () => {
    // Three keys a call: x splits into [a,b] and [c,d]; y's [a,c] would fit beside either part.
    await h.seed([
      { type: 'IPAM', region: R, id: 'ipam-x', tags: { a: '1', b: '1', c: '1', d: '1' } },
      { type: 'IPAM', region: R, id: 'ipam-y', tags: { a: '1', c: '1' } },
    ]);
    const controller = new AbortController();
    const { report } = await h.run(
      {
        name: 'split',
        regions: [R],
        resourceTypes: ['IPAM'],
        remove: { keys: ['a', 'b', 'c', 'd'] },
        limits: { concurrency: 1 },
      },
      { signal: controller.signal },
      {
        cloud: watched(h.cloud, { after: () => controller.abort() }),
        tuning: { ...TEST_LIMITS, maxKeysPerCall: 3 },
      },
    );
    expect(reportProblems([report], await h.state())).toEqual([]);
  });

  it("removes a split resource's match.tags key in its last part, so the next hop still matches it", async () => {
    await h.seed([{ type: 'IPAM', region: R, id: 'ipam-m', tags: { env: 'dev', x: '1', y: '1', z: '1' } }]);
    const policy: PolicyInput = {
      name: 'split-match',
      regions: [R],
      resourceTypes: ['IPAM'],
      match: { tags: [{ key: 'env', value: 'dev' }] },
      remove: { keys: ['env', 'x', 'y', 'z'] },
      limits: { concurrency: 1 },
    };
    const tuning = { ...TEST_LIMITS, maxKeysPerCall: 2 };
    const controller = new AbortController();
    const first = await h.run(
      policy,
      { signal: controller.signal, runId: 'split-match' },
      { cloud: watched(h.cloud, { after: () => controller.abort() }), tuning },
    );
    expect(first.report.continuation).toBeDefined();
    const second = await h.run(policy, { runId: 'split-match', continuation: first.report.continuation! }, { tuning });
    expect(second.report.ok).toBe(true);
    expect(await h.state()).toEqual({ 'ipam-m': {} });
  });

  it('never sends All=true: a key added after listing under remove.all stays, and the report is whole', async () => {
    await h.seed([{ type: 'IPAM', region: R, id: 'ipam-q1', tags: { a: '1', b: '2' } }]);
    let tagged = false;
    const { report } = await h.run(
      { name: 'all', regions: [R], resourceTypes: ['IPAM'], remove: { all: true } },
      {},
      {
        onProgress: async () => {
          if (tagged) return;
          tagged = true;
          await h.seed([{ type: 'IPAM', region: R, id: 'ipam-q1', tags: { a: '1', b: '2', late: 'x' } }]);
        },
      },
    );
    expect(await h.state()).toEqual({ 'ipam-q1': { late: 'x' } });
    const calls = await h.requests({ action: 'UntagResources' });
    expect(calls.map((c) => c.params.All)).toEqual([undefined]);
    expect(report.totals.keysRemoved).toBe(2);
  });
});

/** 240 IPAMs with 3-6 of 16 keys each (a seeded spread: almost every key set differs). */
function mixedWorld(): Seed[] {
  let s = 7;
  const rand = () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s / 2_147_483_648;
  };
  const keys = Array.from({ length: 16 }, (_, i) => `k${String(i).padStart(2, '0')}`);
  return Array.from({ length: 240 }, (_, i) => {
    const tags: Record<string, string> = { keep: 'k' };
    const n = 3 + Math.floor(rand() * 4);
    while (Object.keys(tags).length < n + 1) tags[keys[Math.floor(rand() * keys.length)]!] = 'v';
    return { type: 'IPAM', region: R, id: `ipam-${String(i).padStart(4, '0')}`, tags };
  });
}

const removeK: PolicyInput = {
  name: 'absent-error',
  regions: [R],
  resourceTypes: ['IPAM'],
  remove: { keyPatterns: ['^k[0-9]'] },
  limits: { concurrency: 2 },
};
const bare = (seeds: Seed[]) => Object.fromEntries(seeds.map((s) => [s.id, { keep: 'k' }]));

describe('untagAbsentKey=error: learned exact packing', () => {
  it('packs exactly after the first refusal, at a fraction of the calls splitting each batch costs', async () => {
    await h.behaviour({ untagAbsentKey: 'error' });
    const seeds = mixedWorld();
    await h.seed(seeds);
    const { report } = await h.run(removeK);
    expect(report.ok).toBe(true);
    expect(await h.state()).toEqual(bare(seeds));
    const calls = await h.requests({ action: 'UntagResources' });
    // Bound: 12 calls of 20 ids; splitting each refused union batch by key set cost about twice this limit.
    expect(calls.length).toBeLessThan(120);
    expect(calls.filter((c) => c.code !== 'OK').length).toBeLessThanOrEqual(2);
  });

  it('carries the learned mode to the next hop: its calls are exact from the first', async () => {
    await h.behaviour({ untagAbsentKey: 'error' });
    const seeds = mixedWorld();
    await h.seed(seeds);
    const controller = new AbortController();
    let answered = 0;
    const first = await h.run(
      removeK,
      { signal: controller.signal, runId: 'hops' },
      { cloud: watched(h.cloud, { after: () => ++answered === 3 && controller.abort() }) },
    );
    expect(first.report.continuation?.exactUntag).toEqual(['VpcIpam']);
    const sentBefore = (await h.requests({ action: 'UntagResources' })).length;
    const second = await h.run(removeK, { runId: 'hops', continuation: first.report.continuation! });
    expect(second.report.ok).toBe(true);
    const hop2 = (await h.requests({ action: 'UntagResources' })).slice(sentBefore);
    expect(hop2.length).toBeGreaterThan(0);
    expect(hop2.filter((c) => c.code !== 'OK')).toEqual([]);
    expect(await h.state()).toEqual(bare(seeds));
  });

  it("makes progress when every hop's deadline fires before its first write answers (world seed 93011 livelock)", async () => {
    await h.behaviour({ untagAbsentKey: 'error' });
    const seeds = mixedWorld().slice(0, 40);
    await h.seed(seeds);
    let continuation: Report['continuation'];
    const reports: Report[] = [];
    // Each hop's first write is refused (mixed key sets) and its deadline has fired by then: the re-sent
    // exact call is the hop's one batch past the deadline, so every hop removes something.
    for (let hop = 0; hop < 3; hop++) {
      const controller = new AbortController();
      const { report } = await h.run(
        { ...removeK, limits: { concurrency: 1 } },
        { signal: controller.signal, runId: 'livelock', ...(continuation ? { continuation } : {}) },
        { cloud: watched(h.cloud, { before: () => controller.abort() }) },
      );
      reports.push(report);
      expect(report.totals.keysRemoved).toBeGreaterThan(0);
      continuation = report.continuation;
      expect(continuation).toBeDefined();
    }
    expect(reportProblems(reports, await h.state())).toEqual([]);
    // Then without a deadline the run ends.
    const { report } = await h.run(removeK, { runId: 'livelock', ...(continuation ? { continuation } : {}) });
    expect(report.ok).toBe(true);
    expect(await h.state()).toEqual(bare(seeds));
  });
});
