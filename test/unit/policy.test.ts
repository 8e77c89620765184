import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../lib/policy/compile.ts';
import { policyJsonSchema } from '../../lib/policy/json-schema.ts';
import { type PolicyIssue, parsePolicy } from '../../lib/policy/parse.ts';
import { MAX_KEY_PATTERN_LENGTH } from '../../lib/policy/schema.ts';

/** The sample policy of DESIGN.md, verbatim. */
const DESIGN_SAMPLE = {
  name: 'drop-legacy-cost-tags',
  regions: ['cn-hangzhou', 'cn-shanghai'],
  resourceTypes: ['IPAM', 'IPAMSCOPE', 'IPAMPOOL', 'PeerConnection'],
  match: {
    resourceIds: ['ipam-pool-0001'],
    tags: [{ key: 'env', value: 'dev' }, { key: 'team' }],
  },
  remove: { keys: ['CostCenter', 'legacy-owner'], keyPatterns: ['^tmp-'] },
  protect: { keys: ['owner'], resourceTag: { key: 'cleanup:protect', value: 'true' } },
  dryRun: false,
  limits: { maxResources: 5000, concurrency: 8 },
};

const base = { name: 'p', regions: ['cn-hangzhou'], resourceTypes: ['IPAM'], remove: { keys: ['CostCenter'] } };

function issuesOf(input: unknown): PolicyIssue[] {
  const r = parsePolicy(input);
  if (r.ok) throw new Error(`expected a rejection, got ${JSON.stringify(r.policy)}`);
  return r.issues;
}

function paths(input: unknown): string[] {
  return issuesOf(input).map((i) => i.path);
}

describe('parsePolicy accepts', () => {
  it('the sample policy of DESIGN.md as written', () => {
    const r = parsePolicy(DESIGN_SAMPLE);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.policy).toEqual(DESIGN_SAMPLE);
  });

  it('a minimal policy and fills dryRun with false', () => {
    const r = parsePolicy(base);
    expect(r).toEqual({ ok: true, policy: { ...base, dryRun: false } });
  });

  it('remove.all for types that have a typed list', () => {
    expect(
      parsePolicy({ ...base, resourceTypes: ['IPAM', 'PeerConnection', 'VPC', 'VSWITCH'], remove: { all: true } }).ok,
    ).toBe(true);
  });

  it('patterns on a Vpc type without a typed list when match narrows the resources', () => {
    const p = {
      ...base,
      resourceTypes: ['ROUTETABLE'],
      remove: { keyPatterns: ['^tmp-'] },
      match: { tags: [{ key: 'env' }] },
    };
    expect(parsePolicy(p).ok).toBe(true);
  });

  it('exact keys on a Vpc type without a typed list, no match needed', () => {
    expect(parsePolicy({ ...base, resourceTypes: ['EIP', 'NATGATEWAY'] }).ok).toBe(true);
  });

  it('a policy as a JSON string', () => {
    expect(parsePolicy(JSON.stringify(DESIGN_SAMPLE)).ok).toBe(true);
  });

  it('duplicates and drops them instead of failing', () => {
    const r = parsePolicy({
      ...base,
      regions: ['cn-hangzhou', 'cn-hangzhou'],
      resourceTypes: ['IPAM', 'IPAM'],
      remove: { keys: ['a', 'b', 'a'], keyPatterns: ['^x', '^x'] },
      protect: { keys: ['o', 'o'] },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.policy.regions).toEqual(['cn-hangzhou']);
    expect(r.policy.resourceTypes).toEqual(['IPAM']);
    expect(r.policy.remove).toEqual({ keys: ['a', 'b'], keyPatterns: ['^x'] });
    expect(r.policy.protect?.keys).toEqual(['o']);
  });

  it('a 100-character key when one selected product accepts it (IPAM caps at 64, VpcPeer at 128)', () => {
    expect(
      parsePolicy({ ...base, resourceTypes: ['IPAM', 'PeerConnection'], remove: { keys: ['k'.repeat(100)] } }).ok,
    ).toBe(true);
  });
});

