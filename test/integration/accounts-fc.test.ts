/**
 * Many accounts through the function (issue 11, FC side): the parent invocation starts one asynchronous
 * shard per (account, region) through the FC 3.0 SDK (fcInvokeSignature=acs3), each shard assumes its
 * member's role, cleans its region and writes its record to the run store; `report --run` merges them.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../bin/cli.ts';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { createInvoker } from '../../lib/invoker/index.ts';
import { adminJson, type BuiltBundle, buildBundle } from './support/function-bundle.ts';

const NAME = 'vpc-tag-cleanup';
const REGIONS = ['cn-hangzhou', 'cn-shanghai'];
const [M1, M2, M3] = ['2000000000000001', '2000000000000002', '2000000000000003'] as [string, string, string];
let h: Emulator;
let bundle: BuiltBundle;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vtc-accounts-fc-'));
  [h, bundle] = await Promise.all([
    startEmulator({ seed: 'none', behaviour: { fcInvokeSignature: 'acs3' } }),
    buildBundle(),
  ]);
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
}, 120_000);
/** The operator's client: FC 3.0 through its own SDK, ACS3-signed. */
const fc3Invoker = () =>
  createInvoker(
    {
      credentials: { accessKeyId: h.accessKeyId, accessKeySecret: h.accessKeySecret },
      accountId: h.accountId,
      region: h.region,
      endpoint: h.url,
    },
    { api: '2023-03-30', signature: 'acs3' },
  );

afterAll(async () => {
  vi.restoreAllMocks();
  await h?.close();
  await bundle?.dispose();
});

