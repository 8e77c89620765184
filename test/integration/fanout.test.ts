import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { createInvoker } from '../../lib/invoker/index.ts';
import { type Fc2Client, fc3Client } from '../support/fc2-client.ts';
import { runCliInProcess } from './support/cli-in-process.ts';
import {
  adminJson,
  type BuiltBundle,
  buildBundle,
  callCounts,
  type SeedResource,
  tagsOf,
} from './support/function-bundle.ts';

const regions = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'];
const NAME = 'vpc-tag-cleanup';

let h: Emulator;
let bundle: BuiltBundle;
let fc: Fc2Client;

interface Invocation {
  taskId?: string;
  status: string;
  attempts: number;
  result?: any;
  error?: { errorMessage: string };
}

function seed(poolsPerRegion: number, peersPerRegion: number): SeedResource[] {
  const out: SeedResource[] = [];
  for (const region of regions) {
    for (let i = 0; i < poolsPerRegion; i++)
      out.push({ type: 'IPAMPOOL', region, id: `ipam-pool-${region}-${i}`, tags: { tmp: 'x', keep: 'k' } });
    for (let i = 0; i < peersPerRegion; i++)
      out.push({ type: 'PeerConnection', region, id: `pcc-${region}-${i}`, tags: { tmp: 'x', keep: 'k' } });
  }
  return out;
}

async function register(timeoutSeconds: number, env: Record<string, string> = {}) {
  const answer = await adminJson(h, 'POST', '/__admin/functions', {
    name: NAME,
    modulePath: bundle.bundlePath,
    timeoutSeconds,
    maxAsyncRetryAttempts: 2,
    // Shards and continuation hops journal to the emulator's OSS, each as a writer of its own.
    env: {
      VPC_TAG_CLEANUP_ENDPOINT: h.endpoint,
      VPC_TAG_CLEANUP_FC_ENDPOINT: h.url,
      VPC_TAG_CLEANUP_STORE: 'oss://fanout-runs/runs',
      ...env,
    },
  });
  expect(answer.function).toMatchObject({ name: NAME });
}

/** One manual asynchronous invocation on the FC 3.0 path: FC-signed through @alicloud/fc2, or through the FC 3.0 SDK. */
async function invokeAsync(payload: unknown, taskId: string, via: 'fc2' | 'fc20230330' = 'fc2') {
  if (via === 'fc20230330') {
    const sdk = createInvoker(
      {
        credentials: { accessKeyId: h.accessKeyId, accessKeySecret: h.accessKeySecret },
        accountId: h.accountId,
        region: h.region,
        endpoint: h.url,
      },
      { api: '2023-03-30', signature: 'acs3' },
    );
    expect(await sdk.invokeAsync(NAME, payload, taskId)).toMatchObject({ status: 'started', taskId });
    return;
  }
  const response = await fc.post(`/functions/${NAME}/invocations`, JSON.stringify(payload), {
    'x-fc-invocation-type': 'Async',
    'x-fc-async-task-id': taskId,
  });
  expect(response.headers['x-fc-request-id']).toBeTruthy();
}

async function waitIdle(timeoutMs = 45_000) {
  const answer = await adminJson(h, 'POST', '/__admin/invocations/wait', { timeoutMs });
  expect(answer).toMatchObject({ idle: true });
}

async function invocations(): Promise<Invocation[]> {
  return (await adminJson(h, 'GET', `/__admin/invocations?function=${NAME}`)).invocations;
}

async function expectAllClean() {
  for (const region of regions) {
    for (const type of ['IPAMPOOL', 'PeerConnection']) {
      const tags = Object.values(await tagsOf(h, type, region));
      expect(tags.length).toBeGreaterThan(0);
      for (const t of tags) expect(t, `${type} in ${region}`).toEqual({ keep: 'k' });
    }
  }
}

beforeAll(async () => {
  [h, bundle] = await Promise.all([
    startEmulator({ seed: 'none', quotaScale: 4, ossBuckets: ['fanout-runs'] }),
    buildBundle(),
  ]);
  fc = fc3Client(h.accountId, {
    accessKeyID: h.accessKeyId,
    accessKeySecret: h.accessKeySecret,
    region: h.region,
    endpoint: h.url,
  });
});

afterAll(async () => {
  await h?.close();
  await bundle?.dispose();
});

beforeEach(async () => {
  await h.admin.reset();
});

