/**
 * A run that cannot succeed says so once and stops, through the real SDK: a wrong secret
 * (`SignatureDoesNotMatch`) or an unknown key id at the first list call, a RAM denial at the first
 * write, and an endpoint that refuses connections (a wrong port): one run-level error, a few calls
 * at most, no continuation.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createCloudPort } from '../../lib/cloud/client.ts';
import type { PolicyInput } from '../../lib/policy/schema.ts';
import { many, TEST_LIMITS, useHarness } from './support/engine-harness.ts';

const h = useHarness();
const R1 = 'cn-hangzhou';
const R2 = 'cn-shanghai';

const wide: PolicyInput = {
  name: 'wide',
  regions: [R1, R2],
  resourceTypes: ['IPAM', 'IPAMPOOL', 'PeerConnection', 'VPC'],
  remove: { keys: ['CostCenter'] },
};

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a run whose credentials are refused', () => {
  it.each([
    ['a wrong secret', { accessKeyId: 'testAccessKeyId', accessKeySecret: 'not-the-secret' }, 'SignatureDoesNotMatch'],
    ['an unknown key id', { accessKeyId: 'LTAInobody', accessKeySecret: 'testAccessKeySecret' }, 'InvalidAccessKeyId'],
  ])('stops at the first answer with one AUTH_FAILED error (%s)', async (_name, credentials, cause) => {
    await h.seed(many('IPAM', R1, 'ipam-a', 5, () => ({ CostCenter: 'c' })));
    const cloud = createCloudPort({ credentials, endpoint: h.emu.endpoint, tuning: TEST_LIMITS });
    const { report } = await h.run(wide, {}, { cloud, tuning: { ...TEST_LIMITS, listConcurrency: 1 } });
    expect(report.ok).toBe(false);
    expect(report.error?.code).toBe('AUTH_FAILED');
    expect(report.error?.message).toContain(cause);
    expect(report.error?.message).not.toContain('not-the-secret');
    expect(report.errors.length).toBeLessThanOrEqual(1);
    expect(report.continuation).toBeUndefined();
    expect((await h.stats()).total).toBe(1);
  });

  it('stops at the first write a RAM policy denies, the other batches not sent', async () => {
    await h.seed(many('IPAM', R1, 'ipam-r', 60, () => ({ CostCenter: 'c' })));
    await h.faults({
      rules: [{ kind: 'error', product: 'VpcIpam', action: 'UntagResources', code: 'Forbidden.RAM', status: 403 }],
    });
    const { report } = await h.run(
      {
        name: 'ram',
        regions: [R1],
        resourceTypes: ['IPAM'],
        remove: { keys: ['CostCenter'] },
        limits: { concurrency: 1 },
      },
      {},
      { retainOutcomes: true },
    );
    expect(report.error?.code).toBe('AUTH_FAILED');
    expect(report.error?.message).toContain('Forbidden.RAM');
    expect((await h.requests({ action: 'UntagResources' })).length).toBe(1);
    expect(report.totals).toMatchObject({ untagged: 0, failed: 20, skipped: 40 });
    expect(report.totals.skippedBy?.stopped).toBe(40);
    expect(report.continuation).toBeUndefined();
  });
});

describe('a run whose endpoint refuses connections', () => {
  it('tries a few times, then stops with one ENDPOINT_UNREACHABLE error', async () => {
    const port = await closedPort();
    const cloud = createCloudPort({
      credentials: { accessKeyId: 'testAccessKeyId', accessKeySecret: 'testAccessKeySecret' },
      endpoint: `127.0.0.1:${port}`,
      tuning: TEST_LIMITS,
    });
    const { report } = await h.run(wide, {}, { cloud });
    expect(report.ok).toBe(false);
    expect(report.error?.code).toBe('ENDPOINT_UNREACHABLE');
    expect(report.error?.message).toContain('ECONNREFUSED');
    // Four units list at once: each may have had an attempt or its retry in flight when the run stopped
    // (without the stop: 8 units x 7 attempts).
    expect(report.totals.calls.list).toBeLessThanOrEqual(8);
    expect(report.continuation).toBeUndefined();
  });
});