describe('a many-account run in the function', () => {
  it('answers every (account, region) shard with its task id, and the shards clean their accounts', async () => {
    const trust = [h.accountId];
    h.admin.addAccounts([
      { accountId: M1, roles: [{ roleName: 'cleanup', trust }] },
      { accountId: M2, roles: [{ roleName: 'cleanup', trust }] },
      { accountId: M3 },
    ]);
    for (const a of [M1, M2, M3])
      for (const region of REGIONS)
        h.admin.upsert(
          [0, 1, 2].map((i) => ({
            accountId: a,
            type: 'IPAMPOOL',
            region,
            id: `ipam-pool-${a}-${region}-${i}`,
            tags: { tmp: 'x', keep: 'k' },
          })),
        );
    await adminJson(h, 'POST', '/__admin/functions', {
      name: NAME,
      modulePath: bundle.bundlePath,
      timeoutSeconds: 30,
      maxAsyncRetryAttempts: 0,
      env: {
        VPC_TAG_CLEANUP_ENDPOINT: h.endpoint,
        VPC_TAG_CLEANUP_FC_ENDPOINT: h.url,
        VPC_TAG_CLEANUP_STORE: join(dir, 'runs'),
      },
    });
    const policy = {
      name: 'org-fc',
      regions: REGIONS,
      resourceTypes: ['IPAMPOOL'],
      remove: { keys: ['tmp'] },
      accounts: { roleName: 'cleanup', ids: [M1, M2, M3] },
    };
    const invoker = fc3Invoker();
    expect(await invoker.invokeAsync(NAME, { policy, runId: 'org-fc-1' }, 'org-fc-1')).toMatchObject({
      status: 'started',
    });
    expect(await adminJson(h, 'POST', '/__admin/invocations/wait', { timeoutMs: 30_000 })).toMatchObject({
      idle: true,
    });

    const invocations = h.fc.invocations({ functionName: NAME });
    const parent = invocations.find((i) => i.taskId === 'org-fc-1');
    const want = [M1, M2, M3].flatMap((a) => REGIONS.map((r) => [a, r, `org-fc-1-${a}-${r}`, 'started']));
    expect(
      (
        parent!.result as { shards: Array<{ account: string; regions: string[]; taskId: string; status: string }> }
      ).shards.map((s) => [s.account, s.regions[0], s.taskId, s.status]),
    ).toEqual(want);
    expect(
      invocations
        .filter((i) => i.taskId !== 'org-fc-1')
        .map((i) => i.taskId)
        .sort(),
    ).toEqual(want.map((w) => w[2]).sort());
    // M3 holds no role: its shards answer the STS refusal, not a throw that FC would retry.
    const m3 = invocations.filter((i) => i.taskId?.includes(M3));
    expect(m3.map((i) => [i.status, (i.result as { error?: { code: string } }).error?.code])).toEqual([
      ['succeeded', 'EntityNotExist.Role'],
      ['succeeded', 'EntityNotExist.Role'],
    ]);

    for (const a of [M1, M2])
      expect(
        h.admin.list({ accountId: a }).every((r) => JSON.stringify(r.tags) === '{"keep":"k"}'),
        a,
      ).toBe(true);
    expect(h.admin.list({ accountId: M3 }).every((r) => r.tags.tmp === 'x')).toBe(true);

    const chunks: string[] = [];
    const code = await main(['report', '--run', 'org-fc-1', '--store', join(dir, 'runs'), '--json'], {
      stdout: { isTTY: false, write: (c: string) => chunks.push(String(c)) } as unknown as NodeJS.WritableStream,
      stderr: { isTTY: false, write: () => true } as unknown as NodeJS.WritableStream,
      env: {},
    });
    expect(code).toBe(1);
    const merged = JSON.parse(chunks.join(''));
    expect(merged.accounts).toEqual({ total: 3, ok: 2, failed: 1 });
    expect(merged.failedAccounts).toMatchObject([
      { accountId: M3, code: 'EntityNotExist.Role', requestId: expect.any(String) },
    ]);
    expect(merged.rows.filter((r: { untagged: number }) => r.untagged === 3)).toHaveLength(4);
    expect(merged.shards.map((s: { taskId: string; state: string }) => s.state)).toEqual(Array(6).fill('done'));
  });

  it("names each member shard's hop record by the task id FC ran that hop under", async () => {
    const M4 = '2000000000000004';
    const region = REGIONS[0] as string;
    h.admin.addAccounts([{ accountId: M4, roles: [{ roleName: 'cleanup', trust: [h.accountId] }] }]);
    h.admin.upsert(
      Array.from({ length: 150 }, (_, i) => ({
        accountId: M4,
        type: 'IPAMPOOL',
        region,
        id: `ipam-pool-hops-${i}`,
        tags: { tmp: 'x', keep: 'k' },
      })),
    );
    // A 3 s function at half the quotas cannot clean 150 pools in one invocation: the shard hands on.
    h.admin.setQuotas({ scale: 0.5 });
    await adminJson(h, 'POST', '/__admin/functions', {
      name: `${NAME}-hops`,
      modulePath: bundle.bundlePath,
      timeoutSeconds: 3,
      maxAsyncRetryAttempts: 0,
      env: {
        VPC_TAG_CLEANUP_ENDPOINT: h.endpoint,
        VPC_TAG_CLEANUP_FC_ENDPOINT: h.url,
        VPC_TAG_CLEANUP_STORE: join(dir, 'runs'),
        VPC_TAG_CLEANUP_LIMITS: JSON.stringify({
          deadlineMarginMs: 2000,
          deadlineMarginShare: 0.7,
          planBufferSize: 20,
        }),
        VPC_TAG_CLEANUP_QUOTA_SCALE: '0.5',
      },
    });
    const policy = {
      name: 'org-hops',
      regions: [region],
      resourceTypes: ['IPAMPOOL'],
      remove: { keys: ['tmp'] },
      accounts: { roleName: 'cleanup', ids: [M4] },
    };
    const invoker = fc3Invoker();
    await invoker.invokeAsync(`${NAME}-hops`, { policy, runId: 'org-hops-1' }, 'org-hops-1');
    expect(await adminJson(h, 'POST', '/__admin/invocations/wait', { timeoutMs: 45_000 })).toMatchObject({
      idle: true,
    });
    h.admin.setQuotas({ scale: 1 });

    const ran = new Set(
      h.fc
        .invocations({ functionName: `${NAME}-hops` })
        .filter((i) => i.status === 'succeeded')
        .map((i) => i.taskId),
    );
    const recordsDir = join(dir, 'runs', 'org-hops-1', 'accounts', 'shards', M4, region);
    const records = readdirSync(recordsDir).map(
      (f) => JSON.parse(readFileSync(join(recordsDir, f), 'utf8')) as { hop: number; taskId: string },
    );
    expect(records.length).toBeGreaterThanOrEqual(2);
    for (const r of records) expect(ran.has(r.taskId), `hop ${r.hop}: ${r.taskId}`).toBe(true);
    expect(new Set(records.map((r) => r.taskId)).size).toBe(records.length);
    expect(h.admin.list({ accountId: M4 }).every((r) => JSON.stringify(r.tags) === '{"keep":"k"}')).toBe(true);
  }, 60_000);
});