describe('fan-out and continuation through FC asynchronous invocations', () => {
  it('fans a three-region policy out to one shard per region, and every region ends clean', async () => {
    h.admin.upsert(seed(5, 3));
    await register(30);
    const policy = {
      name: 'fan',
      regions,
      resourceTypes: ['IPAMPOOL', 'PeerConnection'],
      remove: { keys: ['tmp'] },
      fanOut: true,
    };
    await invokeAsync({ policy, runId: 'fan-1' }, 'fan-1');
    await waitIdle();

    const all = await invocations();
    expect(all.every((i) => i.status === 'succeeded')).toBe(true);
    const parent = all.find((i) => i.taskId === 'fan-1')!;
    expect(parent.result.shards.map((s: { regions: string[]; status: string }) => [s.regions[0], s.status])).toEqual(
      regions.map((r) => [r, 'started']),
    );
    expect(parent.result.totals.untagged).toBe(0);
    const shards = all.filter((i) => i.taskId?.startsWith('fan-1-shard-'));
    expect(shards.map((s) => s.taskId).sort()).toEqual(regions.map((r) => `fan-1-shard-${r}`).sort());
    for (const s of shards) expect(s.result).toMatchObject({ ok: true, runId: 'fan-1', totals: { untagged: 8 } });
    await expectAllClean();

    // The shards share the run id, yet each keeps its own report: `runs` and `report --run` count all three.
    const store = 'oss://fanout-runs/runs';
    const env = { VPC_TAG_CLEANUP_ENDPOINT: h.endpoint };
    // The CLI's credential chain reads the process environment.
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = h.accessKeyId;
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = h.accessKeySecret;
    const runs = JSON.parse((await runCliInProcess(['runs', '--store', store, '--json'], env)).stdout);
    expect(runs.runs).toMatchObject([{ runId: 'fan-1', untagged: 24, keysRemoved: 24, reports: 3 }]);
    const report = JSON.parse(
      (await runCliInProcess(['report', '--run', 'fan-1', '--store', store, '--json'], env)).stdout,
    );
    expect(report).toMatchObject({ ok: true, runId: 'fan-1', totals: { untagged: 24 } });
    expect(report.parts.map((p: { taskId: string }) => p.taskId).sort()).toEqual(
      regions.map((r) => `fan-1-shard-${r}`).sort(),
    );
    expect(new Set(report.resources.map((o: { region: string }) => o.region))).toEqual(new Set(regions));
  });

  it('starts no shard twice when the same event is delivered again (task ids derived from the run id)', async () => {
    h.admin.upsert(seed(2, 1));
    await register(30);
    const policy = {
      name: 'fan',
      regions,
      resourceTypes: ['IPAMPOOL', 'PeerConnection'],
      remove: { keys: ['tmp'] },
      fanOut: true,
    };
    await invokeAsync({ policy, runId: 'dup-1' }, 'dup-1a');
    await waitIdle();
    const writesBefore = (await callCounts(h)).writes;
    // A re-delivery: same payload, a new outer task id (FC would keep the id; this reaches the shards).
    await invokeAsync({ policy, runId: 'dup-1' }, 'dup-1b');
    await waitIdle();

    const all = await invocations();
    const second = all.find((i) => i.taskId === 'dup-1b')!;
    expect(second.result.shards.map((s: { status: string }) => s.status)).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    expect(all.filter((i) => i.taskId?.startsWith('dup-1-shard-'))).toHaveLength(3);
    expect((await callCounts(h)).writes).toBe(writesBefore);
    await expectAllClean();
  });

  it.each(['fc', 'acs3'] as const)(
    'finishes a run cut by a short timeout through fan-out and continuations (fcInvokeSignature=%s)',
    async (mode) => {
      // 600 pools per region are 30 untag calls; at twice the published 300 calls/min for IPAM UntagResources
      // (10/s) they take 3 s, three times the 1 s that a 3 s timeout less a 2 s margin leaves an invocation.
      // A planner buffer of one batch keeps the work written after the deadline within the margin.
      h.admin.upsert(seed(600, 30));
      // The emulator grants what the engine is told (x2): the rate limiter climbs above its belief until
      // refused, so a looser emulator quota would let the run finish inside one invocation.
      h.admin.setQuotas({ scale: 2 });
      await register(3, {
        VPC_TAG_CLEANUP_LIMITS: JSON.stringify({
          deadlineMarginMs: 2000,
          deadlineMarginShare: 0.7,
          planBufferSize: 20,
        }),
        VPC_TAG_CLEANUP_QUOTA_SCALE: '2',
      });
      const policy = {
        name: 'long',
        regions,
        resourceTypes: ['IPAMPOOL', 'PeerConnection'],
        remove: { keys: ['tmp'] },
        fanOut: true,
        limits: { concurrency: 1 },
      };
      // Under acs3 every invocation (this one, the shards', the hops') must be ACS3-signed: FC-signed ones are refused.
      h.behaviour.set({ fcInvokeSignature: mode });
      await invokeAsync({ policy, runId: 'long-1' }, 'long-1', mode === 'acs3' ? 'fc20230330' : 'fc2');
      await waitIdle(60_000);

      const all = await invocations();
      const hops = all.filter((i) => /-hop-\d+$/.test(i.taskId ?? ''));
      expect(hops.length).toBeGreaterThanOrEqual(3);
      // Every invocation handed off before its timeout: none was killed and retried.
      expect(all.map((i) => [i.taskId, i.status, i.attempts])).toEqual(all.map((i) => [i.taskId, 'succeeded', 1]));
      // Each shard's chain ends in a report without a continuation.
      for (const region of regions) {
        const chain = all.filter(
          (i) => i.taskId === `long-1-shard-${region}` || i.taskId?.startsWith(`long-1-${region}-hop-`),
        );
        expect(chain.some((i) => i.status === 'succeeded' && i.result && !i.result.continuation)).toBe(true);
      }
      await expectAllClean();
    },
  );
});
