import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shouldFanOut } from '../../lib/fanout.ts';
import { parseArn, typeFromArnKind, typeFromConfigName, typeFromIdPrefix } from '../../lib/trigger/config-resource.ts';
import { type DecodedEvent, decodeInvocation, effectivePolicy, isSafeId, toSafeId } from '../../lib/trigger/index.ts';
import { timerRunId } from '../../lib/trigger/timer.ts';

const now = new Date('2026-01-02T03:04:05.678Z');
const policy = {
  name: 'p',
  regions: ['cn-hangzhou', 'cn-shanghai'],
  resourceTypes: ['IPAMPOOL', 'PeerConnection', 'VPC'],
  remove: { keys: ['tmp'] },
};
const envPolicy = { VPC_TAG_CLEANUP_POLICY: JSON.stringify(policy) };
const buf = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
const decode = (v: unknown, env: Record<string, string> = {}, hints = {}) => decodeInvocation(buf(v), env, now, hints);

function run(inv: DecodedEvent) {
  if (inv.kind !== 'run') throw new Error(`expected a run, got ${JSON.stringify(inv)}`);
  return inv.run;
}

const notification = (q: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  eventName: 'NonCompliant',
  dataType: 'NonCompliantNotification',
  complianceType: 'NON_COMPLIANT',
  accountId: 1413397765616316,
  annotation: '{"property":"$.Tags"}',
  evaluationResultIdentifier: { orderingTimestamp: 1748917125166, evaluationResultQualifier: q },
  notificationCreationTime: '1748917125362',
  ...extra,
});
const cloudEvent = (id: string, data: unknown, extra: Record<string, unknown> = {}) => ({
  specversion: '1.0',
  id,
  source: 'acs.config',
  type: 'config:Config:NonCompliantNotification',
  subject: 'acs:config:cn-hangzhou:1413:rule/cr-1',
  time: '2026-01-02T03:00:00Z',
  datacontenttype: 'application/json;charset=utf-8',
  aliyunaccountid: '1413397765616316',
  aliyunregionid: 'cn-hangzhou',
  data,
  ...extra,
});
const vpcQualifier = {
  resourceId: 'vpc-bp1abc',
  resourceType: 'ACS::VPC::VPC',
  regionId: 'cn-shanghai',
  resourceArn: 'acs:vpc:cn-shanghai:1413:vpc/vpc-bp1abc',
};

