/**
 * The engine under a misbehaving cloud, through the real SDK against the emulator: resources that
 * vanish between listing and writing, throttling at quota, 5xx bursts, answers lost after the write
 * was applied, a deadline mid-run and its continuation, bad policies, and secrets kept out of output.
 */
import { describe, expect, it } from 'vitest';
import { createCloudPort } from '../../lib/cloud/client.ts';
import type { Policy, PolicyInput } from '../../lib/policy/schema.ts';
import { runCleanup } from '../../lib/run.ts';
import type { Continuation } from '../../lib/types.ts';
import { expectedAfter, many, TEST_LIMITS, useHarness } from './support/engine-harness.ts';

const SECRET = 'LTAI5tSeCrEt-ALIBABA_CLOUD_ACCESS_KEY_SECRET-9f8e7d6c5b4a';

const h = useHarness({ accessKeySecret: SECRET });

const R1 = 'cn-hangzhou';
const R2 = 'cn-shanghai';

describe('runCleanup when resources vanish between listing and writing', () => {
  it('salvages the rest of each batch and reports the vanished ids as skipped/not-found (IPAM)', async () => {
    const seeds = many('IPAMPOOL', R1, 'ipam-pool-v', 40, () => ({ CostCenter: 'c', keep: 'k' }));
    await h.seed(seeds);
    const gone = ['ipam-pool-v3', 'ipam-pool-v17', 'ipam-pool-v30'];
    const { report } = await h.run(
      { name: 'vanish', regions: [R1], resourceTypes: ['IPAMPOOL'], remove: { keys: ['CostCenter'] } },
      {},
      { onProgress: async () => void (await h.remove(gone.map((id) => ({ type: 'IPAMPOOL', region: R1, id })))) },
    );
    const expected = expectedAfter(
      seeds.filter((s) => !gone.includes(s.id)),
      (_, k) => k === 'CostCenter',
    );
    expect(await h.state()).toEqual(expected);
    const notFound = report.resources
      .filter((r) => r.reason === 'not-found')
      .map((r) => r.id)
      .sort();
    expect(notFound).toEqual([...gone].sort());
    expect(report.totals.untagged).toBe(37);
    expect(report.totals.failed).toBe(0);
  });

  it('does the same for VpcPeer (InvalidInstanceIds.NotFound)', async () => {
    const seeds = many('PeerConnection', R1, 'pcc-v', 20, () => ({ CostCenter: 'c' }));
    await h.seed(seeds);
    const { report } = await h.run(
      { name: 'vanish-peer', regions: [R1], resourceTypes: ['PeerConnection'], remove: { keys: ['CostCenter'] } },
      {},
      { onProgress: async () => void (await h.remove([{ type: 'PeerConnection', region: R1, id: 'pcc-v9' }])) },
    );
    expect(await h.state()).toEqual(
      expectedAfter(
        seeds.filter((s) => s.id !== 'pcc-v9'),
        () => true,
      ),
    );
    expect(report.resources.find((r) => r.id === 'pcc-v9')).toMatchObject({
      status: 'skipped',
      reason: 'not-found',
      code: 'InvalidInstanceIds.NotFound',
    });
  });
});

describe('runCleanup when a call is too large for the cloud', () => {
  it('halves a batch the cloud refuses as too large (limits raised past the documented 20 ids)', async () => {
    const seeds = many('PeerConnection', R1, 'pcc-big', 30, () => ({ CostCenter: 'c' }));
    await h.seed(seeds);
    const { report } = await h.run(
      { name: 'too-large', regions: [R1], resourceTypes: ['PeerConnection'], remove: { keys: ['CostCenter'] } },
      {},
      { tuning: { ...TEST_LIMITS, maxIdsPerCall: 30 } },
    );
    expect(await h.state()).toEqual(expectedAfter(seeds, () => true));
    expect(report.totals.failed).toBe(0);
    const codes = (await h.requests({ action: 'UnTagResources' })).map((r) => r.code);
    expect(codes[0]).toMatch(/^(NumberExceed|IllegalParamSize)\./);
    expect(codes.slice(1)).toEqual(['OK', 'OK']);
  });
});

