import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decodeInvocation } from '../../lib/trigger/index.ts';
import { tuningFromEnv } from '../../lib/tuning-env.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// CI has ../shared beside the clone; the committed copy keeps the test from ever skipping.
const schemaPath = [
  path.resolve(root, '../shared/schemas/fc3-props.schema.json'),
  path.join(root, 'test/fixtures/fc3-props.schema.json'),
].find((p) => existsSync(p))!;
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
const doc = parse(readFileSync(path.join(root, 's.yaml'), 'utf8'));

/** Resolve `${vars.x}`, `${env('X','d')}` and `${config('AccountID')}` as `s` does before deploying. */
function resolveTemplates(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([^}]+)\}/g, (_m, expr: string) => {
      const v = /^vars\.(\w+)$/.exec(expr.trim());
      if (v) return String(doc.vars?.[v[1]!] ?? `<missing var ${v[1]}>`);
      if (/^config\('AccountID'\)$/.test(expr.trim())) return '1234567890123456';
      const e = /^env\('(\w+)'(?:\s*,\s*'([^']*)')?\)$/.exec(expr.trim());
      if (e) return e[2] ?? '';
      return `<unresolved ${expr}>`;
    });
  }
  if (Array.isArray(value)) return value.map(resolveTemplates);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveTemplates(v)]));
  return value;
}

const fc3 = Object.entries(doc.resources as Record<string, { component: string; props: Record<string, any> }>)
  .filter(([, r]) => r.component === 'fc3')
  .map(([id, r]) => [id, resolveTemplates(r.props) as Record<string, any>] as const);

