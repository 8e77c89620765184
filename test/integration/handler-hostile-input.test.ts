/**
 * Issue 12 defects 10 and 13, through the FC handler against a real emulator: a malformed
 * `continuation` is answered `ok: false` with the path of what is wrong (FC retries a thrown async
 * invocation forever), and a `VPC_TAG_CLEANUP_LIMITS` value out of its range is reported and ignored
 * instead of making every invocation throw.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { handler } from '../../functions/tag-cleanup/index.ts';

const R = 'cn-hangzhou';
const policy = { name: 'hostile', regions: [R], resourceTypes: ['IPAMPOOL'], remove: { keys: ['tmp'] } };

let emu: Emulator;
let logged: string[] = [];
beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: 'none', quotas: false });
  process.env.VPC_TAG_CLEANUP_ENDPOINT = emu.endpoint;
  process.env.VPC_TAG_CLEANUP_FC_ENDPOINT = emu.url;
  process.env.VPC_TAG_CLEANUP_STORE = 'none';
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
    logged.push(String(line));
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  delete process.env.VPC_TAG_CLEANUP_ENDPOINT;
  delete process.env.VPC_TAG_CLEANUP_FC_ENDPOINT;
  delete process.env.VPC_TAG_CLEANUP_STORE;
  delete process.env.VPC_TAG_CLEANUP_LIMITS;
  await emu?.close();
});
beforeEach(async () => {
  logged = [];
  delete process.env.VPC_TAG_CLEANUP_LIMITS;
  await emu.admin.reset({ seed: 'none' });
  emu.admin.upsert([{ type: 'IPAMPOOL', region: R, id: 'ipam-pool-1', tags: { tmp: '1', keep: '2' } }]);
});

const context = () => ({
  requestId: 'hostile-request',
  credentials: emu.credentials.issueSession(),
  function: { name: 'vpc-tag-cleanup', handler: 'index.handler', memory: 512, timeout: 60 },
  region: R,
  accountId: emu.accountId,
  retryCount: 0,
});

const invoke = (payload: unknown) => handler(Buffer.from(JSON.stringify(payload)), context());

describe('a malformed continuation', () => {
  const cases: Array<[string, unknown, string]> = [
    ['done: [null]', { done: [null] }, 'continuation.done[0]'],
    ['done: [{region: 5}]', { done: [{ region: 5, type: 'IPAMPOOL' }] }, 'continuation.done[0].region'],
    ['done: [{type: "NOPE"}]', { done: [{ region: R, type: 'NOPE' }] }, 'continuation.done[0].type'],
    ['cursors: 5', { cursors: 5 }, 'continuation.cursors'],
    ['cursors: {}', { cursors: {} }, 'continuation.cursors'],
    ['cursors: [null]', { cursors: [null] }, 'continuation.cursors[0]'],
    [
      'cursors: [{token: 7}]',
      { cursors: [{ region: R, type: 'IPAMPOOL', lister: 'x', token: 7 }] },
      'continuation.cursors[0].token',
    ],
    ['cursor: "x"', { cursor: 'x' }, 'continuation.cursor'],
  ];
  for (const [what, patch, path] of cases) {
    it(`${what} is answered ok:false naming ${path}, with zero cloud calls`, async () => {
      const before = emu.admin.stats().total;
      const continuation = { version: 1, runId: 'r1', hop: 1, done: [], ...(patch as object) };
      const answer = (await invoke({ policy, runId: 'r1', continuation })) as {
        ok: boolean;
        error?: { issues: Array<{ path: string }> };
      };
      expect(answer.ok).toBe(false);
      expect(answer.error?.issues.map((i) => i.path)).toContain(path);
      expect(emu.admin.stats().total).toBe(before);
    });
  }

  it('a well-formed continuation still runs', async () => {
    const continuation = { version: 1, runId: 'r1', hop: 1, done: [{ region: R, type: 'IPAM' }], cursors: [] };
    const answer = (await invoke({ policy, runId: 'r1', continuation })) as { ok: boolean };
    expect(answer.ok).toBe(true);
    expect(emu.admin.list({ type: 'IPAMPOOL' })[0]?.tags).toEqual({ keep: '2' });
  });
});

describe('VPC_TAG_CLEANUP_LIMITS values out of range', () => {
  const cases: Array<Record<string, number>> = [
    { listConcurrency: 0 },
    { maxIdsPerCall: 0 },
    { maxKeysPerCall: 0.5 },
    { deadlineMarginMs: 1000.5 },
    { maxIdsPerCall: 21 },
    { deadlineMarginShare: 2 },
    { readTimeoutMs: 0 },
  ];
  for (const limits of cases) {
    const [field] = Object.keys(limits);
    it(`${JSON.stringify(limits)} is reported and ignored; the run completes on the default`, async () => {
      process.env.VPC_TAG_CLEANUP_LIMITS = JSON.stringify(limits);
      const answer = (await invoke({ policy, runId: `limits-${field}` })) as { ok: boolean };
      expect(answer.ok).toBe(true);
      expect(emu.admin.list({ type: 'IPAMPOOL' })[0]?.tags).toEqual({ keep: '2' });
      const warning = logged.find((l) => l.includes('"kind":"warning"'));
      expect(warning).toContain(`VPC_TAG_CLEANUP_LIMITS.${field}`);
    });
  }
});
