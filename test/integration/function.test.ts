import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import {
  type BuiltBundle,
  buildBundle,
  callCounts,
  fcContext,
  type SeedResource,
  tagsOf,
} from './support/function-bundle.ts';

const regions = ['cn-hangzhou', 'cn-shanghai'];
const policy = {
  name: 'fn-test',
  regions,
  resourceTypes: ['IPAMPOOL', 'PeerConnection'],
  remove: { keys: ['tmp', 'legacy'] },
  protect: { keys: ['owner'] },
};
const envPolicy = {
  name: 'config-driven',
  regions,
  resourceTypes: ['IPAMPOOL', 'PeerConnection', 'VPC'],
  remove: { keys: ['tmp'] },
};

let h: Emulator;
let bundle: BuiltBundle;
let logLines: string[];

function seed(): SeedResource[] {
  const out: SeedResource[] = [];
  for (const region of regions) {
    for (let i = 1; i <= 3; i++) {
      out.push({
        type: 'IPAMPOOL',
        region,
        id: `ipam-pool-${region}-${i}`,
        tags: { tmp: 'x', legacy: 'y', owner: 'me', keep: 'k' },
      });
      out.push({ type: 'PeerConnection', region, id: `pcc-${region}-${i}`, tags: { tmp: 'x', keep: 'k' } });
    }
    out.push({ type: 'VPC', region, id: `vpc-${region}-1`, tags: { tmp: 'x' } });
  }
  return out;
}

const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));
const invoke = (event: Buffer, context: unknown = fcContext(h)) => bundle.handler(event, context);
const reportLines = () => logLines.map((l) => JSON.parse(l)).filter((r) => r.kind === 'report');

function configEvent(
  id: string,
  resourceId: string,
  resourceType: string,
  regionId: string,
  extra: Record<string, unknown> = {},
) {
  return {
    specversion: '1.0',
    id,
    source: 'acs.config',
    type: 'config:Config:NonCompliantNotification',
    aliyunregionid: regionId,
    aliyunaccountid: h.accountId,
    data: {
      complianceType: 'NON_COMPLIANT',
      annotation: '{"property":"$.Tags"}',
      evaluationResultIdentifier: {
        orderingTimestamp: '1748917125166',
        evaluationResultQualifier: { resourceId, resourceType, regionId },
      },
      ...extra,
    },
  };
}

beforeAll(async () => {
  [h, bundle] = await Promise.all([startEmulator({ seed: 'none' }), buildBundle()]);
  process.env.VPC_TAG_CLEANUP_ENDPOINT = h.endpoint;
  // These tests are about the handler, not the journal (test/integration/function-store.test.ts is).
  process.env.VPC_TAG_CLEANUP_STORE = 'none';
  process.env.VPC_TAG_CLEANUP_POLICY = JSON.stringify(envPolicy);
});

afterAll(async () => {
  delete process.env.VPC_TAG_CLEANUP_ENDPOINT;
  delete process.env.VPC_TAG_CLEANUP_STORE;
  delete process.env.VPC_TAG_CLEANUP_POLICY;
  await h?.close();
  await bundle?.dispose();
});

beforeEach(async () => {
  await h.admin.reset();
  h.admin.upsert(seed());
  logLines = [];
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
    logLines.push(String(line));
  });
  return () => vi.restoreAllMocks();
});

