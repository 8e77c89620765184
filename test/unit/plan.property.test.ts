import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isReservedKey, type ResourceType } from '../../lib/catalog.ts';
import { createPartsMerger } from '../../lib/execute/parts.ts';
import { createPlanner, untagCallLowerBound } from '../../lib/plan.ts';
import { type RemoveSelection, selectRemovals } from '../../lib/select.ts';
import type { ResourceOutcome, TaggedResource, UntagBatch } from '../../lib/types.ts';
import { KEY_ALPHABET, policyArb } from './support/arbitraries.ts';
import { planProblems } from './support/coverage.ts';

const limitsArb = fc.oneof(
  fc.constant({ maxIdsPerCall: 20, maxKeysPerCall: 20 }),
  fc.constant({ maxIdsPerCall: 2, maxKeysPerCall: 2 }),
  fc.record({ maxIdsPerCall: fc.integer({ min: 1, max: 6 }), maxKeysPerCall: fc.integer({ min: 1, max: 6 }) }),
);

const groupArb = fc.constantFrom<[string, ResourceType]>(
  ['cn-hangzhou', 'IPAMPOOL'],
  ['cn-hangzhou', 'IPAM'],
  ['cn-shanghai', 'IPAMPOOL'],
  ['cn-hangzhou', 'PeerConnection'],
);

/** Selections with unique (region, type, id), up to 30 keys each from a 40-key alphabet, some `all`. */
const selectionsArb = fc
  .array(
    fc.record({
      group: groupArb,
      id: fc.integer({ min: 0, max: 60 }),
      keys: fc.uniqueArray(
        fc.integer({ min: 0, max: 39 }).map((n) => `k${n}`),
        { minLength: 1, maxLength: 30 },
      ),
      all: fc.boolean(),
    }),
    { maxLength: 120 },
  )
  .map((rows) => {
    const seen = new Set<string>();
    const out: RemoveSelection[] = [];
    for (const r of rows) {
      const [region, type] = r.group;
      const name = `${region}|${type}|${r.id}`;
      if (seen.has(name)) continue;
      seen.add(name);
      out.push({ region, type, id: `id-${r.id}`, action: 'remove', keys: [...r.keys].sort(), all: r.all });
    }
    return out;
  });

function runPlanner(
  sels: readonly RemoveSelection[],
  limits: { maxIdsPerCall: number; maxKeysPerCall: number },
  bufferSize: number,
  maxPending?: number,
): UntagBatch[] {
  const planner = createPlanner(
    maxPending === undefined ? { ...limits, bufferSize } : { ...limits, bufferSize, maxPending },
  );
  const out: UntagBatch[] = [];
  for (const s of sels) out.push(...planner.add(s));
  out.push(...planner.flush());
  expect(planner.pending).toBe(0);
  return out;
}