describe('parsePolicy rejects, naming every issue with its path', () => {
  it('fields of the wrong type', () => {
    const issues = issuesOf({
      name: 3,
      regions: 'cn-hangzhou',
      resourceTypes: ['IPAM'],
      remove: { keys: 'a' },
      dryRun: 'no',
    });
    expect(issues.map((i) => i.path).sort()).toEqual(['dryRun', 'name', 'regions', 'remove.keys']);
    expect(issues.find((i) => i.path === 'name')?.message).toMatch(/string.*number/);
  });

  it('missing required fields', () => {
    expect(paths({}).sort()).toEqual(['name', 'regions', 'remove', 'resourceTypes']);
    expect(issuesOf({}).every((i) => /required/.test(i.message))).toBe(true);
  });

  it('unknown keys at the root, in match.tags[1], in protect.resourceTag and in remove', () => {
    const issues = issuesOf({
      ...base,
      extra: 1,
      match: { tags: [{ key: 'a' }, { key: 'b', vlue: 'x' }] },
      protect: { resourceTag: { key: 'k', valu: 'v' } },
      remove: { keys: ['a'], pattern: '^x' },
    });
    expect(issues.map((i) => i.path).sort()).toEqual([
      'extra',
      'match.tags[1].vlue',
      'protect.resourceTag.valu',
      'remove.pattern',
    ]);
    for (const i of issues) expect(i.message).toContain(`unknown field "${i.path.split('.').pop()}"`);
  });

  it('remove.all mixed with keys', () => {
    expect(issuesOf({ ...base, remove: { all: true, keys: ['a'] } })).toEqual([
      { path: 'remove.keys', message: expect.stringContaining('unknown field "keys"') },
    ]);
  });

  it('remove.all that is not true', () => {
    expect(paths({ ...base, remove: { all: false } })).toEqual(['remove.all']);
  });

  it('remove with neither keys nor patterns', () => {
    expect(issuesOf({ ...base, remove: { keys: [], keyPatterns: [] } })).toEqual([
      { path: 'remove', message: expect.stringMatching(/keys or keyPatterns/) },
    ]);
    expect(paths({ ...base, remove: 'everything' })).toEqual(['remove']);
  });

  it('empty regions and resource types', () => {
    const issues = issuesOf({ ...base, regions: [], resourceTypes: [] });
    expect(issues).toEqual([
      { path: 'regions', message: 'needs at least one region' },
      { path: 'resourceTypes', message: 'needs at least one resource type' },
    ]);
  });

  it('a region that is not a region id and an unknown type', () => {
    const issues = issuesOf({ ...base, regions: ['cn-hangzhou', 'Hangzhou'], resourceTypes: ['IPAM', 'Ipam'] });
    expect(issues.map((i) => i.path)).toEqual(['regions[1]', 'resourceTypes[1]']);
    expect(issues[1]?.message).toContain('"Ipam" is not a known resource type');
  });

  it('an exact key no API of the selected types accepts', () => {
    const issues = issuesOf({
      ...base,
      resourceTypes: ['IPAM', 'IPAMPOOL'],
      remove: { keys: ['ok', '1starts-with-digit', 'k'.repeat(65)] },
    });
    expect(issues.map((i) => i.path)).toEqual(['remove.keys[1]', 'remove.keys[2]']);
    expect(issues[0]?.message).toMatch(/start with a letter/);
    expect(issues[1]?.message).toMatch(/longer than 64/);
    // VpcPeer takes keys up to 128 and any first character: fine there.
    expect(
      parsePolicy({ ...base, resourceTypes: ['PeerConnection'], remove: { keys: ['1starts-with-digit'] } }).ok,
    ).toBe(true);
    expect(
      paths({ ...base, resourceTypes: ['PeerConnection'], remove: { keys: ['k'.repeat(129), 'see https://x'] } }),
    ).toEqual(['remove.keys[0]', 'remove.keys[1]']);
  });

  it('a reserved key, whatever the types', () => {
    const issues = issuesOf({
      ...base,
      resourceTypes: ['PeerConnection'],
      remove: { keys: ['aliyun:owner', 'acs:rm:rgId', 'fine'] },
    });
    expect(issues.map((i) => i.path)).toEqual(['remove.keys[0]', 'remove.keys[1]']);
    for (const i of issues) expect(i.message).toMatch(/reserve/);
  });

  it('a broken regular expression, an empty one and one too long', () => {
    const issues = issuesOf({
      ...base,
      remove: { keyPatterns: ['^ok', '(unclosed', '', `^${'a'.repeat(MAX_KEY_PATTERN_LENGTH)}`] },
    });
    expect(issues.map((i) => i.path)).toEqual([
      'remove.keyPatterns[1]',
      'remove.keyPatterns[2]',
      'remove.keyPatterns[3]',
    ]);
    expect(issues[0]?.message).toMatch(/not a valid regular expression/);
  });

  it('accepts nested repetition: the linear-time engine runs it without backtracking (issue 12 defect 1)', () => {
    expect(parsePolicy({ ...base, remove: { keyPatterns: ['^(tmp|temp)-\\d+$', '(a+)+$', '^(\\w+\\s?)*x'] } }).ok).toBe(
      true,
    );
  });

  it('a pattern or remove.all on a Vpc type without a typed list and no match', () => {
    const issues = issuesOf({
      ...base,
      resourceTypes: ['VPC', 'ROUTETABLE', 'EIP'],
      remove: { keyPatterns: ['^tmp-'] },
    });
    expect(issues.map((i) => i.path)).toEqual(['resourceTypes[1]', 'resourceTypes[2]']);
    expect(issues[0]?.message).toMatch(/ROUTETABLE.*match.*exact keys/);
    expect(paths({ ...base, resourceTypes: ['HAVIP'], remove: { all: true } })).toEqual(['resourceTypes[0]']);
  });

  it('an empty match, which would narrow nothing', () => {
    expect(issuesOf({ ...base, match: {} })).toEqual([
      { path: 'match', message: expect.stringMatching(/resourceIds or tags/) },
    ]);
    expect(paths({ ...base, resourceTypes: ['ROUTETABLE'], remove: { keyPatterns: ['^x'] }, match: {} })).toEqual([
      'match',
      'resourceTypes[0]',
    ]);
  });

  it('limits out of range', () => {
    expect(paths({ ...base, limits: { maxResources: 0, concurrency: 1000 } }).sort()).toEqual([
      'limits.concurrency',
      'limits.maxResources',
    ]);
  });

  it('every issue at once, wherever they are', () => {
    const issues = issuesOf({
      name: '',
      regions: [],
      resourceTypes: ['IPAM', 'NOPE'],
      match: { resourceIds: [], tags: [{ key: 'a', extra: true }] },
      remove: { keys: ['aliyun-x', '9lives'], keyPatterns: ['['] },
      protect: { keys: [1] },
      surprise: true,
    });
    expect(issues.map((i) => i.path).sort()).toEqual(
      [
        'name',
        'regions',
        'resourceTypes[1]',
        'match.resourceIds',
        'match.tags[0].extra',
        'protect.keys[0]',
        'surprise',
        'remove.keyPatterns[0]',
        'remove.keys[0]',
        'remove.keys[1]',
      ].sort(),
    );
  });

  it('input that is not an object, or not JSON, and never throws', () => {
    for (const input of [null, undefined, 42, [], 'not json', '{"a"', Symbol('x'), () => 1]) {
      const r = parsePolicy(input);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.issues[0]?.path).toBe('');
    }
  });
});