describe('decodeInvocation: manual payloads', () => {
  it('accepts {policy, runId} and keeps the run id', () => {
    const r = run(decode({ policy, runId: 'my-run_1' }));
    expect(r).toMatchObject({ runId: 'my-run_1', source: 'manual', policy: { name: 'p', dryRun: false } });
    expect(r.continuation).toBeUndefined();
    expect(r.shard).toBeUndefined();
  });

  it('accepts a bare policy object', () => {
    const r = run(decode(policy));
    expect(r.policy.regions).toEqual(policy.regions);
    expect(r.source).toBe('manual');
  });

  it('derives a manual run id from the request id when none is given', () => {
    expect(run(decode({ policy }, {}, { requestId: 'req-1' })).runId).toBe('manual-req-1');
  });

  it('derives the same run id for the same payload at the same time without a request id', () => {
    const a = run(decode({ policy })).runId;
    expect(run(decode({ policy })).runId).toBe(a);
    expect(isSafeId(a)).toBe(true);
    expect(run(decode({ policy: { ...policy, name: 'q' } })).runId).not.toBe(a);
  });

  it('makes an unsafe run id safe for FC task ids, deterministically', () => {
    const r1 = run(decode({ policy, runId: '2026/01/02 nightly run' })).runId;
    expect(isSafeId(r1)).toBe(true);
    expect(run(decode({ policy, runId: '2026/01/02 nightly run' })).runId).toBe(r1);
  });

  it('accepts the shard and continuation the function sends itself', () => {
    const continuation = {
      version: 1,
      runId: 'r1',
      done: [{ region: 'cn-hangzhou', type: 'VPC' }],
      hop: 2,
      cursor: { region: 'cn-shanghai', type: 'VPC', lister: 'DescribeVpcs', token: '3' },
    };
    const r = run(decode({ policy, runId: 'r1', shard: { regions: ['cn-shanghai'] }, continuation }));
    expect(r.shard).toEqual({ regions: ['cn-shanghai'] });
    expect(r.continuation).toEqual(continuation);
    expect(effectivePolicy(r).regions).toEqual(['cn-shanghai']);
  });

  it('refuses a shard region outside the policy and a continuation of another run', () => {
    const inv = decode({
      policy,
      runId: 'r1',
      shard: { regions: ['eu-central-1'] },
      continuation: { version: 1, runId: 'other', done: [], hop: 1 },
    });
    expect(inv.kind).toBe('invalid');
    if (inv.kind !== 'invalid') return;
    expect(inv.issues.map((i) => i.path).sort()).toEqual(['continuation.runId', 'shard.regions[0]']);
  });

  it('reports every policy issue with its path', () => {
    const inv = decode({
      policy: { name: '', regions: [], resourceTypes: ['NOPE'], remove: { keys: ['a'] }, extra: 1 },
    });
    expect(inv.kind).toBe('invalid');
    if (inv.kind !== 'invalid') return;
    expect(inv.code).toBe('INVALID_POLICY');
    const paths = inv.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['policy.name', 'policy.regions', 'policy.resourceTypes[0]', 'policy.extra']),
    );
    expect(inv.issues.length).toBeGreaterThanOrEqual(4);
  });

  it('refuses a remove that names nothing and a pattern that does not compile', () => {
    const a = decode({ ...policy, remove: {} });
    expect(a).toMatchObject({ kind: 'invalid', issues: [{ path: 'remove' }] });
    const b = decode({ ...policy, remove: { keyPatterns: ['(unclosed'] } });
    expect(b).toMatchObject({ kind: 'invalid', issues: [{ path: 'remove.keyPatterns[0]' }] });
  });

  it('refuses unknown envelope keys and a non-string run id, naming both', () => {
    const inv = decode({ policy, runId: 42, rnuId: 'typo' });
    expect(inv).toMatchObject({ kind: 'invalid', code: 'INVALID_INPUT' });
    if (inv.kind === 'invalid') expect(inv.issues.map((i) => i.path).sort()).toEqual(['rnuId', 'runId']);
  });

  it('accepts narrowTo: exactly these resources, the policy as written', () => {
    const narrowTo = [
      { region: 'cn-shanghai', type: 'VPC', id: 'vpc-1' },
      { region: 'cn-hangzhou', type: 'IPAMPOOL', id: 'ipam-pool-1' },
    ];
    const r = run(decode({ policy, runId: 'n1', narrowTo }));
    expect(r.narrowTo).toEqual(narrowTo);
    expect(r.policy).toEqual({ ...policy, dryRun: false });
    // A timer's payload is a manual payload: the same field, the same run.
    const t = run(
      decode({ triggerTime: '2026-01-02T03:00:00Z', triggerName: 'n', payload: JSON.stringify({ policy, narrowTo }) }),
    );
    expect(t.narrowTo).toEqual(narrowTo);
  });

  it('refuses a narrowTo outside the policy or malformed, naming each field', () => {
    const inv = decode({
      policy,
      narrowTo: [
        { region: 'eu-central-1', type: 'VPC', id: 'vpc-1' },
        { region: 'cn-hangzhou', type: 'IPAM', id: 'ipam-1' },
        { region: 'cn-hangzhou', type: 'NOPE', id: 'x' },
        { region: 'cn-hangzhou', type: 'VPC' },
      ],
    });
    expect(inv).toMatchObject({ kind: 'invalid', code: 'INVALID_INPUT' });
    if (inv.kind === 'invalid')
      expect(inv.issues.map((i) => i.path).sort()).toEqual(['narrowTo[2].type', 'narrowTo[3].id']);
    const outside = decode({
      policy: { ...policy, match: { resourceIds: ['vpc-1'] } },
      narrowTo: [
        { region: 'eu-central-1', type: 'VPC', id: 'vpc-1' },
        { region: 'cn-hangzhou', type: 'IPAM', id: 'ipam-1' },
        { region: 'cn-hangzhou', type: 'VPC', id: 'vpc-2' },
      ],
    });
    expect(outside).toMatchObject({ kind: 'invalid', code: 'INVALID_INPUT' });
    if (outside.kind === 'invalid')
      expect(outside.issues.map((i) => i.path)).toEqual(['narrowTo[0].region', 'narrowTo[1].type', 'narrowTo[2].id']);
    expect(decode({ policy, narrowTo: [] })).toMatchObject({ kind: 'invalid', issues: [{ path: 'narrowTo' }] });
  });

  it('answers a missing policy in an envelope', () => {
    expect(decode({ policy: undefined, runId: 'x' })).toMatchObject({ kind: 'invalid' });
    expect(decode({ policy: null })).toMatchObject({ kind: 'invalid', code: 'INVALID_POLICY' });
  });
});