describe('the planner, for any selections and limits', () => {
  it('never exceeds a limit and covers every (resource, key) exactly once, streaming or not', () => {
    fc.assert(
      fc.property(
        selectionsArb,
        limitsArb,
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 80 }),
        (sels, limits, bufferSize, maxPending) => {
          const batches = runPlanner(sels, limits, bufferSize, maxPending);
          expect(planProblems(sels, batches, limits)).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('marks a split resource in each of its batches with its number of batches, so merging its parts gives one outcome per resource', () => {
    fc.assert(
      fc.property(
        selectionsArb,
        limitsArb,
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 1_000 }),
        (sels, limits, bufferSize, seed) => {
          const batches = runPlanner(sels, limits, bufferSize);
          const ref = (b: { region: string; type: string }, id: string) => `${b.region}|${b.type}|${id}`;
          const appearances = new Map<string, number>();
          for (const b of batches)
            for (const id of b.ids) appearances.set(ref(b, id), (appearances.get(ref(b, id)) ?? 0) + 1);
          for (const b of batches) {
            for (const id of b.ids) {
              const n = appearances.get(ref(b, id)) ?? 0;
              expect(b.parts?.[id]).toBe(n > 1 ? n : undefined);
            }
          }
          // Settle the batches in a scrambled order, some failing: one final outcome per selection, the
          // worst status of its parts, the keys that did not go (all keys when all went), and as removed
          // the count of the keys of its untagged parts.
          const finals: Array<{ o: ResourceOutcome; removed: number | undefined }> = [];
          const merger = createPartsMerger((o, removed) => finals.push({ o, removed }));
          const order = batches
            .map((b, i) => ({ b, k: (i * 7919 + seed) % (batches.length + 1) }))
            .sort((x, y) => x.k - y.k);
          const expected = new Map<string, { failed: boolean; removed: number; left: string[] }>();
          for (const [i, { b }] of order.entries()) {
            const fail = (i + seed) % 5 === 0;
            for (const id of b.ids) {
              const keys = b.removes[id] ?? [];
              const e = expected.get(ref(b, id)) ?? { failed: false, removed: 0, left: [] };
              expected.set(ref(b, id), {
                failed: e.failed || fail,
                removed: e.removed + (fail ? 0 : keys.length),
                left: fail ? [...e.left, ...keys] : e.left,
              });
              merger.record(
                { region: b.region, type: b.type, id, keys, status: fail ? 'failed' : 'untagged' },
                b.parts?.[id] ?? 1,
              );
            }
          }
          expect(merger.open).toBe(0);
          expect(finals.map((f) => ref(f.o, f.o.id)).sort()).toEqual(sels.map((s) => ref(s, s.id)).sort());
          for (const f of finals) {
            const name = ref(f.o, f.o.id);
            const sel = sels.find((s) => ref(s, s.id) === name);
            const e = expected.get(name);
            expect(f.o.status).toBe(e?.failed ? 'failed' : 'untagged');
            if (!sel || sel.all) continue;
            // Untagged: every key; failed: the keys still on the resource (the parts that did not go).
            expect(f.o.keys).toEqual(e?.failed ? [...(e?.left ?? [])].sort() : [...sel.keys].sort());
            expect(f.removed).toBe(e?.removed);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('packs resources sharing one key set into exactly ceil(ids) x ceil(keys) calls', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 45 }), limitsArb, (n, k, limits) => {
        const keys = Array.from({ length: k }, (_, i) => `k${String(i).padStart(2, '0')}`);
        const sels: RemoveSelection[] = Array.from({ length: n }, (_, i) => ({
          region: 'r',
          type: 'IPAM',
          id: `i${i}`,
          action: 'remove',
          keys,
          all: false,
        }));
        const batches = runPlanner(sels, limits, 1_000);
        expect(batches.length).toBe(Math.ceil(n / limits.maxIdsPerCall) * Math.ceil(k / limits.maxKeysPerCall));
      }),
      { numRuns: 100 },
    );
  });
});

describe('the planner, when every key set fits one call', () => {
  it('makes exactly ceil(resources / maxIds) calls per region and type (issue 3, item 6)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            group: groupArb,
            keys: fc.uniqueArray(
              fc.integer({ min: 0, max: 19 }).map((n) => `k${n}`),
              { minLength: 1, maxLength: 20 },
            ),
          }),
          { maxLength: 300 },
        ),
        fc.integer({ min: 20, max: 500 }),
        (rows, bufferSize) => {
          const sels: RemoveSelection[] = rows.map((r, i) => ({
            region: r.group[0],
            type: r.group[1],
            id: `i${i}`,
            action: 'remove',
            keys: [...r.keys].sort(),
            all: false,
          }));
          const batches = runPlanner(sels, { maxIdsPerCall: 20, maxKeysPerCall: 20 }, bufferSize);
          expect(batches.length).toBe(untagCallLowerBound(sels, 20));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('selection then planning, for any policy and resources', () => {
  const resourcesArb = fc
    .array(
      fc.record({
        group: groupArb,
        id: fc.integer({ min: 0, max: 5 }),
        tags: fc.dictionary(fc.constantFrom(...KEY_ALPHABET), fc.constantFrom('1', '2'), { maxKeys: 10 }),
      }),
      {
        maxLength: 60,
      },
    )
    .map((rows) => {
      const seen = new Map<string, TaggedResource>();
      for (const r of rows)
        seen.set(`${r.group.join('|')}|r${r.id}`, {
          region: r.group[0],
          type: r.group[1],
          id: `r${r.id}`,
          tags: r.tags,
        });
      return [...seen.values()];
    });

  it('never sends a protected or reserved key, never strips a resource of a key it keeps, and sends all only when allowed', () => {
    fc.assert(
      fc.property(
        policyArb,
        resourcesArb,
        limitsArb,
        fc.integer({ min: 1, max: 30 }),
        (policy, resources, limits, bufferSize) => {
          const sels = resources
            .map((r) => selectRemovals(r, policy))
            .filter((s): s is RemoveSelection => s.action === 'remove');
          const batches = runPlanner(sels, limits, bufferSize);
          expect(planProblems(sels, batches, limits)).toEqual([]);
          const byRef = new Map(resources.map((r) => [`${r.region}|${r.type}|${r.id}`, r]));
          const selByRef = new Map(sels.map((s) => [`${s.region}|${s.type}|${s.id}`, s]));
          for (const b of batches) {
            if (b.keys === 'all') {
              expect(policy.removeAll && policy.protectedKeys.size === 0).toBe(true);
              for (const id of b.ids)
                expect(Object.keys(byRef.get(`${b.region}|${b.type}|${id}`)?.tags ?? {}).some(isReservedKey)).toBe(
                  false,
                );
              continue;
            }
            for (const k of b.keys) {
              expect(isReservedKey(k)).toBe(false);
              expect(policy.protectedKeys.has(k)).toBe(false);
            }
            // The cloud removes every sent key from every id: each must be one the resource loses anyway.
            for (const id of b.ids) {
              const tags = byRef.get(`${b.region}|${b.type}|${id}`)?.tags ?? {};
              const loses = new Set(selByRef.get(`${b.region}|${b.type}|${id}`)?.keys ?? []);
              for (const k of b.keys) if (Object.hasOwn(tags, k)) expect(loses.has(k)).toBe(true);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