describe('runCleanup under throttling and server errors', () => {
  it('backs off when the emulator throttles at its quota and still finishes the job', async () => {
    // The emulator grants 10 untag calls/s; the engine starts out believing in 250/s.
    await h.quotas({ scale: 1, perMinute: { 'VpcIpam:UntagResources': 600 } });
    const seeds = many('IPAM', R1, 'ipam-t', 400, (i) => ({ CostCenter: `${i}` }));
    await h.seed(seeds);
    const { report } = await h.run(
      { name: 'throttle', regions: [R1], resourceTypes: ['IPAM'], remove: { keys: ['CostCenter'] } },
      {},
      { tuning: { ...TEST_LIMITS, maxRetries: 12, retryBaseMs: 50, retryMaxMs: 500 } },
    );
    expect(await h.state()).toEqual(expectedAfter(seeds, () => true));
    expect(report.totals.failed).toBe(0);
    expect(report.totals.calls.throttled).toBeGreaterThan(0);
    const throttled = (await h.requests({ action: 'UntagResources' })).filter((r) => r.code.startsWith('Throttling'));
    expect(throttled.length).toBe(report.totals.calls.throttled);
  });

  it('retries through a burst of 5xx answers', async () => {
    await h.faults({
      rules: [{ kind: 'error', product: 'VpcIpam', action: 'UntagResources', code: 'ServiceUnavailable', count: 4 }],
    });
    const seeds = many('IPAMSCOPE', R1, 'ipam-scope-5', 45, () => ({ CostCenter: 'c' }));
    await h.seed(seeds);
    const { report } = await h.run({
      name: '5xx',
      regions: [R1],
      resourceTypes: ['IPAMSCOPE'],
      remove: { keys: ['CostCenter'] },
    });
    expect(await h.state()).toEqual(expectedAfter(seeds, () => true));
    expect(report.ok).toBe(true);
    expect(report.totals.calls.retried).toBe(4);
  });

  it('marks a batch that exhausts its retries failed with the code and request id, and goes on', async () => {
    await h.faults({
      rules: [{ kind: 'error', product: 'VpcIpam', action: 'UntagResources', region: R2, code: 'InternalError' }],
    });
    const seeds = [
      ...many('IPAM', R1, 'ipam-ok', 5, () => ({ CostCenter: 'c' })),
      ...many('IPAM', R2, 'ipam-bad', 3, () => ({ CostCenter: 'c' })),
    ];
    await h.seed(seeds);
    const { report } = await h.run({
      name: 'exhaust',
      regions: [R2, R1],
      resourceTypes: ['IPAM'],
      remove: { keys: ['CostCenter'] },
    });
    expect(await h.state()).toEqual(expectedAfter(seeds, (s) => s.region === R1));
    expect(report.ok).toBe(false);
    expect(report.totals.failed).toBe(3);
    const failed = report.resources.filter((r) => r.status === 'failed');
    for (const f of failed) expect(f).toMatchObject({ code: 'InternalError', requestId: expect.stringMatching(/.+/) });
    expect(report.errors[0]).toMatchObject({ code: 'InternalError', region: R2 });
  });

  it('resends the same ClientToken after a VpcPeer answer is lost, with no double effect', async () => {
    await h.faults({ rules: [{ kind: 'applied-then-lost', product: 'VpcPeer', action: 'UnTagResources', count: 1 }] });
    const seeds = many('PeerConnection', R1, 'pcc-l', 15, () => ({ CostCenter: 'c', keep: 'k' }));
    await h.seed(seeds);
    const { report } = await h.run({
      name: 'lost',
      regions: [R1],
      resourceTypes: ['PeerConnection'],
      remove: { keys: ['CostCenter'] },
    });
    expect(await h.state()).toEqual(expectedAfter(seeds, (_, k) => k === 'CostCenter'));
    const calls = await h.requests({ action: 'UnTagResources' });
    expect(calls.length).toBe(2);
    expect(calls[0]?.clientToken).toBeDefined();
    expect(calls[1]?.clientToken).toBe(calls[0]?.clientToken);
    expect(calls.map((c) => c.code)).toEqual(['AppliedThenLost', 'OK']);
    expect(report.totals.untagged).toBe(15);
    expect(report.totals.calls.retried).toBe(1);
  });
});

