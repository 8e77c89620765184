/**
 * Issue 12 defect 3: a page-numbered listing whose membership the run's own writes change. `remove.all`
 * with `match.tags` on VPC pushes the tag filter into DescribeVpcs; each untag drops resources out of the
 * filter, so later page numbers skip over resources. Every matching VPC must still end clean.
 */
import { describe, expect, it } from 'vitest';
import { many, useHarness } from './support/engine-harness.ts';

const h = useHarness({ quotaScale: 200 });
const R = 'cn-shanghai';

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
