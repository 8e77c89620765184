/**
 * Issue 12 defect 3: a page-numbered listing whose membership the run's own writes change. `remove.all`
 * with `match.tags` on VPC pushes the tag filter into DescribeVpcs; each untag drops resources out of the
 * filter, so later page numbers skip over resources. Every matching VPC must still end clean.
 *
 * And the same shift made by someone else (the adversarial suite's seed 453): a VPC deleted on a page the
 * run has read moves the first VPC of the next page onto that page; an unfiltered listing must still meet it.
 */
import { describe, expect, it } from 'vitest';
import type { PolicyInput } from '../../lib/policy/schema.ts';
import { many, useHarness } from './support/engine-harness.ts';

const h = useHarness({ quotaScale: 200 });
const R = 'cn-shanghai';

describe('page-numbered listings under deletions by others', () => {
  it('a VPC deleted on page 1 while page 2 is due does not hide the VPC that moves onto page 1', async () => {
    // 120 VPCs: pages of 50; each carries a pattern-matched key, so the typed list (no tag filter) is used.
    const seeds = many('VPC', R, 'vpc-other', 120, (i) => ({ 'tmp-a': String(i), keep: 'y' }));
    await h.seed(seeds);
    const doomed = seeds.slice(0, 3).map(({ type, region, id }) => ({ type, region, id }));
    let pages = 0;
    const { report } = await h.run(
      { name: 'others', regions: [R], resourceTypes: ['VPC'], remove: { keyPatterns: ['^tmp-'] } },
      {},
      {
        onProgress: async (p) => {
          if (p.kind === 'page' && ++pages === 1) await h.remove(doomed);
        },
      },
    );
    const state = await h.state('VPC');
    const left = Object.entries(state).filter(([, tags]) => Object.hasOwn(tags, 'tmp-a'));
    expect(left.map(([id]) => id)).toEqual([]);
    for (const tags of Object.values(state)) expect(tags).toEqual({ keep: 'y' });
    expect(Object.keys(state)).toHaveLength(117);
    expect(report.ok).toBe(true);
    // Each surviving VPC reported once (the re-read pass yields only VPCs it had not met).
    const ids = report.resources.filter((r) => r.status === 'untagged').map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(report.totals.untagged + report.totals.skipped + report.totals.failed).toBeGreaterThanOrEqual(117);
  });

  it('a resumed hop whose TotalCount moved since its cursor re-reads from page 1', async () => {
    // Page 1 (ids 000-049) has nothing to remove; pages 2-3 do. The first hop is cut at page 2, so the
    // continuation resumes at page 2 (the first hop wrote a batch of it); 25 VPCs of page 1 then go, and
    // page 2 starts 25 VPCs later: the ones that moved onto page 1 and were not written must still be.
    const seeds = Array.from({ length: 150 }, (_, i) => ({
      type: 'VPC',
      region: R,
      id: `vpc-hop${String(i).padStart(3, '0')}`,
      tags: i < 50 ? { keep: 'y' } : { 'tmp-a': String(i) },
    }));
    await h.seed(seeds);
    const policy: PolicyInput = {
      name: 'hops',
      regions: [R],
      resourceTypes: ['VPC'],
      remove: { keyPatterns: ['^tmp-'] },
    };
    const cut = new AbortController();
    let pages = 0;
    const first = await h.run(
      policy,
      { signal: cut.signal },
      {
        tuning: { listConcurrency: 1 },
        onProgress: (p) => {
          if (p.kind === 'page' && ++pages === 2) cut.abort(new Error('deadline'));
        },
      },
    );
    expect(first.report.continuation?.cursors?.[0]?.token).toMatch(/^2\b/);
    await h.remove(seeds.slice(0, 25).map(({ type, region, id }) => ({ type, region, id })));
    let next = first.report.continuation;
    for (let hop = 0; next && hop < 10; hop++) next = (await h.run(policy, { continuation: next })).report.continuation;
    expect(next).toBeUndefined();
    const state = await h.state('VPC');
    expect(Object.keys(state).filter((id) => Object.hasOwn(state[id] ?? {}, 'tmp-a'))).toEqual([]);
  });
});

describe('page-numbered listings under the run’s own writes', () => {
  it('remove.all + match.tags over 2,100 VPCs leaves no matching VPC behind, protected ones untouched', async () => {
    const seeds = many('VPC', R, 'vpc-shift', 2_100, (i) => ({
      env: 'dev',
      [`tmp-${i % 5}`]: 'x',
      ...(i % 97 === 0 ? { 'cleanup:protect': 'true' } : {}),
    }));
    // Not matched: a different env value, listed by nobody, untouched.
    const others = many('VPC', R, 'vpc-prod', 60, () => ({ env: 'prod', 'tmp-0': 'x' }));
    await h.seed([...seeds, ...others]);
    const { report } = await h.run({
      name: 'shift',
      regions: [R],
      resourceTypes: ['VPC'],
      match: { tags: [{ key: 'env', value: 'dev' }] },
      remove: { all: true },
      protect: { resourceTag: { key: 'cleanup:protect', value: 'true' } },
    });
    const state = await h.state('VPC');
    const leftOver = seeds.filter((s) => !s.tags['cleanup:protect'] && Object.keys(state[s.id] ?? {}).length > 0);
    expect(leftOver.map((s) => s.id)).toEqual([]);
    for (const s of seeds.filter((x) => x.tags['cleanup:protect'])) expect(state[s.id]).toEqual(s.tags);
    for (const s of others) expect(state[s.id]).toEqual(s.tags);
    const protectedCount = seeds.filter((s) => s.tags['cleanup:protect']).length;
    expect(report.totals.untagged).toBe(seeds.length - protectedCount);
    expect(report.ok).toBe(true);
  });
});
