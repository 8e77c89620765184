/**
 * The function takes a reviewed plan the way `run --plan` does (issue 10 item 4): `{"plan": <plan>}` or
 * `{"plan": "oss://bucket/key"}`, through the built bundle on the emulator. Only the plan's (resource,
 * key, value) entries go, a value changed since the plan stays (`changed-since-plan`), nothing the policy
 * would select now beyond the plan; a bad or edited plan is answered naming the field, with zero cloud
 * calls. A plan run that fans out and continues through real FC asynchronous invocations passes the plan
 * by reference (the run store's `<runId>/plan.json`): its shards' and hops' payloads stay small although
 * the plan is larger than FC's 128 KB asynchronous payload. Expected end states are written out here.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { createInvoker } from '../../lib/invoker/index.ts';
import type { Policy } from '../../lib/policy/schema.ts';
import { buildPlan, type PlanDocument, type PlannedResource } from '../../lib/reviewed-plan/document.ts';
import { createOssStore } from '../../lib/store/oss.ts';
import { readReportParts, readRunReport } from '../../lib/store/run-reports.ts';
import { adminJson, type BuiltBundle, buildBundle, callCounts, fcContext, tagsOf } from './support/function-bundle.ts';

const BUCKET = 'plan-runs';
let h: Emulator;
let bundle: BuiltBundle;
beforeAll(async () => {
  [h, bundle] = await Promise.all([startEmulator({ seed: 'none', ossBuckets: [BUCKET] }), buildBundle()]);
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
}, 120_000);
afterAll(async () => {
  vi.restoreAllMocks();
  delete process.env.VPC_TAG_CLEANUP_ENDPOINT;
  delete process.env.VPC_TAG_CLEANUP_STORE;
  await h?.close();
  await bundle?.dispose();
});
beforeEach(async () => {
  await h.admin.reset();
  h.oss.createBucket(BUCKET);
  process.env.VPC_TAG_CLEANUP_ENDPOINT = h.endpoint;
  process.env.VPC_TAG_CLEANUP_STORE = `oss://${BUCKET}/runs`;
});

const R = 'cn-hangzhou';
const policy = {
  name: 'fn-plan',
  regions: [R],
  resourceTypes: ['IPAMPOOL', 'PeerConnection'],
  remove: { keys: ['tmp'] },
  dryRun: false,
} as Policy;

const planOf = (p: Policy, resources: PlannedResource[]) =>
  buildPlan({ policy: p, runId: 'plan-dry', createdAt: new Date('2026-01-01T00:00:00Z'), resources });

const store = () =>
  createOssStore({
    bucket: BUCKET,
    prefix: '',
    location: `oss://${BUCKET}`,
    accessKeyId: h.accessKeyId,
    accessKeySecret: h.accessKeySecret,
    endpoint: h.url,
  });

const invoke = (payload: unknown) => bundle.handler(Buffer.from(JSON.stringify(payload)), fcContext(h));

/** The reviewed state: three resources carry `tmp`; the plan says two of them lose it. */
function seedAndPlan(): PlanDocument {
  h.admin.upsert([
    { type: 'IPAMPOOL', region: R, id: 'ipam-pool-p1', tags: { tmp: 'a', keep: 'k' } },
    { type: 'IPAMPOOL', region: R, id: 'ipam-pool-p2', tags: { tmp: 'b' } },
    { type: 'PeerConnection', region: R, id: 'pcc-p3', tags: { tmp: 'c', env: 'dev' } },
  ]);
  return planOf(policy, [
    { region: R, type: 'IPAMPOOL', id: 'ipam-pool-p1', tags: { tmp: 'a' } },
    { region: R, type: 'IPAMPOOL', id: 'ipam-pool-p2', tags: { tmp: 'b' } },
  ]);
}

/** Between review and run: p2's value changes, and a new pool the policy would select appears. */
function mutate() {
  h.admin.upsert([
    { type: 'IPAMPOOL', region: R, id: 'ipam-pool-p2', tags: { tmp: 'B' } },
    { type: 'IPAMPOOL', region: R, id: 'ipam-pool-p4', tags: { tmp: 'd' } },
  ]);
}

async function expectReviewedOnly() {
  expect(await tagsOf(h, 'IPAMPOOL', R)).toEqual({
    'ipam-pool-p1': { keep: 'k' },
    'ipam-pool-p2': { tmp: 'B' },
    'ipam-pool-p4': { tmp: 'd' },
  });
  expect(await tagsOf(h, 'PeerConnection', R)).toEqual({ 'pcc-p3': { tmp: 'c', env: 'dev' } });
}

