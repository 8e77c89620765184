/**
 * A call in flight must not outlive the function: with a short FC timeout the deadline margin is shorter
 * than the SDK's read timeout, so every cloud call is bounded by the time the invocation has left. The
 * run goes through the FC entry's own path (`runInvocation`, the deadline computed from the context's
 * timeout) against the emulator, whose untag answers come late.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { deadlineFor } from '../../lib/deadline.ts';
import { runInvocation } from '../../lib/invocation.ts';
import { decodeInvocation } from '../../lib/trigger/index.ts';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: 'none', quotas: false });
});
afterAll(async () => {
  await emu?.close();
});

async function admin(method: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status}`);
}

it('keeps every call within the time an FC invocation has left, so its report is returned', async () => {
  await admin('POST', '/__admin/resources', {
    resources: [{ type: 'IPAM', region: 'cn-hangzhou', id: 'ipam-t1', tags: { CostCenter: 'c', keep: 'k' } }],
  });
  // The write is applied at once, its answer comes after 4 s: longer than the whole 2 s invocation.
  await admin('PUT', '/__admin/faults', {
    rules: [{ kind: 'slow', product: 'VpcIpam', action: 'UntagResources', ms: 4_000 }],
  });
  const policy = { name: 'short', regions: ['cn-hangzhou'], resourceTypes: ['IPAM'], remove: { keys: ['CostCenter'] } };
  const startedMs = Date.now();
  const decoded = decodeInvocation(JSON.stringify({ policy, runId: 'short-1' }), {}, new Date(startedMs));
  if (decoded.kind !== 'run') throw new Error(`not a run: ${decoded.kind}`);
  const context = {
    requestId: 'req-short',
    credentials: { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret },
    function: { name: '', handler: 'index.handler', memory: 512, timeout: 2 },
  };
  const { report } = await runInvocation(decoded.run, {
    env: { VPC_TAG_CLEANUP_ENDPOINT: emu.endpoint, VPC_TAG_CLEANUP_STORE: 'none' },
    context: context as never,
    startedMs,
    log: () => {},
  });
  // FC would have killed the instance at 2,000 ms: the report exists only if the run ended before.
  expect(Date.now() - startedMs).toBeLessThan(2_000);
  // The write was applied, its answer cut: read back in the time kept for it, and reported as done.
  expect(report.totals).toMatchObject({ untagged: 1, failed: 0, skipped: 0, keysRemoved: 1 });
  expect(report.continuation).toBeUndefined();
});

it('ends calls before the function does, keeping time for the report', () => {
  const d = deadlineFor(1_000_000, 2, undefined);
  expect(d?.callsEndBy).toBeDefined();
  expect(d!.callsEndBy).toBeGreaterThanOrEqual(d!.at);
  expect(d!.callsEndBy).toBeLessThan(1_000_000 + 2_000);
  expect(d!.writesEndBy).toBeGreaterThanOrEqual(d!.at);
  expect(d!.writesEndBy).toBeLessThan(d!.callsEndBy);
});
