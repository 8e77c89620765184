/**
 * Fuzz of the FC handler (fast-check): 10,000 payloads, arbitrary and mutated (policies, manual
 * envelopes, timer ticks, EventBridge events, raw bytes), into the handler's source with an FC-shaped
 * context pointing at a real emulator (empty, so a valid run changes nothing). For every payload: the
 * handler answers without throwing; bad input is answered `ok:false` with zero cloud calls (the
 * emulator's own call counter stays put) and every issue names its field (a non-empty `path`, or a
 * root message); ignored events make no call either.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Emulator, startEmulator } from '../../emulator/server.ts';
import { handler } from '../../functions/tag-cleanup/index.ts';

/** 8,000 payloads of every kind, plus 2,000 mutated policies whose broken field is known: 10,000. */
const RUNS = 8_000;
const NAMED_RUNS = 2_000;
const REGIONS = ['cn-hangzhou', 'cn-shanghai'];
const TYPES = ['IPAM', 'IPAMSCOPE', 'IPAMPOOL', 'PeerConnection', 'VPC', 'VSWITCH'];

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: 'none', quotas: false });
  process.env.VPC_TAG_CLEANUP_ENDPOINT = emu.endpoint;
  process.env.VPC_TAG_CLEANUP_FC_ENDPOINT = emu.url;
  process.env.VPC_TAG_CLEANUP_POLICY = JSON.stringify({
    name: 'env-policy',
    regions: REGIONS,
    resourceTypes: ['IPAMPOOL'],
    remove: { keys: ['tmp'] },
    dryRun: true,
  });
  // The handler logs one JSON line per answer: 10,000 of them would drown the test output.
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterAll(async () => {
  vi.restoreAllMocks();
  delete process.env.VPC_TAG_CLEANUP_ENDPOINT;
  delete process.env.VPC_TAG_CLEANUP_FC_ENDPOINT;
  delete process.env.VPC_TAG_CLEANUP_POLICY;
  await emu?.close();
});

const context = () => ({
  requestId: 'fuzz-request',
  credentials: emu.credentials.issueSession(),
  function: { name: 'vpc-tag-cleanup', handler: 'index.handler', memory: 512, timeout: 60 },
  region: 'cn-hangzhou',
  accountId: emu.accountId,
  retryCount: 0,
});

// ---- generators -------------------------------------------------------------------------------------

