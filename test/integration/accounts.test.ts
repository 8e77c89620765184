/**
 * Many accounts (issue 11) end to end on the emulator: a Resource Directory of 5 members × 2 regions,
 * one member without the role, one whose STS sessions expire mid-run. The CLI runs every (account,
 * region) shard in-process through the STS and Resource Directory SDKs; the oracle is the end state of
 * every account written out here, the merged report of `report --run`, and the gateway's call log.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.ts';
import type { AdminResource } from '../../emulator/contracts.ts';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { createDirectoryReader } from '../../lib/accounts/directory.ts';
import { resolveMembers } from '../../lib/accounts/members.ts';
import { sessionNameFor } from '../../lib/accounts/session.ts';
import { createRoleAssumer } from '../../lib/accounts/sts.ts';
import { createCloudPort } from '../../lib/cloud/client.ts';

const REGIONS = ['cn-hangzhou', 'cn-shanghai'];
const ROLE = 'vpc-tag-cleanup-member';
const [M1, M2, M3, M4, M5] = [
  '1000000000000001',
  '1000000000000002',
  '1000000000000003',
  '1000000000000004',
  '1000000000000005',
];
const MEMBERS = [M1, M2, M3, M4, M5] as string[];
/** M3 holds no role; M4's sessions last 0.8 s, and its shards (300 pools per region at 5 untag calls/s) ~3 s. */
const POOLS = (a: string) => (a === M4 ? 300 : 6);

let emu: Emulator;
let dir: string;
const saved: Record<string, string | undefined> = {};

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const chunks = { out: [] as string[], err: [] as string[] };
  const stream = (into: string[]) =>
    ({ isTTY: false, write: (c: string) => into.push(String(c)) }) as unknown as NodeJS.WritableStream;
  const code = await main(args, {
    stdout: stream(chunks.out),
    stderr: stream(chunks.err),
    env: { VPC_TAG_CLEANUP_ENDPOINT: emu.endpoint, VPC_TAG_CLEANUP_STORE: join(dir, 'runs') },
  });
  return { code, stdout: chunks.out.join(''), stderr: chunks.err.join('') };
}

/** What each account holds before the run (ids carry the account, so a call's ids say whose they are). */
function seed(accountId: string): Array<AdminResource & { accountId: string }> {
  const out: Array<AdminResource & { accountId: string }> = [];
  for (const region of REGIONS) {
    for (let i = 0; i < POOLS(accountId); i++)
      out.push({
        accountId,
        type: 'IPAMPOOL',
        region,
        id: `ipam-pool-${accountId}-${region}-${i}`,
        tags: { tmp: 'x', keep: 'k' },
      });
    out.push({
      accountId,
      type: 'IPAMPOOL',
      region,
      id: `ipam-pool-${accountId}-${region}-p`,
      tags: { tmp: 'x', 'cleanup:protect': 'true' },
    });
    for (let i = 0; i < 3; i++)
      out.push({
        accountId,
        type: 'VPC',
        region,
        id: `vpc-${accountId}-${region}-${i}`,
        tags: { tmp: 'y', owner: 'o' },
      });
  }
  return out;
}

/** The end state, written out independently of the engine: `tmp` gone except on the protected pool. */
function expected(accountId: string, reached: boolean): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const r of seed(accountId)) {
    const keep = !reached || r.id.endsWith('-p');
    const { tmp: _tmp, ...rest } = r.tags;
    out[`${r.type}/${r.region}/${r.id}`] = keep ? r.tags : rest;
  }
  return out;
}

function actual(accountId: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const r of emu.admin.list({ accountId })) out[`${r.type}/${r.region}/${r.id}`] = r.tags;
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vtc-accounts-'));
  emu = await startEmulator({ seed: 'none' });
  for (const k of ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'HOME']) saved[k] = process.env[k];
  process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = emu.accessKeyId;
  process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = emu.accessKeySecret;
  process.env.HOME = dir;
});
afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await emu?.close();
});