describe('runCleanup with a deadline', () => {
  it('stops between pages, abandons what it had not sent, and a second run from the continuation finishes the job', async () => {
    const seeds = [
      ...many('IPAM', R1, 'ipam-d', 250, () => ({ CostCenter: 'c' })),
      ...many('IPAMPOOL', R2, 'ipam-pool-d', 30, () => ({ CostCenter: 'c' })),
    ];
    await h.seed(seeds);
    const policy: PolicyInput = {
      name: 'deadline',
      regions: [R1, R2],
      resourceTypes: ['IPAM', 'IPAMPOOL'],
      remove: { keys: ['CostCenter'] },
    };
    const controller = new AbortController();
    let pages = 0;
    // Units listed one at a time (listConcurrency 1), so "the first page" is R1's first IPAM page; with
    // several units listing at once, which page comes first is a race (see the concurrent cases below).
    const first = await h.run(
      policy,
      { runId: 'run-d', signal: controller.signal },
      {
        tuning: { ...TEST_LIMITS, listConcurrency: 1 },
        onProgress: () => {
          if (++pages === 1) controller.abort();
        },
      },
    );
    // The first page's 100 selections were still in the planner when the deadline fired. The run had
    // sent no write yet, so it sends exactly one batch (the progress guarantee); the other 80 are
    // skipped/deadline, and the unit is listed again from the start rather than resumed.
    const cont = first.report.continuation as Continuation;
    expect(cont).toEqual({ version: 1, runId: 'run-d', done: [], hop: 1 });
    expect(first.report.totals).toMatchObject({
      scanned: 100,
      matched: 100,
      untagged: 20,
      skipped: 80,
      skippedBy: { deadline: 80 },
    });
    expect(first.report.totals.calls.untag).toBe(1);
    expect(Object.values(await h.state('IPAM')).filter((t) => 'CostCenter' in t).length).toBe(230);

    const second = await h.run(policy, { runId: 'run-d', continuation: JSON.parse(JSON.stringify(cont)) });
    expect(second.report.continuation).toBeUndefined();
    expect(second.report.totals.untagged).toBe(260);
    expect(await h.state()).toEqual(expectedAfter(seeds, () => true));
  });

  it('cuts a retry backoff at the deadline: returns at once, abandoned resources skipped/deadline, their unit redone by the continuation', async () => {
    await h.faults({
      rules: [{ kind: 'error', product: 'VpcIpam', action: 'UntagResources', region: R2, code: 'ServiceUnavailable' }],
    });
    const seeds = [
      ...many('IPAM', R1, 'ipam-f', 10, () => ({ CostCenter: 'c' })),
      ...many('IPAMPOOL', R2, 'ipam-pool-f', 30, () => ({ CostCenter: 'c' })),
    ];
    await h.seed(seeds);
    const policy: PolicyInput = {
      name: 'deadline-backoff',
      regions: [R1, R2],
      resourceTypes: ['IPAM', 'IPAMPOOL'],
      remove: { keys: ['CostCenter'] },
    };
    const controller = new AbortController();
    // Backoffs of up to 20 s each: without the cut, six retries would take about a minute.
    const slow = { ...TEST_LIMITS, retryBaseMs: 20_000, retryMaxMs: 20_000 };
    const started = performance.now();
    const timer = setTimeout(() => controller.abort(), 400);
    const first = await h.run(policy, { runId: 'run-b', signal: controller.signal }, { tuning: slow });
    clearTimeout(timer);
    expect(performance.now() - started).toBeLessThan(3_000);
    // Every untag call that reached the emulator was answered (in-flight calls finish); none went out after.
    const sentBefore = (await h.requests({ action: 'UntagResources' })).length;
    expect(first.report.totals.calls.untag).toBe(sentBefore);
    expect(first.report.totals).toMatchObject({ untagged: 10, failed: 0, skipped: 30, skippedBy: { deadline: 30 } });
    const cont = first.report.continuation as Continuation;
    // IPAM in R1 was written; the R2 pools' batches were abandoned, so their unit is not done.
    expect(cont.done).toEqual([
      { region: R1, type: 'IPAM' },
      { region: R1, type: 'IPAMPOOL' },
      { region: R2, type: 'IPAM' },
    ]);
    expect(cont.cursor).toBeUndefined();

    await h.faults({ rules: [] });
    const second = await h.run(policy, { runId: 'run-b', continuation: cont });
    expect(second.report.continuation).toBeUndefined();
    expect(second.report.totals).toMatchObject({ scanned: 30, untagged: 30 });
    expect(await h.state()).toEqual(expectedAfter(seeds, () => true));
  });

  it("cuts a list call's retry backoff at the deadline too: no run error, the unlisted unit left for the continuation", async () => {
    await h.faults({
      rules: [{ kind: 'error', product: 'VpcIpam', action: 'ListIpamPools', region: R2, code: 'ServiceUnavailable' }],
    });
    const seeds = [
      ...many('IPAMPOOL', R1, 'ipam-pool-g', 10, () => ({ CostCenter: 'c' })),
      ...many('IPAMPOOL', R2, 'ipam-pool-h', 10, () => ({ CostCenter: 'c' })),
    ];
    await h.seed(seeds);
    const policy: PolicyInput = {
      name: 'deadline-list',
      regions: [R1, R2],
      resourceTypes: ['IPAMPOOL'],
      remove: { keys: ['CostCenter'] },
    };
    const controller = new AbortController();
    const started = performance.now();
    const timer = setTimeout(() => controller.abort(), 400);
    const first = await h.run(
      policy,
      { signal: controller.signal },
      { tuning: { ...TEST_LIMITS, retryBaseMs: 20_000, retryMaxMs: 20_000 } },
    );
    clearTimeout(timer);
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(first.report.errors).toEqual([]);
    // R1's listing ended before the deadline, so its planner group was sent at once and R1 is done;
    // R2's listing was cut by the deadline and is left whole to the continuation.
    expect(first.report.continuation).toMatchObject({ done: [{ region: R1, type: 'IPAMPOOL' }], hop: 1 });
    expect(first.report.continuation?.cursor).toBeUndefined();
    expect(first.report.totals.untagged).toBe(10);
    await h.faults({ rules: [] });
    const second = await h.run(policy, { continuation: first.report.continuation as Continuation });
    expect(second.report.continuation).toBeUndefined();
    expect(await h.state()).toEqual(expectedAfter(seeds, () => true));
  });

  it('resumes a big unit from the first page still holding an abandoned resource, not from the start', async () => {
    // More than the planner's buffer (2,000 per group), so batches go out while listing goes on.
    const seeds = many('IPAM', R1, 'ipam-big-', 2_600, () => ({ CostCenter: 'c' }));
    await h.seed(seeds);
    const policy: PolicyInput = {
      name: 'deadline-big',
      regions: [R1],
      resourceTypes: ['IPAM'],
      remove: { keys: ['CostCenter'] },
    };
    const controller = new AbortController();
    let pages = 0;
    const first = await h.run(
      policy,
      { signal: controller.signal },
      {
        onProgress: () => {
          if (++pages === 24) controller.abort();
        },
      },
    );
    const cont = first.report.continuation as Continuation;
    const t = first.report.totals;
    expect(t.scanned).toBe(2_400);
    expect(t.untagged).toBeGreaterThan(0);
    expect(t.untagged + (t.skippedBy?.deadline ?? 0)).toBe(2_400);
    expect(cont.done).toEqual([]);
    // Resumed past page 1 (the pages before it were written in full), at or before the earliest abandoned one.
    expect(cont.cursor).toMatchObject({ region: R1, type: 'IPAM', lister: 'ListIpams' });
    const second = await h.run(policy, { continuation: cont });
    expect(second.report.continuation).toBeUndefined();
    expect(second.report.totals.scanned).toBeLessThan(2_600);
    expect(await h.state()).toEqual(expectedAfter(seeds, () => true));
  });

  it('lists a key-stream unit (Vpc) again when the deadline abandoned its first page, and the continuation finishes it', async () => {
    const seeds = many('VPC', R1, 'vpc-d', 60, (i) => ({ a: '1', ...(i % 2 ? { b: '2' } : {}) }));
    await h.seed(seeds);
    const policy: PolicyInput = {
      name: 'deadline-vpc',
      regions: [R1],
      resourceTypes: ['VPC'],
      remove: { keys: ['a', 'b'] },
    };
    const controller = new AbortController();
    const first = await h.run(policy, { signal: controller.signal }, { onProgress: () => controller.abort() });
    expect(first.report.continuation).toEqual({ version: 1, runId: expect.any(String), done: [], hop: 1 });
    // No write had gone out yet: one planned batch is sent past the deadline so the hop makes progress.
    expect(first.report.totals.calls.untag).toBe(1);
    const second = await h.run(policy, { continuation: first.report.continuation as Continuation });
    expect(second.report.continuation).toBeUndefined();
    expect(await h.state()).toEqual(expectedAfter(seeds, () => true));
  });
});

