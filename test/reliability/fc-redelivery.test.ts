/**
 * FC delivers asynchronous invocations at least once. The built bundle's handler, called with an
 * FC-shaped context against the emulator: a timer tick runs a seeded world to the end (through lost
 * answers and resets), then FC delivers the same tick again (`retryCount` 1). The re-delivery must make
 * zero write calls and leave the state exactly as the first delivery left it: exact against the seed.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { countCalls, isUntagApi } from '../../bench/admin.ts';
import { type BuiltBundle, buildBundle, fcContext } from '../integration/support/function-bundle.ts';
import { type Fc2Client, fc3Client, fcErrorOf } from '../support/fc2-client.ts';
import { describeFailure, loadWorld, type Reliability, startReliability, stateOf, verdict } from './support/harness.ts';
import { makeWorld, seedsFor } from './support/world.ts';

let h: Reliability;
let bundle: BuiltBundle;
let fc: Fc2Client;
beforeAll(async () => {
  [h, bundle] = await Promise.all([startReliability(), buildBundle()]);
  fc = fc3Client(h.emu.accountId, {
    accessKeyID: h.emu.accessKeyId,
    accessKeySecret: h.emu.accessKeySecret,
    region: h.emu.region,
    endpoint: h.emu.url,
  });
  process.env.VPC_TAG_CLEANUP_ENDPOINT = h.emu.endpoint;
  process.env.VPC_TAG_CLEANUP_STORE = 'none';
  // The handler logs its report as JSON lines: keep them out of the test output.
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterAll(async () => {
  delete process.env.VPC_TAG_CLEANUP_ENDPOINT;
  delete process.env.VPC_TAG_CLEANUP_STORE;
  vi.restoreAllMocks();
  await h?.close();
  await bundle?.dispose();
});

const SEEDS = 10;
let writesOnFirst = 0;

describe('an FC re-delivery of a finished run', () => {
  it.each(seedsFor(31, SEEDS))(
    'does no writes and leaves the exact state of the first delivery (seed %i)',
    async (seed) => {
      const world = makeWorld(seed);
      await loadWorld(h, world, [
        { kind: 'applied-then-lost', rate: 0.2 },
        { kind: 'reset', rate: 0.1 },
      ]);
      const minute = String(seed % 60).padStart(2, '0');
      const tick = Buffer.from(
        JSON.stringify({
          triggerTime: `2026-03-04T05:${minute}:00Z`,
          triggerName: 'nightly',
          payload: JSON.stringify({ policy: world.policy }),
        }),
      );

      const first = await bundle.handler(tick, fcContext(h.emu));
      await h.admin.clearFaults();
      const v = verdict(world, await stateOf(h, world));
      const why = describeFailure(world, v, first);
      expect(first.ok, why).toBe(true);
      expect(v.check.notRemoved, why).toEqual([]);
      expect(v.check.wronglyTouched, why).toEqual([]);
      expect(first.totals.untagged, why).toBe(v.changed);
      expect(first.totals.keysRemoved, why).toBe(v.removed);
      const afterFirst = await h.admin.stats();
      writesOnFirst += countCalls(afterFirst, isUntagApi);

      const again = await bundle.handler(tick, { ...fcContext(h.emu), retryCount: 1 });
      const afterAgain = await h.admin.stats();
      expect(again.ok, why).toBe(true);
      expect(again.runId, why).toBe(first.runId);
      expect(again.totals.untagged, why).toBe(0);
      expect(countCalls(afterAgain, isUntagApi) - countCalls(afterFirst, isUntagApi), why).toBe(0);
      const still = verdict(world, await stateOf(h, world));
      expect(still.check.notRemoved, why).toEqual([]);
      expect(still.check.wronglyTouched, why).toEqual([]);
    },
  );

  it('wrote in the first deliveries (the case is not vacuous)', () => {
    expect(writesOnFirst).toBeGreaterThan(0);
  });
});

const NAME = 'vpc-tag-cleanup';
const FC_SEEDS = 4;

async function adminJson(method: string, route: string, body?: unknown): Promise<any> {
  const res = await fetch(`${h.emu.url}${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return res.json();
}

async function invokeAsync(payload: unknown, taskId: string) {
  return fc.post(`/functions/${NAME}/invocations`, JSON.stringify(payload), {
    'x-fc-invocation-type': 'Async',
    'x-fc-async-task-id': taskId,
  });
}

describe('an FC async re-delivery through the emulator FC API (@alicloud/fc2, 2023-03-30 path)', () => {
  it.each(seedsFor(32, FC_SEEDS))(
    'second delivery of the same run under a new task id does no writes; the same task id is refused (seed %i)',
    async (seed) => {
      const world = makeWorld(seed);
      await loadWorld(h, world, [{ kind: 'applied-then-lost', rate: 0.2 }]);
      const registered = await adminJson('POST', '/__admin/functions', {
        name: NAME,
        modulePath: bundle.bundlePath,
        timeoutSeconds: 60,
        maxAsyncRetryAttempts: 2,
        env: {
          VPC_TAG_CLEANUP_ENDPOINT: h.emu.endpoint,
          VPC_TAG_CLEANUP_FC_ENDPOINT: h.emu.url,
          VPC_TAG_CLEANUP_STORE: 'none',
        },
      });
      expect(registered.function).toMatchObject({ name: NAME });
      const payload = { policy: world.policy, runId: `fc-redelivery-${seed}` };

      await invokeAsync(payload, `task-${seed}-1`);
      expect(await adminJson('POST', '/__admin/invocations/wait', { timeoutMs: 30_000 })).toMatchObject({ idle: true });
      await h.admin.clearFaults();
      const v = verdict(world, await stateOf(h, world));
      const why = describeFailure(world, v);
      expect(v.check.notRemoved, why).toEqual([]);
      expect(v.check.wronglyTouched, why).toEqual([]);
      const untagsAfterFirst = countCalls(await h.admin.stats(), isUntagApi);

      // FC re-delivers the event (a new delivery, a new task id): the finished run writes nothing.
      await invokeAsync(payload, `task-${seed}-2`);
      // The same task id again is FC's own dedup: refused, never run.
      const refused = await fcErrorOf(invokeAsync(payload, `task-${seed}-1`));
      expect(String(refused.message)).toMatch(/409|exist|duplicat/i);
      expect(await adminJson('POST', '/__admin/invocations/wait', { timeoutMs: 30_000 })).toMatchObject({ idle: true });
      expect(countCalls(await h.admin.stats(), isUntagApi) - untagsAfterFirst, why).toBe(0);
      const invocations = (await adminJson('GET', `/__admin/invocations?function=${NAME}`)).invocations as Array<{
        status: string;
        result?: { ok?: boolean; runId?: string; totals?: { untagged: number } };
      }>;
      expect(
        invocations.map((i) => i.status),
        why,
      ).toEqual(['succeeded', 'succeeded']);
      expect(invocations.map((i) => i.result?.runId)).toEqual([payload.runId, payload.runId]);
      expect(invocations[1]?.result?.totals?.untagged, why).toBe(0);
      const still = verdict(world, await stateOf(h, world));
      expect(still.check.notRemoved, why).toEqual([]);
      expect(still.check.wronglyTouched, why).toEqual([]);
    },
  );
});