describe('the function runs a reviewed plan', () => {
  it('takes {"plan": <plan>}: only its entries go, a changed value is skipped, the plan is kept in the store', async () => {
    const plan = seedAndPlan();
    mutate();
    const report = await invoke({ plan, runId: 'fp-inline' });
    expect(report).toMatchObject({ ok: true, runId: 'fp-inline', policy: 'fn-plan', totals: { untagged: 1 } });
    const byId = Object.fromEntries(report.resources.map((o: { id: string }) => [o.id, o]));
    expect(byId['ipam-pool-p1']).toMatchObject({ status: 'untagged', keys: ['tmp'], values: { tmp: 'a' } });
    expect(byId['ipam-pool-p2']).toMatchObject({ status: 'skipped', reason: 'changed-since-plan' });
    expect(byId['ipam-pool-p4']).toBeUndefined();
    await expectReviewedOnly();
    expect(JSON.parse((await store().get('runs/fp-inline/plan.json')) ?? '{}').planHash).toBe(plan.planHash);
  });

  it('takes {"plan": "oss://bucket/key"}, read through the store client', async () => {
    const plan = seedAndPlan();
    await store().put('reviewed/plan-1.json', JSON.stringify(plan));
    mutate();
    const report = await invoke({ plan: `oss://${BUCKET}/reviewed/plan-1.json`, runId: 'fp-oss' });
    expect(report).toMatchObject({ ok: true, totals: { untagged: 1 } });
    await expectReviewedOnly();
  });

  it.each([
    [
      'an edited policy (hash)',
      (p: PlanDocument) => ({ plan: { ...p, policy: { ...p.policy, name: 'x' } } }),
      'plan.policyHash',
      'INVALID_PLAN',
    ],
    [
      'an edited resource list',
      (p: PlanDocument) => ({ plan: { ...p, resources: [] } }),
      'plan.planHash',
      'INVALID_PLAN',
    ],
    [
      'a plan of the wrong shape',
      (p: PlanDocument) => ({ plan: { ...p, version: 2 } }),
      'plan.version',
      'INVALID_PLAN',
    ],
    ['not a plan', () => ({ plan: 42 }), 'plan', 'INVALID_PLAN'],
    ['a URL that is not oss://', () => ({ plan: 'https://example.com/plan.json' }), 'plan', 'INVALID_PLAN'],
    ['a plan and a policy', (p: PlanDocument) => ({ plan: p, policy }), 'policy', 'INVALID_INPUT'],
    ['an OSS object that is not there', () => ({ plan: `oss://${BUCKET}/nope.json` }), 'plan', 'INVALID_PLAN'],
  ] as const)('refuses %s naming the field, with zero cloud calls', async (_name, payload, path, code) => {
    const plan = seedAndPlan();
    const report = await invoke({ ...payload(plan), runId: 'fp-bad' });
    expect(report).toMatchObject({ ok: false, error: { code } });
    expect(report.error.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect((await callCounts(h)).total).toBe(0);
  });
});

describe('a plan run through FC asynchronous invocations', () => {
  const regions = ['cn-hangzhou', 'cn-shanghai'];
  const NAME = 'vpc-tag-cleanup';
  // Long values make the plan larger than FC's 128 KB asynchronous payload: it cannot travel inline.
  const value = (i: number) => `${'v'.repeat(400)}-${i}`;

  it('fans out and continues with the plan by reference, and removes exactly what the plan names', async () => {
    const pools = regions.flatMap((region) =>
      Array.from({ length: 150 }, (_, i) => ({
        type: 'IPAMPOOL',
        region,
        id: `ipam-pool-${region}-${i}`,
        tags: { tmp: value(i), keep: 'k' },
      })),
    );
    h.admin.upsert(pools);
    const fanPolicy = { ...policy, regions, resourceTypes: ['IPAMPOOL'], fanOut: true } as Policy;
    const plan = planOf(
      fanPolicy,
      pools.map((p) => ({ region: p.region, type: 'IPAMPOOL' as const, id: p.id, tags: { tmp: p.tags.tmp } })),
    );
    expect(JSON.stringify(plan).length).toBeGreaterThan(128 * 1024);
    await store().put('reviewed/big.json', JSON.stringify(plan));
    // After review: one value changes, one planned pool goes, one pool the policy would take appears.
    h.admin.upsert([
      { type: 'IPAMPOOL', region: R, id: 'ipam-pool-cn-hangzhou-7', tags: { tmp: 'changed', keep: 'k' } },
      { type: 'IPAMPOOL', region: R, id: 'ipam-pool-hz-new', tags: { tmp: 'new' } },
    ]);
    h.admin.remove([{ type: 'IPAMPOOL', region: R, id: 'ipam-pool-cn-hangzhou-9' }]);

    // 8 untag calls per region at 2.5 calls/s take longer than the ~1 s a 3 s timeout less its margin
    // leaves an invocation: every shard hands on at least once.
    h.admin.setQuotas({ scale: 0.5 });
    const answer = await adminJson(h, 'POST', '/__admin/functions', {
      name: NAME,
      modulePath: bundle.bundlePath,
      timeoutSeconds: 3,
      maxAsyncRetryAttempts: 2,
      env: {
        VPC_TAG_CLEANUP_ENDPOINT: h.endpoint,
        VPC_TAG_CLEANUP_FC_ENDPOINT: h.url,
        VPC_TAG_CLEANUP_STORE: `oss://${BUCKET}/runs`,
        VPC_TAG_CLEANUP_LIMITS: JSON.stringify({
          deadlineMarginMs: 2000,
          deadlineMarginShare: 0.7,
          planBufferSize: 20,
        }),
        VPC_TAG_CLEANUP_QUOTA_SCALE: '0.5',
      },
    });
    expect(answer.function).toMatchObject({ name: NAME });
    // The first invocation as a user starts it: asynchronous, through the FC 3.0 SDK.
    const fc = createInvoker(
      {
        credentials: { accessKeyId: h.accessKeyId, accessKeySecret: h.accessKeySecret },
        accountId: h.accountId,
        region: h.region,
        endpoint: h.url,
      },
      { api: '2023-03-30', signature: 'acs3' },
    );
    h.behaviour.set({ fcInvokeSignature: 'either' });
    const payload = { plan: `oss://${BUCKET}/reviewed/big.json`, runId: 'fp-fan' };
    expect(await fc.invokeAsync(NAME, payload, 'fp-fan')).toMatchObject({ status: 'started' });
    expect(await adminJson(h, 'POST', '/__admin/invocations/wait', { timeoutMs: 45_000 })).toMatchObject({
      idle: true,
    });

    const all = (await adminJson(h, 'GET', `/__admin/invocations?function=${NAME}`)).invocations as Array<{
      taskId?: string;
      status: string;
      payloadBytes: number;
      result?: { ok: boolean; continuation?: unknown };
    }>;
    expect(all.map((i) => [i.taskId, i.status])).toEqual(all.map((i) => [i.taskId, 'succeeded']));
    const selfInvoked = all.filter((i) => i.taskId !== 'fp-fan');
    expect(selfInvoked.filter((i) => i.taskId?.includes('-shard-'))).toHaveLength(2);
    expect(selfInvoked.filter((i) => i.taskId?.includes('-hop-')).length).toBeGreaterThanOrEqual(2);
    for (const i of selfInvoked) expect(i.payloadBytes, i.taskId).toBeLessThan(2048);

    // Exactly the plan: every planned value went, the changed one and the new pool stay.
    for (const region of regions) {
      const tags = await tagsOf(h, 'IPAMPOOL', region);
      for (let i = 0; i < 150; i++) {
        const id = `ipam-pool-${region}-${i}`;
        if (region === R && i === 9) expect(tags[id]).toBeUndefined();
        else if (region === R && i === 7) expect(tags[id]).toEqual({ tmp: 'changed', keep: 'k' });
        else expect(tags[id], id).toEqual({ keep: 'k' });
      }
      if (region === R) expect(tags['ipam-pool-hz-new']).toEqual({ tmp: 'new' });
    }
    // Every shard's and hop's report is kept; merged, each planned resource has one outcome.
    const runs = createOssStore({
      bucket: BUCKET,
      prefix: 'runs',
      location: `oss://${BUCKET}/runs`,
      accessKeyId: h.accessKeyId,
      accessKeySecret: h.accessKeySecret,
      endpoint: h.url,
    });
    // No hop calls a resource an earlier hop already cleaned "changed since the plan".
    const parts = await readReportParts(runs, 'fp-fan');
    const changed = parts.flatMap((p) => p.report.resources.filter((o) => o.reason === 'changed-since-plan'));
    expect(new Set(changed.map((o) => o.id))).toEqual(new Set(['ipam-pool-cn-hangzhou-7', 'ipam-pool-cn-hangzhou-9']));
    const merged = await readRunReport(runs, 'fp-fan');
    expect(merged?.totals).toMatchObject({ untagged: 298, skipped: 2, failed: 0 });
    expect(merged?.totals.skippedBy).toMatchObject({ 'changed-since-plan': 2 });
  }, 60_000);
});
