/**
 * Policy ergonomics (issue 14): `$schema` is accepted, the exported JSON Schema is draft 2020-12 with an
 * `$id` and compiles under Ajv's strict mode, messages are plain English naming the field and what is
 * allowed, and near misses get a "did you mean".
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { policyJsonSchema } from '../../lib/policy/json-schema.ts';
import { parsePolicy } from '../../lib/policy/parse.ts';

const base = { name: 'ergo', regions: ['cn-hangzhou'], resourceTypes: ['IPAMPOOL'], remove: { keys: ['tmp'] } };

const messages = (policy: unknown) => {
  const r = parsePolicy(policy);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
};

describe('$schema in a policy', () => {
  it('is accepted, so an editor can be pointed at the schema from the file itself', () => {
    const r = parsePolicy({ $schema: './policy.schema.json', ...base });
    expect(r.ok).toBe(true);
  });
});

describe('the exported JSON Schema', () => {
  const schema = policyJsonSchema();

  it('is draft 2020-12 with an $id, and compiles under Ajv strict mode', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toMatch(/^urn:vpc-tag-cleanup:policy:/);
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
    for (const f of ['drop-legacy-cost-tags.json', 'strip-decommissioned-pools.json'])
      expect(validate(JSON.parse(readFileSync(new URL(`../../examples/${f}`, import.meta.url), 'utf8'))), f).toBe(true);
    expect(validate({ $schema: 'urn:vpc-tag-cleanup:policy:1', ...base })).toBe(true);
    expect(validate({ ...base, protcet: {} })).toBe(false);
    expect(validate({ ...base, remove: {} })).toBe(false);
  });
});

describe('messages', () => {
  it('use the right article and name what is allowed', () => {
    expect(messages({ ...base, regions: 'cn-hangzhou' })).toEqual(['regions: must be an array, got string']);
    const limits = messages({ ...base, limits: { maxResources: 0, concurrency: 65 } });
    expect(limits).toEqual([
      'limits.maxResources: must be at least 1 (a whole number of resources)',
      'limits.concurrency: must be from 1 to 64',
    ]);
    for (const m of limits) expect(m).not.toMatch(/Too (small|big)|expected number/);
  });

  it('suggest the field or value meant by a near miss', () => {
    expect(messages({ ...base, protcet: { keys: ['owner'] } })).toEqual([
      'protcet: unknown field "protcet" (did you mean "protect"?)',
    ]);
    expect(messages({ ...base, resourceTypes: ['Ipam'] })[0]).toMatch(
      /^resourceTypes\[0\]: "Ipam" is not a known resource type \(did you mean IPAM\? one of IPAM, /,
    );
    expect(messages({ ...base, limits: { concurency: 2 } })).toEqual([
      'limits.concurency: unknown field "concurency" (did you mean "concurrency"?)',
    ]);
    expect(messages({ ...base, zzz: 1 })[0]).toMatch(/^zzz: unknown field "zzz" \(allowed: .*protect, regions/);
  });
});