const key = fc.constantFrom('CostCenter', 'tmp', 'owner', 'team', 'legacy-x', 'env');
const validPolicy = fc.record(
  {
    name: fc.string({ minLength: 1, maxLength: 20 }),
    regions: fc.subarray(REGIONS, { minLength: 1 }),
    resourceTypes: fc.subarray(TYPES, { minLength: 1, maxLength: 2 }),
    remove: fc.oneof(
      fc.record({ keys: fc.uniqueArray(key, { minLength: 1, maxLength: 3 }) }),
      fc.record({ keyPatterns: fc.constantFrom(['^tmp-'], ['^legacy'], ['x$']) }),
      fc.constant({ all: true as const }),
    ),
    protect: fc.record({ keys: fc.uniqueArray(key, { maxLength: 2 }) }, { requiredKeys: [] }),
    match: fc.record({ tags: fc.array(fc.record({ key }), { minLength: 1, maxLength: 2 }) }),
    dryRun: fc.constant(true),
    limits: fc.record(
      { concurrency: fc.integer({ min: 1, max: 64 }), maxResources: fc.integer({ min: 1, max: 10_000 }) },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['name', 'regions', 'resourceTypes', 'remove', 'dryRun'] },
);

/** A value that breaks the field it replaces (or, by chance, does not). */
const junk = fc.oneof(
  fc.constantFrom(
    null,
    '',
    0,
    -1,
    Number.POSITIVE_INFINITY,
    Number.NaN,
    true,
    'yes',
    [],
    {},
    ['NOPE'],
    { keys: [] },
    '(',
    ['('],
    ['[a-'],
    'x'.repeat(300),
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
const fieldName = fc.constantFrom('name', 'regions', 'resourceTypes', 'remove', 'protect', 'match', 'dryRun', 'limits');

/**
 * One mutation of a valid policy: drop a field, break one, or add an unknown key at some depth. `field`
 * is the top-level field an answer's issue must name when the mutation made the policy invalid.
 */
const mutation = fc
  .tuple(validPolicy, fc.nat(4), fieldName, junk, fc.string({ minLength: 1, maxLength: 8 }))
  .map(([p, op, field, value, extra]) => {
    const policy: Record<string, unknown> = structuredClone(p);
    if (op === 0) {
      delete policy[field];
      return { policy, field };
    }
    if (op === 1) {
      policy[field] = value;
      return { policy, field };
    }
    if (op === 2) {
      policy[`x-${extra}`] = value;
      return { policy, field: `x-${extra}` };
    }
    if (op === 3) {
      (policy.remove as Record<string, unknown>)[`x-${extra}`] = value;
      return { policy, field: 'remove' };
    }
    policy.limits = { ...(policy.limits as object | undefined), concurrency: value };
    return { policy, field: 'limits' };
  });
const mutatedPolicy = mutation.map((m) => m.policy);

const anyPolicy = fc.oneof(
  { arbitrary: validPolicy, weight: 1 },
  { arbitrary: mutatedPolicy, weight: 4 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
);

const manual = fc.oneof(
  anyPolicy,
  fc.record(
    { policy: anyPolicy, runId: fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.constant(undefined)) },
    { requiredKeys: ['policy'] },
  ),
  fc.record({ policy: anyPolicy, continuation: junk }),
);

const timer = fc.record({
  triggerTime: fc.oneof(fc.constant('2026-01-02T19:00:00Z'), fc.string({ maxLength: 30 }), fc.integer()),
  triggerName: fc.oneof(fc.constantFrom('nightly', 'hourly'), fc.string({ maxLength: 20 })),
  payload: fc.oneof(
    manual.map((m) => JSON.stringify(m)),
    fc.string({ maxLength: 40 }),
    junk,
  ),
});

const configEvent = fc.record({
  specversion: fc.constantFrom('1.0', 1, undefined),
  id: fc.oneof(fc.uuid(), fc.string({ maxLength: 10 })),
  source: fc.constantFrom('acs.config', 'acs.ecs', 'custom'),
  type: fc.constantFrom(
    'config:Config:NonCompliantNotification',
    'config:Config:ConfigurationItemChangeNotification',
    'ecs:Instance:StateChange',
    'x',
  ),
  aliyunregionid: fc.constantFrom(...REGIONS, 'mars-1', ''),
  data: fc.oneof(
    fc.record({
      complianceType: fc.constantFrom('NON_COMPLIANT', 'COMPLIANT'),
      annotation: fc.oneof(fc.constant('{"property":"$.Tags"}'), fc.jsonValue({ maxDepth: 1 }), fc.string()),
      evaluationResultIdentifier: fc.record({
        orderingTimestamp: fc.oneof(fc.constant('1748917125166'), fc.integer()),
        evaluationResultQualifier: fc.record(
          {
            resourceId: fc.oneof(fc.constantFrom('ipam-pool-1', 'pcc-1', 'vpc-1'), fc.string({ maxLength: 12 })),
            resourceType: fc.constantFrom('ACS::VPC::IPAMPool', 'ACS::VPC::PeerConnection', 'ACS::ECS::Instance', ''),
            regionId: fc.constantFrom(...REGIONS, 'mars-1'),
          },
          { requiredKeys: [] },
        ),
      }),
    }),
    junk,
  ),
});

const eventBridge = fc.oneof(configEvent, fc.array(configEvent, { maxLength: 3 }));

const payload: fc.Arbitrary<{ kind: string; bytes: Buffer }> = fc.oneof(
  manual.map((v) => ({ kind: 'manual', bytes: Buffer.from(JSON.stringify(v) ?? '') })),
  timer.map((v) => ({ kind: 'timer', bytes: Buffer.from(JSON.stringify(v)) })),
  eventBridge.map((v) => ({ kind: 'eventbridge', bytes: Buffer.from(JSON.stringify(v)) })),
  fc.uint8Array({ maxLength: 64 }).map((b) => ({ kind: 'bytes', bytes: Buffer.from(b) })),
  fc.string({ maxLength: 64 }).map((s) => ({ kind: 'text', bytes: Buffer.from(s) })),
  fc.jsonValue({ maxDepth: 3 }).map((v) => ({ kind: 'json', bytes: Buffer.from(JSON.stringify(v) ?? 'null') })),
);

// ---- the property -----------------------------------------------------------------------------------

interface Answer {
  ok?: unknown;
  ignored?: unknown;
  totals?: unknown;
  error?: { code?: unknown; message?: unknown; issues?: Array<{ path?: unknown; message?: unknown }> };
}

const tally = { invalid: 0, ignored: 0, ran: 0, other: 0 };

describe('the handler under 10,000 fuzzed payloads', () => {
  it('never throws, calls nothing for bad input or ignored events, and gives every issue a path and a message', async () => {
    await fc.assert(
      fc.asyncProperty(payload, async ({ bytes }) => {
        const before = emu.admin.stats().total;
        const answer = (await handler(bytes, context() as never)) as Answer;
        const calls = emu.admin.stats().total - before;
        expect(typeof answer).toBe('object');
        if (answer.ok === false && answer.totals === undefined) {
          // Bad input: answered, never run.
          tally.invalid++;
          expect(calls).toBe(0);
          expect(typeof answer.error?.code).toBe('string');
          expect(String(answer.error?.message ?? '').length).toBeGreaterThan(0);
          const issues = answer.error?.issues ?? [];
          expect(issues.length).toBeGreaterThan(0);
          for (const issue of issues) {
            expect(typeof issue.path).toBe('string');
            expect(typeof issue.message).toBe('string');
            // Every issue names its field, or is about the payload as a whole and says so.
            expect((issue.path as string).length > 0 || (issue.message as string).length > 0).toBe(true);
            expect((issue.message as string).length).toBeGreaterThan(0);
          }
        } else if (answer.ignored !== undefined) {
          tally.ignored++;
          expect(calls).toBe(0);
        } else if (answer.totals !== undefined) {
          tally.ran++;
        } else {
          tally.other++;
        }
      }),
      { numRuns: RUNS, seed: 20_260_604, endOnFailure: true },
    );
    // Every family of answer was reached, so the property was not checked on one kind only.
    expect(tally.invalid).toBeGreaterThan(RUNS / 4);
    expect(tally.ran).toBeGreaterThan(50);
    expect(tally.ignored).toBeGreaterThan(10);
    expect(tally.other).toBe(0);
  });

  it('names the broken field in an issue of every mutated policy it refuses', async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(mutation, async ({ policy, field }) => {
        const before = emu.admin.stats().total;
        const answer = (await handler(Buffer.from(JSON.stringify({ policy })), context() as never)) as Answer;
        if (!(answer.ok === false && answer.totals === undefined)) return;
        refused++;
        expect(emu.admin.stats().total - before).toBe(0);
        const issues = answer.error?.issues ?? [];
        const names = (path: string) => {
          const p = path.replace(/^policy\./, '');
          return p === field || p.startsWith(`${field}.`) || p.startsWith(`${field}[`);
        };
        const named = issues.some((i) => names(String(i.path)));
        expect(named, JSON.stringify({ field, issues })).toBe(true);
      }),
      { numRuns: NAMED_RUNS, seed: 20_260_605, endOnFailure: true },
    );
    expect(refused).toBeGreaterThan(NAMED_RUNS / 3);
  });
});