describe('compilePolicy', () => {
  it('turns the sample into sets, compiled patterns and filters', () => {
    const r = parsePolicy(DESIGN_SAMPLE);
    if (!r.ok) throw new Error('sample rejected');
    const c = compilePolicy(r.policy);
    expect(c.removeAll).toBe(false);
    expect([...c.keys]).toEqual(['CostCenter', 'legacy-owner']);
    expect(c.patterns.map((p) => p.source)).toEqual(['^tmp-']);
    expect([...c.protectedKeys]).toEqual(['owner']);
    expect(c.protectTag).toEqual({ key: 'cleanup:protect', value: 'true' });
    expect([...(c.matchIds ?? [])]).toEqual(['ipam-pool-0001']);
    expect(c.matchTags).toEqual([{ key: 'env', value: 'dev' }, { key: 'team' }]);
  });

  it('leaves match and protection empty when the policy has none', () => {
    const r = parsePolicy({ ...base, remove: { all: true } });
    if (!r.ok) throw new Error('rejected');
    const c = compilePolicy(r.policy);
    expect(c.removeAll).toBe(true);
    expect(c.matchIds).toBeUndefined();
    expect(c.protectTag).toBeUndefined();
    expect(c.matchTags).toEqual([]);
  });
});

describe('policyJsonSchema', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const validate = ajv.compile(policyJsonSchema());

  it('is draft 2020-12 with a description on every top-level field', () => {
    const schema = policyJsonSchema() as { $schema: string; properties: Record<string, { description?: string }> };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    for (const [name, field] of Object.entries(schema.properties)) expect(field.description, name).toBeTruthy();
  });

  it('accepts the DESIGN sample and a remove.all policy without dryRun', () => {
    expect(validate(DESIGN_SAMPLE)).toBe(true);
    expect(validate({ ...base, remove: { all: true } })).toBe(true);
  });

  it('refuses unknown keys, empty regions and an unknown type, like parsePolicy', () => {
    for (const bad of [
      { ...base, extra: 1 },
      { ...base, regions: [] },
      { ...base, resourceTypes: ['NOPE'] },
      { ...base, remove: { all: true, keys: ['a'] } },
      { ...base, remove: {} },
      { ...base, match: {} },
    ]) {
      expect(validate(bad)).toBe(false);
      expect(parsePolicy(bad).ok).toBe(false);
    }
  });
});