describe('decodeInvocation: bad bytes', () => {
  it.each([
    ['empty', Buffer.alloc(0)],
    ['whitespace', Buffer.from('  \n')],
    ['not JSON', Buffer.from('policy=1')],
    ['invalid UTF-8', Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28])],
    ['a JSON number', Buffer.from('42')],
    ['a JSON string', Buffer.from('"hello"')],
    ['JSON null', Buffer.from('null')],
  ])('answers %s as an invalid payload with an issue', (_name, bytes) => {
    const inv = decodeInvocation(bytes, envPolicy, now);
    expect(inv.kind).toBe('invalid');
    if (inv.kind === 'invalid') {
      expect(inv.code).toBe('INVALID_INPUT');
      expect(inv.issues.length).toBeGreaterThan(0);
    }
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const inv = decodeInvocation(Buffer.from(bytes), envPolicy, now);
        expect(['run', 'ignored', 'invalid']).toContain(inv.kind);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const inv = decodeInvocation(Buffer.from(JSON.stringify(value)), envPolicy, now);
        expect(['run', 'ignored', 'invalid']).toContain(inv.kind);
      }),
      { numRuns: 300 },
    );
  });
});

describe('decodeInvocation: timer trigger', () => {
  const tick = (payload: unknown) => ({ triggerTime: '2026-01-02T03:00:00Z', triggerName: 'nightly', payload });

  it('parses the payload string and derives the run id from trigger name and time', () => {
    const r = run(decode(tick(JSON.stringify({ policy }))));
    expect(r).toMatchObject({ source: 'timer', runId: 'timer-nightly-20260102T030000Z' });
    expect(r.policy.name).toBe('p');
  });

  it('gives the same run id to a re-delivered tick and another to the next tick', () => {
    const a = run(decode(tick(JSON.stringify(policy)))).runId;
    expect(run(decode(tick(JSON.stringify(policy)))).runId).toBe(a);
    expect(run(decode({ ...tick(JSON.stringify(policy)), triggerTime: '2026-01-03T03:00:00Z' })).runId).not.toBe(a);
  });

  it('ignores a runId inside the payload in favour of the tick', () => {
    expect(run(decode(tick(JSON.stringify({ policy, runId: 'fixed' })))).runId).toBe('timer-nightly-20260102T030000Z');
  });

  it('runs the environment policy when the payload is empty', () => {
    expect(run(decode(tick(''), envPolicy)).policy.name).toBe('p');
    expect(run(decode({ triggerTime: '2026-01-02T03:00:00Z', triggerName: 'nightly' }, envPolicy)).policy.name).toBe(
      'p',
    );
  });

  it('answers an empty payload without an environment policy', () => {
    expect(decode(tick(''))).toMatchObject({ kind: 'invalid', code: 'POLICY_NOT_CONFIGURED' });
  });

  it('accepts a payload object as well as a string', () => {
    expect(run(decode(tick({ policy }))).policy.name).toBe('p');
  });

  it('answers a payload that is not JSON or holds a bad policy, with paths under payload', () => {
    expect(decode(tick('{not json'))).toMatchObject({ kind: 'invalid', issues: [{ path: 'payload' }] });
    const inv = decode(tick(JSON.stringify({ policy: { ...policy, regions: 'cn-hangzhou' } })));
    expect(inv).toMatchObject({
      kind: 'invalid',
      code: 'INVALID_POLICY',
      issues: [{ path: 'payload.policy.regions' }],
    });
    expect(decode(tick(7))).toMatchObject({ kind: 'invalid', issues: [{ path: 'payload' }] });
  });

  it('answers a tick whose name or time is not a string', () => {
    const inv = decode({ triggerTime: 5, triggerName: 'n', payload: '' });
    expect(inv).toMatchObject({ kind: 'invalid', issues: [{ path: 'triggerTime' }] });
  });

  it('keeps an odd trigger time deterministic and safe', () => {
    const id = timerRunId('night ly', 'yesterday at 3');
    expect(isSafeId(id)).toBe(true);
    expect(timerRunId('night ly', 'yesterday at 3')).toBe(id);
  });
});