describe('runCleanup continued hop after hop', () => {
  it('always finishes, even when the deadline of every hop fires before its planner has sent anything', async () => {
    // 900 pools in 9 pages of 100; the default planner buffer (2,000) holds every selection until the
    // unit's listing ends, and each hop's deadline fires after its first page. Without the progress
    // guarantee each hop would abandon all it planned and list the same first page again, forever.
    const seeds = many('IPAMPOOL', R1, 'ipam-pool-s', 900, () => ({ CostCenter: 'c', keep: 'k' }));
    await h.seed(seeds);
    const policy: PolicyInput = {
      name: 'stall',
      regions: [R1],
      resourceTypes: ['IPAMPOOL'],
      remove: { keys: ['CostCenter'] },
    };
    let continuation: Continuation | undefined;
    let hops = 0;
    do {
      const controller = new AbortController();
      const { report } = await h.run(
        policy,
        { runId: 'run-stall', signal: controller.signal, ...(continuation ? { continuation } : {}) },
        { onProgress: () => controller.abort() },
      );
      // Each hop either writes (at least the one guaranteed batch) or, finding its page clean, moves past it.
      expect(
        report.totals.calls.untag > 0 || report.continuation?.cursor !== undefined || report.continuation === undefined,
      ).toBe(true);
      continuation = report.continuation ? JSON.parse(JSON.stringify(report.continuation)) : undefined;
      hops++;
    } while (continuation && hops < 200);
    expect(continuation).toBeUndefined();
    // Every hop sends at least one full batch (20 pools) or moves its cursor past a clean page, so the
    // chain is bounded by 2 x ceil(900 / 20) hops (77 here: abandoned work is listed again, which costs hops).
    expect(hops).toBeLessThanOrEqual(90);
    expect(await h.state()).toEqual(expectedAfter(seeds, (_, k) => k === 'CostCenter'));
  });
});