describe('the built function bundle', () => {
  it('runs a manual {policy, runId} payload to a clean state and logs the report as one JSON line', async () => {
    const report = await invoke(bytes({ policy, runId: 'manual-1' }));
    expect(report).toMatchObject({ ok: true, runId: 'manual-1', policy: 'fn-test', dryRun: false });
    expect(report.totals.untagged).toBe(12);
    for (const region of regions) {
      for (const tags of Object.values(await tagsOf(h, 'IPAMPOOL', region)))
        expect(tags).toEqual({ owner: 'me', keep: 'k' });
      for (const tags of Object.values(await tagsOf(h, 'PeerConnection', region))) expect(tags).toEqual({ keep: 'k' });
      expect(Object.values(await tagsOf(h, 'VPC', region))[0]).toEqual({ tmp: 'x' });
    }
    expect(reportLines()).toHaveLength(1);
    expect(reportLines()[0]).toMatchObject({ runId: 'manual-1', ok: true });
  });

  it('cuts a long resource list in its answer and writes the whole list to the log in parts', async () => {
    process.env.VPC_TAG_CLEANUP_LIMITS = JSON.stringify({ reportResourceCap: 5, logResourcesPerLine: 4 });
    try {
      const report = await invoke(bytes({ policy, runId: 'cut-1' }));
      expect(report).toMatchObject({ ok: true, resourcesTruncated: true, totals: { untagged: 12 } });
      expect(report.resources).toHaveLength(5);
      const parts = logLines.map((l) => JSON.parse(l)).filter((r) => r.kind === 'resources');
      const logged = parts.flatMap((p) => p.resources);
      expect(parts.map((p) => [p.runId, p.part, p.resources.length <= 4, p.last === true])).toEqual(
        parts.map((_, i) => ['cut-1', i + 1, true, i === parts.length - 1]),
      );
      expect(logged.filter((r: { status: string }) => r.status === 'untagged')).toHaveLength(12);
      expect(new Set(logged.map((r: { id: string }) => r.id)).size).toBe(logged.length);
    } finally {
      delete process.env.VPC_TAG_CLEANUP_LIMITS;
    }
  });

  it('keeps the SDKs out of the file a cold start compiles: the engine and fc2 ship as lazy chunks, without the Vpc typed client', () => {
    const dir = path.dirname(bundle.bundlePath);
    const main = readFileSync(bundle.bundlePath, 'utf8');
    expect(statSync(bundle.bundlePath).size).toBeLessThan(1024 * 1024);
    expect(main).toContain('require("./engine.js")');
    expect(main).toContain('require("./fc2.js")');
    expect(main).not.toContain('ali-oss');
    const engine = readFileSync(path.join(dir, 'engine.js'), 'utf8');
    // A model class of @alicloud/vpc20160428: an IPAM/VpcPeer run must never load that package.
    expect(engine).not.toContain('DescribeVpcsResponseBody');
    expect(engine).toContain('callApi');
    expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
  });

  it('runs a bare policy object', async () => {
    const report = await invoke(bytes({ ...policy, regions: ['cn-shanghai'], resourceTypes: ['PeerConnection'] }));
    expect(report).toMatchObject({ ok: true, totals: { untagged: 3 } });
    expect(Object.values(await tagsOf(h, 'PeerConnection', 'cn-hangzhou'))[0]).toHaveProperty('tmp');
  });

  it('runs a timer tick, and the same tick again changes nothing (zero writes)', async () => {
    const tick = bytes({
      triggerTime: '2026-01-02T19:00:00Z',
      triggerName: 'nightly',
      payload: JSON.stringify({ policy }),
    });
    const first = await invoke(tick);
    expect(first).toMatchObject({ ok: true, runId: 'timer-nightly-20260102T190000Z' });
    expect(first.totals.untagged).toBe(12);
    const before = await callCounts(h);
    const second = await invoke(tick);
    const after = await callCounts(h);
    expect(second).toMatchObject({ ok: true, runId: first.runId, totals: { untagged: 0 } });
    expect(after.writes - before.writes).toBe(0);
  });

  it('cleans exactly the resource a Cloud Config event names, with the environment policy', async () => {
    const report = await invoke(
      bytes(configEvent('evt-1', 'ipam-pool-cn-shanghai-2', 'ACS::VPC::IPAMPool', 'cn-shanghai')),
    );
    expect(report).toMatchObject({ ok: true, runId: 'evt-1', policy: 'config-driven', totals: { untagged: 1 } });
    const pools = await tagsOf(h, 'IPAMPOOL', 'cn-shanghai');
    expect(pools['ipam-pool-cn-shanghai-2']).toEqual({ legacy: 'y', owner: 'me', keep: 'k' });
    expect(pools['ipam-pool-cn-shanghai-1']).toHaveProperty('tmp');
    expect(pools['ipam-pool-cn-shanghai-3']).toHaveProperty('tmp');
  });

  it('cleans every resource named by an array of events in one run, ignoring the unrelated one', async () => {
    const events = [
      configEvent('a', 'pcc-cn-hangzhou-1', 'ACS::VpcPeer::PeerConnection', 'cn-hangzhou'),
      { specversion: '1.0', id: 'z', source: 'acs.vpc', type: 'vpc:ActionTrail:ApiCall', data: {} },
      configEvent('b', 'vpc-cn-shanghai-1', 'ACS::VPC::VPC', 'cn-shanghai', { annotation: { property: '$.Tags' } }),
    ];
    const report = await invoke(bytes(events));
    expect(report).toMatchObject({ ok: true, totals: { untagged: 2 } });
    expect(report.notes.join()).toContain('event 1: ignored');
    expect((await tagsOf(h, 'PeerConnection', 'cn-hangzhou'))['pcc-cn-hangzhou-1']).toEqual({ keep: 'k' });
    expect((await tagsOf(h, 'PeerConnection', 'cn-hangzhou'))['pcc-cn-hangzhou-2']).toHaveProperty('tmp');
    expect((await tagsOf(h, 'VPC', 'cn-shanghai'))['vpc-cn-shanghai-1']).toEqual({});
  });

  it('answers an event of another type as ignored, with zero cloud calls', async () => {
    const before = await callCounts(h);
    const answer = await invoke(
      bytes({ specversion: '1.0', id: 'x', source: 'acs.vpc', type: 'vpc:ActionTrail:ApiCall', data: {} }),
    );
    expect(answer).toMatchObject({ ok: true, ignored: expect.stringContaining('vpc:ActionTrail:ApiCall') });
    expect((await callCounts(h)).total).toBe(before.total);
  });

  it.each([
    ['garbage bytes', Buffer.from([0xff, 0x00, 0xfe, 0x12])],
    ['an empty event', Buffer.alloc(0)],
    ['text that is not JSON', Buffer.from('remove all the tags please')],
    ['a policy with errors', bytes({ policy: { name: '', regions: [], resourceTypes: ['NOPE'], remove: {} } })],
    [
      'a timer tick with a bad payload',
      bytes({ triggerTime: '2026-01-02T19:00:00Z', triggerName: 'n', payload: '{"policy":{"name":"x"}}' }),
    ],
  ])('answers %s with ok:false and its issues, without throwing or calling the cloud', async (_name, event) => {
    const before = await callCounts(h);
    const answer = await invoke(event);
    expect(answer.ok).toBe(false);
    expect(answer.error.code).toMatch(/^INVALID_/);
    expect(answer.error.issues.length).toBeGreaterThan(0);
    expect((await callCounts(h)).total).toBe(before.total);
    const logged = logLines.map((l) => JSON.parse(l));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ kind: 'invalid', ok: false });
  });

  it('lists every policy issue with its path', async () => {
    const answer = await invoke(
      bytes({ policy: { name: '', regions: [], resourceTypes: ['NOPE'], remove: {}, extra: 1 } }),
    );
    expect(answer.error.issues.map((i: { path: string }) => i.path)).toEqual(
      expect.arrayContaining([
        'policy.name',
        'policy.regions',
        'policy.resourceTypes[0]',
        'policy.remove',
        'policy.extra',
      ]),
    );
  });

  it('throws (so FC retries) when the context carries no credentials, before any cloud call', async () => {
    const before = await callCounts(h);
    await expect(invoke(bytes({ policy }), fcContext(h, { credentials: {} }))).rejects.toThrow(/credentials/);
    expect((await callCounts(h)).total).toBe(before.total);
  });

  it('throws for FC to retry when a shard cannot be started for a transient reason', async () => {
    process.env.VPC_TAG_CLEANUP_FC_ENDPOINT = 'http://127.0.0.1:1';
    try {
      const before = await callCounts(h);
      await expect(invoke(bytes({ policy: { ...policy, fanOut: true }, runId: 'fan-refused' }))).rejects.toThrow(
        /self-invocation failed/,
      );
      expect((await callCounts(h)).total).toBe(before.total);
    } finally {
      delete process.env.VPC_TAG_CLEANUP_FC_ENDPOINT;
    }
  });

  it('answers ok:false, naming each shard, when FC refuses the shards for good (no such function)', async () => {
    process.env.VPC_TAG_CLEANUP_FC_ENDPOINT = h.url;
    try {
      const report = await invoke(
        bytes({ policy: { ...policy, fanOut: true }, runId: 'fan-404' }),
        fcContext(h, { name: 'not-registered' }),
      );
      expect(report.ok).toBe(false);
      expect(
        report.shards.map((s: { regions: string[]; status: string; code: string }) => [s.regions[0], s.status, s.code]),
      ).toEqual(regions.map((r) => [r, 'failed', 'FunctionNotFound']));
      expect(report.errors).toHaveLength(2);
    } finally {
      delete process.env.VPC_TAG_CLEANUP_FC_ENDPOINT;
    }
  });

  it('never puts the secret or the security token in its answer or its log', async () => {
    const context = fcContext(h);
    const creds = context.credentials as { accessKeySecret: string; securityToken: string };
    const report = await invoke(bytes({ policy, runId: 'secret-check' }), context);
    const text = JSON.stringify(report) + logLines.join('\n');
    expect(text).not.toContain(creds.accessKeySecret);
    expect(text).not.toContain(creds.securityToken);
  });
});