describe('s.yaml', () => {
  it('is a Serverless Devs 3.0 project with at least one fc3 resource', () => {
    expect(doc.edition).toBe('3.0.0');
    expect(fc3.length).toBeGreaterThan(0);
  });

  it.each(fc3)('validates the props of %s against the fc3 schema', (_id, props) => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const ok = validate(props);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('rejects a props block the schema forbids (the validator is live)', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const [, props] = fc3[0]!;
    expect(validate({ ...props, memorySize: 1000 })).toBe(false);
    expect(validate({ ...props, region: 'mars-1' })).toBe(false);
  });

  it.each(fc3)('deploys %s as the nodejs20 CommonJS bundle with a role, timeout and async task ids', (_id, props) => {
    expect(props).toMatchObject({
      functionName: 'vpc-tag-cleanup',
      runtime: 'nodejs20',
      code: './dist',
      handler: 'index.handler',
    });
    expect(props.role).toMatch(/^acs:ram::\d+:role\//);
    expect(props.timeout).toBeGreaterThan(60);
    expect(props.asyncInvokeConfig).toMatchObject({ asyncTask: true });
    expect(props.asyncInvokeConfig.maxAsyncRetryAttempts).toBeLessThanOrEqual(8);
    expect(props.logConfig).toBeDefined();
  });

  it.each(fc3)('gives %s limit overrides that are all known limits', (_id, props) => {
    const env = props.environmentVariables as Record<string, string>;
    const parsed = tuningFromEnv(env);
    expect(parsed.ignored).toEqual([]);
    expect(parsed.tuning.deadlineMarginMs ?? 0).toBeLessThan(props.timeout * 1000 * 0.2 + 1);
  });

  it.each(fc3)('gives %s a run store in the bucket the RAM policy grants', (_id, props) => {
    const env = props.environmentVariables as Record<string, string>;
    expect(env.VPC_TAG_CLEANUP_STORE).toBe('oss://vpc-tag-cleanup-runs/vpc-tag-cleanup');
  });

  it.each(fc3)('gives %s an environment policy that the function accepts', (_id, props) => {
    const env = props.environmentVariables as Record<string, string>;
    const event = {
      specversion: '1.0',
      id: 'e1',
      source: 'acs.config',
      type: 'config:Config:NonCompliantNotification',
      data: {
        complianceType: 'NON_COMPLIANT',
        evaluationResultIdentifier: {
          evaluationResultQualifier: { resourceId: 'vpc-1', resourceType: 'ACS::VPC::VPC', regionId: 'cn-hangzhou' },
        },
      },
    };
    const inv = decodeInvocation(Buffer.from(JSON.stringify(event)), env, new Date());
    expect(inv.kind).toBe('run');
  });

  for (const [id, props] of fc3) {
    const triggers = (props.triggers ?? []) as Array<{
      triggerName: string;
      triggerType: string;
      triggerConfig: Record<string, any>;
    }>;

    it(`${id}: every timer trigger has a cron expression, enable, and a payload the function decodes to a run`, () => {
      const timers = triggers.filter((t) => t.triggerType === 'timer');
      expect(timers.length).toBeGreaterThan(0);
      for (const t of timers) {
        expect(typeof t.triggerConfig.cronExpression).toBe('string');
        expect(t.triggerConfig.cronExpression).toMatch(/^(CRON_TZ=\S+ )?((\S+ ){5}\S+|@every \d+[smh])$/);
        expect(typeof t.triggerConfig.enable).toBe('boolean');
        expect(typeof t.triggerConfig.payload).toBe('string');
        const tick = {
          triggerTime: '2026-01-01T19:00:00Z',
          triggerName: t.triggerName,
          payload: t.triggerConfig.payload,
        };
        const inv = decodeInvocation(Buffer.from(JSON.stringify(tick)), {}, new Date());
        expect(inv.kind, JSON.stringify(inv)).toBe('run');
      }
    });

    it(`${id}: every EventBridge trigger has the fields the schema's EventBridge branch requires and filters Config non-compliance`, () => {
      const bridges = triggers.filter((t) => t.triggerType === 'eventbridge');
      expect(bridges.length).toBeGreaterThan(0);
      for (const t of bridges) {
        const c = t.triggerConfig;
        for (const field of [
          'asyncInvocationType',
          'eventRuleFilterPattern',
          'eventSinkConfig',
          'eventSourceConfig',
          'runOptions',
          'triggerEnable',
        ]) {
          expect(c, field).toHaveProperty(field);
        }
        expect(typeof c.asyncInvocationType).toBe('boolean');
        expect(typeof c.triggerEnable).toBe('boolean');
        expect(c.eventSinkConfig.deliveryOption).toBeTypeOf('object');
        expect(c.eventSourceConfig).toMatchObject({
          eventSourceType: expect.any(String),
          eventSourceParameters: expect.any(Object),
        });
        const pattern = JSON.parse(c.eventRuleFilterPattern);
        expect(pattern.source).toContain('acs.config');
        expect(pattern.type.some((x: string) => /:Config:NonCompliantNotification$/.test(x))).toBe(true);
      }
    });

    it(`${id}: every trigger has a known type and a unique name`, () => {
      const names = triggers.map((t) => t.triggerName);
      expect(new Set(names).size).toBe(names.length);
      for (const t of triggers) expect(['timer', 'eventbridge']).toContain(t.triggerType);
    });
  }
});

describe('RAM documents', () => {
  const policy = JSON.parse(readFileSync(path.join(root, 'docs/ram-policy.json'), 'utf8'));
  const trust = JSON.parse(readFileSync(path.join(root, 'docs/trust-policy.json'), 'utf8'));
  const actions = policy.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat());

  it('grants the untag and list actions the engine calls, and nothing wildcarded', () => {
    for (const a of [
      'vpc:ListTagResources',
      'vpc:UntagResources',
      'vpc:UnTagResources',
      'vpc:ListIpams',
      'vpc:ListIpamScopes',
      'vpc:ListIpamPools',
      'vpc:ListVpcPeerConnections',
    ]) {
      expect(actions).toContain(a);
    }
    expect(actions.some((a: string) => a.includes('*'))).toBe(false);
  });

  it('lets the function read and write its run store, only under the store prefix of the store bucket', () => {
    const oss = policy.Statement.filter((st: { Action: string | string[] }) =>
      [st.Action].flat().some((a) => a.startsWith('oss:')),
    );
    const ossActions = oss.flatMap((st: { Action: string | string[] }) => [st.Action].flat()).sort();
    expect(ossActions).toEqual(['oss:GetObject', 'oss:ListObjects', 'oss:PutObject']);
    for (const st of oss) {
      const scoped =
        /^acs:oss:\*:\*:vpc-tag-cleanup-runs\/vpc-tag-cleanup\/\*$/.test(st.Resource) ||
        (st.Resource === 'acs:oss:*:*:vpc-tag-cleanup-runs' &&
          st.Condition?.StringLike?.['oss:Prefix'] === 'vpc-tag-cleanup/*');
      expect(scoped, JSON.stringify(st)).toBe(true);
    }
  });

  it('lets the function invoke only itself', () => {
    const invoke = policy.Statement.filter((s: { Action: string | string[] }) =>
      [s.Action].flat().includes('fc:InvokeFunction'),
    );
    expect(invoke).toHaveLength(1);
    expect(invoke[0].Resource).toMatch(/:functions\/vpc-tag-cleanup$/);
  });

  it('is trusted by Function Compute', () => {
    expect(trust.Statement[0]).toMatchObject({ Action: 'sts:AssumeRole', Principal: { Service: ['fc.aliyuncs.com'] } });
  });
});