describe('runCleanup input and secrets', () => {
  it('answers bad policies with every issue and makes zero cloud calls', async () => {
    const bad = [
      { name: 'x', regions: [], resourceTypes: ['IPAM'], remove: { keys: ['a'] } },
      { name: 'x', regions: [R1], resourceTypes: ['NOPE'], remove: { keys: ['a'] } },
      { name: 'x', regions: [R1], resourceTypes: ['IPAM'], remove: { keys: ['a'] }, surprise: 1 },
      { name: 'x', regions: [R1], resourceTypes: ['IPAM'], remove: { keyPatterns: ['(['] } },
      { name: 'x', regions: [R1], resourceTypes: ['IPAM'], remove: { keys: ['1-starts-with-digit'] } },
    ];
    for (const policy of bad) {
      const { report } = await runCleanup({ policy: policy as unknown as Policy, runId: 'bad' }, { cloud: h.cloud });
      expect(report.ok).toBe(false);
      expect(report.error?.code).toBe('INVALID_POLICY');
      expect(report.error?.issues?.length).toBeGreaterThan(0);
    }
    expect((await h.stats()).total).toBe(0);
  });

  it('never prints the access key secret or the security token in a report or a log line', async () => {
    await h.faults({
      rules: [{ kind: 'error', product: 'VpcIpam', action: 'UntagResources', code: 'InternalError', region: R2 }],
    });
    const seeds = [
      ...many('IPAM', R1, 'ipam-s', 5, () => ({ CostCenter: 'c' })),
      ...many('IPAM', R2, 'ipam-s2', 2, () => ({ CostCenter: 'c' })),
    ];
    await h.seed(seeds);
    const lines: string[] = [];
    const policy: PolicyInput = {
      name: 'secret',
      regions: [R1, R2],
      resourceTypes: ['IPAM'],
      remove: { keys: ['CostCenter'] },
    };
    const a = await h.run(policy, {}, { log: (l) => lines.push(l) });
    // STS-style credentials too: a wrong token must not leak either.
    const session = h.emu.credentials.issueSession();
    const sts = createCloudPort({
      credentials: { ...session, securityToken: `${session.securityToken}x` },
      endpoint: h.emu.endpoint,
      tuning: TEST_LIMITS,
    });
    const b = await runCleanup(
      { policy: policy as Policy, runId: 'sts' },
      { cloud: sts, tuning: TEST_LIMITS, log: (l) => lines.push(l) },
    );
    expect(a.report.totals.failed).toBe(2);
    expect(b.report.errors.length).toBeGreaterThan(0);
    const out = [JSON.stringify(a), JSON.stringify(b), ...lines].join('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of [SECRET, session.accessKeySecret, session.securityToken]) expect(out).not.toContain(secret);
  });
});