describe('decodeInvocation: EventBridge Cloud Config events', () => {
  it('narrows the environment policy to the one flagged resource, with the event id as run id', () => {
    const r = run(decode(cloudEvent('evt-1', notification(vpcQualifier)), envPolicy));
    expect(r.runId).toBe('evt-1');
    expect(r.source).toBe('eventbridge');
    expect(r.narrowTo).toEqual([{ region: 'cn-shanghai', type: 'VPC', id: 'vpc-bp1abc' }]);
    // One way to narrow: `narrowTo`; the policy runs as written (parsed: defaults filled in).
    expect(r.policy).toEqual({ ...policy, dryRun: false });
  });

  it('reads numbers written as strings, annotation as object, and a JSON-string data', () => {
    const data = notification(
      { ...vpcQualifier, resourceOwnerId: '1413397765616316' },
      { accountId: '1413397765616316', annotation: { property: '$.Tags' } },
    );
    const r = run(decode(cloudEvent('evt-2', JSON.stringify(data)), envPolicy));
    expect(r.narrowTo).toEqual([{ region: 'cn-shanghai', type: 'VPC', id: 'vpc-bp1abc' }]);
  });

  it('falls back to the ARN for id, region and type', () => {
    const q = { resourceArn: 'acs:vpcipam:cn-hangzhou:1413:ipampool/ipam-pool-0001' };
    expect(run(decode(cloudEvent('e', notification(q)), envPolicy)).narrowTo).toEqual([
      { region: 'cn-hangzhou', type: 'IPAMPOOL', id: 'ipam-pool-0001' },
    ]);
  });

  it('falls back to aliyunregionid and the id prefix', () => {
    const q = { resourceId: 'pcc-abc' };
    expect(run(decode(cloudEvent('e', notification(q)), envPolicy)).narrowTo).toEqual([
      { region: 'cn-hangzhou', type: 'PeerConnection', id: 'pcc-abc' },
    ]);
  });

  it('accepts the notification at top level (RawData), with a derived deterministic run id', () => {
    const a = run(decode(notification(vpcQualifier), envPolicy));
    expect(a.narrowTo).toEqual([{ region: 'cn-shanghai', type: 'VPC', id: 'vpc-bp1abc' }]);
    expect(isSafeId(a.runId)).toBe(true);
    expect(run(decode(notification(vpcQualifier), envPolicy)).runId).toBe(a.runId);
  });

  it('narrows an array of events into one run over all their resources', () => {
    const events = [
      cloudEvent('a', notification(vpcQualifier)),
      cloudEvent(
        'b',
        notification({ resourceId: 'ipam-pool-9', resourceType: 'ACS::VPC::IPAMPool', regionId: 'cn-hangzhou' }),
      ),
      cloudEvent('c', notification(vpcQualifier)),
    ];
    const r = run(decode(events, envPolicy));
    expect(r.narrowTo).toEqual([
      { region: 'cn-shanghai', type: 'VPC', id: 'vpc-bp1abc' },
      { region: 'cn-hangzhou', type: 'IPAMPOOL', id: 'ipam-pool-9' },
    ]);
    expect(r.policy).toEqual({ ...policy, dryRun: false });
    expect(isSafeId(r.runId)).toBe(true);
    expect(run(decode([...events].reverse(), envPolicy)).runId).toBe(r.runId);
  });

  it('runs the usable events of a batch and notes the ignored ones', () => {
    const events = [
      cloudEvent('a', notification(vpcQualifier)),
      cloudEvent('z', {}, { type: 'vpc:ActionTrail:ApiCall', source: 'acs.vpc' }),
    ];
    const r = run(decode(events, envPolicy));
    expect(r.narrowTo).toHaveLength(1);
    expect(r.notes?.join()).toContain('event 1: ignored');
  });

  it.each([
    ['another event type', cloudEvent('x', {}, { type: 'vpc:ActionTrail:ApiCall', source: 'acs.vpc' })],
    ['a non-acs source', cloudEvent('x', notification(vpcQualifier), { source: 'my.app' })],
    ['a COMPLIANT result', cloudEvent('x', notification(vpcQualifier, { complianceType: 'COMPLIANT' }))],
    [
      'a type this function does not clean',
      cloudEvent(
        'x',
        notification({ resourceId: 'i-bp1', resourceType: 'ACS::ECS::Instance', regionId: 'cn-hangzhou' }),
      ),
    ],
    [
      'a resource outside the policy regions',
      cloudEvent('x', notification({ ...vpcQualifier, regionId: 'eu-west-1', resourceArn: undefined })),
    ],
    ['an empty batch', []],
  ])('ignores %s with a reason', (_name, event) => {
    const inv = decode(event, envPolicy);
    expect(inv.kind).toBe('ignored');
    if (inv.kind === 'ignored') expect(inv.reason.length).toBeGreaterThan(0);
  });

  it('ignores an unrelated event even without an environment policy', () => {
    expect(decode(cloudEvent('x', {}, { type: 'vpc:ActionTrail:ApiCall', source: 'acs.vpc' })).kind).toBe('ignored');
  });

  it('answers a non-compliance event when no environment policy is set, or when it is bad', () => {
    expect(decode(cloudEvent('e', notification(vpcQualifier)))).toMatchObject({
      kind: 'invalid',
      code: 'POLICY_NOT_CONFIGURED',
    });
    const bad = decode(cloudEvent('e', notification(vpcQualifier)), { VPC_TAG_CLEANUP_POLICY: '{"name":1}' });
    expect(bad).toMatchObject({ kind: 'invalid', code: 'INVALID_POLICY' });
    if (bad.kind === 'invalid')
      expect(bad.issues.every((i) => i.path.startsWith('env.VPC_TAG_CLEANUP_POLICY'))).toBe(true);
    expect(decode(cloudEvent('e', notification(vpcQualifier)), { VPC_TAG_CLEANUP_POLICY: 'nope' })).toMatchObject({
      kind: 'invalid',
      code: 'INVALID_POLICY',
    });
  });

  it('answers an event that names no resource, with the missing paths', () => {
    const inv = decode(cloudEvent('e', notification({}), { aliyunregionid: undefined, subject: undefined }), envPolicy);
    expect(inv).toMatchObject({ kind: 'invalid', code: 'INVALID_EVENT' });
    if (inv.kind === 'invalid')
      expect(inv.issues.map((i) => i.path)).toEqual([
        'data.evaluationResultIdentifier.evaluationResultQualifier.resourceId',
        'data.evaluationResultIdentifier.evaluationResultQualifier.regionId',
      ]);
    expect(decode(cloudEvent('e', 5), envPolicy)).toMatchObject({ kind: 'invalid', issues: [{ path: 'data' }] });
  });

  it('keeps match.tags of the environment policy, and a narrowed run does not fan out', () => {
    const p = { ...policy, fanOut: true, match: { tags: [{ key: 'env', value: 'dev' }] } };
    const r = run(decode(cloudEvent('e', notification(vpcQualifier)), { VPC_TAG_CLEANUP_POLICY: JSON.stringify(p) }));
    expect(r.policy.match).toEqual({ tags: [{ key: 'env', value: 'dev' }] });
    expect(r.narrowTo).toEqual([{ region: 'cn-shanghai', type: 'VPC', id: 'vpc-bp1abc' }]);
    expect(shouldFanOut(r, { VPC_TAG_CLEANUP_FANOUT: '1' })).toBe(false);
  });

  it('ignores a resource not in the policy match.resourceIds', () => {
    const p = { ...policy, match: { resourceIds: ['vpc-other'] } };
    expect(
      decode(cloudEvent('e', notification(vpcQualifier)), { VPC_TAG_CLEANUP_POLICY: JSON.stringify(p) }).kind,
    ).toBe('ignored');
  });
});

