/**
 * Issue 12 defect 2: tag keys named like Object.prototype members (`__proto__`, `constructor`) are keys
 * like any other, end to end: discovery keeps them, protection and `match.tags` see them, the emulator
 * stores and lists them. Vpc and VpcPeer accept such keys (no letter-first rule there).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJournaled } from '../../lib/journal/journaled-run.ts';
import type { Policy, PolicyInput } from '../../lib/policy/schema.ts';
import { restoreRun } from '../../lib/restore/restore.ts';
import { createLocalStore } from '../../lib/store/local.ts';
import { type Seed, TEST_LIMITS, useHarness } from './support/engine-harness.ts';

const h = useHarness();
const R = 'cn-hangzhou';

/** A tag set holding `__proto__` as an own key (an object literal would set the prototype instead). */
const tags = (pairs: Record<string, string>, proto?: string): Record<string, string> =>
  proto === undefined ? { ...pairs } : Object.fromEntries([['__proto__', proto], ...Object.entries(pairs)]);

function world(type: string, prefix: string): Seed[] {
  return [
    { type, region: R, id: `${prefix}1`, tags: tags({ CostCenter: 'a' }, 'keep-me') },
    { type, region: R, id: `${prefix}2`, tags: tags({ CostCenter: 'b', constructor: 'c' }) },
    { type, region: R, id: `${prefix}3`, tags: tags({ CostCenter: 'c' }) },
  ];
}

const cases = [
  { type: 'PeerConnection', prefix: 'pcc-proto' },
  { type: 'VPC', prefix: 'vpc-proto' },
] as const;

describe('tag keys named like prototype members', () => {
  for (const { type, prefix } of cases) {
    it(`${type}: protect.resourceTag {key: "__proto__"} protects the resource carrying it`, async () => {
      await h.seed(world(type, prefix));
      const policy: PolicyInput = {
        name: 'proto-protect',
        regions: [R],
        resourceTypes: [type],
        remove: { keys: ['CostCenter'] },
        protect: { resourceTag: { key: '__proto__' } },
      };
      const { report } = await h.run(policy);
      const state = await h.state(type);
      expect(Object.hasOwn(state[`${prefix}1`] ?? {}, '__proto__')).toBe(true);
      expect(state[`${prefix}1`]).toEqual(tags({ CostCenter: 'a' }, 'keep-me'));
      expect(state[`${prefix}2`]).toEqual({ constructor: 'c' });
      expect(state[`${prefix}3`]).toEqual({});
      expect(report.totals.untagged).toBe(2);
      const protectedOne = report.resources.find((r) => r.id === `${prefix}1`);
      expect(protectedOne).toMatchObject({ status: 'skipped', reason: 'protected-resource' });
    });

    it(`${type}: match.tags on "__proto__" and remove.all take only the resource carrying it`, async () => {
      await h.seed(world(type, prefix));
      const { report } = await h.run({
        name: 'proto-match',
        regions: [R],
        resourceTypes: [type],
        match: { tags: [{ key: '__proto__', value: 'keep-me' }] },
        remove: { all: true },
      });
      const state = await h.state(type);
      expect(state[`${prefix}1`]).toEqual({});
      expect(state[`${prefix}2`]).toEqual({ CostCenter: 'b', constructor: 'c' });
      expect(state[`${prefix}3`]).toEqual({ CostCenter: 'c' });
      expect(report.totals.untagged).toBe(1);
      expect(report.resources.find((r) => r.id === `${prefix}1`)?.keys).toEqual(['CostCenter', '__proto__']);
    });

    it(`${type}: "constructor" and "__proto__" are removed when the policy names them`, async () => {
      await h.seed(world(type, prefix));
      const { report } = await h.run({
        name: 'proto-remove',
        regions: [R],
        resourceTypes: [type],
        remove: { keys: ['__proto__', 'constructor'] },
      });
      const state = await h.state(type);
      expect(state[`${prefix}1`]).toEqual({ CostCenter: 'a' });
      expect(state[`${prefix}2`]).toEqual({ CostCenter: 'b' });
      expect(report.totals.keysRemoved).toBe(2);
    });
  }

  it('the journal keeps the value of a removed "__proto__" tag, so restore puts it back', async () => {
    await h.seed(world('PeerConnection', 'pcc-protoj'));
    const store = createLocalStore(mkdtempSync(join(tmpdir(), 'vtc-proto-')));
    const policy = {
      name: 'proto-journal',
      regions: [R],
      resourceTypes: ['PeerConnection'],
      remove: { keys: ['__proto__'] },
    };
    const { report } = await runJournaled(
      { policy: policy as unknown as Policy, runId: 'proto-journal' },
      { cloud: h.cloud, tuning: TEST_LIMITS, quotaScale: 50 },
      { store },
    );
    expect(report.totals.keysRemoved).toBe(1);
    expect((await h.state('PeerConnection'))['pcc-protoj1']).toEqual({ CostCenter: 'a' });
    const restored = await restoreRun(
      { runId: 'proto-journal', store },
      { cloud: h.cloud, limits: TEST_LIMITS, quotaScale: 50 },
    );
    expect(restored.totals).toMatchObject({ restored: 1, failed: 0 });
    expect((await h.state('PeerConnection'))['pcc-protoj1']).toEqual(tags({ CostCenter: 'a' }, 'keep-me'));
  });
});