function loadDirectory() {
  emu.admin.addFolders([
    { folderId: 'fd-prod' },
    { folderId: 'fd-dev' },
    { folderId: 'fd-devsub', parentFolderId: 'fd-dev' },
  ]);
  const trust = [emu.accountId];
  emu.admin.addAccounts([
    { accountId: M1, folderId: 'fd-prod', roles: [{ roleName: ROLE, trust }] },
    { accountId: M2, folderId: 'fd-prod', roles: [{ roleName: ROLE, trust }] },
    { accountId: M3, folderId: 'fd-prod', roles: [{ roleName: 'some-other-role', trust }] },
    { accountId: M4, folderId: 'fd-dev', roles: [{ roleName: ROLE, trust, sessionSeconds: 0.8 }] },
    { accountId: M5, folderId: 'fd-devsub', roles: [{ roleName: ROLE, trust }] },
  ]);
  for (const a of MEMBERS) emu.admin.upsert(seed(a));
  // The management account's own resources: not a member, never touched.
  emu.admin.upsert(seed(emu.accountId).map((r) => ({ ...r, accountId: emu.accountId })));
}

describe('a policy over every member of the Resource Directory', () => {
  it('cleans every reachable account exactly, reports the one without the role, refreshes expiring credentials, and never crosses accounts', async () => {
    await emu.admin.reset();
    loadDirectory();
    const policy = {
      name: 'org-wide',
      regions: REGIONS,
      resourceTypes: ['IPAMPOOL', 'VPC'],
      remove: { keys: ['tmp'] },
      protect: { resourceTag: { key: 'cleanup:protect', value: 'true' } },
      accounts: { roleName: ROLE, resourceDirectory: true },
    };
    const file = join(dir, 'org.json');
    writeFileSync(file, JSON.stringify(policy));
    const runId = 'org-run-1';
    const run = await cli(['run', '--policy', file, '--run-id', runId, '--json']);
    expect(run.code, run.stderr).toBe(1); // one member failed: the run is not ok
    const answer = JSON.parse(run.stdout);

    // The end state of every account, and of the management account.
    for (const a of MEMBERS) expect(actual(a), `account ${a}`).toEqual(expected(a, a !== M3));
    expect(actual(emu.accountId)).toEqual(expected(emu.accountId, false));

    // STS: one AssumeRole per member, more only for the one whose sessions expire; every session names the run.
    const sts = emu.admin.requests({ action: 'AssumeRole' });
    const perAccount = (a: string) => sts.filter((c) => c.params.RoleArn === `acs:ram::${a}:role/${ROLE}`).length;
    expect([M1, M2, M5].map(perAccount)).toEqual([1, 1, 1]);
    expect(sts.filter((c) => c.params.RoleArn?.includes(M3))).toHaveLength(1);
    expect(perAccount(M4)).toBeGreaterThanOrEqual(3);
    expect(new Set(sts.map((c) => c.params.RoleSessionName))).toEqual(new Set([sessionNameFor(runId)]));
    expect(sessionNameFor(runId)).toContain(runId);
    expect(answer.stsCalls).toBe(sts.length);
    // The refresh came before expiry: no call was refused for an expired token.
    const calls = emu.admin.requests({});
    expect(calls.filter((c) => c.code.startsWith('InvalidSecurityToken'))).toEqual([]);

    // No call made with one account's credentials against another's resources.
    const products = calls.filter((c) => c.product === 'VpcIpam' || c.product === 'Vpc');
    expect(products.length).toBeGreaterThan(0);
    for (const c of products) {
      expect([M1, M2, M4, M5]).toContain(c.accountId);
      for (const v of Object.values(c.params)) {
        const owner = /^(?:ipam-pool|vpc)-(\d{16})-/.exec(v)?.[1];
        if (owner) expect(owner, `${c.action} by ${c.accountId}`).toBe(c.accountId);
      }
    }

    // The merged report, read back from the store: truthful per account × region × type.
    const rep = await cli(['report', '--run', runId, '--json']);
    expect(rep.code).toBe(1);
    const merged = JSON.parse(rep.stdout);
    expect(merged).toMatchObject({ ok: false, runId, accounts: { total: 5, ok: 4, failed: 1 } });
    const refused = sts.find((c) => c.params.RoleArn?.includes(M3));
    expect(merged.failedAccounts).toEqual([
      {
        accountId: M3,
        code: 'EntityNotExist.Role',
        message: expect.stringContaining(M3),
        requestId: refused?.requestId,
      },
    ]);
    const rows = Object.fromEntries(
      merged.rows.map((r: Record<string, unknown>) => [
        `${r.accountId}/${r.region}/${r.type}`,
        [r.matched, r.untagged, r.skipped, r.failed],
      ]),
    );
    const want: Record<string, number[]> = {};
    for (const a of [M1, M2, M4, M5])
      for (const region of REGIONS) {
        want[`${a}/${region}/IPAMPOOL`] = [POOLS(a) + 1, POOLS(a), 1, 0];
        want[`${a}/${region}/VPC`] = [3, 3, 0, 0];
      }
    expect(rows).toEqual(want);
    expect(merged.shards.map((s: { taskId: string; state: string }) => [s.taskId, s.state])).toEqual(
      [M1, M2, M4, M5].flatMap((a) => REGIONS.map((r) => [`${runId}-${a}-${r}`, 'done'])),
    );
    expect(JSON.stringify(merged)).not.toContain(emu.accessKeySecret);
    // The answer of the run is the same merged report.
    expect(answer.rows).toEqual(merged.rows);
  });

  it('narrows to folders (and their subfolders), leaves out exclude, and pages ListAccounts', async () => {
    await emu.admin.reset();
    loadDirectory();
    const credentials = { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret };
    const reader = createDirectoryReader({ credentials, endpoint: emu.endpoint, pageSize: 2 });
    const all = await resolveMembers({ roleName: ROLE, resourceDirectory: true, exclude: [M2] }, () => reader);
    expect(all).toEqual([M1, M3, M4, M5]);
    expect(reader.calls).toBe(3);
    const dev = await resolveMembers({ roleName: ROLE, resourceDirectory: true, folders: ['fd-dev'] }, () =>
      createDirectoryReader({ credentials, endpoint: emu.endpoint }),
    );
    expect(dev).toEqual([M4, M5]);
  });

  it('refuses an expired session with InvalidSecurityToken.Expired, and a role that does not trust the caller', async () => {
    await emu.admin.reset();
    loadDirectory();
    emu.admin.addAccounts([
      { accountId: M2, folderId: 'fd-prod', roles: [{ roleName: ROLE, trust: ['9999999999999999'] }] },
    ]);
    const assumer = createRoleAssumer({
      credentials: { accessKeyId: emu.accessKeyId, accessKeySecret: emu.accessKeySecret },
      endpoint: emu.endpoint,
    });
    expect(await assumer.assume(`acs:ram::${M2}:role/${ROLE}`, 'vtc-t', 900)).toMatchObject({
      ok: false,
      code: 'NoPermission',
    });
    const got = await assumer.assume(`acs:ram::${M4}:role/${ROLE}`, 'vtc-t', 900);
    if (!got.ok) throw new Error(got.code);
    expect(got.credentials.accessKeyId).toMatch(/^STS\./);
    const port = createCloudPort({ credentials: got.credentials, endpoint: emu.endpoint });
    const params = { RegionId: 'cn-hangzhou', ResourceType: 'IPAMPOOL', 'Tag.1.Key': 'tmp', MaxResults: '10' };
    await port.call('VpcIpam', 'cn-hangzhou', 'ListTagResources', params);
    await new Promise((r) => setTimeout(r, 900));
    await expect(port.call('VpcIpam', 'cn-hangzhou', 'ListTagResources', params)).rejects.toMatchObject({
      code: 'InvalidSecurityToken.Expired',
    });
  });
});