describe('resource type mapping', () => {
  it('maps Config type names through the catalog, ignoring case', () => {
    expect(typeFromConfigName('ACS::VPC::VSwitch')).toBe('VSWITCH');
    expect(typeFromConfigName('acs::vpc::ipampool')).toBe('IPAMPOOL');
    expect(typeFromConfigName('ACS::EIP::EipAddress')).toBe('EIP');
    expect(typeFromConfigName('ACS::ECS::Instance')).toBeUndefined();
  });

  it('maps ARN kinds and id prefixes, longest prefix first', () => {
    expect(typeFromArnKind('vswitch')).toBe('VSWITCH');
    expect(typeFromArnKind('ipam-scope')).toBe('IPAMSCOPE');
    expect(typeFromArnKind('eipaddress')).toBe('EIP');
    expect(typeFromIdPrefix('ipam-pool-1')).toBe('IPAMPOOL');
    expect(typeFromIdPrefix('ipam-scope-1')).toBe('IPAMSCOPE');
    expect(typeFromIdPrefix('ipam-1')).toBe('IPAM');
    expect(typeFromIdPrefix('vpce-1')).toBe('GATEWAYENDPOINT');
    expect(typeFromIdPrefix('i-1')).toBeUndefined();
  });

  it('parses ARNs and refuses other strings', () => {
    expect(parseArn('acs:vpc:cn-hangzhou:1413:vpc/vpc-1')).toEqual({
      product: 'vpc',
      region: 'cn-hangzhou',
      account: '1413',
      kind: 'vpc',
      id: 'vpc-1',
    });
    expect(parseArn('vpc-1')).toBeUndefined();
    expect(parseArn('acs:vpc:cn-hangzhou:1413:vpc')).toBeUndefined();
  });
});

describe('toSafeId', () => {
  it('always yields an FC task id, deterministically, and keeps safe ids as they are', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 20, max: 128 }), (raw, max) => {
        const id = toSafeId(raw, max);
        expect(isSafeId(id, max)).toBe(true);
        expect(toSafeId(raw, max)).toBe(id);
        if (isSafeId(raw, max)) expect(id).toBe(raw);
      }),
    );
  });

  it('keeps long ids that share a head distinct', () => {
    const head = 'a'.repeat(200);
    expect(toSafeId(`${head}1`)).not.toBe(toSafeId(`${head}2`));
  });
});
